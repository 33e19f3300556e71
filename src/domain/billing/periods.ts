/**
 * duePeriods: the invoices a contract owes up to a date.
 *
 * Merging cadences: advance and arrears invoices are separate (one invoice per contract, period
 * start and kind). Each kind follows its own grid, cut by the SHORTEST recurring cadence among the
 * contract's items of that kind (the base cadence) and the contract's alignment, and clipped to
 * phase and contract bounds, so a phase change or a mid-month start opens a new (partial) period.
 * Longer-cadence items are billed in the base period their own period starts in (advance) or ends
 * in (arrears) — see instances.ts. A period is listed only when it bills at least one item.
 *
 * One-time items: billed once, on the first day of their phase ([phaseStart, phaseStart + 1 day)).
 * With a recurring grid of the same kind they ride on the base period that holds that day; when a
 * kind has only one-time items, that one-day span is the period itself.
 */
import { renewedThrough } from '../contracts/renewal.js';
import type { ContractTerms } from '../contracts/terms.js';
import { afterTrial } from '../contracts/trial.js';
import type { DateRange } from '../proration.js';
import { baseStep, clip, gridFor, gridPeriodOf, oneTimeSpan, phaseRange } from './calendar.js';
import { isIsoDay } from './day-math.js';
import { instancesIn } from './instances.js';
import type { BillingPeriod, InvoiceKind } from './types.js';
import { BillingTermsError, checkTerms } from './validate.js';

function billOn(kind: InvoiceKind, range: DateRange): string {
  return kind === 'advance' ? range.start : range.end;
}

/** The invoice periods of one kind, in order, whose bill date is on or before `through`. */
export function periodsOfKind(terms: ContractTerms, kind: InvoiceKind, through: string): BillingPeriod[] {
  const step = baseStep(terms, kind);
  const out: BillingPeriod[] = [];
  const push = (segment: DateRange) => {
    if (billOn(kind, segment) > through) return;
    if (instancesIn(terms, kind, segment).length === 0) return;
    out.push({ start: segment.start, end: segment.end, kind, billOn: billOn(kind, segment) });
  };
  for (const phase of terms.phases) {
    const range = phaseRange(terms, phase);
    if (range === null) continue;
    if (step === null) {
      push(oneTimeSpan(range));
      continue;
    }
    const cut = gridFor(terms, step);
    let grid = gridPeriodOf(cut, range.start);
    // Every bill date is on or after its period start, so nothing starting after `through` is due.
    while (grid.start <= through && (range.end === null || grid.start < range.end)) {
      const segment = clip(grid, range);
      if (segment !== null) push(segment);
      grid = gridPeriodOf(cut, grid.end);
    }
  }
  return out;
}

/**
 * Every (period, kind) of the contract whose billOn date is on or before `through` (inclusive),
 * ordered by bill date, then period start, advance before arrears.
 * Throws BillingTermsError (with the issues) for terms that do not validate: stored terms were
 * validated when the contract was written, so bad ones here are a bug, not user input.
 */
export function duePeriods(terms: ContractTerms, through: string): BillingPeriod[] {
  if (!isIsoDay(through)) throw new RangeError('through must be a date YYYY-MM-DD');
  const checked = checkTerms(terms, 'terms');
  if (!checked.ok) throw new BillingTermsError(checked.issues);
  return duePeriodsOfChecked(checked.terms, through);
}

/**
 * duePeriods() of terms that checkTerms() already accepted (the billing run checks each stored
 * terms text once and would otherwise parse it a second time here).
 */
export function duePeriodsOfChecked(terms: ContractTerms, through: string): BillingPeriod[] {
  if (!isIsoDay(through)) throw new RangeError('through must be a date YYYY-MM-DD');
  // An auto-renewing contract owes periods past its first end date (renewal.ts).
  const inForce = afterTrial(renewedThrough(terms, through));
  const all = [...periodsOfKind(inForce, 'advance', through), ...periodsOfKind(inForce, 'arrears', through)];
  const rank = (k: InvoiceKind) => (k === 'advance' ? 0 : 1);
  return all.sort(
    (a, b) => a.billOn.localeCompare(b.billOn) || a.start.localeCompare(b.start) || rank(a.kind) - rank(b.kind),
  );
}
