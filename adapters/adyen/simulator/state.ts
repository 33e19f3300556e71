/**
 * The simulated Adyen company account: stored payment methods per shopper, payments and their
 * modifications (captures, refunds, cancels), Pay by Link links, the standard-webhook outbox and
 * the idempotency cache (https://docs.adyen.com/development-resources/api-idempotency).
 * Runtime-neutral: plain Maps, the injected clock, Web Crypto for signing.
 */
import { IdempotencyCache } from '../../sandbox/idempotency.js';

export interface AdyenAmount {
  currency: string;
  value: number;
}

export interface SimStoredMethod {
  id: string;
  shopperReference: string;
  shopperEmail?: string;
  brand: string;
  lastFour: string;
  holderName: string;
  supportedRecurringProcessingModels: string[];
}

export interface SimPayment {
  pspReference: string;
  merchantReference: string;
  merchantAccount: string;
  amount: AdyenAmount;
  shopperReference?: string;
  /** Authorised → captured; refused; cancelled (before capture). */
  status: 'authorised' | 'refused' | 'captured' | 'cancelled';
  capturedValue: number;
  refundedValue: number;
  metadata: Record<string, string>;
  paymentLinkId?: string;
}

export interface SimModification {
  pspReference: string;
  kind: 'capture' | 'refund' | 'cancel';
  paymentPspReference: string;
  reference?: string;
  amount?: AdyenAmount;
}

export interface SimLink {
  id: string;
  url: string;
  reference: string;
  merchantAccount: string;
  amount: AdyenAmount;
  status: 'active' | 'completed' | 'expired' | 'paymentPending';
  shopperReference?: string;
  shopperEmail?: string;
  storePaymentMethodMode?: string;
  metadata: Record<string, string>;
  expiresAt: string;
}

/** A standard-webhook NotificationRequestItem (https://docs.adyen.com/development-resources/webhooks/webhook-types). */
export interface SimNotificationItem {
  eventCode: 'AUTHORISATION' | 'CAPTURE' | 'REFUND' | 'CANCELLATION' | 'CAPTURE_FAILED' | 'REFUND_FAILED';
  success: 'true' | 'false';
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: AdyenAmount;
  eventDate: string;
  paymentMethod?: string;
  reason?: string;
  additionalData: Record<string, string>;
}

export interface AdyenSimulatorState {
  storedMethods: Map<string, SimStoredMethod[]>;
  payments: Map<string, SimPayment>;
  modifications: Map<string, SimModification>;
  links: Map<string, SimLink>;
  /** Every notification ever raised, oldest first. */
  notifications: SimNotificationItem[];
  /** Notifications not yet answered `[accepted]` by the webhook endpoint. */
  outbox: SimNotificationItem[];
  idempotency: IdempotencyCache;
}

export interface AdyenSimulatorOptions {
  /** The API key the simulator accepts in X-API-Key. */
  apiKey: string;
  /** The merchant account it knows. */
  merchantAccount: string;
  /** HMAC key (hex) of the standard webhook, used to sign notifications. */
  hmacKey: string;
  webhookUrl?: string;
  now?: () => Date;
  fetch?: typeof fetch;
  /** Deliver notifications right after each write (sandbox mode). */
  autoDeliver?: boolean;
  /** Public base URL of the simulator, for Pay by Link URLs (defaults to a placeholder host). */
  publicUrl?: string;
}

export function emptyAdyenState(): AdyenSimulatorState {
  return {
    storedMethods: new Map(),
    payments: new Map(),
    modifications: new Map(),
    links: new Map(),
    notifications: [],
    outbox: [],
    idempotency: new IdempotencyCache(),
  };
}

/** Adyen PSP references are 16 characters; the simulator's count up from a fixed prefix. */
export function pspReference(counter: number): string {
  return `SIM${String(counter).padStart(13, '0')}`;
}
