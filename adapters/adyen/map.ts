/**
 * Hub requests → Adyen Checkout v71 bodies, and Adyen answers → the port's states. Amounts go as
 * `{currency, value}` in minor units, as stored (https://docs.adyen.com/development-resources/currency-codes).
 * Our invoice id travels as `metadata.hub_invoice_id`, which Adyen returns in every webhook's
 * additionalData as `metadata.hub_invoice_id`.
 */
import type { Types } from '@adyen/api-library';
import type { PaymentRequest, PaymentState, RefundRequest, RefundState } from '../ports.js';

type Checkout = typeof Types.checkout;
export type AdyenPaymentRequest = Types.checkout.PaymentRequest;
export type AdyenPaymentResponse = Types.checkout.PaymentResponse;
export type AdyenPaymentLinkResponse = Types.checkout.PaymentLinkResponse;

export const METADATA = { invoiceId: 'hub_invoice_id' } as const;

/** Adyen Pay by Link ids start with PL; PSP references are 16 characters. */
export const isPaymentLinkId = (id: string): boolean => id.startsWith('PL');

/** Card on file charged without the shopper, as a merchant-initiated unscheduled payment. */
const UNSCHEDULED = 'UnscheduledCardOnFile' as Types.checkout.PaymentRequest.RecurringProcessingModelEnum;

export function toContAuthPayment(
  request: PaymentRequest,
  merchantAccount: string,
  storedPaymentMethodId: string,
  returnUrl: string,
): AdyenPaymentRequest {
  return {
    amount: { currency: request.currency, value: request.amountMinor },
    merchantAccount,
    reference: request.invoiceNumber,
    paymentMethod: { type: 'scheme', storedPaymentMethodId } as AdyenPaymentRequest['paymentMethod'],
    shopperReference: request.customerExternalId,
    shopperInteraction: 'ContAuth' as Types.checkout.PaymentRequest.ShopperInteractionEnum,
    recurringProcessingModel: UNSCHEDULED,
    returnUrl,
    metadata: { [METADATA.invoiceId]: request.invoiceId },
  };
}

export function toPaymentLink(
  request: PaymentRequest,
  merchantAccount: string,
  returnUrl: string,
): Types.checkout.PaymentLinkRequest {
  return {
    amount: { currency: request.currency, value: request.amountMinor },
    merchantAccount,
    reference: request.invoiceNumber,
    description: request.description,
    shopperReference: request.customerExternalId,
    // The card paid with is stored for the next invoices (charged with ContAuth).
    storePaymentMethodMode: 'enabled' as Types.checkout.PaymentLinkRequest.StorePaymentMethodModeEnum,
    recurringProcessingModel: 'UnscheduledCardOnFile' as Types.checkout.PaymentLinkRequest.RecurringProcessingModelEnum,
    returnUrl,
    metadata: { [METADATA.invoiceId]: request.invoiceId },
  };
}

/** A ContAuth payment's resultCode in our terms (https://docs.adyen.com/online-payments/payment-result-codes). */
export function statusOfResult(resultCode: string | undefined): PaymentState['status'] {
  switch (resultCode) {
    case 'Authorised':
      return 'succeeded';
    case 'Refused':
    case 'Error':
      return 'failed';
    case 'Cancelled':
      return 'canceled';
    case 'RedirectShopper':
    case 'IdentifyShopper':
    case 'ChallengeShopper':
    case 'PresentToShopper':
      return 'requires_action';
    default:
      return 'pending';
  }
}

export function fromLink(link: AdyenPaymentLinkResponse): PaymentState {
  const status: PaymentState['status'] =
    link.status === 'completed' || link.status === 'paid'
      ? 'succeeded'
      : link.status === 'expired'
        ? 'canceled'
        : link.status === 'paymentPending'
          ? 'pending'
          : 'requires_action';
  return {
    externalId: link.id,
    status,
    amountMinor: link.amount.value,
    currency: link.amount.currency,
    ...(status === 'requires_action' ? { payUrl: link.url } : {}),
  };
}

const REFUND_REASON: Record<RefundRequest['reason'], string> = {
  duplicate: 'DUPLICATE',
  requested_by_customer: 'CUSTOMER REQUEST',
};

export function toRefund(request: RefundRequest, merchantAccount: string): Types.checkout.PaymentRefundRequest {
  return {
    amount: { currency: request.currency, value: request.amountMinor },
    merchantAccount,
    // Our credit note id: the refund's reference in Adyen's reports and its webhook.
    reference: request.creditNoteId,
    merchantRefundReason: REFUND_REASON[request.reason] as Types.checkout.PaymentRefundRequest.MerchantRefundReasonEnum,
  };
}

/** A refund is `received` at once; Adyen confirms it with the REFUND webhook, so it is pending until then. */
export function fromRefund(response: Types.checkout.PaymentRefundResponse): RefundState {
  return {
    externalId: response.pspReference,
    status: 'pending',
    amountMinor: response.amount.value,
    currency: response.amount.currency,
  };
}

export type { Checkout };
