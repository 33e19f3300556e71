/**
 * A small stateful Stripe for sandbox mode and tests: real paths and shapes for customers,
 * PaymentIntents, charges and balance transactions; Bearer auth; idempotency keys replayed
 * the way Stripe does (https://docs.stripe.com/api/idempotent_requests); search by metadata;
 * signed webhook delivery from an outbox. Runtime-neutral (Hono, fetch, Web Crypto).
 */
import { type Context, Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { IdempotencyCache } from '../../sandbox/idempotency.js';
import { fingerprint, listParam, mapParam, parseStripeForm, stringParam } from './form.js';
import {
  newCustomer,
  type SimBalanceTransaction,
  type SimCharge,
  type SimCustomer,
  type SimEvent,
  type SimPaymentIntent,
} from './objects.js';
import {
  confirmPaymentIntent,
  createPaymentIntent,
  type PaymentStore,
  type SimResult,
  snapshot,
  stripeError,
} from './payment-intents.js';
import { matchesSearch, parseSearchQuery } from './search.js';
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
  /** Every event ever created, oldest first. */
  events: SimEvent[];
  /** Events not yet accepted by the webhook endpoint. */
  outbox: SimEvent[];
  deliveries: DeliveryAttempt[];
  idempotency: IdempotencyCache;
}

export interface StripeSimulator {
  app: Hono;
  faults: FaultPlan;
  state: StripeSimulatorState;
  /** Delivers pending events (serialised with any delivery in flight); resolves to how many were accepted. */
  flushWebhooks(): Promise<number>;
  /** `Stripe-Signature` header value for `body` at `timestamp` (unix seconds; default now). */
  signPayload(body: string, timestamp?: number): Promise<string>;
  setWebhookUrl(url: string | undefined): void;
}

const DEFAULT_API_VERSION = '2026-10-28.endive';
const SEARCH_LIMIT_MAX = 100;

interface RequestMeta {
  requestId: string;
  idempotencyKey: string | null;
  stripeVersion: string | null;
}

export function createStripeSimulator(options: StripeSimulatorOptions): StripeSimulator {
  const now = options.now ?? (() => new Date());
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  let webhookUrl = options.webhookUrl;
  const state: StripeSimulatorState = {
    customers: new Map(),
    paymentIntents: new Map(),
    charges: new Map(),
    balanceTransactions: new Map(),
    events: [],
    outbox: [],
    deliveries: [],
    idempotency: new IdempotencyCache(),
  };
  const faults = new FaultPlan();
  const counters = new Map<string, number>();
  const newId = (prefix: string) => {
    const next = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, next);
    return `${prefix}_sim${String(next).padStart(14, '0')}`;
  };
  const nowSeconds = () => Math.floor(now().getTime() / 1000);
  // Per-request details; `current` is set synchronously right before a write handler runs,
  // so events emitted by that handler carry its request id and idempotency key.
  const metas = new WeakMap<Request, RequestMeta>();
  let current: RequestMeta = { requestId: '', idempotencyKey: null, stripeVersion: null };

  const signPayload = (body: string, timestamp = nowSeconds()) =>
    signStripePayload(options.webhookSecret, body, timestamp);

  let deliveryChain: Promise<number> = Promise.resolve(0);
  const flushWebhooks = (): Promise<number> => {
    const run = () =>
      deliverOutbox({
        outbox: state.outbox,
        attempts: state.deliveries,
        url: () => webhookUrl,
        fetch: doFetch,
        sign: (body) => signPayload(body),
      });
    deliveryChain = deliveryChain.then(run, run);
    return deliveryChain;
  };

  const store: PaymentStore = {
    customers: state.customers,
    paymentIntents: state.paymentIntents,
    charges: state.charges,
    balanceTransactions: state.balanceTransactions,
    newId,
    nowSeconds,
    requestLogUrl: () => `https://dashboard.stripe.com/test/logs/${current.requestId}`,
    emit(type, intent) {
      const event: SimEvent = {
        id: newId('evt'),
        object: 'event',
        api_version: current.stripeVersion ?? options.apiVersion ?? DEFAULT_API_VERSION,
        created: nowSeconds(),
        data: { object: snapshot(intent) },
        livemode: false,
        pending_webhooks: webhookUrl ? 1 : 0,
        request: { id: current.requestId, idempotency_key: current.idempotencyKey },
        type,
      };
      state.events.push(event);
      state.outbox.push(event);
    },
  };

  const app = new Hono();
  app.use(
    '/v1/*',
    faultMiddleware(faults, (status, c) => respond(c, faultError(status))),
  );
  app.use('/v1/*', async (c, next) => {
    const meta: RequestMeta = {
      requestId: newId('req'),
      idempotencyKey: c.req.header('idempotency-key') ?? null,
      stripeVersion: c.req.header('stripe-version') ?? null,
    };
    metas.set(c.req.raw, meta);
    const denied = authenticate(c.req.header('authorization'));
    if (denied) return respond(c, denied, { 'Request-Id': meta.requestId });
    await next();
    c.res.headers.set('Request-Id', meta.requestId);
  });

  /** Runs a write under Stripe's idempotency rules, then (optionally) delivers its events. */
  async function write(c: Context, run: (params: ReturnType<typeof parseStripeForm>) => SimResult) {
    const params = parseStripeForm(await c.req.text());
    const meta = metas.get(c.req.raw) ?? { requestId: newId('req'), idempotencyKey: null, stripeVersion: null };
    const key = meta.idempotencyKey;
    const print = fingerprint(c.req.method, new URL(c.req.url).pathname, params);
    const headers: Record<string, string> = key ? { 'Idempotency-Key': key } : {};
    if (key) {
      const stored = state.idempotency.lookup(key, print);
      if (stored === 'conflict') {
        return respond(
          c,
          stripeError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          }),
          headers,
        );
      }
      if (stored) return respond(c, { ...stored, cache: true }, { ...headers, 'Idempotent-Replayed': 'true' });
    }
    const pending = state.outbox.length;
    current = meta;
    const result = run(params);
    if (key && result.cache)
      state.idempotency.remember(key, print, { status: result.status, body: snapshot(result.body) });
    if (options.autoDeliver && state.outbox.length > pending) deliverInBackground(c);
    return respond(c, result, headers);
  }

  function deliverInBackground(c: Context) {
    const delivery = flushWebhooks().catch(() => 0);
    try {
      c.executionCtx.waitUntil(delivery);
    } catch {
      // No execution context (Node): the promise simply runs on.
    }
  }

  function read(c: Context, id: string, lookup: (id: string) => object | undefined, noun: string) {
    const found = lookup(id);
    if (!found) return respond(c, missing(noun, id));
    const query = parseStripeForm(new URL(c.req.url).search.slice(1));
    const expanded = expand(found, listParam(query, 'expand'));
    return respond(c, expanded);
  }

  function search<T extends { created: number; id: string }>(c: Context, objects: Map<string, T>, path: string) {
    const query = parseStripeForm(new URL(c.req.url).search.slice(1));
    const text = stringParam(query, 'query');
    if (!text) return respond(c, invalidParam('Missing required param: query.', 'query', 'parameter_missing'));
    const clauses = parseSearchQuery(text);
    if ('error' in clauses) return respond(c, invalidParam(clauses.error, 'query', 'parameter_invalid_string'));
    const limit = Math.min(Math.max(Number(stringParam(query, 'limit') ?? 10) || 10, 1), SEARCH_LIMIT_MAX);
    const visibleBefore = nowSeconds() - (options.searchDelaySeconds ?? 0);
    const hits = [...objects.values()]
      .filter((o) => o.created <= visibleBefore && matchesSearch(o as unknown as Record<string, unknown>, clauses))
      .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
    return respond(c, {
      status: 200,
      cache: false,
      body: {
        object: 'search_result',
        data: hits.slice(0, limit),
        has_more: hits.length > limit,
        next_page: null,
        url: path,
      },
    });
  }

  function lookupAny(id: string): object | undefined {
    if (id.startsWith('cus_')) return state.customers.get(id);
    if (id.startsWith('pi_')) return state.paymentIntents.get(id);
    if (id.startsWith('ch_')) return state.charges.get(id);
    if (id.startsWith('txn_')) return state.balanceTransactions.get(id);
    return undefined;
  }

  /** `expand[]=latest_charge.balance_transaction`: replace ids along each dotted path with objects. */
  function expand(object: object, paths: string[]): SimResult {
    const result = snapshot(object) as Record<string, unknown>;
    for (const path of paths) {
      let node: Record<string, unknown> | null = result;
      for (const field of path.split('.')) {
        if (!node) break;
        if (!(field in node)) return invalidParam(`This property cannot be expanded (${field}).`, 'expand');
        const value = node[field];
        if (typeof value === 'string') {
          const target = lookupAny(value);
          if (!target) return invalidParam(`This property cannot be expanded (${field}).`, 'expand');
          node[field] = snapshot(target);
        }
        const child: unknown = node[field];
        node = child && typeof child === 'object' ? (child as Record<string, unknown>) : null;
      }
    }
    return { status: 200, body: result, cache: false };
  }

  app.post('/v1/customers', (c) =>
    write(c, (params) => {
      const metadata = mapParam(params, 'metadata');
      if (metadata === 'invalid') return invalidParam('Invalid object', 'metadata', 'parameter_invalid_string');
      const email = stringParam(params, 'email');
      if (email && !/^[^@\s]+@[^@\s]+$/.test(email)) {
        return invalidParam(`Invalid email address: ${email}`, 'email', 'email_invalid');
      }
      const customer = newCustomer(newId('cus'), nowSeconds(), {
        name: stringParam(params, 'name'),
        email,
        description: stringParam(params, 'description'),
        phone: stringParam(params, 'phone'),
        metadata: Object.fromEntries(Object.entries(metadata).filter(([, v]) => v !== '')),
      });
      state.customers.set(customer.id, customer);
      return { status: 200, body: customer, cache: true };
    }),
  );
  app.get('/v1/customers/search', (c) => search(c, state.customers, '/v1/customers/search'));
  app.get('/v1/customers/:id', (c) => read(c, c.req.param('id'), (id) => state.customers.get(id), 'customer'));

  app.post('/v1/payment_intents', (c) => write(c, (params) => createPaymentIntent(store, params)));
  app.get('/v1/payment_intents/search', (c) => search(c, state.paymentIntents, '/v1/payment_intents/search'));
  app.get('/v1/payment_intents/:id', (c) =>
    read(c, c.req.param('id'), (id) => state.paymentIntents.get(id), 'payment_intent'),
  );
  app.post('/v1/payment_intents/:id/confirm', (c) =>
    write(c, (params) => {
      const intent = state.paymentIntents.get(c.req.param('id'));
      return intent ? confirmPaymentIntent(store, intent, params) : missing('payment_intent', c.req.param('id'));
    }),
  );
  app.get('/v1/charges/:id', (c) => read(c, c.req.param('id'), (id) => state.charges.get(id), 'charge'));
  app.get('/v1/balance_transactions/:id', (c) =>
    read(c, c.req.param('id'), (id) => state.balanceTransactions.get(id), 'balance transaction'),
  );
  app.notFound((c) =>
    respond(
      c,
      stripeError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${c.req.method}: ${new URL(c.req.url).pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      }),
    ),
  );

  return {
    app,
    faults,
    state,
    flushWebhooks,
    signPayload,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
  };
}

function respond(_c: Context, result: SimResult | object, headers: Record<string, string> = {}): Response {
  const { status, body } = isResult(result) ? result : { status: 200, body: result };
  return new Response(JSON.stringify(body, null, 2), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function isResult(value: unknown): value is SimResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value && 'cache' in value;
}

function invalidParam(message: string, param: string, code?: string): SimResult {
  return stripeError(400, { type: 'invalid_request_error', message, param, ...(code ? { code } : {}) });
}

function missing(noun: string, id: string): SimResult {
  return stripeError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${noun}: '${id}'`,
    param: 'id',
  });
}

/** Stripe accepts the secret key as Bearer token or as the Basic-auth user name. */
function authenticate(header: string | undefined): SimResult | null {
  let key = '';
  if (header?.startsWith('Bearer ')) key = header.slice(7).trim();
  else if (header?.startsWith('Basic ')) key = atob(header.slice(6).trim()).split(':')[0];
  if (!key) {
    return stripeError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    });
  }
  if (!/^sk_test_[A-Za-z0-9_]+$/.test(key)) {
    return stripeError(401, {
      type: 'invalid_request_error',
      message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
    });
  }
  return null;
}

function faultError(status: number): SimResult {
  if (status === 429) {
    return stripeError(429, {
      type: 'invalid_request_error',
      code: 'rate_limit',
      message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
    });
  }
  if (status === 401) {
    return stripeError(401, {
      type: 'invalid_request_error',
      code: 'api_key_expired',
      message: 'Expired API Key provided: sk_test_****',
    });
  }
  return stripeError(status, { type: 'api_error', message: 'An unknown error occurred' });
}
