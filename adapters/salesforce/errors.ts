/**
 * Sorts Salesforce failures into Outcome failures.
 *
 * Salesforce answers errors with a JSON array `[{ message, errorCode, fields }]`
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
 * jsforce turns it into an Error whose `errorCode` is Salesforce's code, or `ERROR_HTTP_<status>`
 * when the body is not Salesforce's envelope (a proxy page, an empty body). Our connection adds
 * the response's status and headers (client.ts); where they are missing, the documented status
 * of each error code stands in.
 */
import { type Failure, parseRetryAfter, permanent, reconnectRequired, retryable } from '../../src/domain/outcome.js';
import { carriesReason } from '../../src/domain/reconnect.js';
import type { HttpFacts } from './client.js';

/** The daily API allocation is a rolling 24 hours; checking back hourly is soon enough. */
export const DAILY_LIMIT_RETRY_AFTER_MS = 60 * 60 * 1000;
/** Too many concurrent long-running requests clears within seconds. */
const CONCURRENT_LIMIT_RETRY_AFTER_MS = 60 * 1000;

/** A session that cannot be refreshed: only a person reconnecting the org helps. */
export const SESSION_EXPIRED = 'session expired; reconnect';

/** The Salesforce module's reconnect check (vendor-module.ts): its one reason, behind any flow prefix. */
export function needsReconnect(failure: Failure): string | undefined {
  return failure.kind === 'retryable' && carriesReason(failure.reason, SESSION_EXPIRED) ? SESSION_EXPIRED : undefined;
}

/** Status each known error code comes with, so failures carry it. */
const STATUS_OF: Record<string, number> = {
  INVALID_SESSION_ID: 401,
  REQUEST_LIMIT_EXCEEDED: 403,
  INSUFFICIENT_ACCESS: 403,
  API_DISABLED_FOR_ORG: 403,
  FUNCTIONALITY_NOT_ENABLED: 403,
  NOT_FOUND: 404,
  MALFORMED_QUERY: 400,
  INVALID_FIELD: 400,
  INVALID_TYPE: 400,
  MALFORMED_ID: 400,
  INVALID_QUERY_FILTER_OPERATOR: 400,
  INVALID_QUERY_LOCATOR: 400,
  UNKNOWN_EXCEPTION: 500,
  SERVER_UNAVAILABLE: 503,
};

/** Codes worth another try later without anyone doing anything. */
const TRANSIENT = new Set(['UNKNOWN_EXCEPTION', 'SERVER_UNAVAILABLE', 'QUERY_TIMEOUT', 'INVALID_QUERY_LOCATOR']);

interface SalesforceApiError extends HttpFacts {
  errorCode: string;
  message: string;
  fields?: string[];
}

function asApiError(error: unknown): SalesforceApiError | null {
  if (!(error instanceof Error)) return null;
  const candidate = error as Error & HttpFacts & { errorCode?: unknown; data?: unknown };
  if (typeof candidate.errorCode !== 'string') return null;
  const facts: HttpFacts = { statusCode: candidate.statusCode, headers: candidate.headers };
  // Several errors at once: classify on the first, name them all.
  if (candidate.errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(candidate.data) && candidate.data.length > 0) {
    const first = candidate.data[0] as SalesforceApiError;
    const all = (candidate.data as SalesforceApiError[]).map((e) => `${e.errorCode}: ${e.message}`).join('; ');
    return { ...facts, errorCode: String(first.errorCode), message: all, fields: first.fields };
  }
  const data = candidate.data as { fields?: unknown } | undefined;
  const fields = Array.isArray(data?.fields) ? (data.fields as string[]) : undefined;
  return { ...facts, errorCode: candidate.errorCode, message: candidate.message, fields };
}

/**
 * Classifies an error thrown by a jsforce call. Every call the CRM port makes is safe to repeat:
 * reads, and write-backs, which set absolute values.
 */
export function classifySalesforceError(error: unknown, now: () => Date = () => new Date()): Failure {
  const api = asApiError(error);
  if (api) return classifyApiError(api, now);
  const message = error instanceof Error ? error.message : String(error);
  // jsforce's session refresh failed (refresh token revoked or expired, connected app changed):
  // the connection needs a person to reconnect; the job retries once that has happened.
  if (message.startsWith('Unable to refresh session')) return reconnectRequired(SESSION_EXPIRED);
  // Anything else thrown by the SDK is a transport failure: refused, reset, DNS, timeout, or a
  // body cut off (jsforce then fails reading the empty result). Every call is safe to repeat.
  return retryable(`network error or incomplete response from Salesforce: ${message}`);
}

function classifyApiError(api: SalesforceApiError, now: () => Date): Failure {
  const { errorCode, message, fields } = api;
  const httpStatus = /^ERROR_HTTP_(\d{3})$/.exec(errorCode);
  const status = api.statusCode ?? (httpStatus ? Number(httpStatus[1]) : STATUS_OF[errorCode]);
  const retryAfterMs = parseRetryAfter(api.headers?.['retry-after'], now());
  const reason = `Salesforce ${errorCode}: ${oneLine(message)}`;

  if (errorCode === 'INVALID_SESSION_ID' || status === 401) return reconnectRequired(SESSION_EXPIRED);
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    const wait = /concurrent/i.test(message) ? CONCURRENT_LIMIT_RETRY_AFTER_MS : DAILY_LIMIT_RETRY_AFTER_MS;
    return retryable(reason, retryAfterMs ?? wait, status);
  }
  if (TRANSIENT.has(errorCode) || (status !== undefined && (status === 429 || status >= 500))) {
    return retryable(reason, retryAfterMs, status);
  }
  return permanent(reason, {
    ...(status !== undefined ? { status } : {}),
    ...(fields && fields.length > 0 ? { field: fields[0] } : {}),
  });
}

/** SOQL errors quote the query over several lines; keep reasons on one line. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
