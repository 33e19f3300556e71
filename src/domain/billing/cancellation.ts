/**
 * Cancel at period end (dunning's final action, src/domain/dunning.ts): the contract runs to the
 * end of the period it was in when the cancellation was set, and is billed for nothing after.
 * The period in progress on that day (start on or before it) is still owed, whatever its timing:
 * in advance it was billed at its start, in arrears it is billed at its end. A period that starts
 * after that day starts at or after the period end the cancellation takes effect at.
 */
import type { BillingPeriod } from './types.js';

/** The periods still owed by a contract whose cancellation at period end was set on `cancelSetOn` (YYYY-MM-DD or ISO instant). */
export function periodsBeforeCancellation<P extends Pick<BillingPeriod, 'start'>>(
  periods: readonly P[],
  cancelSetOn: string | null | undefined,
): P[] {
  if (!cancelSetOn) return [...periods];
  const day = cancelSetOn.slice(0, 10);
  return periods.filter((p) => p.start.slice(0, 10) <= day);
}
