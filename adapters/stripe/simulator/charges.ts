/**
 * Charges and balance transactions: read only (with `expand[]`), as the hub reads a payment's fee.
 * https://docs.stripe.com/api/charges and https://docs.stripe.com/api/balance_transactions
 */
import type { Hono } from 'hono';
import { read } from './requests.js';
import type { StripeSim } from './state.js';

export function chargeRoutes(app: Hono, sim: StripeSim): void {
  const { state } = sim;
  app.get('/v1/charges/:id', (c) => read(sim, c, c.req.param('id'), (id) => state.charges.get(id), 'charge'));
  app.get('/v1/balance_transactions/:id', (c) =>
    read(sim, c, c.req.param('id'), (id) => state.balanceTransactions.get(id), 'balance transaction'),
  );
}
