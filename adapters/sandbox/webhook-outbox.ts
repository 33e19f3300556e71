/**
 * The webhook side a payment simulator shares with the others: the endpoint it posts to (kept in
 * the simulator's persisted account, so a restored simulator posts where it did), the outbox of
 * events not yet accepted, and deliveries one after another, never two at once, as a vendor's own
 * retries are. Each vendor's simulator brings its own delivery (body, signature, acknowledgement).
 */
import { Hono } from 'hono';
import { type ErrorBody, FaultPlan, faultMiddleware } from './faults.js';
import { persistentRoot } from './persist.js';

export interface WebhookEndpoint {
  url: string | null;
}

export interface SimulatorWebhooks<E> {
  /** Queues the event; with `autoDeliver`, starts a delivery too. */
  emit(event: E): void;
  /** Delivers what is pending, after any delivery already running; resolves to how many were accepted. */
  flush(): Promise<number>;
  setWebhookUrl(url: string | undefined): void;
}

export function simulatorWebhooks<E>(
  endpoint: WebhookEndpoint,
  /** The events still to deliver (the simulator keeps its own history beside it). */
  outbox: E[],
  autoDeliver: boolean | undefined,
  deliver: (url: () => string | undefined) => Promise<number>,
): SimulatorWebhooks<E> {
  let delivering: Promise<number> = Promise.resolve(0);
  const flush = () => {
    delivering = delivering.then(() => deliver(() => endpoint.url ?? undefined));
    return delivering;
  };
  return {
    emit(event) {
      outbox.push(event);
      if (autoDeliver) void flush();
    },
    flush,
    setWebhookUrl(url) {
      endpoint.url = url ?? null;
    },
  };
}

/**
 * What a payment simulator hands back besides its own helpers: persistence of its account, its
 * app and fault plan, its state, and the webhook controls.
 */
export function paymentSimulatorRoot<S, E>(parts: {
  account: object;
  app: Hono;
  faults: FaultPlan;
  state: S;
  webhooks: SimulatorWebhooks<E>;
}) {
  return {
    ...persistentRoot(parts.account),
    app: parts.app,
    faults: parts.faults,
    state: parts.state,
    flushWebhooks: parts.webhooks.flush,
    setWebhookUrl: parts.webhooks.setWebhookUrl,
  };
}

/** A simulator's app with its fault plan in front of the API's paths (`prefix`, e.g. `/v1/*`). */
export function faultedApp(prefix: string, errorBody: ErrorBody): { app: Hono; faults: FaultPlan } {
  const faults = new FaultPlan();
  const app = new Hono();
  app.use(prefix, faultMiddleware(faults, errorBody));
  return { app, faults };
}
