/**
 * What every /v1 call goes through: a request id (with the idempotency key and Stripe-Version
 * it came with, for the events it causes), and the secret key.
 */
import type { Hono } from 'hono';
import { type SimResult, stripeError } from './errors.js';
import { respond } from './requests.js';
import type { RequestMeta, StripeSim } from './state.js';

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

export function sessionRoutes(app: Hono, sim: StripeSim): void {
  app.use('/v1/*', async (c, next) => {
    const meta: RequestMeta = {
      requestId: sim.newId('req'),
      idempotencyKey: c.req.header('idempotency-key') ?? null,
      stripeVersion: c.req.header('stripe-version') ?? null,
    };
    sim.metas.set(c.req.raw, meta);
    const denied = authenticate(c.req.header('authorization'));
    if (denied) return respond(c, denied, { 'Request-Id': meta.requestId });
    await next();
    c.res.headers.set('Request-Id', meta.requestId);
  });
}
