/**
 * Refunds of a succeeded PaymentIntent (create, read, list by payment_intent) and cancelling an
 * open PaymentIntent, with Stripe's rules: a refund never exceeds what is left of the charge,
 * and only an intent that has not succeeded (nor been cancelled) can be cancelled.
 * https://docs.stripe.com/api/refunds/create and https://docs.stripe.com/api/payment_intents/cancel
 */
import type { Context, Hono } from 'hono';
import { invalidParam, missing, type SimResult, stripeError } from './errors.js';
import { type FormObject, mapParam, parseStripeForm, stringParam } from './form.js';
import type { SimPaymentIntent, SimRefund } from './objects.js';
import { specialCaseRefusal } from './payment-intents.js';
import { read, respond, write } from './requests.js';
import type { StripeSim } from './state.js';

const REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);
const CANCELLATION_REASONS = new Set(['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer']);

function createRefund(sim: StripeSim, params: FormObject): SimResult {
  const { state } = sim;
  const intentId = stringParam(params, 'payment_intent');
  const chargeId = stringParam(params, 'charge');
  const intent = intentId ? state.paymentIntents.get(intentId) : undefined;
  const charge = chargeId
    ? state.charges.get(chargeId)
    : intent?.latest_charge
      ? state.charges.get(intent.latest_charge)
      : undefined;
  if (!intentId && !chargeId) return invalidParam('One of `charge` or `payment_intent` is required.', 'payment_intent');
  if (intentId && !intent) return missing('payment_intent', intentId);
  if (charge?.status !== 'succeeded') {
    return invalidParam(
      `This PaymentIntent (${intentId}) does not have a successful charge to refund.`,
      'payment_intent',
      'charge_not_refundable',
    );
  }
  const left = charge.amount_captured - charge.amount_refunded;
  const amountRaw = stringParam(params, 'amount');
  if (amountRaw !== undefined && !/^\d+$/.test(amountRaw)) {
    return invalidParam(`Invalid integer: ${amountRaw}`, 'amount', 'parameter_invalid_integer');
  }
  const amount = amountRaw === undefined ? left : Number(amountRaw);
  if (amount < 1) return invalidParam('This value must be greater than or equal to 1.', 'amount');
  // The currency's step holds for refunds too (ISK: https://support.stripe.com/questions/deprecation-of-fractional-isk-charges-and-refunds).
  const refused = specialCaseRefusal(amount, charge.currency);
  if (refused) return refused;
  if (amount > left) {
    return invalidParam(
      `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
      'amount',
      'amount_too_large',
    );
  }
  const reason = stringParam(params, 'reason') ?? null;
  if (reason !== null && !REASONS.has(reason)) return invalidParam(`Invalid reason: ${reason}`, 'reason');
  const metadata = mapParam(params, 'metadata');
  if (metadata === 'invalid') return invalidParam('Invalid object', 'metadata', 'parameter_invalid_string');
  const refund: SimRefund = {
    id: sim.newId('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: sim.nowSeconds(),
    currency: charge.currency,
    metadata,
    payment_intent: charge.payment_intent,
    reason,
    receipt_number: null,
    status: 'succeeded',
  };
  state.refunds.set(refund.id, refund);
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount_captured;
  return { status: 200, body: refund, cache: true };
}

function cancelIntent(intent: SimPaymentIntent, params: FormObject, nowSeconds: number): SimResult {
  const reason = stringParam(params, 'cancellation_reason') ?? null;
  if (reason !== null && !CANCELLATION_REASONS.has(reason)) {
    return invalidParam(`Invalid cancellation_reason: ${reason}`, 'cancellation_reason');
  }
  if (intent.status === 'succeeded' || intent.status === 'canceled') {
    return stripeError(400, {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message: `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      payment_intent: JSON.parse(JSON.stringify(intent)),
    });
  }
  intent.status = 'canceled';
  intent.canceled_at = nowSeconds;
  intent.cancellation_reason = reason;
  return { status: 200, body: intent, cache: true };
}

/** GET /v1/refunds?payment_intent=…: newest first, as Stripe lists them. */
function listRefunds(sim: StripeSim, c: Context) {
  const query = parseStripeForm(new URL(c.req.url).search.slice(1));
  const intent = stringParam(query, 'payment_intent');
  const limit = Math.min(Math.max(Number(stringParam(query, 'limit') ?? 10) || 10, 1), 100);
  const all = [...sim.state.refunds.values()]
    .filter((r) => !intent || r.payment_intent === intent)
    .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
  return respond(c, {
    status: 200,
    cache: false,
    body: { object: 'list', data: all.slice(0, limit), has_more: all.length > limit, url: '/v1/refunds' },
  });
}

export function refundRoutes(app: Hono, sim: StripeSim): void {
  const { state } = sim;
  app.post('/v1/refunds', (c) => write(sim, c, (params) => createRefund(sim, params)));
  app.get('/v1/refunds', (c) => listRefunds(sim, c));
  app.get('/v1/refunds/:id', (c) => read(sim, c, c.req.param('id'), (id) => state.refunds.get(id), 'refund'));
  app.post('/v1/payment_intents/:id/cancel', (c) =>
    write(sim, c, (params) => {
      const intent = state.paymentIntents.get(c.req.param('id'));
      return intent ? cancelIntent(intent, params, sim.nowSeconds()) : missing('payment_intent', c.req.param('id'));
    }),
  );
}
