/**
 * Proration: the share of a period's amount that a service period covers. Billing systems count
 * days differently, so the day count is an option with a documented default:
 * - `actual_days` (default): calendar days, end exclusive (Stripe, Chargebee, Lago count this way).
 * - `thirty_day_month`: every month counts as 30 days (30/360 convention, used by some ERPs).
 * - `{ fixedMonthDays: N }`: the covered days are actual days, the period counts N days per month
 *   (so 14 days of February with N = 30 is 14/30, not 14/28), capped at the whole period. This is
 *   Zuora's "Assume 30 days - actual/360" rule for N = 30: price per month × prorated days / 30,
 *   https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/manage-subscription-transactions/common-subscription-information/proration/total-amount-calculation-with-partial-period-proration/total-amount-calculation-with-partial-month-proration
 *   A period shorter than a month (a week) counts actual days.
 * - `by_second`: elapsed seconds of the service period over the seconds of the period, Stripe's
 *   way: "Stripe calculates proration down to the second based on the starting timestamp of the
 *   billing period and the timestamp of the proration's triggering event"
 *   (https://docs.stripe.com/billing/scripts/prorations). Either end of a range may then be an
 *   instant (YYYY-MM-DDTHH:MM:SSZ, UTC); a plain date is its midnight UTC, so for whole days
 *   it equals `actual_days`.
 * The amount is rounded once, by the rounding policy, after the exact fraction is applied.
 */
import { isIsoDate } from './dates.js';
import { DEFAULT_ROUNDING, decimal, type Money, type RoundingPolicy, roundMinor } from './money.js';

export interface DateRange {
  /** Inclusive start, YYYY-MM-DD (or an instant YYYY-MM-DDTHH:MM:SSZ under `by_second`). */
  start: string;
  /** Exclusive end, YYYY-MM-DD (or an instant under `by_second`). */
  end: string;
}

export type DayCount = 'actual_days' | 'thirty_day_month' | 'by_second' | { fixedMonthDays: number };

/** An instant to the second in UTC, as amendments of a by-the-second contract take it. */
const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?Z$/;

/** True for YYYY-MM-DDTHH:MM:SS(.sss)Z naming a real day. */
export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = INSTANT.exec(value);
  return m !== null && isIsoDate(m[1]!);
}

/** Milliseconds since the epoch of a date (its midnight UTC) or an instant. */
export function instantMs(value: string): number {
  return Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
}

/** An instant at midnight UTC is written as its date, so it compares like the grid's dates. */
export function normalInstant(value: string): string {
  if (value.length === 10) return value;
  return /T00:00:00(\.0{1,3})?Z$/.test(value) ? value.slice(0, 10) : value;
}

/**
 * Which side the day of a change (an amendment's effective date) is billed on: 'new_side'
 * (default, as before) bills it under the new terms; 'old_side' keeps it under the old terms, so
 * the new terms start the next day. Under `by_second` an instant is exact and this only decides
 * a plain date: its start (new side) or its end (old side).
 */
export type ChangeDay = 'new_side' | 'old_side';

export interface ProrationPolicy {
  dayCount: DayCount;
  rounding: RoundingPolicy;
  /** Absent = 'new_side'. */
  changeDay?: ChangeDay;
}

export const DEFAULT_PRORATION: ProrationPolicy = { dayCount: 'actual_days', rounding: DEFAULT_ROUNDING };

export interface Prorated {
  amount: Money;
  /** Exact covered share of the period, decimal string ("0.5"). */
  fraction: string;
  /** Days under the day count; under `by_second`, seconds ÷ 86,400 (a fraction for a part day). */
  coveredDays: number;
  periodDays: number;
  /** Under `by_second` only: the seconds counted. */
  coveredSeconds?: number;
  periodSeconds?: number;
  explanation: string;
}

const MS_PER_DAY = 86_400_000;

function actualDays(range: DateRange): number {
  return Math.round((Date.parse(`${range.end}T00:00:00Z`) - Date.parse(`${range.start}T00:00:00Z`)) / MS_PER_DAY);
}

/** 30/360 day count (US convention): day 31 counts as day 30. */
function thirtyDayMonthDays(range: DateRange): number {
  const [y1, m1, d1] = range.start.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = range.end.split('-').map(Number) as [number, number, number];
  const day1 = Math.min(d1, 30);
  const day2 = d2 === 31 && day1 === 30 ? 30 : Math.min(d2, 31);
  return (y2 - y1) * 360 + (m2 - m1) * 30 + (day2 - day1);
}

function days(range: DateRange, policy: ProrationPolicy): number {
  return policy.dayCount === 'thirty_day_month' ? thirtyDayMonthDays(range) : actualDays(range);
}

function wholeMonths(range: DateRange): number {
  const [y1, m1] = range.start.split('-').map(Number) as [number, number];
  const [y2, m2] = range.end.split('-').map(Number) as [number, number];
  return (y2 - y1) * 12 + (m2 - m1);
}

/** [covered days, period days] under the policy's day count. */
function dayCounts(period: DateRange, covered: DateRange | null, policy: ProrationPolicy): [number, number] {
  const { dayCount } = policy;
  if (typeof dayCount === 'object') {
    const coveredDays = covered === null ? 0 : actualDays(covered);
    const months = wholeMonths(period);
    const periodDays = months >= 1 ? months * dayCount.fixedMonthDays : actualDays(period);
    return [Math.min(coveredDays, periodDays), periodDays];
  }
  return [covered === null ? 0 : days(covered, policy), days(period, policy)];
}

function dayCountName(dayCount: DayCount): string {
  return typeof dayCount === 'object' ? `${dayCount.fixedMonthDays}-day month` : dayCount;
}

function checkRange(range: DateRange, name: string, instants: boolean): void {
  const ok = (v: string) => isIsoDate(v) || (instants && isInstant(v));
  if (!ok(range.start) || !ok(range.end)) {
    throw new RangeError(`${name} dates must be YYYY-MM-DD${instants ? ' or YYYY-MM-DDTHH:MM:SSZ' : ''}`);
  }
  // Plain dates compare as text (the billing run prorates a lot); instants as time.
  const ends = instants ? instantMs(range.end) <= instantMs(range.start) : range.end <= range.start;
  if (ends) throw new RangeError(`${name} must end after it starts`);
}

/** Stripe's way: covered seconds over the period's seconds, the amount rounded once. */
function prorateBySecond(amount: Money, period: DateRange, service: DateRange, policy: ProrationPolicy): Prorated {
  const start = Math.max(instantMs(period.start), instantMs(service.start));
  const end = Math.min(instantMs(period.end), instantMs(service.end));
  const coveredSeconds = end > start ? Math.floor((end - start) / 1000) : 0;
  const periodSeconds = Math.floor((instantMs(period.end) - instantMs(period.start)) / 1000);
  const fraction = decimal(coveredSeconds).div(periodSeconds);
  const minor = roundMinor(decimal(amount.minor).mul(fraction), policy.rounding);
  return {
    amount: { minor, currency: amount.currency },
    fraction: fraction.toString(),
    coveredDays: coveredSeconds / 86_400,
    periodDays: periodSeconds / 86_400,
    coveredSeconds,
    periodSeconds,
    explanation: `${amount.minor} × ${coveredSeconds}/${periodSeconds} seconds (by_second) = ${minor} ${amount.currency} minor units`,
  };
}

/**
 * Prorates `amount` (for the whole `period`) to the part of it that `servicePeriod` covers.
 * A service period outside the billing period covers nothing; one that spans it covers all.
 */
export function prorate(
  amount: Money,
  period: DateRange,
  servicePeriod: DateRange,
  policy: ProrationPolicy = DEFAULT_PRORATION,
): Prorated {
  const bySecond = policy.dayCount === 'by_second';
  checkRange(period, 'period', bySecond);
  checkRange(servicePeriod, 'servicePeriod', bySecond);
  if (bySecond) return prorateBySecond(amount, period, servicePeriod, policy);
  const covered: DateRange = {
    start: servicePeriod.start > period.start ? servicePeriod.start : period.start,
    end: servicePeriod.end < period.end ? servicePeriod.end : period.end,
  };
  const [coveredDays, periodDays] = dayCounts(period, covered.end > covered.start ? covered : null, policy);
  const fraction = decimal(coveredDays).div(periodDays);
  const minor = roundMinor(decimal(amount.minor).mul(fraction), policy.rounding);
  return {
    amount: { minor, currency: amount.currency },
    fraction: fraction.toString(),
    coveredDays,
    periodDays,
    explanation: `${amount.minor} × ${coveredDays}/${periodDays} days (${dayCountName(policy.dayCount)}) = ${minor} ${amount.currency} minor units`,
  };
}
