/**
 * Customers: create (metadata and email checked as Stripe checks them), read and search.
 * https://docs.stripe.com/api/customers
 */
import type { Hono } from 'hono';
import { invalidParam } from './errors.js';
import { mapParam, stringParam } from './form.js';
import { newCustomer } from './objects.js';
import { read, search, write } from './requests.js';
import type { StripeSim } from './state.js';

export function customerRoutes(app: Hono, sim: StripeSim): void {
  const { state } = sim;
  app.post('/v1/customers', (c) =>
    write(sim, c, (params) => {
      const metadata = mapParam(params, 'metadata');
      if (metadata === 'invalid') return invalidParam('Invalid object', 'metadata', 'parameter_invalid_string');
      const email = stringParam(params, 'email');
      if (email && !/^[^@\s]+@[^@\s]+$/.test(email)) {
        return invalidParam(`Invalid email address: ${email}`, 'email', 'email_invalid');
      }
      const customer = newCustomer(sim.newId('cus'), sim.nowSeconds(), {
        name: stringParam(params, 'name'),
        email,
        description: stringParam(params, 'description'),
        phone: stringParam(params, 'phone'),
        metadata: Object.fromEntries(Object.entries(metadata).filter(([, v]) => v !== '')),
      });
      state.customers.set(customer.id, customer);
      return { status: 200, body: customer, cache: true };
    }),
  );
  app.get('/v1/customers/search', (c) => search(sim, c, state.customers, '/v1/customers/search'));
  app.get('/v1/customers/:id', (c) => read(sim, c, c.req.param('id'), (id) => state.customers.get(id), 'customer'));
}
