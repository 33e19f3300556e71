/**
 * The request machinery every resource shares: writes under Stripe's idempotency rules (then,
 * in sandbox mode, webhook delivery), reads with `expand[]`, search with its eventual
 * consistency, and the JSON answer. https://docs.stripe.com/api/idempotent_requests
 */
import type { Context } from 'hono';
import { invalidParam, missing, type SimResult, stripeError } from './errors.js';
import { fingerprint, listParam, parseStripeForm, stringParam } from './form.js';
import { snapshot } from './objects.js';
import { matchesSearch, parseSearchQuery } from './search.js';
import type { StripeSim } from './state.js';

const SEARCH_LIMIT_MAX = 100;

/** Runs a write under Stripe's idempotency rules, then (optionally) delivers its events. */
export async function write(
  sim: StripeSim,
  c: Context,
  run: (params: ReturnType<typeof parseStripeForm>) => SimResult,
) {
  const params = parseStripeForm(await c.req.text());
  const meta = sim.metas.get(c.req.raw) ?? { requestId: sim.newId('req'), idempotencyKey: null, stripeVersion: null };
  const key = meta.idempotencyKey;
  const print = fingerprint(c.req.method, new URL(c.req.url).pathname, params);
  const headers: Record<string, string> = key ? { 'Idempotency-Key': key } : {};
  if (key) {
    const stored = sim.state.idempotency.lookup(key, print);
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
  const pending = sim.state.outbox.length;
  sim.current = meta;
  const result = run(params);
  if (key && result.cache)
    sim.state.idempotency.remember(key, print, { status: result.status, body: snapshot(result.body) });
  if (sim.options.autoDeliver && sim.state.outbox.length > pending) deliverInBackground(sim, c);
  return respond(c, result, headers);
}

function deliverInBackground(sim: StripeSim, c: Context) {
  const delivery = sim.flushWebhooks().catch(() => 0);
  try {
    c.executionCtx.waitUntil(delivery);
  } catch {
    // No execution context (Node): the promise simply runs on.
  }
}

export function read(sim: StripeSim, c: Context, id: string, lookup: (id: string) => object | undefined, noun: string) {
  const found = lookup(id);
  if (!found) return respond(c, missing(noun, id));
  const query = parseStripeForm(new URL(c.req.url).search.slice(1));
  const expanded = expand(sim, found, listParam(query, 'expand'));
  return respond(c, expanded);
}

export function search<T extends { created: number; id: string }>(
  sim: StripeSim,
  c: Context,
  objects: Map<string, T>,
  path: string,
) {
  const query = parseStripeForm(new URL(c.req.url).search.slice(1));
  const text = stringParam(query, 'query');
  if (!text) return respond(c, invalidParam('Missing required param: query.', 'query', 'parameter_missing'));
  const clauses = parseSearchQuery(text);
  if ('error' in clauses) return respond(c, invalidParam(clauses.error, 'query', 'parameter_invalid_string'));
  const limit = Math.min(Math.max(Number(stringParam(query, 'limit') ?? 10) || 10, 1), SEARCH_LIMIT_MAX);
  const visibleBefore = sim.nowSeconds() - (sim.options.searchDelaySeconds ?? 0);
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

function lookupAny(sim: StripeSim, id: string): object | undefined {
  if (id.startsWith('cus_')) return sim.state.customers.get(id);
  if (id.startsWith('pi_')) return sim.state.paymentIntents.get(id);
  if (id.startsWith('ch_')) return sim.state.charges.get(id);
  if (id.startsWith('txn_')) return sim.state.balanceTransactions.get(id);
  if (id.startsWith('re_')) return sim.state.refunds.get(id);
  return undefined;
}

/** `expand[]=latest_charge.balance_transaction`: replace ids along each dotted path with objects. */
function expand(sim: StripeSim, object: object, paths: string[]): SimResult {
  const result = snapshot(object) as Record<string, unknown>;
  for (const path of paths) {
    let node: Record<string, unknown> | null = result;
    for (const field of path.split('.')) {
      if (!node) break;
      if (!(field in node)) return invalidParam(`This property cannot be expanded (${field}).`, 'expand');
      const value = node[field];
      if (typeof value === 'string') {
        const target = lookupAny(sim, value);
        if (!target) return invalidParam(`This property cannot be expanded (${field}).`, 'expand');
        node[field] = snapshot(target);
      }
      const child: unknown = node[field];
      node = child && typeof child === 'object' ? (child as Record<string, unknown>) : null;
    }
  }
  return { status: 200, body: result, cache: false };
}

export function respond(_c: Context, result: SimResult | object, headers: Record<string, string> = {}): Response {
  const { status, body } = isResult(result) ? result : { status: 200, body: result };
  return new Response(JSON.stringify(body, null, 2), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function isResult(value: unknown): value is SimResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value && 'cache' in value;
}
