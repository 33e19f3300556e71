/**
 * Stripe implementation of the PaymentPort. Writes carry the hub's idempotency key
 * (https://docs.stripe.com/api/idempotent_requests); lookups use the Search API by our
 * metadata (https://docs.stripe.com/search). Search is eventually consistent (usually under
 * a minute), so a lookup right after a lost response can miss the object: retrying the write
 * with the SAME idempotency key is what prevents the duplicate (Stripe keeps keys ≥ 24 h).
 */
import type Stripe from 'stripe';
import { type Outcome, ok, permanent, retryable } from '../../src/domain/outcome.js';
import type {
  ExternalObject,
  PaymentCustomerRequest,
  PaymentEvent,
  PaymentPort,
  PaymentRequest,
  PaymentState,
  RefundRequest,
  RefundState,
  WriteOptions,
} from '../ports.js';
import { stripeAmountStep, toStripeAmount } from './amounts.js';
import { createStripeClient } from './client.js';
import { classifyStripeError, type StripeOperation } from './errors.js';
import {
  feeFromPaymentIntent,
  fromCustomer,
  fromPaymentIntent,
  fromRefund,
  METADATA,
  metadataQuery,
  pickCustomer,
  pickPaymentIntent,
  toCustomerParams,
  toPaymentIntentParams,
  toRefundParams,
} from './map.js';
import { parseStripeWebhook } from './webhooks.js';

export { STRIPE_API_VERSION } from './client.js';

export interface StripeAdapterConfig {
  /** Secret key, `sk_live_…` or `sk_test_…`. */
  apiKey: string;
  /** Endpoint signing secret `whsec_…` of the webhook endpoint. */
  webhookSecret: string;
  /** Overrides https://api.stripe.com (the simulator in sandbox mode and tests). */
  baseUrl?: string;
  /** Sandbox only: confirm new PaymentIntents with this test method (e.g. `pm_card_visa`). */
  testPaymentMethod?: string;
  /** Fetch to use instead of the global one. */
  fetch?: typeof fetch;
  /** Clock for Retry-After dates and the webhook timestamp tolerance. */
  now?: () => Date;
}

export function createStripeAdapter(config: StripeAdapterConfig): PaymentPort {
  const stripe = createStripeClient({ apiKey: config.apiKey, baseUrl: config.baseUrl, fetch: config.fetch });
  const now = config.now ?? (() => new Date());

  async function call<T>(operation: StripeOperation, run: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return ok(await run());
    } catch (error) {
      return classifyStripeError(error, operation, now());
    }
  }

  return {
    vendor: 'stripe',

    amountStep: stripeAmountStep,

    async createCustomer(request: PaymentCustomerRequest, options: WriteOptions): Promise<Outcome<ExternalObject>> {
      const created = await call('write', () =>
        stripe.customers.create(toCustomerParams(request), { idempotencyKey: options.idempotencyKey }),
      );
      return created.ok ? ok(fromCustomer(created.value)) : created;
    },

    async findCustomer(localId: string): Promise<Outcome<ExternalObject | null>> {
      const found = await call('read', () =>
        stripe.customers.search({ query: metadataQuery(METADATA.customerId, localId), limit: 10 }),
      );
      if (!found.ok) return found;
      const customer = pickCustomer(found.value.data);
      return ok(customer ? fromCustomer(customer) : null);
    },

    async createPayment(request: PaymentRequest, options: WriteOptions): Promise<Outcome<PaymentState>> {
      // Off Stripe's step for the currency: refused here, naming the step, before Stripe refuses it.
      const amount = toStripeAmount(request.amountMinor, request.currency, 'payment');
      if (!amount.ok) return amount;
      try {
        const params = toPaymentIntentParams(request, amount.value, config.testPaymentMethod);
        const intent = await stripe.paymentIntents.create(params, {
          idempotencyKey: options.idempotencyKey,
        });
        return ok(fromPaymentIntent(intent));
      } catch (error) {
        // A declined confirmation still created the PaymentIntent (returned inside the
        // card error): report it as a failed payment so the hub stores its id, the same
        // state findPayment would return. https://docs.stripe.com/declines
        const declined = declinedIntent(error);
        if (declined) return ok(fromPaymentIntent(declined));
        return classifyStripeError(error, 'write', now());
      }
    },

    async findPayment(invoiceId: string): Promise<Outcome<PaymentState | null>> {
      const found = await call('read', () =>
        stripe.paymentIntents.search({ query: metadataQuery(METADATA.invoiceId, invoiceId), limit: 10 }),
      );
      if (!found.ok) return found;
      const intent = pickPaymentIntent(found.value.data);
      return ok(intent ? fromPaymentIntent(intent) : null);
    },

    async getPaymentFee(paymentExternalId: string): Promise<Outcome<number>> {
      // https://docs.stripe.com/expand/use-cases (the Stripe fee for a payment)
      const found = await call('read', () =>
        stripe.paymentIntents.retrieve(paymentExternalId, { expand: ['latest_charge.balance_transaction'] }),
      );
      if (!found.ok) return found;
      const fee = feeFromPaymentIntent(found.value);
      switch (fee.kind) {
        case 'fee':
          return ok(fee.feeMinor);
        case 'not_settled':
          return permanent(`PaymentIntent ${paymentExternalId} is ${fee.status}; it has no fee until it succeeds`);
        case 'not_available':
          // Card payments get their balance transaction at once; some methods settle later.
          return retryable(`PaymentIntent ${paymentExternalId} has no balance transaction yet`);
        case 'currency_mismatch':
          return permanent(
            `Stripe fee for ${paymentExternalId} is in ${fee.feeCurrency} but the payment is in ${fee.paymentCurrency}; ` +
              'the fee cannot be booked in the payment currency',
          );
      }
    },

    // https://docs.stripe.com/api/refunds/create, with the Idempotency-Key: a retried refund is the same refund.
    async refundPayment(request: RefundRequest, options: WriteOptions): Promise<Outcome<RefundState>> {
      // A refund follows the charge's step (the credit note flow keeps the rest as customer credit).
      const amount = toStripeAmount(request.amountMinor, request.currency, 'refund');
      if (!amount.ok) return amount;
      const created = await call('write', () =>
        stripe.refunds.create(toRefundParams(request, amount.value), { idempotencyKey: options.idempotencyKey }),
      );
      return created.ok ? ok(fromRefund(created.value)) : created;
    },

    /**
     * Refunds are not in the Search API; the list of a PaymentIntent's refunds is read instead
     * (https://docs.stripe.com/api/refunds/list), which, unlike search, is consistent at once.
     */
    async findRefund(paymentExternalId: string, creditNoteId: string): Promise<Outcome<RefundState | null>> {
      const listed = await call('read', () => stripe.refunds.list({ payment_intent: paymentExternalId, limit: 100 }));
      if (!listed.ok) return listed;
      const refund = listed.value.data.find((r) => r.metadata?.[METADATA.creditNoteId] === creditNoteId);
      return ok(refund ? fromRefund(refund) : null);
    },

    /**
     * https://docs.stripe.com/api/payment_intents/cancel. Stripe refuses to cancel an intent that
     * succeeded or was cancelled before (payment_intent_unexpected_state): its state then is the answer.
     */
    async cancelPayment(paymentExternalId: string, options: WriteOptions): Promise<Outcome<PaymentState>> {
      try {
        const intent = await stripe.paymentIntents.cancel(
          paymentExternalId,
          { cancellation_reason: 'abandoned' },
          { idempotencyKey: options.idempotencyKey },
        );
        return ok(fromPaymentIntent(intent));
      } catch (error) {
        const code = (error as { code?: string } | null)?.code;
        if (code !== 'payment_intent_unexpected_state') return classifyStripeError(error, 'write', now());
        const current = await call('read', () => stripe.paymentIntents.retrieve(paymentExternalId));
        return current.ok ? ok(fromPaymentIntent(current.value)) : current;
      }
    },

    parseWebhook(rawBody: string, headers: Headers): Promise<Outcome<PaymentEvent>> {
      return parseStripeWebhook(stripe, rawBody, headers, { secret: config.webhookSecret, now: config.now });
    },
  };
}

function declinedIntent(error: unknown): Stripe.PaymentIntent | null {
  const candidate = error as { type?: string; payment_intent?: Stripe.PaymentIntent } | null;
  if (candidate?.type !== 'StripeCardError') return null;
  const intent = candidate.payment_intent;
  return intent && typeof intent.id === 'string' && intent.object === 'payment_intent' ? intent : null;
}
