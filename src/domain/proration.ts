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
 * The amount is rounded once, by the rounding policy, after the exact fraction is applied.
 */
import { isIsoDate } from './dates.js';
import { DEFAULT_ROUNDING, decimal, type Money, type RoundingPolicy, roundMinor } from './money.js';

export interface DateRange {
  /** Inclusive start, YYYY-MM-DD. */
  start: string;
  /** Exclusive end, YYYY-MM-DD. */
  end: string;
}

export type DayCount = 'actual_days' | 'thirty_day_month' | { fixedMonthDays: number };

export interface ProrationPolicy {
  dayCount: DayCount;
  rounding: RoundingPolicy;
}

export const DEFAULT_PRORATION: ProrationPolicy = { dayCount: 'actual_days', rounding: DEFAULT_ROUNDING };

export interface Prorated {
  amount: Money;
  /** Exact covered share of the period, decimal string ("0.5"). */
  fraction: string;
  coveredDays: number;
  periodDays: number;
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
  return policy.dayCount === 'actual_days' ? actualDays(range) : thirtyDayMonthDays(range);
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

function checkRange(range: DateRange, name: string): void {
  if (!isIsoDate(range.start) || !isIsoDate(range.end)) throw new RangeError(`${name} dates must be YYYY-MM-DD`);
  if (range.end <= range.start) throw new RangeError(`${name} must end after it starts`);
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
  checkRange(period, 'period');
  checkRange(servicePeriod, 'servicePeriod');
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
