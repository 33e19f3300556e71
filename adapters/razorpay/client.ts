/**
 * Razorpay SDK wiring (razorpay, https://github.com/razorpay/razorpay-node). The SDK sends through
 * an axios instance (`instance.api.rq`); the hub points it at axios's fetch adapter (with the
 * injected fetch), which runs on Node and on workerd, and at the simulator's URL in sandbox mode.
 * The SDK's `normalizeError` keeps only the status and the error body, so a response interceptor
 * copies Retry-After into the error before that.
 *
 * The operations the adapter uses are typed here, narrowly, with the fields it reads
 * (https://razorpay.com/docs/api): the SDK's own typings are unions per product that the hub
 * does not need.
 */
import Razorpay from 'razorpay';

export interface RzpOrder {
  id: string;
  amount: number;
  currency: string;
  receipt: string | null;
  status: string;
  notes: Record<string, string> | unknown[];
}
export interface RzpPayment {
  id: string;
  amount: number;
  currency: string;
  status: 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';
  order_id: string;
  captured: boolean;
  amount_refunded: number;
  fee: number | null;
  notes: Record<string, string> | unknown[];
}
export interface RzpRefund {
  id: string;
  amount: number;
  currency: string;
  payment_id: string;
  status: 'pending' | 'processed' | 'failed';
  notes: Record<string, string> | unknown[];
}
export interface RzpCustomer {
  id: string;
  email: string | null;
  notes: Record<string, string> | unknown[];
}
export interface RzpLink {
  id: string;
  amount: number;
  currency: string;
  status: 'created' | 'partially_paid' | 'paid' | 'cancelled' | 'expired';
  short_url: string;
  reference_id: string | null;
  order_id?: string | null;
}
interface Collection<T> {
  count: number;
  items: T[];
}

export interface RazorpayApi {
  createCustomer(body: Record<string, unknown>): Promise<RzpCustomer>;
  listCustomers(skip: number): Promise<Collection<RzpCustomer>>;
  listTokens(customerId: string): Promise<Collection<{ id: string; recurring?: boolean }>>;
  createOrder(body: Record<string, unknown>): Promise<RzpOrder>;
  ordersByReceipt(receipt: string): Promise<Collection<RzpOrder>>;
  orderPayments(orderId: string): Promise<Collection<RzpPayment>>;
  createRecurringPayment(body: Record<string, unknown>): Promise<{ razorpay_payment_id: string }>;
  capture(paymentId: string, amount: number, currency: string): Promise<RzpPayment>;
  refund(paymentId: string, body: Record<string, unknown>): Promise<RzpRefund>;
  refunds(paymentId: string): Promise<Collection<RzpRefund>>;
  createLink(body: Record<string, unknown>): Promise<RzpLink>;
  linksByReference(referenceId: string): Promise<{ payment_links: RzpLink[] }>;
  cancelLink(linkId: string): Promise<RzpLink>;
}

export interface RazorpayClientConfig {
  keyId: string;
  keySecret: string;
  /** e.g. the simulator's `http://127.0.0.1:…`; defaults to https://api.razorpay.com. */
  baseUrl?: string;
  fetch?: typeof fetch;
}

interface AxiosLike {
  defaults: { baseURL?: string; adapter?: unknown; env?: Record<string, unknown> };
  interceptors: {
    response: {
      use(ok: ((response: { data: unknown }) => unknown) | undefined, fail: (error: unknown) => Promise<never>): void;
    };
  };
}

/** A 2xx whose body is not a JSON object: the connection dropped mid-answer (the write may have been applied). */
export class RazorpayTruncatedAnswer extends Error {
  constructor() {
    super('Razorpay answer cut off before its body was complete');
    this.name = 'RazorpayTruncatedAnswer';
  }
}

export function createRazorpayApi(config: RazorpayClientConfig): RazorpayApi {
  const sdk = new Razorpay({ key_id: config.keyId, key_secret: config.keySecret });
  const rq = (sdk.api as unknown as { rq: AxiosLike }).rq;
  rq.defaults.adapter = 'fetch';
  rq.defaults.env = {
    ...(rq.defaults.env ?? {}),
    fetch: config.fetch ?? (((input, init) => fetch(input, init)) as typeof fetch),
  };
  if (config.baseUrl) rq.defaults.baseURL = config.baseUrl;
  rq.interceptors.response.use(
    (response) => {
      if (typeof response.data !== 'object' || response.data === null) throw new RazorpayTruncatedAnswer();
      return response;
    },
    (error) => {
      const e = error as {
        response?: { headers?: Record<string, unknown>; data?: { error?: Record<string, unknown> } };
      };
      const retryAfter = e.response?.headers?.['retry-after'];
      if (retryAfter !== undefined && e.response?.data?.error) e.response.data.error.retry_after = String(retryAfter);
      // A response whose body is no error envelope (a proxy's page): give normalizeError one.
      if (e.response && typeof e.response.data?.error !== 'object') {
        e.response.data = { error: { code: 'SERVER_ERROR', description: 'unreadable error body' } };
      }
      return Promise.reject(error);
    },
  );
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's typings are per-product unions; RazorpayApi types what is read.
  const s = sdk as any;
  return {
    createCustomer: (body) => s.customers.create(body),
    listCustomers: (skip) => s.customers.all({ count: 100, skip }),
    listTokens: (customerId) => s.customers.fetchTokens(customerId),
    createOrder: (body) => s.orders.create(body),
    ordersByReceipt: (receipt) => s.orders.all({ receipt, count: 10 }),
    orderPayments: (orderId) => s.orders.fetchPayments(orderId),
    createRecurringPayment: (body) => s.payments.createRecurringPayment(body),
    capture: (paymentId, amount, currency) => s.payments.capture(paymentId, amount, currency),
    refund: (paymentId, body) => s.payments.refund(paymentId, body),
    refunds: (paymentId) => s.payments.fetchMultipleRefund(paymentId, { count: 100 }),
    createLink: (body) => s.paymentLink.create(body),
    linksByReference: (referenceId) => s.paymentLink.all({ reference_id: referenceId }),
    cancelLink: (linkId) => s.paymentLink.cancel(linkId),
  };
}

/** Where a Razorpay connection may send requests in live mode (adapters/hosts.ts). */
export const API_HOSTS = { urlKeys: ['baseUrl'], hosts: ['api.razorpay.com'] } as const;
