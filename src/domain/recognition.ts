/**
 * Revenue recognition schedule of one performance obligation (ASC 606 / IFRS 15), pure, so the
 * books can show their working: how much of an invoiced amount is earned in each month.
 * - `ratable_daily`: earned evenly per day of the service period; each month's share is its
 *   days in the period (start inclusive, end exclusive, so the first day counts) over the
 *   period's days. A period of 2026-01-15 → 2026-03-15 earns 17 / 59 in January.
 * - `ratable_monthly`: earned evenly per month; a whole month weighs 1, a partial first or last
 *   month weighs its days over that month's days (Jan 15–31 weighs 17/31).
 * - `point_in_time`: all of it on one date (delivery; default the period's start).
 * Shares are split by the largest remainder (money.ts allocate), so the schedule adds up to the
 * amount to the minor unit whatever the day counts; ties go to the earlier month.
 */
import { addDaysFast, dayIndexOf, isIsoDay, monthLength } from './billing/day-math.js';
import { allocate } from './money.js';
import type { DateRange } from './proration.js';

export const RECOGNITION_METHODS = ['ratable_daily', 'ratable_monthly', 'point_in_time'] as const;
export type RecognitionMethod = (typeof RECOGNITION_METHODS)[number];

export interface Obligation {
  amountMinor: number;
  servicePeriod: DateRange;
  method: RecognitionMethod;
  /** point_in_time only: the day control passes (default: the service period's start). */
  recognizedOn?: string;
}

export interface RecognitionEntry {
  /** YYYY-MM of the accounting month. */
  month: string;
  /** The part of the service period in that month: start inclusive, end exclusive. */
  start: string;
  end: string;
  days: number;
  amountMinor: number;
  /** How the share was worked out, for the books' audit trail. */
  explanation: string;
}

export type ScheduleResult =
  | { ok: true; entries: RecognitionEntry[] }
  | { ok: false; issues: { field: string; message: string }[] };

/** The service period cut at month boundaries: each piece's start, end and days. */
function monthPieces(period: DateRange) {
  const pieces: { month: string; start: string; end: string; days: number; monthDays: number }[] = [];
  let start = period.start;
  while (start < period.end) {
    const [year, month] = [Number(start.slice(0, 4)), Number(start.slice(5, 7))];
    const monthDays = monthLength(year, month);
    const nextMonth = addDaysFast(`${start.slice(0, 8)}01`, monthDays);
    const end = nextMonth < period.end ? nextMonth : period.end;
    pieces.push({ month: start.slice(0, 7), start, end, days: dayIndexOf(end) - dayIndexOf(start), monthDays });
    start = end;
  }
  return pieces;
}

function invalid(obligation: Obligation): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  const { servicePeriod: p } = obligation;
  if (!Number.isSafeInteger(obligation.amountMinor)) {
    issues.push({ field: 'amount_minor', message: 'must be an integer number of minor units' });
  }
  if (!RECOGNITION_METHODS.includes(obligation.method)) {
    issues.push({ field: 'method', message: `must be one of ${RECOGNITION_METHODS.join(', ')}` });
  }
  if (!isIsoDay(p.start)) issues.push({ field: 'service_period.start', message: 'must be a date YYYY-MM-DD' });
  if (!isIsoDay(p.end)) issues.push({ field: 'service_period.end', message: 'must be a date YYYY-MM-DD' });
  if (issues.length === 0 && p.end <= p.start) {
    issues.push({ field: 'service_period.end', message: 'must be after the start (the end is exclusive)' });
  }
  const on = obligation.recognizedOn;
  if (on !== undefined && !isIsoDay(on)) issues.push({ field: 'recognized_on', message: 'must be a date YYYY-MM-DD' });
  return issues;
}

export function recognitionSchedule(obligation: Obligation): ScheduleResult {
  const issues = invalid(obligation);
  if (issues.length > 0) return { ok: false, issues };
  const { amountMinor, servicePeriod, method } = obligation;

  if (method === 'point_in_time') {
    const on = obligation.recognizedOn ?? servicePeriod.start;
    return {
      ok: true,
      entries: [
        {
          month: on.slice(0, 7),
          start: on,
          end: addDaysFast(on, 1),
          days: 1,
          amountMinor,
          explanation: `point in time: all of it on ${on}`,
        },
      ],
    };
  }

  const pieces = monthPieces(servicePeriod);
  const totalDays = pieces.reduce((s, p) => s + p.days, 0);
  const weights = method === 'ratable_daily' ? pieces.map((p) => p.days) : monthlyWeights(pieces);
  const shares = allocate(amountMinor, weights);
  return {
    ok: true,
    entries: pieces.map((p, i) => ({
      month: p.month,
      start: p.start,
      end: p.end,
      days: p.days,
      amountMinor: shares[i]!,
      explanation:
        method === 'ratable_daily'
          ? `ratable by day: ${p.days} of ${totalDays} days`
          : p.days === p.monthDays
            ? `ratable by month: a whole month (one of ${pieces.length} monthly shares)`
            : `ratable by month: ${p.days} of ${p.monthDays} days of the month`,
    })),
  };
}

/**
 * Exact weights days / monthDays as integers: each scaled by the product of the distinct month
 * lengths (28–31, so at most 28·29·30·31), which keeps the ratios exact.
 */
function monthlyWeights(pieces: readonly { days: number; monthDays: number }[]): number[] {
  const lengths = [...new Set(pieces.map((p) => p.monthDays))];
  const scale = lengths.reduce((a, b) => a * b, 1);
  return pieces.map((p) => (p.days * scale) / p.monthDays);
}
