/**
 * A small stateful Stripe for sandbox mode and tests: real paths and shapes for customers,
 * PaymentIntents, charges and balance transactions; Bearer auth; idempotency keys replayed
 * the way Stripe does (https://docs.stripe.com/api/idempotent_requests); search by metadata;
 * signed webhook delivery from an outbox. Runtime-neutral (Hono, fetch, Web Crypto).
 * One file per resource: session.ts (request ids and keys), customers.ts, payment-intents.ts,
 * charges.ts, refunds.ts (and cancelling an intent); requests.ts holds the idempotent write, read and search they share; state.ts the account.
 */
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { type PersistentSimulator, persistentRoot } from '../../sandbox/persist.js';
import { chargeRoutes } from './charges.js';
import { customerRoutes } from './customers.js';
import { type DisputeControls, disputeControls } from './disputes.js';
import { faultError, stripeError } from './errors.js';
import { paymentIntentRoutes } from './payment-intents.js';
import { refundRoutes } from './refunds.js';
import { respond } from './requests.js';
import { sessionRoutes } from './session.js';
import { createStripeSim, type StripeSimulatorOptions, type StripeSimulatorState } from './state.js';

export type { StripeSimulatorOptions, StripeSimulatorState } from './state.js';

export interface StripeSimulator extends PersistentSimulator, DisputeControls {
  app: Hono;
  faults: FaultPlan;
  state: StripeSimulatorState;
  /** Delivers pending events (serialised with any delivery in flight); resolves to how many were accepted. */
  flushWebhooks(): Promise<number>;
  /** `Stripe-Signature` header value for `body` at `timestamp` (unix seconds; default now). */
  signPayload(body: string, timestamp?: number): Promise<string>;
  setWebhookUrl(url: string | undefined): void;
}

export function createStripeSimulator(options: StripeSimulatorOptions): StripeSimulator {
  const sim = createStripeSim(options);
  const faults = new FaultPlan();
  const app = new Hono();
  // Faults first, then the request id and key check every /v1 route goes through.
  app.use(
    '/v1/*',
    faultMiddleware(faults, (status, c) => respond(c, faultError(status))),
  );
  sessionRoutes(app, sim);
  customerRoutes(app, sim);
  paymentIntentRoutes(app, sim);
  chargeRoutes(app, sim);
  refundRoutes(app, sim);
  app.notFound((c) =>
    respond(
      c,
      stripeError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${c.req.method}: ${new URL(c.req.url).pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      }),
    ),
  );

  // The account and its webhook endpoint, kept across restarts (adapters/sandbox/persist.ts).
  const account = {
    state: sim.state,
    counters: sim.counters,
    endpoint: {
      get url() {
        return sim.webhookUrl ?? null;
      },
      set url(url: string | null) {
        sim.webhookUrl = url ?? undefined;
      },
    },
  };
  return {
    ...persistentRoot(account),
    app,
    faults,
    state: sim.state,
    flushWebhooks: () => sim.flushWebhooks(),
    signPayload: (body, timestamp) => sim.signPayload(body, timestamp),
    ...disputeControls(sim),
    setWebhookUrl(url) {
      sim.webhookUrl = url;
    },
  };
}
