/**
 * What every webhook endpoint answers a request it will not take, and its per-connection budget.
 * Every inbound route verifies before it trusts anything and answers an unknown account like a bad
 * credential (DESIGN.md), so these answers say as little as possible.
 */
import type { Context } from 'hono';
import type { InboundRefusal, WebhookReply } from '../../../adapters/inbound.js';
import type { HubContext } from '../context.js';
import { problem } from '../problem.js';
import { RateLimiter } from '../rate-limit.js';

/**
 * One answer for every caller the hub cannot authenticate: unknown endpoint, unknown account,
 * a connection missing its secret, a wrong secret or signature. Which one it was is logged, never
 * told, so the route does not reveal which ids or accounts exist.
 */
export function unauthenticated(c: Context, why?: string): Response {
  if (why) console.warn(`[webhooks] ${c.req.method} ${c.req.path.replace(/\/[^/]{32,}$/, '/…')}: ${why}`);
  return problem(c, 401, 'Unauthorized', 'the request could not be authenticated');
}

/** A vendor endpoint's refusal as the hub's answer: 401 (reason logged only) or a 400 problem. */
export function refusal(c: Context, refused: InboundRefusal): Response {
  if (refused.refuse === 'unauthenticated') return unauthenticated(c, refused.why);
  const fields = refused.field ? [{ field: refused.field, message: refused.detail }] : undefined;
  return problem(c, 400, refused.title, refused.detail, fields);
}

/** The answer the vendor waits for (Salesforce's SOAP ack, or JSON). */
export function reply(c: Context, answer: WebhookReply): Response {
  if (answer.type === 'xml') return c.body(answer.body, 200, { 'content-type': 'text/xml; charset=utf-8' });
  return c.json(answer.body as object);
}

/** Returns a 429 (with Retry-After) once a key has spent its budget for the window, else undefined. */
export type Limit = (c: Context, key: string) => Response | undefined;

export function inboundLimit(hub: Pick<HubContext, 'clock'>): Limit {
  const limiter = new RateLimiter(hub.clock);
  return (c, key) => {
    const decision = limiter.take(key);
    if (decision.ok) return undefined;
    c.header('retry-after', String(decision.retryAfterSeconds));
    return problem(c, 429, 'Too many requests', `retry after ${decision.retryAfterSeconds} s`);
  };
}

/**
 * A per-connection budget that only refused requests spend (unknown connection, bad signature):
 * for endpoints whose every request is signed by the vendor, where the work a stranger can make
 * the hub do is the refused requests. Once spent, requests get a 429 before anything is looked
 * up; verified events are never counted, so a payment provider delivering thousands of events a
 * minute after a billing run is not held to the stranger's budget (Stripe would retry each 429
 * with backoff for hours).
 */
export interface RefusalBudget {
  /** A 429 (with Retry-After) when the key has spent its budget this window, else undefined. */
  spent(c: Context, key: string): Response | undefined;
  /** Counts one refused request against the key. */
  charge(key: string): void;
}

export function inboundRefusalBudget(hub: Pick<HubContext, 'clock'>): RefusalBudget {
  const limiter = new RateLimiter(hub.clock);
  return {
    spent(c, key) {
      const decision = limiter.peek(key);
      if (decision.ok) return undefined;
      c.header('retry-after', String(decision.retryAfterSeconds));
      return problem(c, 429, 'Too many requests', `retry after ${decision.retryAfterSeconds} s`);
    },
    charge(key) {
      limiter.take(key);
    },
  };
}
