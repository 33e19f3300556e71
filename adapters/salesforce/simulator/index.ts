/**
 * Salesforce simulator: a stateful Hono app speaking the REST API paths the hub uses
 * (query, sObject read/update, limits), the OAuth grants (refresh token, web-server authorization
 * code with its authorize redirect, JWT bearer with RS256 checked against a registered key), Bearer auth with
 * Salesforce's error array, the daily API request limit (403 REQUEST_LIMIT_EXCEEDED) and the
 * shared fault knobs. Runtime-neutral: Hono and Web APIs only.
 * One file per resource: oauth.ts, session.ts (auth and limits), query.ts, sobjects.ts; seed.ts,
 * cpq.ts and outbound-messages.ts act as a user of the org would; state.ts holds what they share.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm
 */
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { persistentRoot } from '../../sandbox/persist.js';
import { type SeedQuoteLine, type SeedQuoteOptions, seedCpqQuote } from './cpq.js';
import { faultBody, notFound } from './errors.js';
import { issueAuthorizationCode, oauthRoutes } from './oauth.js';
import { outboundMessageFor } from './outbound-messages.js';
import { queryRoutes } from './query.js';
import { type SeedOptions, seedClosedWonOpportunity } from './seed.js';
import { limitsRoutes, sessionRoutes } from './session.js';
import { sobjectRoutes } from './sobjects.js';
import { createSalesforceSim, type SalesforceSimulatorOptions } from './state.js';

export type { SeededQuote, SeedQuoteLine, SeedQuoteOptions } from './cpq.js';
export type { SeedContact, SeededOpportunity, SeedLineItem, SeedOptions } from './seed.js';
export { DEMO_CONTACTS, DEMO_LINE_ITEMS } from './seed.js';
export type { SalesforceSimulatorOptions } from './state.js';

export function createSalesforceSimulator(options: SalesforceSimulatorOptions = {}) {
  const sim = createSalesforceSim(options);
  const { state } = sim;
  const faults = new FaultPlan();
  const app = new Hono();

  // Registered in this order: faults first, then OAuth (no session), then the session check
  // every data route after it goes through.
  app.use('*', faultMiddleware(faults, faultBody));
  oauthRoutes(app, sim);
  sessionRoutes(app, sim);
  queryRoutes(app, sim);
  limitsRoutes(app, sim);
  sobjectRoutes(app, sim);
  app.notFound(notFound);

  return {
    // The org's records, sessions and sequence numbers, kept across restarts (adapters/sandbox/persist.ts).
    ...persistentRoot({ state, counters: sim.counters }),
    app,
    faults,
    state,
    credentials: sim.credentials,
    seedClosedWonOpportunity: (opts?: SeedOptions) => seedClosedWonOpportunity(sim, opts),
    seedCpqQuote: (opportunityId: string, lines: SeedQuoteLine[], opts?: SeedQuoteOptions) =>
      seedCpqQuote(sim, opportunityId, lines, opts),
    outboundMessageFor: (opportunityId: string) => outboundMessageFor(sim, opportunityId),
    /** A single-use web-server-flow code, as if the user had approved the app (redirect_uri must match at exchange). */
    issueAuthorizationCode: (redirectUri: string, clientId?: string) =>
      issueAuthorizationCode(sim, redirectUri, clientId),
    /** Registers the certificate (SPKI public key) of a connected app using the JWT bearer flow. */
    registerJwtPublicKey(clientId: string, spki: ArrayBuffer | Uint8Array): void {
      state.jwtPublicKeys.set(clientId, new Uint8Array(spki));
    },
    /** Ends every current session: the next API call answers 401 INVALID_SESSION_ID. */
    expireAccessToken(): void {
      state.accessTokens.clear();
    },
    /** Revokes the refresh token too: refreshing fails with invalid_grant. */
    revokeRefreshToken(): void {
      state.refreshTokens.clear();
    },
  };
}

export type SalesforceSimulator = ReturnType<typeof createSalesforceSimulator>;
