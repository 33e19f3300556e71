/**
 * Shared vocabulary of the port contract suites (test support only, never imported by
 * production code): the hooks every vendor factory supplies to inject faults, and the checks on
 * how a failure was sorted (src/domain/outcome.ts).
 */
import { expect } from 'vitest';
import type { Failure, Outcome } from '../../src/domain/outcome.js';
import type { Vendor } from '../../src/domain/vendors.js';
import { needsReconnect } from '../registry.js';
import type { Fault } from '../sandbox/faults.js';

/** How the adapter reports credentials the vendor rejects for good. */
export type Unauthorized =
  /** Retryable with `reconnect: true` or the vendor's exported reconnect reason (its errors' needsReconnect). */
  | { expect: 'reconnect'; reason: string }
  /** Permanent: the adapter has no reconnect signal (a gap the suite records, not hides). */
  | { expect: 'permanent' };

export interface FaultHooks {
  /** Answer the next `times` API requests with `fault` (the simulator's FaultPlan). */
  inject(fault: Fault, times?: number): void;
  /** Make the connection's credentials fail for good (expired token, no refresh possible). */
  revokeCredentials(): void;
  unauthorized: Unauthorized;
}

export function failureOf<T>(outcome: Outcome<T>): Failure {
  if (outcome.ok) throw new Error(`expected a failure, got ok: ${JSON.stringify(outcome.value)}`);
  return outcome;
}

export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected ok, got ${outcome.kind}: ${outcome.reason}`);
  return outcome.value;
}

/** A 429 carrying Retry-After must come back retryable with the wait in ms. */
export function expectRateLimited<T>(outcome: Outcome<T>, retryAfterSeconds: number): void {
  expect(failureOf(outcome)).toMatchObject({ kind: 'retryable', status: 429, retryAfterMs: retryAfterSeconds * 1000 });
}

/** A 5xx is never permanent: retryable, or indeterminate for a write the vendor may have applied. */
export function expectServerError<T>(outcome: Outcome<T>, write: boolean): void {
  const failure = failureOf(outcome);
  expect(write ? ['retryable', 'indeterminate'] : ['retryable']).toContain(failure.kind);
}

export function expectPermanent<T>(outcome: Outcome<T>): void {
  expect(failureOf(outcome).kind).toBe('permanent');
}

/**
 * Rejected credentials, sorted as the adapter promises. A reconnect must also be recognised by the
 * registry (the job queue asks it), as the adapter's own vendor's when a module claims it.
 */
export function expectUnauthorized<T>(outcome: Outcome<T>, unauthorized: Unauthorized, vendor?: Vendor): void {
  const failure = failureOf(outcome);
  if (unauthorized.expect === 'permanent') {
    expect(failure).toMatchObject({ kind: 'permanent', status: 401 });
    return;
  }
  expect(failure.kind).toBe('retryable');
  const flagged = failure.kind === 'retryable' && failure.reconnect === true;
  expect(flagged || failure.reason === unauthorized.reason).toBe(true);
  const signal = needsReconnect(failure);
  expect(signal).toBeDefined();
  if (signal?.vendor !== undefined) expect(signal.vendor).toBe(vendor);
}
