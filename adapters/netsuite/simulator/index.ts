/**
 * A small stateful NetSuite sandbox speaking SuiteTalk REST web services: the record API's real
 * paths (/services/rest/record/v1/...), upsert by external id, NetSuite's error envelope,
 * Token-Based Authentication headers, the account's concurrency limit and SuiteQL.
 * Runtime-neutral (Hono + Web APIs only) so it also runs inside workerd. The account is the
 * OAuth realm (a loopback server has no account host name).
 * session.ts (auth, concurrency), records.ts (upsert, read, patch), validation.ts (per record
 * type rules and effects), suiteql.ts; state.ts holds the accounts.
 */
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { type PersistentSimulator, persistentRoot } from '../../sandbox/persist.js';
import { errorResponse, faultResponse } from './errors.js';
import { recordRoutes } from './records.js';
import { type SessionOptions, sessionRoutes } from './session.js';
import { countOf, createNetSuiteState, type NetSuiteSimulatorState, recordOf } from './state.js';
import { suiteqlRoutes } from './suiteql.js';

export {
  BASE_CURRENCY,
  type NetSuiteSimulatorState,
  SIM_BANK_ACCOUNT_ID,
  SIM_INCOME_ACCOUNT_ID,
  SIM_TAX_ITEM_ID,
  type SimRecordType,
} from './state.js';

export interface NetSuiteSimulatorOptions extends SessionOptions {
  /** Requests an account serves at once (default 5, the shared tier's limit). */
  concurrencyLimit?: number;
}

export interface NetSuiteSimulator extends PersistentSimulator {
  app: Hono;
  faults: FaultPlan;
  state: NetSuiteSimulatorState;
  count: (accountId: string, type: Parameters<typeof countOf>[2]) => number;
  record: (accountId: string, type: Parameters<typeof recordOf>[2], id: string) => Record<string, unknown> | undefined;
}

export function createNetSuiteSimulator(options: NetSuiteSimulatorOptions = {}): NetSuiteSimulator {
  const state = createNetSuiteState(options.concurrencyLimit ?? 5);
  const faults = new FaultPlan();
  const app = new Hono();
  app.use('*', faultMiddleware(faults, faultResponse));
  const resolve = sessionRoutes(app, state, options);
  recordRoutes(app, resolve);
  suiteqlRoutes(app, resolve);
  app.notFound(() => errorResponse(404, 'NONEXISTENT_ID', 'The requested resource does not exist.'));
  return {
    ...persistentRoot({ state }),
    app,
    faults,
    state,
    count: (accountId, type) => countOf(state, accountId, type),
    record: (accountId, type, id) => recordOf(state, accountId, type, id),
  };
}
