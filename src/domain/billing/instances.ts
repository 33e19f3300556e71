/**
 * Which item charges an invoice period carries. An item's own cadence cuts its own service
 * periods (clipped to its phase and the contract); each service period is billed exactly once:
 * - in advance: in the invoice period its service period STARTS in;
 * - in arrears: in the invoice period its service period ENDS in (end exclusive, so "ends in"
 *   means start < end ≤ period end).
 * Invoice periods follow the shortest cadence of their kind (see periods.ts), so an annual fee in
 * a monthly contract lands on the monthly invoice of the month its year starts (or ends) in.
 * Usage items are rated once per invoice period on that period's usage (validate.ts makes sure a
 * usage item's cadence is the arrears grid's, so its service period is the invoice period).
 */
import type { ContractItem, ContractTerms, Phase } from '../contracts/terms.js';
import type { DateRange } from '../proration.js';
import {
  cadenceStep,
  clip,
  gridFor,
  gridPeriodOf,
  itemKind,
  maxDate,
  type OpenRange,
  oneTimeSpan,
  phaseRange,
  type Step,
} from './calendar.js';
import type { InvoiceKind } from './types.js';

export interface ChargeInstance {
  phaseIndex: number;
  itemIndex: number;
  phase: Phase;
  item: ContractItem;
  /** The service period billed (clipped to phase and contract). */
  service: DateRange;
  /** The full cadence period the price is quoted for; differs from `service` when partial. */
  full: DateRange;
  oneTime: boolean;
}

function billedIn(kind: InvoiceKind, service: DateRange, period: DateRange): boolean {
  return kind === 'advance'
    ? service.start >= period.start && service.start < period.end
    : service.end > period.start && service.end <= period.end;
}

function recurringInstances(
  terms: ContractTerms,
  range: OpenRange,
  step: Step,
  kind: InvoiceKind,
  period: DateRange,
): { service: DateRange; full: DateRange }[] {
  const grid = gridFor(terms, step);
  const found: { service: DateRange; full: DateRange }[] = [];
  // Grid periods before the one holding max(phase start, period start) end too early to count.
  let full = gridPeriodOf(grid, maxDate(range.start, period.start));
  for (;;) {
    if (full.start >= period.end) break;
    const service = clip(full, range);
    if (service === null) {
      if (range.end !== null && full.start >= range.end) break;
    } else if (billedIn(kind, service, period)) {
      found.push({ service, full });
    }
    full = gridPeriodOf(grid, full.end);
  }
  return found;
}

/** Every item charge of `kind` that the invoice period [period.start, period.end) bills. */
export function instancesIn(terms: ContractTerms, kind: InvoiceKind, period: DateRange): ChargeInstance[] {
  const out: ChargeInstance[] = [];
  // Plain loops and object literals (no forEach, no spread): this runs for every period of every
  // contract in a billing run, twice (duePeriods and computeInvoice).
  for (let phaseIndex = 0; phaseIndex < terms.phases.length; phaseIndex++) {
    const phase = terms.phases[phaseIndex]!;
    const range = phaseRange(terms, phase);
    if (range === null) continue;
    for (let itemIndex = 0; itemIndex < phase.items.length; itemIndex++) {
      const item = phase.items[itemIndex]!;
      if (itemKind(item) !== kind) continue;
      const step = cadenceStep(item.cadence);
      if (step === null) {
        const span = oneTimeSpan(range);
        if (billedIn(kind, span, period)) {
          out.push({ phaseIndex, itemIndex, phase, item, service: span, full: span, oneTime: true });
        }
        continue;
      }
      if (item.metric !== undefined) {
        // Usage is measured over the invoice period itself and rated once; only an item with
        // usageProration has a full period to prorate against (its cadence's grid period).
        const service = clip(period, range);
        if (service === null) continue;
        const full =
          item.usageProration === 'per_unit_part' ? gridPeriodOf(gridFor(terms, step), service.start) : service;
        out.push({ phaseIndex, itemIndex, phase, item, service, full, oneTime: false });
        continue;
      }
      for (const { service, full } of recurringInstances(terms, range, step, kind, period)) {
        out.push({ phaseIndex, itemIndex, phase, item, service, full, oneTime: false });
      }
    }
  }
  return out;
}
