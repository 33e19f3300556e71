/**
 * Sorts what the Razorpay SDK throws into the hub's Outcome failures. The SDK rejects with
 * `{statusCode, error: {code, description, field, reason, ...}}` (its normalizeError) for an
 * answer, and with the transport's own error when none came (https://razorpay.com/docs/errors).
 * Razorpay has no idempotency key: a write whose answer was lost is indeterminate, and the
 * adapter looks it up by our receipt or notes before it writes again.
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

export const API_KEY_REJECTED = 'Razorpay key rejected (check the key id and secret in the connection settings)';

export function needsReconnect(failure: Failure): string | undefined {
  if (failure.kind !== 'retryable' || !failure.reconnect) return undefined;
  const reason = withoutFlowPrefix(failure.reason);
  return reason.startsWith(API_KEY_REJECTED) ? reason : undefined;
}

interface SdkError {
  statusCode: number;
  error?: { code?: string; description?: string; field?: string | null; reason?: string; retry_after?: string };
}

const isSdkError = (e: unknown): e is SdkError =>
  typeof e === 'object' && e !== null && typeof (e as SdkError).statusCode === 'number';

export type RazorpayOperation = 'read' | 'write';

export function classifyRazorpayError(error: unknown, operation: RazorpayOperation, now: Date): Failure {
  if (!isSdkError(error)) {
    const reason = `Razorpay call failed: ${error instanceof Error ? error.message : String(error)}`;
    return operation === 'write' ? indeterminate(`${reason}; the write may have been applied`) : retryable(reason);
  }
  const { statusCode: status, error: body } = error;
  const detail = [
    body?.description ?? `HTTP ${status}`,
    body?.code,
    body?.reason && body.reason !== 'NA' ? body.reason : '',
  ]
    .filter(Boolean)
    .join('; ');
  if (status === 429) return retryable(`Razorpay rate limit: ${detail}`, parseRetryAfter(body?.retry_after, now), 429);
  if (status === 401) return reconnectRequired(`${API_KEY_REJECTED}: ${detail}`, 401);
  if (status >= 500) {
    return operation === 'write'
      ? indeterminate(`Razorpay server error on a write; outcome unknown: ${detail}`, status)
      : retryable(`Razorpay server error: ${detail}`, undefined, status);
  }
  return permanent(`Razorpay rejected the request: ${detail}`, {
    status,
    ...(body?.field ? { field: body.field } : {}),
  });
}
