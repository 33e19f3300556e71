/**
 * The period grid. A cadence of N months cuts time at addMonths(anchor, k × N), always computed
 * from the anchor (never by chaining) so Jan 31 → Feb 28 → Mar 31 does not drift to the 28th.
 *
 * Anchors:
 * - anniversary: the contract start date.
 * - calendar: the 1st of January of the start year when N divides 12 (months start on the 1st,
 *   quarters on Jan/Apr/Jul/Oct 1st, years on Jan 1st); otherwise the 1st of the start month.
 */
import type { Cadence, ContractItem, ContractTerms, Phase } from '../contracts/terms.js';
import type { DateRange } from '../proration.js';
import { addDaysFast, addMonthsFast, monthIndexOf } from './day-math.js';

/** A range whose end may be open (an evergreen contract, an open-ended phase). */
export interface OpenRange {
  start: string;
  end: string | null;
}

export function cadenceMonths(cadence: Cadence): number | null {
  if (cadence === 'one_time') return null;
  if (cadence === 'monthly') return 1;
  if (cadence === 'quarterly') return 3;
  if (cadence === 'annual') return 12;
  return cadence.months;
}

export function gridAnchor(terms: Pick<ContractTerms, 'alignment' | 'startDate'>, months: number): string {
  if (terms.alignment === 'anniversary') return terms.startDate;
  const [year, month] = terms.startDate.split('-') as [string, string];
  return 12 % months === 0 ? `${year}-01-01` : `${year}-${month}-01`;
}

/**
 * Grid periods already found, by anchor, cadence and date. Every contract of a billing run with
 * the same start and cadence walks the same grid, so most lookups are repeats. Bounded: cleared
 * when full (a long-running process keeps meeting new dates).
 */
const gridSeen = new Map<string, DateRange>();

/** The grid period [start, end) of `months` months from `anchor` that contains `date`. */
export function gridPeriodContaining(anchor: string, months: number, date: string): DateRange {
  // Fixed-width dates around a number make the key unambiguous; anything else is not remembered.
  const key = anchor.length === 10 && date.length === 10 ? `${anchor}|${months}|${date}` : null;
  let found = key === null ? undefined : gridSeen.get(key);
  if (found === undefined) {
    found = computeGridPeriod(anchor, months, date);
    if (key !== null) {
      if (gridSeen.size >= 4096) gridSeen.clear();
      gridSeen.set(key, found);
    }
  }
  // A fresh object each time: callers put these ranges into invoice line details.
  return { start: found.start, end: found.end };
}

function computeGridPeriod(anchor: string, months: number, date: string): DateRange {
  let k = Math.floor((monthIndexOf(date) - monthIndexOf(anchor)) / months);
  // Each boundary is computed once (the loops below usually run zero times).
  let start = addMonthsFast(anchor, k * months);
  while (start > date) {
    k -= 1;
    start = addMonthsFast(anchor, k * months);
  }
  let end = addMonthsFast(anchor, (k + 1) * months);
  while (end <= date) {
    k += 1;
    start = end;
    end = addMonthsFast(anchor, (k + 1) * months);
  }
  return { start, end };
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
export function baseMonths(terms: ContractTerms, kind: 'advance' | 'arrears'): number | null {
  let best: number | null = null;
  for (const phase of terms.phases) {
    for (const item of phase.items) {
      const months = itemKind(item) === kind ? cadenceMonths(item.cadence) : null;
      if (months !== null && (best === null || months < best)) best = months;
    }
  }
  return best;
}

export function sameRange(a: DateRange, b: DateRange): boolean {
  return a.start === b.start && a.end === b.end;
}
