/**
 * Orders, recurring payments, capture and refunds:
 * https://razorpay.com/docs/api/orders, https://razorpay.com/docs/api/payments/recurring-payments/cards/create-subsequent-payments,
 * https://razorpay.com/docs/api/payments/capture, https://razorpay.com/docs/api/refunds.
 * A refund above what is captured and not refunded is refused with BAD_REQUEST_ERROR.
 * Test behaviour: a customer named DECLINED has its recurring payment fail.
 */
import type { Hono } from 'hono';
import { badRequest } from './errors.js';
import { amountError, authorised, body, isError, list, notesOf, type RazorpaySim, reply } from './requests.js';
import type { RzpOrder, RzpPayment, RzpRefund } from './state.js';

/** Razorpay's fee in the simulator: 2% plus 18% GST on the fee, rounded down to the smallest unit. */
function feeOf(amount: number): { fee: number; tax: number } {
  const base = Math.floor(amount * 0.02);
  const tax = Math.floor(base * 0.18);
  return { fee: base + tax, tax };
}

export function createOrder(
  sim: RazorpaySim,
  o: Pick<RzpOrder, 'amount' | 'currency' | 'receipt' | 'notes'>,
): RzpOrder {
  const order: RzpOrder = {
    id: sim.newId('order'),
    entity: 'order',
    amount_paid: 0,
    amount_due: o.amount,
    status: 'created',
    attempts: 0,
    created_at: sim.nowSeconds(),
    ...o,
  };
  sim.state.orders.set(order.id, order);
  return order;
}

/** A payment of an order, authorised (or failed) at once; `captured` settles it too. */
export function payOrder(
  sim: RazorpaySim,
  order: RzpOrder,
  p: {
    customerId: string | null;
    tokenId: string | null;
    email: string | null;
    notes: Record<string, string>;
    declined: boolean;
  },
): RzpPayment {
  order.attempts += 1;
  order.status = 'attempted';
  const payment: RzpPayment = {
    id: sim.newId('pay'),
    entity: 'payment',
    amount: order.amount,
    currency: order.currency,
    status: p.declined ? 'failed' : 'authorized',
    order_id: order.id,
    method: 'card',
    captured: false,
    amount_refunded: 0,
    refund_status: null,
    customer_id: p.customerId,
    token_id: p.tokenId,
    email: p.email,
    fee: null,
    tax: null,
    error_code: p.declined ? 'BAD_REQUEST_ERROR' : null,
    error_description: p.declined ? 'Payment declined by the issuing bank' : null,
    notes: { ...order.notes, ...p.notes },
    created_at: sim.nowSeconds(),
  };
  sim.state.payments.set(payment.id, payment);
  sim.emit(p.declined ? 'payment.failed' : 'payment.authorized', { payment: { entity: { ...payment } } });
  return payment;
}

export function capture(sim: RazorpaySim, payment: RzpPayment): void {
  const order = sim.state.orders.get(payment.order_id);
  payment.status = 'captured';
  payment.captured = true;
  Object.assign(payment, feeOf(payment.amount));
  if (order) {
    order.amount_paid = payment.amount;
    order.amount_due = 0;
    order.status = 'paid';
  }
  sim.emit('payment.captured', { payment: { entity: { ...payment } } });
}

export function paymentRoutes(app: Hono, sim: RazorpaySim): void {
  app.post('/v1/orders', async (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const b = await body(c);
    if (isError(b)) return reply(c, b);
    const invalid = amountError(b.amount, b.currency);
    if (invalid) return reply(c, invalid);
    if (b.receipt !== undefined && (typeof b.receipt !== 'string' || b.receipt.length > 40)) {
      return reply(c, badRequest('receipt may not be greater than 40 characters', 'receipt'));
    }
    const order = createOrder(sim, {
      amount: b.amount as number,
      currency: b.currency as string,
      receipt: typeof b.receipt === 'string' ? b.receipt : null,
      notes: notesOf(b.notes),
    });
    return c.json(order);
  });

  app.get('/v1/orders', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const receipt = c.req.query('receipt');
    const orders = [...sim.state.orders.values()]
      .reverse()
      .filter((o) => receipt === undefined || o.receipt === receipt);
    return c.json(list(orders.slice(0, Number(c.req.query('count') ?? 10) || 10)));
  });

  app.get('/v1/orders/:id', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const order = sim.state.orders.get(c.req.param('id'));
    return order ? c.json(order) : reply(c, badRequest('The id provided does not exist', 'id'));
  });

  app.get('/v1/orders/:id/payments', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    if (!sim.state.orders.has(c.req.param('id'))) return reply(c, badRequest('The id provided does not exist', 'id'));
    return c.json(list([...sim.state.payments.values()].filter((p) => p.order_id === c.req.param('id'))));
  });

  app.post('/v1/payments/create/recurring', async (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const b = await body(c);
    if (isError(b)) return reply(c, b);
    const order = sim.state.orders.get(String(b.order_id));
    if (!order) return reply(c, badRequest('The order id provided does not exist', 'order_id'));
    if (order.status === 'paid')
      return reply(c, badRequest('Order has already been paid', 'order_id', 'order_already_paid'));
    if (b.amount !== order.amount || b.currency !== order.currency) {
      return reply(c, badRequest('The amount and currency must match the order', 'amount'));
    }
    const customer = sim.state.customers.get(String(b.customer_id));
    if (!customer) return reply(c, badRequest('The customer id provided does not exist', 'customer_id'));
    const tokens = sim.state.tokens.get(customer.id) ?? [];
    const tokenId = String(b.token);
    if (tokenId !== sim.options.sandboxToken && !tokens.some((t) => t.id === tokenId && t.recurring)) {
      return reply(c, badRequest('The token provided is invalid or not recurring', 'token'));
    }
    const payment = payOrder(sim, order, {
      customerId: customer.id,
      tokenId,
      email: typeof b.email === 'string' ? b.email : customer.email,
      notes: notesOf(b.notes),
      declined: customer.name === 'DECLINED',
    });
    return c.json({ razorpay_payment_id: payment.id, razorpay_order_id: order.id, razorpay_signature: '' });
  });

  app.get('/v1/payments/:id', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const payment = sim.state.payments.get(c.req.param('id'));
    return payment ? c.json(payment) : reply(c, badRequest('The id provided does not exist', 'id'));
  });

  app.post('/v1/payments/:id/capture', async (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const b = await body(c);
    if (isError(b)) return reply(c, b);
    const payment = sim.state.payments.get(c.req.param('id'));
    if (!payment) return reply(c, badRequest('The id provided does not exist', 'id'));
    if (payment.status === 'captured')
      return reply(c, badRequest('This payment has already been captured', null, 'payment_already_captured'));
    if (payment.status !== 'authorized')
      return reply(c, badRequest('Only payments which have been authorized and not yet captured can be captured'));
    if (b.amount !== payment.amount || (b.currency !== undefined && b.currency !== payment.currency)) {
      return reply(c, badRequest('Capture amount must be equal to the amount authorized', 'amount'));
    }
    capture(sim, payment);
    return c.json(payment);
  });

  app.post('/v1/payments/:id/refund', async (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    const b = await body(c);
    if (isError(b)) return reply(c, b);
    const payment = sim.state.payments.get(c.req.param('id'));
    if (!payment) return reply(c, badRequest('The id provided does not exist', 'id'));
    if (!payment.captured)
      return reply(c, badRequest('The payment has not been captured', null, 'payment_not_captured'));
    const left = payment.amount - payment.amount_refunded;
    const amount = b.amount === undefined ? left : b.amount;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1) {
      return reply(c, badRequest('The amount must be an integer in the smallest currency unit', 'amount'));
    }
    if (amount > left) {
      return reply(
        c,
        badRequest('The refund amount provided is greater than amount captured', 'amount', 'refund_amount_exceeded'),
      );
    }
    const refund: RzpRefund = {
      id: sim.newId('rfnd'),
      entity: 'refund',
      amount,
      currency: payment.currency,
      payment_id: payment.id,
      receipt: typeof b.receipt === 'string' ? b.receipt : null,
      status: 'processed',
      speed_processed: 'normal',
      notes: notesOf(b.notes),
      created_at: sim.nowSeconds(),
    };
    sim.state.refunds.set(refund.id, refund);
    payment.amount_refunded += amount;
    payment.refund_status = payment.amount_refunded === payment.amount ? 'full' : 'partial';
    if (payment.refund_status === 'full') payment.status = 'refunded';
    sim.emit('refund.processed', { refund: { entity: { ...refund } }, payment: { entity: { ...payment } } });
    return c.json(refund);
  });

  app.get('/v1/payments/:id/refunds', (c) => {
    const denied = authorised(c, sim);
    if (denied) return denied;
    return c.json(list([...sim.state.refunds.values()].filter((r) => r.payment_id === c.req.param('id'))));
  });
}
