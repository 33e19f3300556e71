/**
 * Free trials: `trial: { days, firstPeriod }` in the terms. Nothing is billed for the first
 * `days` days from the start date; paid service, and billing, start at the trial's end
 * (one-time items such as a setup fee bill then too). The first paid period is either:
 * - `trial_end` (default): anchored on the trial's end — the billing grid runs from that day
 *   (Stripe resets the billing cycle anchor to `trial_end`, https://docs.stripe.com/billing/subscriptions/trials);
 * - `anchor`: on the contract's own billing anchor — the calendar month, the anchor day, or the
 *   start date's day (and weekday) for anniversary contracts; the days from the trial's end to
 *   the first anchor are a partial period, prorated like any other.
 * Billing works on the terms as the trial leaves them (startDate = the trial's end), so every
 * rule that reads startDate (grids, phases, one-time items) sees the paid start. Renewal terms
 * are computed first, from the contract's own start.
 */
import { weekdayOf } from '../billing/calendar.js';
import { addDaysFast } from '../billing/day-math.js';
import type { ContractTerms } from './terms.js';

/** The first day after the trial (exclusive end of the trial), or null without one. */
export function trialEnd(terms: Pick<ContractTerms, 'startDate' | 'trial'>): string | null {
  return terms.trial ? addDaysFast(terms.startDate, terms.trial.days) : null;
}

/** The terms as billing sees them after the trial. */
export function afterTrial(terms: ContractTerms): ContractTerms {
  const end = trialEnd(terms);
  if (end === null) return terms;
  const { trial: _trial, ...rest } = terms;
  if ((terms.trial!.firstPeriod ?? 'trial_end') === 'trial_end') {
    return { ...rest, startDate: end, alignment: 'anniversary' };
  }
  // Keep the contract's own anchor: an anniversary contract's anchor is its start date's day.
  const alignment =
    terms.alignment === 'anniversary'
      ? { anchorDay: Number(terms.startDate.slice(8, 10)), anchorWeekday: weekdayOf(terms.startDate) }
      : terms.alignment;
  return { ...rest, startDate: end, alignment };
}
