/**
 * A small stateful Xero: the Accounting API's real paths (/api.xro/2.0/...), bodies and error
 * envelope, bearer tokens from its own identity server (/connect/token), `xero-tenant-id`,
 * the per-tenant limits with Xero's headers, Idempotency-Key replay, and Xero's validation
 * (unknown contact, item or account, unbalanced journal, over-payment, void with payments).
 * Runtime-neutral (Hono + Web APIs only) so it also runs inside workerd.
 * session.ts (auth, limits, idempotency), routes.ts (paths) over one file per resource;
 * state.ts holds the tenants.
 */
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { type PersistentSimulator, persistentRoot } from '../../sandbox/persist.js';
import { faultResponse, notFound } from './errors.js';
import { identityRoutes, issueTokens } from './identity.js';
import { resourceRoutes } from './routes.js';
import { type SessionOptions, sessionRoutes } from './session.js';
import {
  type Collection,
  countOf,
  createXeroState,
  type Json,
  objectOf,
  type XeroLimitsState,
  type XeroSimulatorState,
} from './state.js';

export { ACCESS_TOKEN_SECONDS } from './identity.js';
export {
  type Collection,
  SIM_BANK_ACCOUNT,
  SIM_BASE_CURRENCY,
  SIM_DEFERRED_REVENUE_ACCOUNT,
  SIM_RECEIVABLE_ACCOUNT,
  SIM_SALES_ACCOUNT,
  SIM_TAX_ACCOUNT,
  type XeroSimulatorState,
} from './state.js';

export const DEFAULT_ACCESS_TOKEN = 'xero-sandbox-access-token';
export const DEFAULT_CLIENT = { clientId: 'xero-sandbox-client', clientSecret: 'xero-sandbox-secret' };

export interface XeroSimulatorOptions extends Partial<SessionOptions> {
  /** A long-lived access token the simulator accepts (a sandbox connection's), default DEFAULT_ACCESS_TOKEN. */
  accessToken?: string;
  clientId?: string;
  clientSecret?: string;
  limits?: Partial<XeroLimitsState>;
}

export interface XeroSimulator extends PersistentSimulator {
  app: Hono;
  faults: FaultPlan;
  state: XeroSimulatorState;
  count(tenantId: string, collection: Collection): number;
  object(tenantId: string, collection: Collection, id: string): Json | undefined;
  /** Objects of a collection (copies), for tests' verdicts. */
  all(tenantId: string, collection: Collection): Json[];
  /** A 30-minute access token and its refresh token, as a consent would give (OAuth tests). */
  connect(): { accessToken: string; refreshToken: string; expiresAt: string };
  /** Every access token issued so far expires now (the token dying mid-sync). */
  expireAccessTokens(): void;
  /** No token, access or refresh, works any more (consent revoked). */
  revokeCredentials(): void;
}

export function createXeroSimulator(options: XeroSimulatorOptions = {}): XeroSimulator {
  const now = options.now ?? (() => new Date());
  const state = createXeroState({ concurrent: 5, perMinute: 60, perDay: 5_000, ...options.limits });
  state.accessTokens.set(options.accessToken ?? DEFAULT_ACCESS_TOKEN, null);
  const faults = new FaultPlan();
  const app = new Hono();
  app.use('*', faultMiddleware(faults, faultResponse));
  identityRoutes(app, state, {
    now,
    clientId: options.clientId ?? DEFAULT_CLIENT.clientId,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT.clientSecret,
  });
  const tenant = sessionRoutes(app, state, { now, ...(options.latency ? { latency: options.latency } : {}) });
  resourceRoutes(app, tenant, now);
  app.notFound((c) => notFound(`Resource ${new URL(c.req.url).pathname}`));
  return {
    ...persistentRoot({ state }),
    app,
    faults,
    state,
    count: (tenantId, collection) => countOf(state, tenantId, collection),
    object: (tenantId, collection, id) => objectOf(state, tenantId, collection, id),
    all: (tenantId, collection) =>
      [...(state.tenants.get(tenantId)?.objects[collection].values() ?? [])].map((o) => structuredClone(o)),
    connect: () => {
      const at = now();
      const issued = issueTokens(state, at);
      return { ...issued, expiresAt: new Date(state.accessTokens.get(issued.accessToken)!).toISOString() };
    },
    expireAccessTokens: () => {
      const at = now().getTime();
      for (const token of state.accessTokens.keys()) state.accessTokens.set(token, at);
    },
    revokeCredentials: () => {
      state.accessTokens.clear();
      state.refreshTokens.clear();
    },
  };
}
