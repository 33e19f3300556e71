/**
 * The period grid. A cadence is a step of N months or N days. Boundary k of a month grid is the
 * month (origin month + k × N) on the grid's day, always computed from the origin (never by
 * chaining) so Jan 31 → Feb 28 → Mar 31 does not drift to the 28th — unless the terms ask for
 * `endOfMonth: 'stay_clamped'`, where a day clamped once stays clamped (Jan 31 → Feb 28 → Mar 28),
 * as systems that add one month to the previous bill date do. Stripe keeps the anchor day:
 * https://docs.stripe.com/billing/subscriptions/billing-cycle ("a billing cycle anchor date of
 * January 31 bills the last day of the month closest to the anchor date, so February 28 (or
 * February 29 in a leap year), then March 31, April 30").
 *
 * Origins of a month grid:
 * - anniversary: the contract start date.
 * - calendar: the 1st of January of the start year when N divides 12 (months start on the 1st,
 *   quarters on Jan/Apr/Jul/Oct 1st, years on Jan 1st); otherwise the 1st of the start month.
 * - { anchorDay: D }: the first day D (clamped in a short month) on or after the start date; the
 *   time from the start date to it is a partial first period, prorated like any other.
 * Origins of a day grid (weekly, every N weeks, every N days):
 * - anniversary: the start date. calendar: for whole weeks, the Monday on or before the start
 *   date (ISO weeks); for other day counts, the start date.
 * - { anchorWeekday: W } (1 = Monday … 7 = Sunday): the first such weekday on or after the start.
 */
import type { Cadence, ContractItem, ContractTerms, Phase } from '../contracts/terms.js';
import type { DateRange } from '../proration.js';
import { addDaysFast, addMonthsFast, dayIndexOf, monthIndexOf, monthLength } from './day-math.js';

/** A range whose end may be open (an evergreen contract, an open-ended phase). */
export interface OpenRange {
  start: string;
  end: string | null;
}

/** One cadence step: N calendar months, or N days (a week is 7). */
export interface Step {
  unit: 'month' | 'day';
  count: number;
}

export function cadenceMonths(cadence: Cadence): number | null {
  if (cadence === 'one_time') return null;
  if (cadence === 'monthly') return 1;
  if (cadence === 'quarterly') return 3;
  if (cadence === 'annual') return 12;
  return 'months' in cadence ? cadence.months : null;
}

export function cadenceStep(cadence: Cadence): Step | null {
  if (cadence === 'one_time') return null;
  if (typeof cadence === 'object' && 'weeks' in cadence) return { unit: 'day', count: cadence.weeks * 7 };
  if (typeof cadence === 'object' && 'days' in cadence) return { unit: 'day', count: cadence.days };
  const months = cadenceMonths(cadence);
  return months === null ? null : { unit: 'month', count: months };
}

/** A length to order steps by (a month counts 30.436875 days, the Gregorian mean). */
export function stepLength(step: Step): number {
  return step.unit === 'day' ? step.count : step.count * 30.436875;
}

export function sameStep(a: Step, b: Step): boolean {
  return a.unit === b.unit && a.count === b.count;
}

/** The earliest time any period of this step can start before a date inside it. */
export function stepBack(date: string, step: Step): string {
  return step.unit === 'day' ? addDaysFast(date, -step.count) : addMonthsFast(date, -step.count);
}

export interface Grid {
  step: Step;
  /** Boundary 0, YYYY-MM-DD. */
  origin: string;
  /**
   * Month grids: the day every boundary falls on (clamped to short months); null = the origin's
   * own day (then boundaries are dates.ts addMonths of the origin, exactly as before anchors).
   */
  day: number | null;
  endOfMonth: 'anchor_day' | 'stay_clamped';
}

export function weekdayOf(date: string): number {
  // 1970-01-01 was a Thursday (ISO weekday 4).
  return ((((dayIndexOf(date) + 3) % 7) + 7) % 7) + 1;
}

function clampedIn(monthIndex: number, day: number): string {
  const year = Math.floor(monthIndex / 12);
  const month1 = (monthIndex % 12) + 1;
  const d = Math.min(day, monthLength(year, month1));
  return `${String(year).padStart(4, '0')}-${month1 < 10 ? '0' : ''}${month1}-${d < 10 ? '0' : ''}${d}`;
}

function dayOrigin(terms: Pick<ContractTerms, 'alignment' | 'startDate'>, days: number): string {
  const { alignment, startDate } = terms;
  if (alignment === 'calendar') return days % 7 === 0 ? addDaysFast(startDate, 1 - weekdayOf(startDate)) : startDate;
  if (typeof alignment === 'object' && alignment.anchorWeekday !== undefined) {
    return addDaysFast(startDate, (alignment.anchorWeekday - weekdayOf(startDate) + 7) % 7);
  }
  return startDate;
}

/** The grid a cadence step follows under the terms' alignment and end-of-month rule. */
export function gridFor(terms: Pick<ContractTerms, 'alignment' | 'startDate' | 'endOfMonth'>, step: Step): Grid {
  const endOfMonth = terms.endOfMonth ?? 'anchor_day';
  if (step.unit === 'day') return { step, origin: dayOrigin(terms, step.count), day: null, endOfMonth };
  const { alignment, startDate } = terms;
  if (alignment === 'anniversary' || (typeof alignment === 'object' && alignment.anchorDay === undefined)) {
    return { step, origin: startDate, day: null, endOfMonth };
  }
  if (alignment === 'calendar') return { step, origin: gridAnchor(terms, step.count), day: null, endOfMonth };
  const day = alignment.anchorDay as number;
  const startMonth = monthIndexOf(startDate);
  const here = clampedIn(startMonth, day);
  return { step, origin: here >= startDate ? here : clampedIn(startMonth + 1, day), day, endOfMonth };
}

export function gridAnchor(terms: Pick<ContractTerms, 'alignment' | 'startDate'>, months: number): string {
  if (terms.alignment !== 'calendar') return terms.startDate;
  const [year, month] = terms.startDate.split('-') as [string, string];
  return 12 % months === 0 ? `${year}-01-01` : `${year}-${month}-01`;
}

/** Boundary k of a month grid. */
function monthBoundary(grid: Grid, originMonth: number, k: number): string {
  const n = grid.step.count;
  if (grid.day === null && (grid.endOfMonth === 'anchor_day' || k <= 0)) return addMonthsFast(grid.origin, k * n);
  let day = grid.day ?? Number(grid.origin.slice(8, 10));
  if (grid.endOfMonth === 'stay_clamped' && day > 28) {
    // The day a chain of "+N months" reaches: the shortest month passed on the way (the origin's
    // own month included: an origin clamped to Feb 28 chains on from the 28th). Within 48
    // steps every month length the chain can meet has been met (3 of every 4 years are common).
    for (let j = 0; j <= Math.min(k, 48); j++) {
      const m = originMonth + j * n;
      day = Math.min(day, monthLength(Math.floor(m / 12), (m % 12) + 1));
    }
  }
  return clampedIn(originMonth + k * n, day);
}

/**
 * Grid periods already found, by grid and date. Every contract of a billing run with the same
 * start and cadence walks the same grid, so most lookups are repeats. Bounded: cleared when full
 * (a long-running process keeps meeting new dates).
 */
const gridSeen = new Map<string, DateRange>();

/** The period [start, end) of `grid` that contains `date`. */
export function gridPeriodOf(grid: Grid, date: string): DateRange {
  // Fixed-width dates around numbers make the key unambiguous; anything else is not remembered.
  const key =
    grid.origin.length === 10 && date.length === 10
      ? `${grid.origin}|${grid.step.unit}${grid.step.count}|${grid.day}|${grid.endOfMonth}|${date}`
      : null;
  let found = key === null ? undefined : gridSeen.get(key);
  if (found === undefined) {
    found = grid.step.unit === 'day' ? dayGridPeriod(grid, date) : monthGridPeriod(grid, date);
    if (key !== null) {
      if (gridSeen.size >= 4096) gridSeen.clear();
      gridSeen.set(key, found);
    }
  }
  // A fresh object each time: callers put these ranges into invoice line details.
  return { start: found.start, end: found.end };
}

/** The grid period [start, end) of `months` months from `anchor` (kept on the anchor's day) that contains `date`. */
export function gridPeriodContaining(anchor: string, months: number, date: string): DateRange {
  const grid: Grid = {
    step: { unit: 'month', count: months },
    origin: anchor,
    day: null,
    endOfMonth: 'anchor_day',
  };
  return gridPeriodOf(grid, date);
}

function monthGridPeriod(grid: Grid, date: string): DateRange {
  const origin = monthIndexOf(grid.origin);
  const n = grid.step.count;
  let k = Math.floor((monthIndexOf(date) - origin) / n);
  // Each boundary is computed once (the loops below usually run zero times).
  let start = monthBoundary(grid, origin, k);
  while (start > date) {
    k -= 1;
    start = monthBoundary(grid, origin, k);
  }
  let end = monthBoundary(grid, origin, k + 1);
  while (end <= date) {
    k += 1;
    start = end;
    end = monthBoundary(grid, origin, k + 1);
  }
  return { start, end };
}

function dayGridPeriod(grid: Grid, date: string): DateRange {
  const n = grid.step.count;
  const k = Math.floor((dayIndexOf(date) - dayIndexOf(grid.origin)) / n);
  return { start: addDaysFast(grid.origin, k * n), end: addDaysFast(grid.origin, (k + 1) * n) };
}

export function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}

export function minEnd(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/** The part of a phase inside the contract, or null when they do not overlap. */
export function phaseRange(terms: ContractTerms, phase: Phase): OpenRange | null {
  const start = maxDate(phase.start, terms.startDate);
  const end = minEnd(phase.end, terms.endDate);
  return end !== null && end <= start ? null : { start, end };
}

/** Intersection of a closed range with an open one, or null when empty. */
export function clip(range: DateRange, within: OpenRange): DateRange | null {
  const start = maxDate(range.start, within.start);
  const end = within.end !== null && within.end < range.end ? within.end : range.end;
  return end > start ? { start, end } : null;
}

/** The span a one-time item occupies: the first day of its phase (billed once, never prorated). */
export function oneTimeSpan(range: OpenRange): DateRange {
  const next = addDaysFast(range.start, 1);
  return { start: range.start, end: range.end !== null && range.end < next ? range.end : next };
}

export function itemKind(item: ContractItem): 'advance' | 'arrears' {
  return item.timing === 'in_advance' ? 'advance' : 'arrears';
}

/** The shortest recurring cadence among the contract's items of one kind: the grid its invoices follow. */
export function baseStep(terms: ContractTerms, kind: 'advance' | 'arrears'): Step | null {
  let best: Step | null = null;
  for (const phase of terms.phases) {
    for (const item of phase.items) {
      const step = itemKind(item) === kind ? cadenceStep(item.cadence) : null;
      if (step !== null && (best === null || stepLength(step) < stepLength(best))) best = step;
    }
  }
  return best;
}

export function sameRange(a: DateRange, b: DateRange): boolean {
  return a.start === b.start && a.end === b.end;
}
