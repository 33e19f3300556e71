/**
 * A small stateful Razorpay for sandbox mode and tests: customers (fail_existing), orders,
 * recurring payments on a saved token, capture, refunds, payment links, HTTP Basic auth,
 * the `{"error": {...}}` envelope, and webhooks signed with X-Razorpay-Signature. No idempotency
 * key, as Razorpay documents none: the adapter looks up by receipt before it writes.
 * Runtime-neutral (Hono, fetch, Web Crypto). One file per resource: customers.ts, payments.ts, links.ts.
 */
import type { Hono } from 'hono';
import type { FaultPlan } from '../../sandbox/faults.js';
import type { PersistentSimulator } from '../../sandbox/persist.js';
import {
  faultedApp,
  paymentSimulatorRoot,
  simulatorWebhooks,
  type WebhookEndpoint,
} from '../../sandbox/webhook-outbox.js';
import { customerRoutes } from './customers.js';
import { badRequest, faultError } from './errors.js';
import { linkRoutes } from './links.js';
import { paymentRoutes } from './payments.js';
import { type RazorpaySim, reply } from './requests.js';
import {
  emptyRazorpayState,
  type RazorpaySimulatorOptions,
  type RazorpaySimulatorState,
  type RzpEvent,
} from './state.js';
import { deliverRazorpayOutbox, eventBody, signRazorpayBody } from './webhooks.js';

export type { RazorpaySimulatorOptions, RazorpaySimulatorState, RzpEvent } from './state.js';

export interface RazorpaySimulator extends PersistentSimulator {
  app: Hono;
  faults: FaultPlan;
  state: RazorpaySimulatorState;
  flushWebhooks(): Promise<number>;
  /** The event as delivered: its body, X-Razorpay-Signature and X-Razorpay-Event-Id. */
  delivery(event: RzpEvent): Promise<{ rawBody: string; signature: string; eventId: string }>;
  setWebhookUrl(url: string | undefined): void;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function createRazorpaySimulator(options: RazorpaySimulatorOptions): RazorpaySimulator {
  const state = emptyRazorpayState();
  const now = options.now ?? (() => new Date());
  const account = { state, counters: { id: 0 }, endpoint: { url: options.webhookUrl ?? null } as WebhookEndpoint };
  const webhooks = simulatorWebhooks<RzpEvent>(account.endpoint, state.outbox, options.autoDeliver, (url) =>
    deliverRazorpayOutbox({ outbox: state.outbox, url, fetch: options.fetch ?? fetch, secret: options.webhookSecret }),
  );
  const sim: RazorpaySim = {
    state,
    options: { ...options, publicUrl: options.publicUrl ?? 'https://rzp.io' },
    // Razorpay ids are a prefix and 14 alphanumerics; the simulator's count up, deterministically.
    newId(prefix) {
      let n = ++account.counters.id;
      let suffix = '';
      for (let i = 0; i < 14; i += 1) {
        suffix = ID_CHARS[n % ID_CHARS.length] + suffix;
        n = Math.floor(n / ID_CHARS.length);
      }
      return `${prefix}_${suffix}`;
    },
    nowSeconds: () => Math.floor(now().getTime() / 1000),
    emit(event, payload) {
      const e: RzpEvent = {
        entity: 'event',
        account_id: `acc_${options.keyId.slice(-14)}`,
        event,
        contains: Object.keys(payload),
        payload,
        created_at: Math.floor(now().getTime() / 1000),
        eventId: sim.newId('evt'),
      };
      state.events.push(e);
      webhooks.emit(e);
    },
  };
  const { app, faults } = faultedApp('/v1/*', (status, c) => reply(c, faultError(status)));
  customerRoutes(app, sim);
  paymentRoutes(app, sim);
  linkRoutes(app, sim);
  app.notFound((c) => reply(c, { ...badRequest('The requested URL was not found on the server.'), status: 404 }));
  return {
    ...paymentSimulatorRoot({ account, app, faults, state, webhooks }),
    async delivery(event) {
      const rawBody = eventBody(event);
      return { rawBody, signature: await signRazorpayBody(options.webhookSecret, rawBody), eventId: event.eventId };
    },
  };
}
