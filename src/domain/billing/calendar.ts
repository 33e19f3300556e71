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
import { addDays, addMonths } from '../dates.js';
import type { DateRange } from '../proration.js';

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

function monthIndex(date: string): number {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return y * 12 + (m - 1);
}

/** The grid period [start, end) of `months` months from `anchor` that contains `date`. */
export function gridPeriodContaining(anchor: string, months: number, date: string): DateRange {
  let k = Math.floor((monthIndex(date) - monthIndex(anchor)) / months);
  while (addMonths(anchor, k * months) > date) k -= 1;
  while (addMonths(anchor, (k + 1) * months) <= date) k += 1;
  return { start: addMonths(anchor, k * months), end: addMonths(anchor, (k + 1) * months) };
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
  const next = addDays(range.start, 1);
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
