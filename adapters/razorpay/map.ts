/**
 * Hub requests → Razorpay bodies, and Razorpay objects → the port's states. Amounts are integers
 * in the currency's smallest unit, as stored (paise for INR). Our ids travel in `notes` (at most
 * 15 keys of 256 characters) and the order's `receipt` (at most 40 characters) is our invoice id,
 * the key the adapter looks an order up by before creating one.
 */
import type { PaymentState, RefundRequest, RefundState } from '../ports.js';
import type { RzpLink, RzpOrder, RzpPayment, RzpRefund } from './client.js';

export const NOTES = {
  invoiceId: 'hub_invoice_id',
  customerId: 'hub_customer_id',
  creditNoteId: 'hub_credit_note_id',
} as const;
export const RECEIPT_MAX = 40;

export function noteOf(notes: Record<string, string> | unknown[] | undefined, key: string): string | undefined {
  // Razorpay answers empty notes as `[]`.
  return notes && !Array.isArray(notes) ? notes[key] : undefined;
}

/** The state of an order from its payments: the captured one wins, then an authorised one. */
export function fromOrder(order: RzpOrder, payments: RzpPayment[]): PaymentState {
  const captured = payments.find((p) => p.captured);
  const authorised = payments.find((p) => p.status === 'authorized');
  const status: PaymentState['status'] = captured
    ? 'succeeded'
    : authorised
      ? 'pending'
      : payments.some((p) => p.status === 'failed')
        ? 'failed'
        : 'pending';
  return { externalId: order.id, status, amountMinor: order.amount, currency: order.currency };
}

export function fromLink(link: RzpLink): PaymentState {
  const status: PaymentState['status'] =
    link.status === 'paid'
      ? 'succeeded'
      : link.status === 'cancelled' || link.status === 'expired'
        ? 'canceled'
        : 'requires_action';
  return {
    externalId: link.id,
    status,
    amountMinor: link.amount,
    currency: link.currency,
    ...(status === 'requires_action' ? { payUrl: link.short_url } : {}),
  };
}

export function toRefundBody(request: RefundRequest): Record<string, unknown> {
  return {
    amount: request.amountMinor,
    speed: 'normal',
    receipt: request.creditNoteId.slice(0, RECEIPT_MAX),
    notes: { [NOTES.creditNoteId]: request.creditNoteId, reason: request.reason },
  };
}

export function fromRefund(refund: RzpRefund): RefundState {
  const status: RefundState['status'] =
    refund.status === 'processed' ? 'succeeded' : refund.status === 'failed' ? 'failed' : 'pending';
  return { externalId: refund.id, status, amountMinor: refund.amount, currency: refund.currency.toUpperCase() };
}
