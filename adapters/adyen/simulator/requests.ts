/**
 * What every Adyen simulator route shares: the X-API-Key check, JSON bodies, ServiceError
 * answers, and the idempotent write (the first answer to an `Idempotency-Key` is replayed, with
 * the key echoed in the response header; the same key with another body is refused).
 * https://docs.adyen.com/development-resources/api-idempotency
 */
import type { Context } from 'hono';
import type { StoredResponse } from '../../sandbox/idempotency.js';
import { type ServiceError, serviceError } from './errors.js';
import type { AdyenSimulatorState } from './state.js';

export interface AdyenSim {
  state: AdyenSimulatorState;
  options: { apiKey: string; merchantAccount: string; publicUrl: string };
  now(): Date;
  nextPsp(): string;
  notify(item: Omit<import('./state.js').SimNotificationItem, 'eventDate' | 'merchantAccountCode'>): void;
}

export type Answer = { status: number; body: unknown };

export function fail(error: ServiceError): Answer {
  return { status: error.status, body: error };
}

export function answer(c: Context, a: Answer, headers: Record<string, string> = {}): Response {
  return c.json(a.body as object, a.status as 200, headers);
}

export function authorised(c: Context, sim: AdyenSim): Response | undefined {
  if (c.req.header('x-api-key') === sim.options.apiKey) return undefined;
  return answer(c, fail(serviceError(401, '000', 'HTTP Status Response - Unauthorized', 'security')));
}

export async function jsonBody(c: Context): Promise<Record<string, unknown> | undefined> {
  try {
    const body = await c.req.json();
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a write once per Idempotency-Key; a replay answers the stored response. */
export async function idempotentWrite(
  c: Context,
  sim: AdyenSim,
  run: (body: Record<string, unknown>) => Answer,
): Promise<Response> {
  const denied = authorised(c, sim);
  if (denied) return denied;
  const raw = await c.req.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw || '{}');
  } catch {
    return answer(
      c,
      fail(serviceError(400, '702', 'Structure is invalid: unable to parse the JSON body', 'validation')),
    );
  }
  const key = c.req.header('idempotency-key');
  if (key && key.length > 64) {
    return answer(c, fail(serviceError(422, '000', 'Idempotency-Key exceeds 64 characters', 'validation')));
  }
  const scoped = key ? `${c.req.method} ${new URL(c.req.url).pathname} ${key}` : undefined;
  if (scoped) {
    const stored = sim.state.idempotency.lookup(scoped, raw);
    if (stored === 'conflict') {
      // Same key, another body: refused, nothing processed.
      return answer(
        c,
        fail(serviceError(422, '704', 'request already processed or in progress with other parameters', 'validation')),
        { 'Idempotency-Key': key! },
      );
    }
    if (stored) return answer(c, stored, { 'Idempotency-Key': key! });
  }
  if (body.merchantAccount !== undefined && body.merchantAccount !== sim.options.merchantAccount) {
    return answer(c, fail(serviceError(403, '901', 'Invalid Merchant Account', 'security')));
  }
  const result = run(body);
  // Adyen keeps the answer of a processed request under the key, errors of validation included.
  if (scoped) sim.state.idempotency.remember(scoped, raw, result as StoredResponse);
  return answer(c, result, key ? { 'Idempotency-Key': key } : {});
}

/** Amount checks Adyen applies: an integer value in minor units of a three-letter currency. */
export function amountOf(value: unknown): { currency: string; value: number } | ServiceError {
  const a = value as { currency?: unknown; value?: unknown } | undefined;
  if (!a || typeof a.currency !== 'string' || !/^[A-Z]{3}$/.test(a.currency)) {
    return serviceError(422, '000', 'Field amount.currency is missing or not an ISO 4217 code', 'validation');
  }
  if (typeof a.value !== 'number' || !Number.isSafeInteger(a.value) || a.value < 0) {
    return serviceError(422, '137', 'Invalid amount specified', 'validation');
  }
  return { currency: a.currency, value: a.value };
}

export const isError = (v: unknown): v is ServiceError =>
  typeof v === 'object' && v !== null && 'errorCode' in v && 'errorType' in v;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const validEmail = (email: unknown): boolean =>
  email === undefined || (typeof email === 'string' && EMAIL.test(email));
