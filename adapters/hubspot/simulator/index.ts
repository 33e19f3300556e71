/**
 * HubSpot simulator: a stateful Hono app speaking the CRM v3 object reads, batch reads, deal
 * updates and associations v4 the hub uses, Bearer auth with HubSpot's error envelope, the
 * shared fault knobs, and signed webhook events. Runtime-neutral: Hono and Web APIs only.
 * One file per resource: oauth.ts, session.ts (auth), objects.ts, search.ts, associations.ts;
 * seed.ts and webhooks.ts act as a user of the portal would; state.ts holds what they share.
 * https://developers.hubspot.com/docs/api/crm/understanding-the-crm
 */
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { persistentRoot } from '../../sandbox/persist.js';
import { associationRoutes } from './associations.js';
import { faultBody } from './errors.js';
import { oauthRoutes } from './oauth.js';
import { objectRoutes } from './objects.js';
import { searchRoutes } from './search.js';
import { type SeedOptions, seedClosedWonDeal } from './seed.js';
import { sessionRoutes } from './session.js';
import { createHubSpotSim, type HubSpotSimulatorOptions } from './state.js';
import { dealStageChangedEvent, signWebhook, type WebhookToSign } from './webhooks.js';

export type { SeedContact, SeededDeal, SeedLineItem, SeedOptions } from './seed.js';
export { DEMO_CONTACTS, DEMO_LINE_ITEMS } from './seed.js';
export type { HubSpotSimulatorOptions } from './state.js';
export { DEFAULT_ACCESS_TOKEN, DEFAULT_CLIENT_SECRET } from './state.js';

export function createHubSpotSimulator(options: HubSpotSimulatorOptions = {}) {
  const sim = createHubSpotSim(options);
  const faults = new FaultPlan();
  const app = new Hono();

  // Faults first, then OAuth (no Bearer), then the Bearer check every CRM route goes through.
  app.use('*', faultMiddleware(faults, faultBody(sim)));
  oauthRoutes(app, sim);
  sessionRoutes(app, sim);
  objectRoutes(app, sim);
  searchRoutes(app, sim);
  associationRoutes(app, sim);

  return {
    // The portal's objects, tokens and sequence numbers, kept across restarts (adapters/sandbox/persist.ts).
    ...persistentRoot({ state: sim.state, counters: sim.counters, labelIds: sim.labelIds }),
    app,
    faults,
    state: sim.state,
    seedClosedWonDeal: (opts?: SeedOptions) => seedClosedWonDeal(sim, opts),
    signWebhook: (input: WebhookToSign) => signWebhook(sim, input),
    dealStageChangedEvent: (dealId: string, stage: string) => dealStageChangedEvent(sim, dealId, stage),
  };
}

export type HubSpotSimulator = ReturnType<typeof createHubSpotSimulator>;
