/**
 * Retry policy: exponential backoff with "equal jitter" (half fixed, half random), capped;
 * a vendor's Retry-After wins when it asks for longer than our own backoff would wait.
 */
import type { Failure } from '../domain/outcome.js';

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Returns a number in [0, 1); injected so tests are deterministic. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 5_000,
  maxDelayMs: 30 * 60_000,
  random: Math.random,
};

/** Delay before attempt `attempt + 1`, given the failure of attempt `attempt` (1-based). */
export function retryDelayMs(attempt: number, failure: Failure, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exponential / 2 + (policy.random() * exponential) / 2);
  if (failure.kind === 'retryable' && failure.retryAfterMs !== undefined) {
    // "Waits as told": never earlier than the vendor asked.
    return Math.max(failure.retryAfterMs, Math.min(jittered, failure.retryAfterMs));
  }
  return jittered;
}
