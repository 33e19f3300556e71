/**
 * Razorpay implementation of the PaymentPort, over the official SDK (client.ts). An invoice is an
 * order (receipt = our invoice id) charged to the customer's saved recurring token and captured
 * (https://razorpay.com/docs/api/payments/recurring-payments/cards/create-subsequent-payments);
 * a customer with no saved token gets a Payment Link (reference_id = our invoice id).
 *
 * Razorpay documents no idempotency key for orders, payments or refunds, so every write is
 * preceded by a lookup by our own key: the order by receipt, its payments before charging again,
 * the refunds of a payment by our credit note id in their notes. A crash after Razorpay charged
 * and before the hub's commit therefore finds the charge on the retry instead of making another.
 * The `idempotencyKey` of WriteOptions has no header to go in; the lookups stand for it.
 */
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
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
import { createRazorpayApi, type RzpOrder, type RzpPayment } from './client.js';
import { classifyRazorpayError, type RazorpayOperation } from './errors.js';
import { fromLink, fromOrder, fromRefund, NOTES, noteOf, RECEIPT_MAX, toRefundBody } from './map.js';
import { parseRazorpayWebhook } from './webhooks.js';

export interface RazorpayAdapterConfig {
  keyId: string;
  keySecret: string;
  webhookSecret: string;
  baseUrl?: string;
  /** Sandbox only: the token every customer is charged with (the simulator's sandboxToken). */
  sandboxToken?: string;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** How many pages of 100 customers findCustomer reads: Razorpay has no search by notes. */
const CUSTOMER_PAGES = 20;

export function createRazorpayAdapter(config: RazorpayAdapterConfig): PaymentPort {
  const api = createRazorpayApi(config);
  const now = config.now ?? (() => new Date());

  async function call<T>(operation: RazorpayOperation, run: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return ok(await run());
    } catch (error) {
      return classifyRazorpayError(error, operation, now());
    }
  }

  async function orderOf(invoiceId: string): Promise<Outcome<{ order: RzpOrder; payments: RzpPayment[] } | null>> {
    const found = await call('read', () => api.ordersByReceipt(invoiceId));
    if (!found.ok) return found;
    const order = found.value.items.find((o) => o.receipt === invoiceId);
    if (!order) return ok(null);
    const payments = await call('read', () => api.orderPayments(order.id));
    return payments.ok ? ok({ order, payments: payments.value.items }) : payments;
  }

  /** The order's captured payment, for fees and refunds. */
  async function capturedPayment(orderId: string): Promise<Outcome<RzpPayment | null>> {
    const payments = await call('read', () => api.orderPayments(orderId));
    return payments.ok ? ok(payments.value.items.find((p) => p.captured) ?? null) : payments;
  }

  async function tokenOf(customerId: string): Promise<Outcome<string | null>> {
    if (config.sandboxToken) return ok(config.sandboxToken);
    const tokens = await call('read', () => api.listTokens(customerId));
    return tokens.ok ? ok(tokens.value.items.find((t) => t.recurring)?.id ?? null) : tokens;
  }

  /** Charges the order with the token unless a payment is already on it, then captures it. */
  async function chargeOrder(order: RzpOrder, payments: RzpPayment[], request: PaymentRequest, token: string) {
    let payment = payments.find((p) => p.captured) ?? payments.find((p) => p.status === 'authorized');
    if (!payment) {
      const charged = await call('write', () =>
        api.createRecurringPayment({
          amount: order.amount,
          currency: order.currency,
          order_id: order.id,
          customer_id: request.customerExternalId,
          token,
          recurring: '1',
          description: request.description,
          notes: { [NOTES.invoiceId]: request.invoiceId },
        }),
      );
      if (!charged.ok) return charged;
      const after = await call('read', () => api.orderPayments(order.id));
      if (!after.ok) return after;
      payment = after.value.items.find((p) => p.id === charged.value.razorpay_payment_id);
      if (!payment) return ok(fromOrder(order, after.value.items));
    }
    if (payment.status === 'authorized') {
      // https://razorpay.com/docs/api/payments/capture: the amount authorised, in its currency.
      const captured = await call('write', () => api.capture(payment!.id, payment!.amount, payment!.currency));
      if (!captured.ok) return captured;
      payment = captured.value;
    }
    return ok(fromOrder(order, [payment]));
  }

  return {
    vendor: 'razorpay',

    // https://razorpay.com/docs/api/customers/create: fail_existing "0" answers the existing one.
    async createCustomer(request: PaymentCustomerRequest, _options: WriteOptions): Promise<Outcome<ExternalObject>> {
      const created = await call('write', () =>
        api.createCustomer({
          name: request.name.slice(0, 50),
          ...(request.email !== null ? { email: request.email } : {}),
          fail_existing: '0',
          notes: { [NOTES.customerId]: request.localId },
        }),
      );
      return created.ok ? ok({ externalId: created.value.id }) : created;
    },

    async findCustomer(localId: string): Promise<Outcome<ExternalObject | null>> {
      for (let page = 0; page < CUSTOMER_PAGES; page += 1) {
        const listed = await call('read', () => api.listCustomers(page * 100));
        if (!listed.ok) return listed;
        const found = listed.value.items.find((c) => noteOf(c.notes, NOTES.customerId) === localId);
        if (found) return ok({ externalId: found.id });
        if (listed.value.items.length < 100) break;
      }
      return ok(null);
    },

    async createPayment(request: PaymentRequest, _options: WriteOptions): Promise<Outcome<PaymentState>> {
      if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
        return permanent(`payment amount must be a positive integer of minor units, got ${request.amountMinor}`, {
          field: 'amountMinor',
        });
      }
      if (request.invoiceId.length > RECEIPT_MAX) {
        return permanent(`invoice id ${request.invoiceId} is longer than Razorpay's ${RECEIPT_MAX}-character receipt`);
      }
      const token = await tokenOf(request.customerExternalId);
      if (!token.ok) return token;
      if (token.value === null) return paymentLink(request);
      const existing = await orderOf(request.invoiceId);
      if (!existing.ok) return existing;
      let order = existing.value?.order;
      if (!order) {
        // https://razorpay.com/docs/api/orders/create
        const created = await call('write', () =>
          api.createOrder({
            amount: request.amountMinor,
            currency: request.currency,
            receipt: request.invoiceId,
            notes: { [NOTES.invoiceId]: request.invoiceId, invoice_number: request.invoiceNumber },
          }),
        );
        if (!created.ok) return created;
        order = created.value;
      }
      return chargeOrder(order, existing.value?.payments ?? [], request, token.value);
    },

    async findPayment(invoiceId: string): Promise<Outcome<PaymentState | null>> {
      const found = await orderOf(invoiceId);
      if (!found.ok) return found;
      if (found.value) return ok(fromOrder(found.value.order, found.value.payments));
      const links = await call('read', () => api.linksByReference(invoiceId));
      if (!links.ok) return links;
      const link = links.value.payment_links.find((l) => l.reference_id === invoiceId);
      return ok(link ? fromLink(link) : null);
    },

    async getPaymentFee(paymentExternalId: string): Promise<Outcome<number>> {
      const payment = await capturedPayment(paymentExternalId);
      if (!payment.ok) return payment;
      if (!payment.value)
        return permanent(`Razorpay order ${paymentExternalId} has no captured payment; it has no fee`);
      // The fee (GST included) is in the payment's currency and smallest unit.
      return ok(payment.value.fee ?? 0);
    },

    // https://razorpay.com/docs/api/refunds/create-normal
    async refundPayment(request: RefundRequest, _options: WriteOptions): Promise<Outcome<RefundState>> {
      if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
        return permanent(`refund amount must be a positive integer of minor units, got ${request.amountMinor}`, {
          field: 'amountMinor',
        });
      }
      const payment = await capturedPayment(request.paymentExternalId);
      if (!payment.ok) return payment;
      if (!payment.value)
        return permanent(`Razorpay order ${request.paymentExternalId} has no captured payment to refund`);
      const p = payment.value;
      const refunds = await call('read', () => api.refunds(p.id));
      if (!refunds.ok) return refunds;
      const earlier = refunds.value.items.find((r) => noteOf(r.notes, NOTES.creditNoteId) === request.creditNoteId);
      if (earlier) return ok(fromRefund(earlier));
      const left = p.amount - p.amount_refunded;
      if (request.amountMinor > left || request.currency !== p.currency.toUpperCase()) {
        // Refused before anything is sent: Razorpay would refuse it too.
        return permanent(
          `refund of ${request.amountMinor} ${request.currency} is more than the ${left} ${p.currency} left on payment ${p.id}`,
          { status: 422, field: 'amountMinor' },
        );
      }
      const refunded = await call('write', () => api.refund(p.id, toRefundBody(request)));
      return refunded.ok ? ok(fromRefund(refunded.value)) : refunded;
    },

    async findRefund(paymentExternalId: string, creditNoteId: string): Promise<Outcome<RefundState | null>> {
      const payment = await capturedPayment(paymentExternalId);
      if (!payment.ok) return payment;
      if (!payment.value) return ok(null);
      const p = payment.value;
      const refunds = await call('read', () => api.refunds(p.id));
      if (!refunds.ok) return refunds;
      const found = refunds.value.items.find((r) => noteOf(r.notes, NOTES.creditNoteId) === creditNoteId);
      return ok(found ? fromRefund(found) : null);
    },

    async cancelPayment(paymentExternalId: string, _options: WriteOptions): Promise<Outcome<PaymentState>> {
      if (paymentExternalId.startsWith('plink_')) {
        const cancelled = await call('write', () => api.cancelLink(paymentExternalId));
        if (cancelled.ok) return ok(fromLink(cancelled.value));
        // A paid link cannot be cancelled: it succeeded (refund it instead).
        if (cancelled.status === 400 && /paid/i.test(cancelled.reason)) {
          return ok({ externalId: paymentExternalId, status: 'succeeded', amountMinor: 0, currency: '' });
        }
        return cancelled;
      }
      // Orders have no cancel in Razorpay's API. The hub never hands an order to a checkout, so
      // once no payment is on it nothing can pay it: it is cancelled as far as the hub goes.
      const payments = await call('read', () => api.orderPayments(paymentExternalId));
      if (!payments.ok) return payments;
      const captured = payments.value.items.find((p) => p.captured);
      const first = payments.value.items[0];
      if (captured)
        return ok({
          externalId: paymentExternalId,
          status: 'succeeded',
          amountMinor: captured.amount,
          currency: captured.currency,
        });
      return ok({
        externalId: paymentExternalId,
        status: 'canceled',
        amountMinor: first?.amount ?? 0,
        currency: first?.currency ?? '',
      });
    },

    parseWebhook(rawBody: string, headers: Headers): Promise<Outcome<PaymentEvent>> {
      return parseRazorpayWebhook(rawBody, headers, config.webhookSecret);
    },
  };

  // https://razorpay.com/docs/api/payments/payment-links/create-standard: looked up by reference_id first.
  async function paymentLink(request: PaymentRequest): Promise<Outcome<PaymentState>> {
    const links = await call('read', () => api.linksByReference(request.invoiceId));
    if (!links.ok) return links;
    const existing = links.value.payment_links.find(
      (l) => l.reference_id === request.invoiceId && l.status !== 'cancelled',
    );
    if (existing) return ok(fromLink(existing));
    const created = await call('write', () =>
      api.createLink({
        amount: request.amountMinor,
        currency: request.currency,
        reference_id: request.invoiceId,
        description: request.description,
        notes: { [NOTES.invoiceId]: request.invoiceId, razorpay_customer_id: request.customerExternalId },
        reminder_enable: true,
      }),
    );
    return created.ok ? ok(fromLink(created.value)) : created;
  }
}
