/**
 * PaymentIntents: create (optionally confirming), confirm with Stripe's test payment methods,
 * read and search. https://docs.stripe.com/testing#cards and
 * https://docs.stripe.com/api/payment_intents/create
 */
import type { Hono } from 'hono';
import { missing, type SimResult, stripeError } from './errors.js';
import { booleanParam, type FormObject, mapParam, stringParam } from './form.js';
import {
  declineError,
  newBalanceTransaction,
  newCharge,
  newPaymentIntent,
  type SimPaymentIntent,
  snapshot,
} from './objects.js';
import { read, search, write } from './requests.js';
import type { PaymentStore, StripeSim } from './state.js';

/** Test payment methods that succeed, and those that decline (https://docs.stripe.com/testing). */
const SUCCEEDING = new Set(['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex', 'pm_card_visa_debit']);
const DECLINING = new Set(['pm_card_chargeDeclined', 'pm_card_visa_chargeDeclined']);

function invalid(message: string, param?: string, code?: string): SimResult {
  return stripeError(400, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code } : {}),
    ...(param ? { param } : {}),
  });
}

/**
 * Stripe's special cases (https://docs.stripe.com/currencies#special-cases): ISK (two decimals in
 * Stripe's API), HUF and TWD charge whole units only (the amount, in two-decimal minor units,
 * divisible by 100), and for the three-decimal currencies the last digit must be 0 ("5.124 KWD
 * must be rounded to 5120 or 5130"). Refunds follow the same rule (refunds.ts).
 */
const WHOLE_UNIT_ONLY = new Set(['isk', 'huf', 'twd']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

export function specialCaseRefusal(amount: number, currency: string): SimResult | null {
  if (WHOLE_UNIT_ONLY.has(currency) && amount % 100 !== 0) {
    return invalid(
      `Invalid amount. Currency ${currency.toUpperCase()} is effectively zero-decimal and charged amounts must be evenly divisible by 100.`,
      'amount',
      'invalid_charge_amount_no_decimal_compatible',
    );
  }
  if (THREE_DECIMAL.has(currency) && amount % 10 !== 0) {
    return invalid(
      `Invalid amount. ${currency.toUpperCase()} amounts must end in 0 (round to the nearest ten).`,
      'amount',
      'invalid_charge_amount',
    );
  }
  return null;
}

export function createPaymentIntent(store: PaymentStore, params: FormObject): SimResult {
  const amountRaw = stringParam(params, 'amount');
  if (amountRaw === undefined) return invalid('Missing required param: amount.', 'amount', 'parameter_missing');
  if (!/^\d+$/.test(amountRaw)) {
    return invalid(`Invalid integer: ${amountRaw}`, 'amount', 'parameter_invalid_integer');
  }
  const amount = Number(amountRaw);
  const currencyRaw = stringParam(params, 'currency');
  if (currencyRaw === undefined) return invalid('Missing required param: currency.', 'currency', 'parameter_missing');
  const currency = currencyRaw.toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) return invalid(`Invalid currency: ${currencyRaw}.`, 'currency', 'invalid_currency');
  if (amount < 1)
    return invalid('This value must be greater than or equal to 1.', 'amount', 'parameter_invalid_integer');
  if (currency === 'usd' && amount < 50) {
    return invalid('Amount must be at least $0.50 usd', 'amount', 'amount_too_small');
  }
  if (amount > 99_999_999) {
    return invalid('Amount must be no more than $999,999.99', 'amount', 'amount_too_large');
  }
  const refused = specialCaseRefusal(amount, currency);
  if (refused) return refused;
  const customer = stringParam(params, 'customer') ?? null;
  if (customer && !store.customers.has(customer)) {
    return invalid(`No such customer: '${customer}'`, 'customer', 'resource_missing');
  }
  const metadata = mapParam(params, 'metadata');
  if (metadata === 'invalid') return invalid('Invalid object', 'metadata', 'parameter_invalid_string');
  const paymentMethod = stringParam(params, 'payment_method') ?? null;
  if (paymentMethod && !SUCCEEDING.has(paymentMethod) && !DECLINING.has(paymentMethod)) {
    return invalid(`No such PaymentMethod: '${paymentMethod}'`, 'payment_method', 'resource_missing');
  }
  const automatic = params.automatic_payment_methods;
  const allowRedirects =
    automatic && typeof automatic === 'object' && !Array.isArray(automatic) ? automatic.allow_redirects : undefined;
  const confirm = booleanParam(params, 'confirm');
  if (confirm) {
    if (!paymentMethod) {
      return invalid(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
        'payment_method',
        'payment_intent_unexpected_state',
      );
    }
    // Dashboard payment methods may redirect; Stripe needs a return_url unless redirects are excluded.
    if (allowRedirects !== 'never' && !stringParam(params, 'return_url')) {
      return invalid(
        "This PaymentIntent is configured to accept payment methods enabled in your Dashboard. Because some of these payment methods might redirect your customer off of your page, you must provide a `return_url`. If you don't want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never`.",
        'return_url',
      );
    }
  }
  const intent = newPaymentIntent(store.newId('pi'), store.nowSeconds(), {
    amount,
    currency,
    customer,
    description: stringParam(params, 'description') ?? null,
    metadata: dropEmpty(metadata),
    paymentMethod,
    automaticPaymentMethods: {
      enabled: true,
      ...(typeof allowRedirects === 'string' ? { allow_redirects: allowRedirects } : {}),
    },
  });
  store.paymentIntents.set(intent.id, intent);
  return confirm ? confirmPaymentIntent(store, intent) : { status: 200, body: intent, cache: true };
}

/** Settles or declines at once, like Stripe's test cards do. */
export function confirmPaymentIntent(store: PaymentStore, intent: SimPaymentIntent, params?: FormObject): SimResult {
  const method = (params && stringParam(params, 'payment_method')) ?? intent.payment_method;
  if (intent.status === 'succeeded') {
    return stripeError(
      400,
      {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: 'This PaymentIntent has already succeeded and cannot be confirmed again.',
        payment_intent: snapshot(intent),
      },
      true,
    );
  }
  if (!method || (!SUCCEEDING.has(method) && !DECLINING.has(method))) {
    return invalid(
      method
        ? `No such PaymentMethod: '${method}'`
        : "You cannot confirm this PaymentIntent because it's missing a payment method.",
      'payment_method',
      method ? 'resource_missing' : 'payment_intent_unexpected_state',
    );
  }
  intent.payment_method = method;
  const created = store.nowSeconds();
  const declined = DECLINING.has(method);
  const charge = newCharge(store.newId('ch'), created, intent, declined);
  store.charges.set(charge.id, charge);
  intent.latest_charge = charge.id;
  if (declined) {
    const error = declineError(charge);
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = error;
    store.emit('payment_intent.payment_failed', intent);
    return stripeError(
      402,
      { ...error, payment_intent: snapshot(intent), request_log_url: store.requestLogUrl() },
      true,
    );
  }
  const txn = newBalanceTransaction(store.newId('txn'), created, charge);
  store.balanceTransactions.set(txn.id, txn);
  charge.balance_transaction = txn.id;
  intent.status = 'succeeded';
  intent.amount_received = intent.amount;
  intent.last_payment_error = null;
  store.emit('payment_intent.succeeded', intent);
  return { status: 200, body: intent, cache: true };
}

function dropEmpty(metadata: Record<string, string>): Record<string, string> {
  // Stripe treats an empty metadata value as "unset this key".
  return Object.fromEntries(Object.entries(metadata).filter(([, v]) => v !== ''));
}

export function paymentIntentRoutes(app: Hono, sim: StripeSim): void {
  const { state, store } = sim;
  app.post('/v1/payment_intents', (c) => write(sim, c, (params) => createPaymentIntent(store, params)));
  app.get('/v1/payment_intents/search', (c) => search(sim, c, state.paymentIntents, '/v1/payment_intents/search'));
  app.get('/v1/payment_intents/:id', (c) =>
    read(sim, c, c.req.param('id'), (id) => state.paymentIntents.get(id), 'payment_intent'),
  );
  app.post('/v1/payment_intents/:id/confirm', (c) =>
    write(sim, c, (params) => {
      const intent = state.paymentIntents.get(c.req.param('id'));
      return intent ? confirmPaymentIntent(store, intent, params) : missing('payment_intent', c.req.param('id'));
    }),
  );
}
