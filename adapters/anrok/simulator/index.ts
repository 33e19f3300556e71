/**
 * A stateful Anrok simulator (Hono, runtime-neutral) speaking Anrok's seller API: every call a
 * POST with a JSON body and a Bearer API key; transactions keyed by the caller's id; amounts in
 * integer minor units; 400 as a JSON string, 409 as `{type}`, 429 as text with Retry-After.
 * One file per resource: transactions.ts, products.ts; engine.ts is the tax engine; state.ts the account.
 * Paths and shapes: ../shared/apispecs/anrok.json.
 */
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { persistentRoot } from '../../sandbox/persist.js';
import { DEFAULT_RATES } from './engine.js';
import { faultAnswer } from './errors.js';
import { productRoutes } from './products.js';
import { AnrokSimState, type AnrokSimulatorOptions, SIMULATOR_API_KEY } from './state.js';
import { transactionRoutes } from './transactions.js';

export { DEFAULT_RATES, OTHER_US_RATE } from './engine.js';
export type { AnrokSimulatorOptions, SimTransaction } from './state.js';
export { AnrokSimState, SIMULATOR_API_KEY } from './state.js';

export function createAnrokSimulator(options: AnrokSimulatorOptions = {}) {
  const sim = {
    now: options.now ?? (() => new Date()),
    apiKey: options.apiKey ?? SIMULATOR_API_KEY,
    rates: options.rates ?? DEFAULT_RATES,
    state: new AnrokSimState(),
  };
  const faults = new FaultPlan();
  const app = new Hono();
  app.use(
    '*',
    faultMiddleware(faults, (status) => faultAnswer(status)),
  );
  app.use('/v1/*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${sim.apiKey}`) return faultAnswer(401);
    if (c.req.method !== 'POST') return c.json('Every Anrok API call is a POST', 400);
    await next();
  });
  transactionRoutes(app, sim);
  productRoutes(app, sim);
  app.notFound((c) => c.json(`No API at ${c.req.method} ${new URL(c.req.url).pathname}`, 404));
  app.onError(() => faultAnswer(500));
  return { ...persistentRoot({ state: sim.state }), app, faults, state: sim.state };
}

export type AnrokSimulator = ReturnType<typeof createAnrokSimulator>;
