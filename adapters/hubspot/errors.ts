/**
 * Sorts HubSpot failures into Outcome failures.
 *
 * HubSpot answers errors with `{ status: "error", message, correlationId, category,
 * subCategory?, errors?: [{ message, code?, in?, context? }] }` (the spec's Error schema;
 * https://developers.hubspot.com/docs/api/error-handling). The SDK throws an ApiException whose
 * `code` is the HTTP status, `body` the parsed Error and `headers` the response headers; our
 * transport throws HubSpotHttpError for a non-JSON error page (client.ts). Everything else the
 * SDK rejects with is a transport failure. Every call the CRM port makes is safe to repeat: reads,
 * and write-backs, which set absolute values.
 */
import { type Failure, parseRetryAfter, permanent, reconnectRequired, retryable } from '../../src/domain/outcome.js';
import { carriesReason } from '../../src/domain/reconnect.js';
import { HubSpotHttpError } from './client.js';

/** A 401, or a refresh token HubSpot rejects: only a person reconnecting the account helps. */
export const TOKEN_REJECTED = 'access token expired or revoked; reconnect';

/** The HubSpot module's reconnect check (vendor-module.ts): its one reason, behind any flow prefix. */
export function needsReconnect(failure: Failure): string | undefined {
  return failure.kind === 'retryable' && carriesReason(failure.reason, TOKEN_REJECTED) ? TOKEN_REJECTED : undefined;
}
/** Daily limit exhausted: it resets at midnight in the account's time zone; checking hourly is soon enough. */
export const DAILY_LIMIT_RETRY_AFTER_MS = 60 * 60 * 1000;

/** The parts of HubSpot's error envelope we read. */
export interface HubSpotErrorBody {
  status?: string;
  message?: string;
  correlationId?: string;
  category?: string;
  subCategory?: string;
  errors?: { message?: string; code?: string; in?: string; context?: Record<string, unknown> }[];
}

interface HttpFailure {
  status: number;
  headers: Record<string, string>;
  body: HubSpotErrorBody | null;
}

function asHttpFailure(error: unknown): HttpFailure | null {
  if (error instanceof HubSpotHttpError) return { status: error.status, headers: error.headers, body: null };
  // ApiException (one class per generated module, so matched by shape, not instanceof).
  const e = error as { code?: unknown; body?: unknown; headers?: unknown } | null;
  if (!(error instanceof Error) || typeof e?.code !== 'number' || e.code < 100 || e.code > 599) return null;
  const body = typeof e.body === 'object' && e.body !== null ? (e.body as HubSpotErrorBody) : null;
  const headers = typeof e.headers === 'object' && e.headers !== null ? (e.headers as Record<string, string>) : {};
  return { status: e.code, headers, body };
}

function describe(failure: HttpFailure): string {
  const { body, status } = failure;
  const category = body?.category ? `${body.category}: ` : '';
  const message = body?.message?.replace(/\s+/g, ' ').trim() || `HTTP ${status}`;
  const details = (body?.errors ?? [])
    .map((d) => d.message)
    .filter(Boolean)
    .join('; ');
  const correlation = body?.correlationId ? ` (correlationId ${body.correlationId})` : '';
  return `HubSpot ${category}${message}${details && !message.includes(details) ? ` — ${details}` : ''}${correlation}`;
}

/** How long HubSpot asks us to wait on a 429: Retry-After, else the rate-limit window. */
function rateLimitWait(headers: Record<string, string>, now: Date): number | undefined {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  if (headers['x-hubspot-ratelimit-daily-remaining'] === '0') return DAILY_LIMIT_RETRY_AFTER_MS;
  // The burst limit is counted over a rolling window of this many ms; one window is enough.
  const interval = headers['x-hubspot-ratelimit-interval-milliseconds'];
  return interval && /^\d+$/.test(interval) ? Number.parseInt(interval, 10) : undefined;
}

export interface ClassifyContext {
  /** Reason for a 404 (e.g. "deal not found"). */
  notFound?: string;
}

/** Classifies an error thrown by an SDK call. */
export function classifyHubSpotError(
  error: unknown,
  now: () => Date = () => new Date(),
  context: ClassifyContext = {},
): Failure {
  const failure = asHttpFailure(error);
  if (!failure) {
    const message = error instanceof Error ? error.message : String(error);
    // Refused, reset, DNS, timeout, or a body cut off: reads are safe to repeat.
    return retryable(`network error or incomplete response from HubSpot: ${message}`);
  }
  const { status } = failure;
  const reason = describe(failure);
  if (status === 401) return reconnectRequired(TOKEN_REJECTED);
  if (status === 429) return retryable(reason, rateLimitWait(failure.headers, now()), 429);
  if (status >= 500) return retryable(reason, parseRetryAfter(failure.headers['retry-after'], now()), status);
  if (status === 404) return permanent(context.notFound ?? reason, { status });
  // 400 VALIDATION_ERROR, 403 MISSING_SCOPES, ...: a person has to change something.
  const field = failure.body?.errors?.find((d) => d.in)?.in;
  return permanent(reason, { status, ...(field ? { field } : {}) });
}
