/**
 * Sorts what the Adyen client throws into the hub's Outcome failures. Status codes and
 * ServiceError: https://docs.adyen.com/development-resources/response-handling and
 * https://docs.adyen.com/development-resources/error-codes. A retried write carries the same
 * Idempotency-Key, which Adyen keeps at least 31 days, so a 5xx or a dropped connection on a write
 * is indeterminate and its retry is safe.
 */
import {
  type Failure,
  indeterminate,
  parseRetryAfter,
  permanent,
  reconnectRequired,
  retryable,
} from '../../src/domain/outcome.js';
import { withoutFlowPrefix } from '../../src/domain/reconnect.js';
import { AdyenConnectionError, AdyenHttpError } from './client.js';

/** How a rejected API key's reason starts. */
export const API_KEY_REJECTED = 'Adyen API key rejected (check the API key in the connection settings)';

export function needsReconnect(failure: Failure): string | undefined {
  if (failure.kind !== 'retryable' || !failure.reconnect) return undefined;
  const reason = withoutFlowPrefix(failure.reason);
  return reason.startsWith(API_KEY_REJECTED) ? reason : undefined;
}

export type AdyenOperation = 'read' | 'write';

export function classifyAdyenError(error: unknown, operation: AdyenOperation, now: Date): Failure {
  if (error instanceof AdyenConnectionError || !(error instanceof AdyenHttpError)) {
    const reason = `Adyen call failed: ${error instanceof Error ? error.message : String(error)}`;
    return operation === 'write' ? indeterminate(`${reason}; the write may have been applied`) : retryable(reason);
  }
  const { status, body } = error;
  const detail = [
    body?.message ?? `HTTP ${status}`,
    body?.errorCode ? `code ${body.errorCode}` : '',
    body?.pspReference ? `psp ${body.pspReference}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  if (status === 429)
    return retryable(`Adyen rate limit: ${detail}`, parseRetryAfter(error.retryAfter ?? undefined, now), 429);
  if (status === 401) return reconnectRequired(`${API_KEY_REJECTED}: ${detail}`, 401);
  if (status === 403)
    return permanent(`Adyen refused the request (API credential lacks a role or the merchant account): ${detail}`, {
      status: 403,
    });
  if (status >= 500) {
    return operation === 'write'
      ? indeterminate(`Adyen server error on a write; outcome unknown: ${detail}`, status)
      : retryable(`Adyen server error: ${detail}`, undefined, status);
  }
  return permanent(`Adyen rejected the request: ${detail}`, { status });
}
