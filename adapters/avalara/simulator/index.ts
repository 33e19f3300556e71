/**
 * A stateful AvaTax REST v2 simulator (Hono, runtime-neutral) speaking AvaTax's paths, TransactionModel
 * shape and `{"error":{...}}` envelope. Idempotency works as in AvaTax: the document code is the key —
 * createoradjust adjusts the transaction with that code in place (same id, version bumped); create
 * refuses a code whose transaction is already committed (DocumentCodeConflict).
 * One file per resource: session.ts (auth and ping), transactions.ts; transactions-model.ts parses
 * and renders the models; state.ts holds the account.
 * Paths: https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/
 */
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { persistentRoot } from '../../sandbox/persist.js';
import { addressRoutes } from './addresses.js';
import { ERRORS, faultError, send } from './errors.js';
import { sessionRoutes } from './session.js';
import { AvalaraSimState, type AvalaraSimulatorOptions, SIMULATOR_CREDENTIALS } from './state.js';
import { transactionRoutes } from './transactions.js';
import { DEFAULT_RATES } from './transactions-model.js';

export type { AvalaraSimulatorOptions } from './state.js';
export { AvalaraSimState, SIMULATOR_CREDENTIALS } from './state.js';
export type { SimTransaction } from './transactions-model.js';
export { DEFAULT_RATES, OTHER_US_RATE } from './transactions-model.js';

export function createAvalaraSimulator(options: AvalaraSimulatorOptions = {}) {
  const sim = {
    now: options.now ?? (() => new Date()),
    credentials: options.credentials ?? SIMULATOR_CREDENTIALS,
    rates: options.rates ?? DEFAULT_RATES,
    state: new AvalaraSimState(),
  };
  const faults = new FaultPlan();
  const app = new Hono();

  // Faults first, then ping and the Basic-auth check every other /api/v2 route goes through.
  app.use(
    '*',
    faultMiddleware(faults, (status, c) => send(c, faultError(status))),
  );
  sessionRoutes(app, sim);
  transactionRoutes(app, sim);
  addressRoutes(app);
  app.notFound((c) =>
    send(c, {
      status: 404,
      code: 'EntityNotFoundError',
      number: 4,
      message: `No API at ${c.req.method} ${new URL(c.req.url).pathname}.`,
      target: 'HttpRequest',
    }),
  );
  app.onError((_err, c) => send(c, ERRORS.server));

  // The companies and their transactions, kept across restarts (adapters/sandbox/persist.ts).
  return { ...persistentRoot({ state: sim.state }), app, faults, state: sim.state };
}

export type AvalaraSimulator = ReturnType<typeof createAvalaraSimulator>;
