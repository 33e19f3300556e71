/**
 * Pure mapping between the hub's payment port and Stripe objects.
 * PaymentIntent statuses: https://docs.stripe.com/payments/paymentintents/lifecycle
 * Search query language: https://docs.stripe.com/search#search-query-language
 */
import type Stripe from 'stripe';
import type {
  ExternalObject,
  PaymentCustomerRequest,
  PaymentEvent,
  PaymentRequest,
  PaymentState,
  RefundRequest,
  RefundState,
} from '../ports.js';
import { fromStripeAmount } from './amounts.js';

/** Metadata keys that tie Stripe objects back to ours (lookup and webhooks). */
export const METADATA = {
  customerId: 'hub_customer_id',
  invoiceId: 'hub_invoice_id',
  invoiceNumber: 'hub_invoice_number',
  creditNoteId: 'hub_credit_note_id',
} as const;

/** `metadata['key']:'value'`, with quotes and backslashes in the value escaped. */
export function metadataQuery(key: string, value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return `metadata['${key}']:'${escaped}'`;
}

export function toCustomerParams(request: PaymentCustomerRequest): Stripe.CustomerCreateParams {
  return {
    name: request.name,
    ...(request.email ? { email: request.email } : {}),
    metadata: { [METADATA.customerId]: request.localId },
  };
}

export function fromCustomer(customer: Stripe.Customer): ExternalObject {
  return { externalId: customer.id };
}

/**
 * Without a test payment method the PaymentIntent is left for the customer to complete
 * (Payment Element / hosted page). With one (sandbox, e.g. `pm_card_visa`) it is confirmed
 * off-session so it settles at once; redirect-based methods are excluded so no return_url
 * is needed (https://docs.stripe.com/payments/paymentintents/lifecycle).
 */
export function toPaymentIntentParams(
  request: PaymentRequest,
  stripeAmount: number,
  testPaymentMethod?: string,
): Stripe.PaymentIntentCreateParams {
  const params: Stripe.PaymentIntentCreateParams = {
    // In Stripe's units (adapters/stripe/amounts.ts: ISK × 100).
    amount: stripeAmount,
    currency: request.currency.toLowerCase(),
    customer: request.customerExternalId,
    description: request.description,
    metadata: {
      [METADATA.invoiceId]: request.invoiceId,
      [METADATA.invoiceNumber]: request.invoiceNumber,
    },
  };
  if (testPaymentMethod) {
    params.confirm = true;
    params.payment_method = testPaymentMethod;
    params.off_session = true;
    params.automatic_payment_methods = { enabled: true, allow_redirects: 'never' };
  }
  return params;
}

/**
 * Stripe → hub status. A failed attempt sends the intent back to `requires_payment_method`
 * with `last_payment_error` set; canceled intents will never be paid.
 */
export function fromPaymentIntentStatus(intent: Pick<Stripe.PaymentIntent, 'status' | 'last_payment_error'>) {
  switch (intent.status) {
    case 'succeeded':
      return 'succeeded' as const;
    case 'requires_action':
      return 'requires_action' as const;
    case 'canceled':
      return 'canceled' as const;
    case 'requires_payment_method':
      return intent.last_payment_error ? ('failed' as const) : ('pending' as const);
    default:
      // processing, requires_confirmation, requires_capture
      return 'pending' as const;
  }
}

export function fromPaymentIntent(intent: Stripe.PaymentIntent): PaymentState {
  return {
    externalId: intent.id,
    status: fromPaymentIntentStatus(intent),
    amountMinor: fromStripeAmount(intent.amount, intent.currency),
    currency: intent.currency.toUpperCase(),
  };
}

/** Several intents for one invoice (earlier failed attempts): prefer the paid one, else the newest. */
export function pickPaymentIntent(intents: readonly Stripe.PaymentIntent[]): Stripe.PaymentIntent | null {
  if (intents.length === 0) return null;
  const paid = intents.find((pi) => pi.status === 'succeeded');
  if (paid) return paid;
  return [...intents].sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1))[0];
}

/** Duplicates (should not exist, but search cannot rule them out): the oldest is the canonical one. */
export function pickCustomer(customers: readonly Stripe.Customer[]): Stripe.Customer | null {
  if (customers.length === 0) return null;
  return [...customers].sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1))[0];
}

export type FeeLookup =
  | { kind: 'fee'; feeMinor: number }
  | { kind: 'not_settled'; status: string }
  | { kind: 'not_available' }
  | { kind: 'currency_mismatch'; feeCurrency: string; paymentCurrency: string };

/** Reads the fee from an intent retrieved with `expand: ['latest_charge.balance_transaction']`. */
export function feeFromPaymentIntent(intent: Stripe.PaymentIntent): FeeLookup {
  if (intent.status !== 'succeeded') return { kind: 'not_settled', status: intent.status };
  const charge = intent.latest_charge;
  if (!charge || typeof charge === 'string') return { kind: 'not_available' };
  const txn = charge.balance_transaction;
  if (!txn || typeof txn === 'string') return { kind: 'not_available' };
  // The fee is in the settlement currency, which can differ from the charge currency.
  if (txn.currency.toLowerCase() !== intent.currency.toLowerCase()) {
    return {
      kind: 'currency_mismatch',
      feeCurrency: txn.currency.toUpperCase(),
      paymentCurrency: intent.currency.toUpperCase(),
    };
  }
  return { kind: 'fee', feeMinor: fromStripeAmount(txn.fee ?? 0, txn.currency) };
}

const EVENT_TYPES: Record<string, PaymentEvent['type']> = {
  'payment_intent.succeeded': 'payment.succeeded',
  'payment_intent.payment_failed': 'payment.failed',
  // https://docs.stripe.com/api/events/types#event_types-charge.dispute.created (and .updated, .closed)
  'charge.dispute.created': 'dispute.created',
  'charge.dispute.updated': 'dispute.updated',
  'charge.dispute.closed': 'dispute.closed',
};

/** A dispute event: the PaymentIntent it is on is the payment it waits for. */
function fromDisputeEvent(event: Stripe.Event, dispute: Partial<Stripe.Dispute>, occurredAt: string): PaymentEvent {
  const intent =
    typeof dispute.payment_intent === 'string' ? dispute.payment_intent : (dispute.payment_intent?.id ?? null);
  const status = dispute.status ?? 'needs_response';
  return {
    eventId: event.id,
    type: EVENT_TYPES[event.type] ?? 'ignored',
    paymentExternalId: intent,
    invoiceId: null,
    amountMinor: fromStripeAmount(dispute.amount ?? 0, dispute.currency ?? ''),
    currency: (dispute.currency ?? '').toUpperCase(),
    feeMinor: null,
    occurredAt,
    dispute: {
      externalId: dispute.id ?? '',
      status,
      reason: dispute.reason ?? null,
      // warning_closed is an inquiry that ended without a chargeback: nothing was taken, so won.
      outcome: status === 'won' || status === 'warning_closed' ? 'won' : status === 'lost' ? 'lost' : null,
    },
  };
}

/** A verified Stripe event in our terms; events about other objects are `ignored`. */
export function fromEvent(event: Stripe.Event): PaymentEvent {
  const object = event.data?.object as unknown as Partial<Stripe.PaymentIntent> | undefined;
  const occurredAt = new Date(event.created * 1000).toISOString();
  const mapped = EVENT_TYPES[event.type];
  if ((object as { object?: string } | undefined)?.object === 'dispute' && mapped?.startsWith('dispute.')) {
    return fromDisputeEvent(event, object as unknown as Partial<Stripe.Dispute>, occurredAt);
  }
  if (object?.object !== 'payment_intent') {
    return {
      eventId: event.id,
      type: 'ignored',
      paymentExternalId: null,
      invoiceId: null,
      amountMinor: 0,
      currency: '',
      feeMinor: null,
      occurredAt,
    };
  }
  const amount =
    mapped === 'payment.succeeded' && typeof object.amount_received === 'number' && object.amount_received > 0
      ? object.amount_received
      : (object.amount ?? 0);
  return {
    eventId: event.id,
    type: mapped ?? 'ignored',
    paymentExternalId: object.id ?? null,
    invoiceId: object.metadata?.[METADATA.invoiceId] ?? null,
    amountMinor: fromStripeAmount(amount, object.currency ?? ''),
    currency: (object.currency ?? '').toUpperCase(),
    // Stripe events carry no fee; the flow asks getPaymentFee once the payment succeeded.
    feeMinor: null,
    occurredAt,
  };
}

export function toRefundParams(request: RefundRequest, stripeAmount: number): Stripe.RefundCreateParams {
  return {
    payment_intent: request.paymentExternalId,
    // In Stripe's units (adapters/stripe/amounts.ts), on the same step as a charge.
    amount: stripeAmount,
    reason: request.reason,
    metadata: { [METADATA.creditNoteId]: request.creditNoteId },
  };
}

/** Stripe refund statuses: pending, requires_action, succeeded, failed, canceled. */
export function fromRefund(refund: Stripe.Refund): RefundState {
  const status =
    refund.status === 'succeeded' || refund.status === 'failed' || refund.status === 'canceled'
      ? refund.status
      : 'pending';
  return {
    externalId: refund.id,
    status,
    amountMinor: fromStripeAmount(refund.amount, refund.currency),
    currency: refund.currency.toUpperCase(),
  };
}
