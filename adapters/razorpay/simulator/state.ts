/**
 * The simulated Razorpay account: customers and their recurring tokens, orders, payments,
 * refunds, payment links, and the webhook outbox. Amounts are integers in the currency's
 * smallest unit (paise for INR; https://razorpay.com/docs/api/orders/create).
 */
export interface RzpCustomer {
  id: string;
  entity: 'customer';
  name: string;
  email: string | null;
  contact: string | null;
  notes: Record<string, string>;
  created_at: number;
}

export interface RzpOrder {
  id: string;
  entity: 'order';
  amount: number;
  amount_paid: number;
  amount_due: number;
  currency: string;
  receipt: string | null;
  status: 'created' | 'attempted' | 'paid';
  attempts: number;
  notes: Record<string, string>;
  created_at: number;
}

export interface RzpPayment {
  id: string;
  entity: 'payment';
  amount: number;
  currency: string;
  status: 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';
  order_id: string;
  method: 'card';
  captured: boolean;
  amount_refunded: number;
  refund_status: null | 'partial' | 'full';
  customer_id: string | null;
  token_id: string | null;
  email: string | null;
  /** Razorpay's fee (GST included) in the payment's smallest unit, once captured. */
  fee: number | null;
  tax: number | null;
  error_code: string | null;
  error_description: string | null;
  notes: Record<string, string>;
  created_at: number;
}

export interface RzpRefund {
  id: string;
  entity: 'refund';
  amount: number;
  currency: string;
  payment_id: string;
  receipt: string | null;
  status: 'pending' | 'processed' | 'failed';
  speed_processed: 'normal';
  notes: Record<string, string>;
  created_at: number;
}

export interface RzpPaymentLink {
  id: string;
  entity?: 'payment_link';
  amount: number;
  currency: string;
  reference_id: string | null;
  description: string;
  short_url: string;
  status: 'created' | 'paid' | 'cancelled' | 'expired';
  order_id: string | null;
  customer: { name?: string; email?: string };
  notes: Record<string, string>;
  created_at: number;
}

export interface RzpEvent {
  entity: 'event';
  account_id: string;
  event: 'payment.authorized' | 'payment.captured' | 'payment.failed' | 'refund.processed' | 'payment_link.paid';
  contains: string[];
  payload: Record<string, { entity: unknown }>;
  created_at: number;
  /** Sent as the X-Razorpay-Event-Id header, not in the body. */
  eventId: string;
}

export interface RazorpaySimulatorState {
  customers: Map<string, RzpCustomer>;
  /** Recurring tokens per customer id. */
  tokens: Map<string, { id: string; entity: 'token'; method: 'card'; recurring: boolean }[]>;
  orders: Map<string, RzpOrder>;
  payments: Map<string, RzpPayment>;
  refunds: Map<string, RzpRefund>;
  links: Map<string, RzpPaymentLink>;
  events: RzpEvent[];
  outbox: RzpEvent[];
}

export interface RazorpaySimulatorOptions {
  keyId: string;
  keySecret: string;
  webhookSecret: string;
  /**
   * Sandbox: a token id every customer may be charged with (the simulator's stand-in for a card
   * the customer saved on a first payment).
   */
  sandboxToken?: string;
  webhookUrl?: string;
  now?: () => Date;
  fetch?: typeof fetch;
  autoDeliver?: boolean;
  publicUrl?: string;
}

export function emptyRazorpayState(): RazorpaySimulatorState {
  return {
    customers: new Map(),
    tokens: new Map(),
    orders: new Map(),
    payments: new Map(),
    refunds: new Map(),
    links: new Map(),
    events: [],
    outbox: [],
  };
}
