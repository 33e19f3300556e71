/**
 * The simulated Stripe account: its objects, events and webhook outbox, the idempotency cache,
 * and what every route file shares (ids, the clock, the request being served).
 */
import { IdempotencyCache } from '../../sandbox/idempotency.js';
import {
  type SimAnyEvent,
  type SimBalanceTransaction,
  type SimCharge,
  type SimCustomer,
  type SimDispute,
  type SimEvent,
  type SimPaymentIntent,
  type SimRefund,
  snapshot,
} from './objects.js';
import { type DeliveryAttempt, deliverOutbox, signStripePayload } from './webhooks.js';

export interface StripeSimulatorOptions {
  /** Endpoint signing secret (`whsec_…`) used to sign deliveries. */
  webhookSecret: string;
  /** Where `flushWebhooks()` POSTs events; without one events stay queued. */
  webhookUrl?: string;
  now?: () => Date;
  /** Fetch used for webhook deliveries (defaults to the global fetch). */
  fetch?: typeof fetch;
  /** Deliver queued events right after each write (sandbox mode); failures never affect the API answer. */
  autoDeliver?: boolean;
  /** Stripe search is eventually consistent; objects become searchable this many seconds after creation. */
  searchDelaySeconds?: number;
  /** `api_version` of events when the request carried no Stripe-Version header. */
  apiVersion?: string;
}

export interface StripeSimulatorState {
  customers: Map<string, SimCustomer>;
  paymentIntents: Map<string, SimPaymentIntent>;
  charges: Map<string, SimCharge>;
  balanceTransactions: Map<string, SimBalanceTransaction>;
  refunds: Map<string, SimRefund>;
  /** Every event ever created, oldest first. */
  events: SimAnyEvent[];
  /** Events not yet accepted by the webhook endpoint. */
  outbox: SimAnyEvent[];
  disputes: Map<string, SimDispute>;
  deliveries: DeliveryAttempt[];
  idempotency: IdempotencyCache;
}

/** What the payment logic needs of the account: its objects, ids, clock and events. */
export interface PaymentStore {
  customers: Map<string, SimCustomer>;
  paymentIntents: Map<string, SimPaymentIntent>;
  charges: Map<string, SimCharge>;
  balanceTransactions: Map<string, SimBalanceTransaction>;
  newId(prefix: string): string;
  nowSeconds(): number;
  emit(type: SimEvent['type'], intent: SimPaymentIntent): void;
  requestLogUrl(): string;
}

const DEFAULT_API_VERSION = '2026-10-28.endive';

export interface RequestMeta {
  requestId: string;
  idempotencyKey: string | null;
  stripeVersion: string | null;
}

/** Everything the route files share. */
export interface StripeSim {
  readonly options: StripeSimulatorOptions;
  readonly state: StripeSimulatorState;
  readonly store: PaymentStore;
  /** Per-request details, set by the session middleware. */
  readonly metas: WeakMap<Request, RequestMeta>;
  /**
   * The write being served: set synchronously right before a write handler runs, so events
   * emitted by that handler carry its request id and idempotency key.
   */
  current: RequestMeta;
  webhookUrl: string | undefined;
  /** Per-prefix sequence numbers behind the ids (kept with the state, so ids never repeat). */
  readonly counters: Map<string, number>;
  newId(prefix: string): string;
  nowSeconds(): number;
  signPayload(body: string, timestamp?: number): Promise<string>;
  flushWebhooks(): Promise<number>;
}

export function createStripeSim(options: StripeSimulatorOptions): StripeSim {
  const now = options.now ?? (() => new Date());
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const state: StripeSimulatorState = {
    customers: new Map(),
    paymentIntents: new Map(),
    charges: new Map(),
    balanceTransactions: new Map(),
    refunds: new Map(),
    disputes: new Map(),
    events: [],
    outbox: [],
    deliveries: [],
    idempotency: new IdempotencyCache(),
  };
  const counters = new Map<string, number>();
  const newId = (prefix: string) => {
    const next = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, next);
    return `${prefix}_sim${String(next).padStart(14, '0')}`;
  };
  const nowSeconds = () => Math.floor(now().getTime() / 1000);

  let deliveryChain: Promise<number> = Promise.resolve(0);
  const sim: StripeSim = {
    options,
    state,
    metas: new WeakMap(),
    current: { requestId: '', idempotencyKey: null, stripeVersion: null },
    webhookUrl: options.webhookUrl,
    counters,
    newId,
    nowSeconds,
    signPayload: (body, timestamp = nowSeconds()) => signStripePayload(options.webhookSecret, body, timestamp),
    // Serialised: a flush waits for any delivery in flight, so events go out once and in order.
    flushWebhooks() {
      const run = () =>
        deliverOutbox({
          outbox: state.outbox,
          attempts: state.deliveries,
          url: () => sim.webhookUrl,
          fetch: doFetch,
          sign: (body) => sim.signPayload(body),
        });
      deliveryChain = deliveryChain.then(run, run);
      return deliveryChain;
    },
    store: {
      customers: state.customers,
      paymentIntents: state.paymentIntents,
      charges: state.charges,
      balanceTransactions: state.balanceTransactions,
      newId,
      nowSeconds,
      requestLogUrl: () => `https://dashboard.stripe.com/test/logs/${sim.current.requestId}`,
      emit(type, intent) {
        const event: SimEvent = {
          id: newId('evt'),
          object: 'event',
          api_version: sim.current.stripeVersion ?? options.apiVersion ?? DEFAULT_API_VERSION,
          created: nowSeconds(),
          data: { object: snapshot(intent) },
          livemode: false,
          pending_webhooks: sim.webhookUrl ? 1 : 0,
          request: { id: sim.current.requestId, idempotency_key: sim.current.idempotencyKey },
          type,
        };
        state.events.push(event);
        state.outbox.push(event);
      },
    },
  };
  return sim;
}
