/**
 * Customers (https://razorpay.com/docs/api/customers): with `fail_existing: "0"` a customer with
 * the same email and contact is answered again instead of an error, which is what makes creating
 * one safe to repeat. Tokens: GET /customers/:id/tokens.
 */
import type { Hono } from 'hono';
import { badRequest } from './errors.js';
import { authorised, body, isError, list, notesOf, type RazorpaySim, reply } from './requests.js';
import type { RzpCustomer } from './state.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function customerRoutes(app: Hono, sim: RazorpaySim): void {
  app.post('/v1/customers', async (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const b = await body(c);
    if (isError(b)) return reply(c, b);
    if (b.email !== undefined && (typeof b.email !== 'string' || !EMAIL.test(b.email))) {
      return reply(c, badRequest('The email must be a valid email address.', 'email'));
    }
    const email = typeof b.email === 'string' ? b.email : null;
    const contact = typeof b.contact === 'string' ? b.contact : null;
    const notes = notesOf(b.notes);
    const existing = [...sim.state.customers.values()].find(
      (x) =>
        x.email === email &&
        x.contact === contact &&
        (email !== null || contact !== null || x.notes.hub_customer_id === notes.hub_customer_id),
    );
    if (existing) {
      if (String(b.fail_existing ?? '1') === '0') return c.json(existing);
      return reply(c, badRequest('Customer already exists for the merchant', null, 'customer_exists'));
    }
    const customer: RzpCustomer = {
      id: sim.newId('cust'),
      entity: 'customer',
      name: typeof b.name === 'string' ? b.name : '',
      email,
      contact,
      notes,
      created_at: sim.nowSeconds(),
    };
    sim.state.customers.set(customer.id, customer);
    return c.json(customer);
  });

  app.get('/v1/customers', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const count = Math.min(Number(c.req.query('count') ?? 10) || 10, 100);
    const skip = Number(c.req.query('skip') ?? 0) || 0;
    // Newest first, as Razorpay lists.
    return c.json(list([...sim.state.customers.values()].reverse().slice(skip, skip + count)));
  });

  app.get('/v1/customers/:id/tokens', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    if (!sim.state.customers.has(c.req.param('id')))
      return reply(c, badRequest('The id provided does not exist', 'id'));
    return c.json(list(sim.state.tokens.get(c.req.param('id')) ?? []));
  });
}
