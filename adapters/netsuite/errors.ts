/**
 * Sorts NetSuite REST answers into the hub's failure kinds.
 * Error envelope (REST web services):
 *   {"type": "<RFC link>", "title": "Bad Request", "status": 400,
 *    "o:errorDetails": [{"detail": "...", "o:errorCode": "USER_ERROR", "o:errorPath": "entity"}]}
 * (../../../shared/apispecs/netsuite.json `errors`.) Limits: concurrency is governed per account;
 * NetSuite documents no Retry-After, so a wait it does send is honoured and otherwise a default is used.
 */
import {
  type Failure,
  indeterminate,
  parseRetryAfter,
  permanent,
  reconnectRequired,
  retryable,
} from '../../src/domain/outcome.js';
import { carriesReason } from '../../src/domain/reconnect.js';
import type { NsResponse } from './response.js';

/** What a 401 says: the TBA token was revoked or the consumer disabled (TBA tokens do not expire). */
export const NETSUITE_TOKEN_REJECTED = 'token-based authentication rejected';

/** The wait after a 429 that names none. */
export const THROTTLE_WAIT_MS = 5_000;

/** Error codes that mean "the account is busy now": the request did nothing and may be sent again. */
const CONCURRENCY_CODES = new Set(['CONCURRENCY_LIMIT_EXCEEDED', 'SSS_REQUEST_LIMIT_EXCEEDED', 'WS_REQUEST_BLOCKED']);
/** Error codes of a passing state (a record locked by another user or a workflow, a server hiccup). */
const TRANSIENT_CODES = new Set(['RCRD_LOCKED_BY_WF', 'RECORD_LOCKED', 'UNEXPECTED_ERROR', 'SSS_TIME_LIMIT_EXCEEDED']);

export interface NsErrorDetail {
  detail?: string;
  'o:errorCode'?: string;
  'o:errorPath'?: string;
}

/** The o:errorDetails of an error body, or [] when the body has none. */
export function errorDetailsOf(body: unknown): NsErrorDetail[] {
  if (!body || typeof body !== 'object') return [];
  const details = (body as Record<string, unknown>)['o:errorDetails'];
  return Array.isArray(details) ? details.filter((d): d is NsErrorDetail => !!d && typeof d === 'object') : [];
}

const codesOf = (body: unknown) => errorDetailsOf(body).map((d) => d['o:errorCode'] ?? '');

/** True when NetSuite refused the request for the account's concurrency limit (the client resends it). */
export function isConcurrencyLimited(response: NsResponse): boolean {
  if (response.kind !== 'http' || response.status < 400) return false;
  return codesOf(response.body).some((code) => CONCURRENCY_CODES.has(code));
}

/** The NetSuite module's reconnect check (vendor-module.ts): a 401 carrying our reason. */
export function needsReconnect(failure: Failure): string | undefined {
  const ours = failure.kind === 'retryable' && failure.status === 401;
  return ours && carriesReason(failure.reason, NETSUITE_TOKEN_REJECTED) ? NETSUITE_TOKEN_REJECTED : undefined;
}

function describe(body: unknown): string {
  const details = errorDetailsOf(body);
  if (details.length === 0) {
    if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 200);
    const title = body && typeof body === 'object' ? (body as { title?: unknown }).title : undefined;
    return typeof title === 'string' ? title : 'no error details';
  }
  return details
    .map((d) => {
      const code = d['o:errorCode'] ? ` [${d['o:errorCode']}]` : '';
      const path = d['o:errorPath'] ? ` on ${d['o:errorPath']}` : '';
      return `${d.detail ?? 'error'}${code}${path}`;
    })
    .join('; ');
}

export interface Operation {
  /** e.g. "upsert invoice", "find customer". */
  what: string;
  /** Writes may have happened when the connection drops; reads never change anything. */
  write: boolean;
}

/** Classifies anything that is not a usable success answer. */
export function classifyFailure(response: NsResponse, op: Operation, now: Date): Failure {
  if (response.kind === 'network') {
    const reason = `NetSuite ${op.what}: connection failed (${response.message})`;
    // A write may have been applied; the upsert by external id makes the resend safe, and the lookup tells.
    return op.write
      ? indeterminate(`${reason}; look the record up by its external id before retrying`)
      : retryable(reason);
  }
  const { status, body } = response;
  const details = describe(body);
  const codes = codesOf(body);
  if (status === 429 || codes.some((c) => CONCURRENCY_CODES.has(c))) {
    const wait = parseRetryAfter(response.headers.get('retry-after'), now) ?? THROTTLE_WAIT_MS;
    return retryable(`NetSuite ${op.what}: over the account's request limit (${status}) ${details}`, wait, 429);
  }
  if (status === 401) {
    // TBA tokens do not expire; a 401 means the token was revoked or the integration disabled: a
    // person issues a new token and reconnects.
    return reconnectRequired(NETSUITE_TOKEN_REJECTED, status);
  }
  if (status >= 500 || codes.some((c) => TRANSIENT_CODES.has(c))) {
    // Resending is safe: the write is an upsert by external id.
    return retryable(`NetSuite ${op.what} failed with ${status}: ${details}`, undefined, status);
  }
  if (status >= 400) {
    const path = errorDetailsOf(body).find((d) => d['o:errorPath'])?.['o:errorPath'];
    return permanent(`NetSuite ${op.what} rejected (${status}): ${details}`, {
      status,
      ...(path ? { field: path } : {}),
    });
  }
  const reason = `NetSuite ${op.what}: unexpected ${status} answer (${details})`;
  return op.write ? indeterminate(reason, status) : permanent(reason, { status });
}
