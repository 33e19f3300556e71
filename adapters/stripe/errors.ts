/**
 * Sorts what the Stripe SDK throws into the hub's Outcome failures.
 * Error types and status codes: https://docs.stripe.com/error-handling and
 * https://docs.stripe.com/api/errors ; retry advice: https://docs.stripe.com/error-low-level
 */
import Stripe from 'stripe';
import {
  type Failure,
  indeterminate,
  parseRetryAfter,
  permanent,
  reconnectRequired,
  retryable,
} from '../../src/domain/outcome.js';
import { withoutFlowPrefix } from '../../src/domain/reconnect.js';

/** How a rejected secret key's reason starts (the SDK's detail follows). */
export const API_KEY_REJECTED = 'Stripe API key rejected (check the secret key in the connection settings)';

/**
 * The Stripe module's reconnect check (vendor-module.ts): a rejected key, flagged by
 * classifyStripeError, behind any flow prefix. The reason shown is the adapter's own.
 */
export function needsReconnect(failure: Failure): string | undefined {
  if (failure.kind !== 'retryable' || !failure.reconnect) return undefined;
  const reason = withoutFlowPrefix(failure.reason);
  return reason.startsWith(API_KEY_REJECTED) ? reason : undefined;
}

/** A write may have been applied by Stripe even when we saw no answer; a read never changes anything. */
export type StripeOperation = 'read' | 'write';

export function classifyStripeError(error: unknown, operation: StripeOperation, now: Date): Failure {
  if (!(error instanceof Stripe.errors.StripeError)) {
    // Not an SDK error (e.g. a bug or a runtime failure before the request left): we cannot
    // know whether a write reached Stripe, so never claim it did not.
    const reason = `Stripe call failed: ${error instanceof Error ? error.message : String(error)}`;
    return operation === 'write' ? indeterminate(reason) : retryable(reason);
  }
  const status = error.statusCode;
  const detail = describe(error);

  if (error instanceof Stripe.errors.StripeConnectionError) {
    // Connection dropped or timed out: the write may have happened. Reconcile by lookup,
    // then retry with the same idempotency key (Stripe replays the first result).
    return operation === 'write'
      ? indeterminate(`Stripe connection failed; the write may have been applied: ${error.message}`)
      : retryable(`Stripe connection failed: ${error.message}`);
  }
  if (error instanceof Stripe.errors.StripeRateLimitError || status === 429) {
    // Stripe documents no Retry-After header (https://docs.stripe.com/rate-limits): use it
    // if a proxy or a future API sends one, otherwise the queue's own backoff applies.
    const retryAfterMs = parseRetryAfter(error.headers?.['retry-after'], now);
    return retryable(`Stripe rate limit: ${detail}`, retryAfterMs, 429);
  }
  if (error instanceof Stripe.errors.StripeAuthenticationError || status === 401) {
    // A revoked or rolled key: retrying cannot help until a person enters a new one, so the
    // connection waits for a reconnect. https://docs.stripe.com/keys#rolling-keys
    return reconnectRequired(`${API_KEY_REJECTED}: ${detail}`, 401);
  }
  if (error instanceof Stripe.errors.StripePermissionError || status === 403) {
    return permanent(`Stripe API key lacks permission for this request: ${detail}`, { status: 403 });
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    // Same key, different parameters: a bug in how the key was derived; retrying cannot help.
    return permanent(`Stripe idempotency conflict: ${detail}`, withField(error, status ?? 400));
  }
  if (error instanceof Stripe.errors.StripeCardError) {
    const decline = error.decline_code ? ` (decline code ${error.decline_code})` : '';
    return permanent(`Stripe card error: ${detail}${decline}`, withField(error, status ?? 402));
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    return permanent(`Stripe rejected the request: ${detail}`, withField(error, status ?? 400));
  }
  if (status === 409) {
    // A concurrent request holds the same idempotency key or object lock; Stripe's SDK retries these.
    return retryable(`Stripe conflict, retry later: ${detail}`, undefined, 409);
  }
  if (status !== undefined && status >= 500) {
    // Stripe stores a 500 under the idempotency key once the endpoint started executing, so a
    // write that got a 500 may have been applied: reconcile first. 502/503/504 come from the
    // edge before the API ran; a retry with the same key is safe either way.
    // https://docs.stripe.com/error-low-level#server-errors
    if (operation === 'write' && status === 500) {
      return indeterminate(`Stripe server error on a write; outcome unknown: ${detail}`, status);
    }
    return retryable(`Stripe server error: ${detail}`, undefined, status);
  }
  if (status !== undefined && status >= 400) {
    return permanent(`Stripe rejected the request: ${detail}`, withField(error, status));
  }
  // StripeAPIError without a status (e.g. invalid JSON from a proxy).
  return operation === 'write'
    ? indeterminate(`Stripe returned an unreadable response: ${detail}`, status)
    : retryable(`Stripe returned an unreadable response: ${detail}`, undefined, status);
}

function describe(error: Stripe.errors.StripeError): string {
  const parts = [error.message];
  if (error.code) parts.push(`code ${error.code}`);
  if (error.param) parts.push(`param ${error.param}`);
  if (error.requestId) parts.push(`request ${error.requestId}`);
  return parts.join('; ');
}

function withField(error: Stripe.errors.StripeError, status: number): { status: number; field?: string } {
  return error.param ? { status, field: error.param } : { status };
}
