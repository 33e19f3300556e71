/**
 * Sorts Xero answers into the hub's failure kinds.
 * Error envelope (Accounting API, ../../../shared/apispecs/xero.json `errors`):
 *   400 {"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
 *        "Elements": [{..., "ValidationErrors": [{"Message": "..."}]}]}
 * Limits: a 429 carries Retry-After (seconds) and X-Rate-Limit-Problem naming the limit hit
 * (minute, day, concurrent, appminute): https://developer.xero.com/documentation/guides/oauth2/limits/
 * A spent day is parked until the window reopens (Failure.parked), never spent as attempts.
 */
import {
  type Failure,
  indeterminate,
  parseRetryAfter,
  permanent,
  quotaExhausted,
  reconnectRequired,
  retryable,
} from '../../src/domain/outcome.js';
import { carriesReason } from '../../src/domain/reconnect.js';
import type { XeroResponse } from './response.js';

/** What a 401 that refreshing did not cure says: the connection's consent is gone or its refresh token died. */
export const XERO_TOKEN_REJECTED = 'Xero rejected the access token and it could not be refreshed';

/** The wait after a minute-limit 429 that names none. */
export const THROTTLE_WAIT_MS = 60_000;

export interface XeroErrorBody {
  ErrorNumber?: number;
  Type?: string;
  Message?: string;
  Detail?: string;
  Title?: string;
  Elements?: { ValidationErrors?: { Message?: string }[] }[];
}

/** Every validation message of an error body (or of a 200 batch whose elements failed). */
export function validationMessages(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const elements = (body as XeroErrorBody).Elements;
  if (!Array.isArray(elements)) return [];
  return elements
    .flatMap((e) => (Array.isArray(e?.ValidationErrors) ? e.ValidationErrors : []))
    .flatMap((v) => (typeof v?.Message === 'string' ? [v.Message] : []));
}

function describe(body: unknown): string {
  const messages = validationMessages(body);
  if (messages.length > 0) return messages.join('; ');
  if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 200);
  if (body && typeof body === 'object') {
    const b = body as XeroErrorBody;
    const text = [b.Type, b.Message ?? b.Detail ?? b.Title].filter((s) => typeof s === 'string').join(': ');
    if (text) return text;
  }
  return 'no error details';
}

/** The Xero module's reconnect check (vendor-module.ts): a 401 carrying our reason. */
export function needsReconnect(failure: Failure): string | undefined {
  const ours = failure.kind === 'retryable' && failure.status === 401;
  return ours && carriesReason(failure.reason, XERO_TOKEN_REJECTED) ? XERO_TOKEN_REJECTED : undefined;
}

export interface Operation {
  /** e.g. "create invoice", "find contact". */
  what: string;
  /** Writes may have happened when the connection drops; reads never change anything. */
  write: boolean;
}

/** Classifies anything that is not a usable success answer. */
export function classifyFailure(response: XeroResponse, op: Operation, now: Date): Failure {
  if (response.kind === 'quota') {
    return quotaExhausted(
      `Xero ${op.what}: the tenant's 5,000 calls a day are spent; parked until the window reopens`,
      response.waitMs,
    );
  }
  // The reason is exactly ours so needsReconnect names Xero (the refresh's own answer is not kept).
  if (response.kind === 'auth') return reconnectRequired(XERO_TOKEN_REJECTED);
  if (response.kind === 'network') {
    const reason = `Xero ${op.what}: connection failed (${response.message})`;
    // The write may have been applied: look it up by our reference before sending it again.
    return op.write ? indeterminate(`${reason}; look it up by our reference before retrying`) : retryable(reason);
  }
  const { status, body, headers } = response;
  const details = describe(body);
  if (status === 429) {
    const problem = headers.get('x-rate-limit-problem')?.toLowerCase() ?? 'minute';
    const wait = parseRetryAfter(headers.get('retry-after'), now);
    if (problem === 'day') {
      return quotaExhausted(`Xero ${op.what}: the tenant's daily call limit is spent (429 day)`, wait ?? 3_600_000);
    }
    return retryable(`Xero ${op.what}: over the ${problem} limit (429) ${details}`, wait ?? THROTTLE_WAIT_MS, 429);
  }
  if (status === 401 || status === 403) {
    // The client already refreshed once where it could: only a person reconnecting helps now.
    return reconnectRequired(XERO_TOKEN_REJECTED, 401);
  }
  if (status >= 500) {
    // Resending is safe: the same Idempotency-Key replays Xero's first answer.
    return retryable(`Xero ${op.what} failed with ${status}: ${details}`, undefined, status);
  }
  if (status >= 400) return permanent(`Xero ${op.what} rejected (${status}): ${details}`, { status });
  const reason = `Xero ${op.what}: unexpected ${status} answer (${details})`;
  return op.write ? indeterminate(reason, status) : permanent(reason, { status });
}
