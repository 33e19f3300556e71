/**
 * Adyen implementation of the PaymentPort, over the official SDK (@adyen/api-library) with a
 * fetch transport (client.ts). The customer is a `shopperReference` (our customer id) with a
 * stored card (https://docs.adyen.com/online-payments/tokenization); an invoice is charged to it
 * with `shopperInteraction: ContAuth` and captured through the captures modification; a customer
 * with no stored card gets a Pay by Link link that stores the card it is paid with. Every write
 * carries the Idempotency-Key.
 *
 * Reconciling: Adyen's Checkout API reads no payment or refund by our reference, so
 * `findPayment` and `findRefund` answer null, and the retry with the SAME key (kept ≥ 31 days)
 * is what finds the first answer: Adyen replays it instead of charging again.
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
import { AdyenHttpError, createAdyenCheckout } from './client.js';
import { type AdyenOperation, classifyAdyenError } from './errors.js';
import {
  fromLink,
  fromRefund,
  isPaymentLinkId,
  statusOfResult,
  toContAuthPayment,
  toPaymentLink,
  toRefund,
} from './map.js';
import { parseAdyenWebhook } from './webhooks.js';

export interface AdyenAdapterConfig {
  apiKey: string;
  merchantAccount: string;
  /** HMAC key (hex) of the standard webhook. */
  hmacKey: string;
  environment?: 'TEST' | 'LIVE';
  liveEndpointUrlPrefix?: string;
  /** The simulator's URL in sandbox mode and tests. */
  baseUrl?: string;
  /** Where the shopper returns after Pay by Link or a redirect. */
  returnUrl?: string;
  /**
   * Sandbox only: a test card number stored for each new customer, so invoices are charged
   * without a shopper (Adyen's test card 4111 1111 4555 1142).
   */
  testCardNumber?: string;
  fetch?: typeof fetch;
  now?: () => Date;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function createAdyenAdapter(config: AdyenAdapterConfig): PaymentPort {
  const checkout = createAdyenCheckout(config);
  const now = config.now ?? (() => new Date());
  const merchantAccount = config.merchantAccount;
  const returnUrl = config.returnUrl ?? 'https://example.invalid/paid';

  async function call<T>(operation: AdyenOperation, run: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return ok(await run());
    } catch (error) {
      return classifyAdyenError(error, operation, now());
    }
  }

  /** The shopper's first stored card usable for unscheduled merchant-initiated payments, if any. */
  async function storedMethodOf(shopperReference: string): Promise<Outcome<string | null>> {
    const listed = await call('read', () =>
      checkout.RecurringApi.getTokensForStoredPaymentDetails(shopperReference, merchantAccount),
    );
    if (!listed.ok) return listed;
    const method = (listed.value.storedPaymentMethods ?? []).find((m) =>
      (m.supportedRecurringProcessingModels ?? ['UnscheduledCardOnFile']).includes('UnscheduledCardOnFile'),
    );
    return ok(method?.id ?? null);
  }

  return {
    vendor: 'adyen',

    async createCustomer(request: PaymentCustomerRequest, options: WriteOptions): Promise<Outcome<ExternalObject>> {
      if (request.email !== null && !EMAIL.test(request.email)) {
        return permanent(`customer email "${request.email}" is not an email address`, { field: 'email' });
      }
      if (!config.testCardNumber) {
        // Nothing to create: the shopperReference is our id, and its card is stored by the
        // first payment (Pay by Link). https://docs.adyen.com/online-payments/tokenization
        return ok({ externalId: request.localId });
      }
      // https://docs.adyen.com/api-explorer/Checkout/71/post/storedPaymentMethods
      const stored = await call('write', () =>
        checkout.RecurringApi.storedPaymentMethods(
          {
            merchantAccount,
            shopperReference: request.localId,
            recurringProcessingModel: 'UnscheduledCardOnFile' as never,
            ...(request.email ? { shopperEmail: request.email } : {}),
            paymentMethod: {
              type: 'scheme',
              number: config.testCardNumber!,
              expiryMonth: '03',
              expiryYear: '2030',
              holderName: request.name,
            },
          },
          { idempotencyKey: options.idempotencyKey },
        ),
      );
      return stored.ok ? ok({ externalId: request.localId }) : stored;
    },

    async findCustomer(localId: string): Promise<Outcome<ExternalObject | null>> {
      const method = await storedMethodOf(localId);
      if (!method.ok) return method;
      return ok(method.value ? { externalId: localId } : null);
    },

    async createPayment(request: PaymentRequest, options: WriteOptions): Promise<Outcome<PaymentState>> {
      if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
        return permanent(`payment amount must be a positive integer of minor units, got ${request.amountMinor}`, {
          field: 'amountMinor',
        });
      }
      const method = await storedMethodOf(request.customerExternalId);
      if (!method.ok) return method;
      if (method.value === null) {
        // A first payment: a hosted link the customer pays (and stores a card) on.
        const link = await call('write', () =>
          checkout.PaymentLinksApi.paymentLinks(toPaymentLink(request, merchantAccount, returnUrl), {
            idempotencyKey: options.idempotencyKey,
          }),
        );
        return link.ok ? ok(fromLink(link.value)) : link;
      }
      const paid = await call('write', () =>
        checkout.PaymentsApi.payments(toContAuthPayment(request, merchantAccount, method.value!, returnUrl), {
          idempotencyKey: options.idempotencyKey,
        }),
      );
      if (!paid.ok) return paid;
      const state: PaymentState = {
        externalId: paid.value.pspReference ?? '',
        status: statusOfResult(paid.value.resultCode),
        amountMinor: request.amountMinor,
        currency: request.currency,
      };
      if (state.status !== 'succeeded') return ok(state);
      // Authorised → captured in full (https://docs.adyen.com/online-payments/capture). The
      // capture's own key is derived from the payment's, so a retried collection captures once.
      const captured = await call('write', () =>
        checkout.ModificationsApi.captureAuthorisedPayment(
          state.externalId,
          {
            amount: { currency: request.currency, value: request.amountMinor },
            merchantAccount,
            reference: request.invoiceNumber,
          },
          { idempotencyKey: `${options.idempotencyKey}:capture` },
        ),
      );
      return captured.ok ? ok(state) : captured;
    },

    async findPayment(_invoiceId: string): Promise<Outcome<PaymentState | null>> {
      // No lookup by merchant reference in Checkout v71: the retry with the same key reconciles.
      return ok(null);
    },

    async getPaymentFee(_paymentExternalId: string): Promise<Outcome<number>> {
      // Adyen reports fees in its settlement reports, not on the payment: none is booked here.
      return ok(0);
    },

    // https://docs.adyen.com/online-payments/refund
    async refundPayment(request: RefundRequest, options: WriteOptions): Promise<Outcome<RefundState>> {
      if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
        return permanent(`refund amount must be a positive integer of minor units, got ${request.amountMinor}`, {
          field: 'amountMinor',
        });
      }
      const refunded = await call('write', () =>
        checkout.ModificationsApi.refundCapturedPayment(request.paymentExternalId, toRefund(request, merchantAccount), {
          idempotencyKey: options.idempotencyKey,
        }),
      );
      return refunded.ok ? ok(fromRefund(refunded.value)) : refunded;
    },

    async findRefund(_paymentExternalId: string, _creditNoteId: string): Promise<Outcome<RefundState | null>> {
      return ok(null);
    },

    async cancelPayment(paymentExternalId: string, options: WriteOptions): Promise<Outcome<PaymentState>> {
      if (isPaymentLinkId(paymentExternalId)) {
        // An expired link can never be paid; a completed one stays completed (then: refund).
        const link = await call('write', () =>
          checkout.PaymentLinksApi.updatePaymentLink(paymentExternalId, { status: 'expired' as never }),
        );
        return link.ok ? ok(fromLink(link.value)) : link;
      }
      try {
        const cancelled = await checkout.ModificationsApi.cancelAuthorisedPaymentByPspReference(
          paymentExternalId,
          { merchantAccount },
          { idempotencyKey: options.idempotencyKey },
        );
        return ok({ externalId: cancelled.paymentPspReference, status: 'canceled', amountMinor: 0, currency: '' });
      } catch (error) {
        // A captured payment cannot be cancelled (refund it); a refused one never will be paid.
        const message = error instanceof AdyenHttpError && error.status === 422 ? (error.body?.message ?? '') : '';
        if (/captured/i.test(message))
          return ok({ externalId: paymentExternalId, status: 'succeeded', amountMinor: 0, currency: '' });
        if (/refused/i.test(message))
          return ok({ externalId: paymentExternalId, status: 'failed', amountMinor: 0, currency: '' });
        return classifyAdyenError(error, 'write', now());
      }
    },

    async parseWebhook(rawBody: string, _headers: Headers): Promise<Outcome<PaymentEvent>> {
      return parseAdyenWebhook(rawBody, config.hmacKey);
    },
  };
}
