/**
 * A small stateful QuickBooks Online v3 sandbox: the real paths (/v3/company/{realmId}/...),
 * JSON shapes, Fault envelope, Bearer auth, per-realm `requestid` replay and the query endpoint.
 * Runtime-neutral (Hono + Web APIs only) so it also runs inside workerd.
 * One file per resource: session.ts (auth), query.ts, entities.ts (read and create), with each
 * entity's create rules in customers.ts, items.ts, invoices.ts, payments.ts, credit-memos.ts,
 * refund-receipts.ts, journal-entries.ts; state.ts holds the realms.
 */
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { type PersistentSimulator, persistentRoot } from '../../sandbox/persist.js';
import { entityRoutes } from './entities.js';
import { answer, statusFault, validation } from './errors.js';
import { queryRoutes } from './query.js';
import { sessionRoutes } from './session.js';
import { createQuickBooksState, type QuickBooksSimulatorOptions, type QuickBooksSimulatorState } from './state.js';

export type { QuickBooksSimulatorOptions, QuickBooksSimulatorState, Realm, SimEntity } from './state.js';

export interface QuickBooksSimulator extends PersistentSimulator {
  app: Hono;
  faults: FaultPlan;
  state: QuickBooksSimulatorState;
}

export function createQuickBooksSimulator(options: QuickBooksSimulatorOptions = {}): QuickBooksSimulator {
  const now = options.now ?? (() => new Date());
  const state = createQuickBooksState(options);
  const faults = new FaultPlan();
  const app = new Hono();

  // Faults first, then the Bearer check every company route goes through.
  app.use(
    '*',
    faultMiddleware(faults, (status, c) => answer(c, status, statusFault(status, now().toISOString()))),
  );
  sessionRoutes(app, state, options, now);
  queryRoutes(app, state, now);
  entityRoutes(app, state, now);
  app.notFound((c) => validation(c, now, 404, '2010', 'Unsupported Operation', `No such resource ${c.req.path}`));

  // The companies and their entities, kept across restarts (adapters/sandbox/persist.ts).
  return { ...persistentRoot({ state }), app, faults, state };
}
