/**
 * Payment Links (https://razorpay.com/docs/api/payments/payment-links): the hosted page for a
 * customer with no saved card. Paying one (the sandbox stand-in `POST /sandbox/payment_links/:id/pay`)
 * creates its order and a captured payment carrying the link's notes, and saves a recurring token.
 */
import type { Hono } from 'hono';
import { badRequest } from './errors.js';
import { capture, createOrder, payOrder } from './payments.js';
import { amountError, authorised, body, isError, list, notesOf, type RazorpaySim, reply } from './requests.js';
import type { RzpPaymentLink } from './state.js';

export function linkRoutes(app: Hono, sim: RazorpaySim): void {
  app.post('/v1/payment_links', async (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const b = await body(c);
    if (isError(b)) return reply(c, b);
    const invalid = amountError(b.amount, b.currency);
    if (invalid) return reply(c, invalid);
    const reference = typeof b.reference_id === 'string' ? b.reference_id : null;
    if (
      reference &&
      [...sim.state.links.values()].some((l) => l.reference_id === reference && l.status !== 'cancelled')
    ) {
      // Razorpay keeps reference_id unique among a merchant's links.
      return reply(c, badRequest(`payment link with given reference_id ${reference} already exists`, 'reference_id'));
    }
    const id = sim.newId('plink');
    const link: RzpPaymentLink = {
      id,
      amount: b.amount as number,
      currency: b.currency as string,
      reference_id: reference,
      description: typeof b.description === 'string' ? b.description : '',
      short_url: `${sim.options.publicUrl}/sandbox/payment_links/${id}`,
      status: 'created',
      order_id: null,
      customer: (b.customer as RzpPaymentLink['customer']) ?? {},
      notes: notesOf(b.notes),
      created_at: sim.nowSeconds(),
    };
    sim.state.links.set(id, link);
    return c.json(link);
  });

  app.get('/v1/payment_links', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const reference = c.req.query('reference_id');
    const links = [...sim.state.links.values()].filter((l) => reference === undefined || l.reference_id === reference);
    return c.json({ payment_links: links, count: links.length, entity: list(links).entity });
  });

  app.post('/v1/payment_links/:id/cancel', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const link = sim.state.links.get(c.req.param('id'));
    if (!link) return reply(c, badRequest('The id provided does not exist', 'id'));
    if (link.status === 'paid')
      return reply(c, badRequest('Payment link has already been paid', null, 'payment_link_paid'));
    link.status = 'cancelled';
    return c.json(link);
  });

  app.post('/sandbox/payment_links/:id/pay', (c) => {
    const link = sim.state.links.get(c.req.param('id'));
    if (!link) return c.json({ error: 'unknown link' }, 404);
    if (link.status !== 'created') return c.json({ error: `link is ${link.status}` }, 409);
    const order = createOrder(sim, {
      amount: link.amount,
      currency: link.currency,
      receipt: link.reference_id,
      notes: link.notes,
    });
    link.order_id = order.id;
    const customerId = link.notes.razorpay_customer_id ?? null;
    const payment = payOrder(sim, order, {
      customerId,
      tokenId: null,
      email: link.customer.email ?? null,
      notes: {},
      declined: false,
    });
    capture(sim, payment);
    link.status = 'paid';
    if (customerId) {
      const tokens = sim.state.tokens.get(customerId) ?? [];
      tokens.push({ id: sim.newId('token'), entity: 'token', method: 'card', recurring: true });
      sim.state.tokens.set(customerId, tokens);
    }
    sim.emit('payment_link.paid', { payment_link: { entity: { ...link } }, payment: { entity: { ...payment } } });
    return c.json({ payment_id: payment.id, status: link.status });
  });
}
