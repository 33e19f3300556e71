/**
 * What every Accounting API call goes through, in Xero's order: a bearer token the identity server
 * issued and that has not expired, an `xero-tenant-id`, the tenant's limits (5 in flight, 60 per
 * rolling minute, 5,000 per rolling day: over one, 429 with Retry-After and X-Rate-Limit-Problem;
 * every answer carries X-MinLimit-Remaining, X-DayLimit-Remaining, X-AppMinLimit-Remaining), then
 * Idempotency-Key replay on writes: the first answer to a key is kept and replayed for the same
 * request; the same key on another request is refused.
 *   https://developer.xero.com/documentation/guides/oauth2/limits/
 *   https://developer.xero.com/documentation/guides/idempotent-requests/idempotency/
 */
import type { Context, Hono } from 'hono';
import { json, unauthorized, validationResponse } from './errors.js';
import { type SimTenant, tenantOf, type XeroSimulatorState } from './state.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const APP_PER_MINUTE = 10_000;

export interface SessionOptions {
  now: () => Date;
  /** Awaited inside each call's slot: tests make calls overlap without wall time. */
  latency?: () => Promise<void>;
}

export type TenantResolver = (c: Context) => SimTenant;

export function sessionRoutes(app: Hono, state: XeroSimulatorState, options: SessionOptions): TenantResolver {
  app.use('/api.xro/2.0/*', async (c, next) => {
    const at = options.now().getTime();
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token || !state.accessTokens.has(token)) return unauthorized('AuthenticationUnsuccessful');
    const expiry = state.accessTokens.get(token);
    if (expiry !== null && expiry !== undefined && expiry <= at) {
      return unauthorized(`TokenExpired: token expired at ${new Date(expiry).toISOString()}`);
    }
    const tenantId = c.req.header('xero-tenant-id');
    if (!tenantId) return json({ Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' }, 403);
    const tenant = tenantOf(state, tenantId);
    c.set('xeroTenant' as never, tenant as never);

    while (tenant.calls.length > 0 && tenant.calls[0]! <= at - DAY_MS) tenant.calls.shift();
    const inMinute = tenant.calls.filter((t) => t > at - MINUTE_MS);
    const { limits } = state;
    const refuse = (problem: string, retryAfterMs: number) => {
      state.rejections.set(problem, (state.rejections.get(problem) ?? 0) + 1);
      return json({ Title: 'Too Many Requests', Status: 429, Detail: `Rate limit exceeded: ${problem}` }, 429, {
        'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
        'x-rate-limit-problem': problem,
      });
    };
    if (tenant.calls.length >= limits.perDay) return refuse('day', tenant.calls[0]! + DAY_MS - at);
    if (inMinute.length >= limits.perMinute) return refuse('minute', inMinute[0]! + MINUTE_MS - at);
    if (tenant.inFlight >= limits.concurrent) return refuse('concurrent', 1000);
    tenant.calls.push(at);
    tenant.inFlight += 1;
    tenant.peakInFlight = Math.max(tenant.peakInFlight, tenant.inFlight);
    try {
      await options.latency?.();
      await withIdempotency(c, tenant, next);
    } finally {
      tenant.inFlight -= 1;
    }
    c.res.headers.set('x-minlimit-remaining', String(Math.max(0, limits.perMinute - inMinute.length - 1)));
    c.res.headers.set('x-daylimit-remaining', String(Math.max(0, limits.perDay - tenant.calls.length)));
    c.res.headers.set('x-appminlimit-remaining', String(APP_PER_MINUTE - inMinute.length - 1));
  });
  return (c) => c.get('xeroTenant' as never) as SimTenant;
}

async function withIdempotency(c: Context, tenant: SimTenant, next: () => Promise<void>): Promise<void> {
  const key = c.req.header('idempotency-key');
  if (!key || (c.req.method !== 'PUT' && c.req.method !== 'POST')) return next();
  if (key.length > 128) {
    c.res = validationResponse(['Idempotency-Key must be at most 128 characters']);
    return;
  }
  const fingerprint = `${c.req.method} ${new URL(c.req.url).pathname} ${await c.req.raw.clone().text()}`;
  const stored = tenant.idempotency.lookup(key, fingerprint);
  if (stored === 'conflict') {
    c.res = validationResponse([`Idempotency-Key ${key} was already used for a different request`]);
    return;
  }
  if (stored) {
    c.res = json(stored.body, stored.status, { 'idempotent-replayed': 'true' });
    return;
  }
  await next();
  // Answers Xero decided (success or validation) are kept; a server error may be retried.
  if (c.res.status < 500) {
    const text = await c.res.clone().text();
    tenant.idempotency.remember(key, fingerprint, { status: c.res.status, body: text ? JSON.parse(text) : null });
  }
}
