/**
 * The lines of one invoice period before prepaid credits: item charges with their item
 * discounts, then per phase the invoice-level discounts and the minimum-commitment true-up.
 */
import type { PeriodUsage, Phase } from '../contracts/terms.js';
import { decimal, money, roundMinor, splitAmount } from '../money.js';
import { type DateRange, prorate } from '../proration.js';
import {
  baseStep,
  cadenceStep,
  clip,
  gridFor,
  gridPeriodOf,
  itemKind,
  phaseRange,
  type Step,
  sameRange,
  stepBack,
  stepLength,
} from './calendar.js';
import { commitmentLines } from './commitment.js';
import type { LineContext } from './context.js';
import { discountLines } from './discounts.js';
import { type ChargeInstance, instancesIn } from './instances.js';
import { type RatedCharge, rateInstance } from './rate-item.js';
import { sumOf } from './totals.js';
import type { BillingIssue, InvoiceKind, InvoiceLineComputation } from './types.js';

export interface ItemCharge {
  inst: ChargeInstance;
  span: DateRange;
  charge: InvoiceLineComputation;
  discounts: InvoiceLineComputation[];
}

/**
 * Rates every instance billed in `period`. `spanOf` narrows what is charged of each instance
 * (amendments charge only the time after the effective date); null skips the instance.
 */
export function itemCharges(
  ctx: LineContext,
  kind: InvoiceKind,
  period: DateRange,
  usage: PeriodUsage,
  spanOf: (inst: ChargeInstance) => DateRange | null = (inst) => inst.service,
): { ok: true; charges: ItemCharge[] } | { ok: false; issues: BillingIssue[] } {
  const rated: { inst: ChargeInstance; span: DateRange; charge: RatedCharge }[] = [];
  const issues: BillingIssue[] = [];
  for (const inst of instancesIn(ctx.terms, kind, period)) {
    const span = spanOf(inst);
    if (span === null) continue;
    const r = rateInstance(ctx, inst, usage, span);
    if (!r.ok) {
      issues.push(...r.issues);
      continue;
    }
    rated.push({ inst, span, charge: r.charge });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (ctx.rounding.level === 'document')
    documentRounded(
      ctx,
      rated.map((r) => r.charge),
    );
  // Discounts come after rounding: their basis is the charge as the invoice shows it.
  const charges = rated.map(({ inst, span, charge }) => ({
    inst,
    span,
    charge: charge.line,
    discounts: discountLines(ctx, inst.item.discounts, {
      basisMinor: charge.line.amountMinor,
      range: span,
      fraction: charge.fraction,
      sourceRef: inst.item.id,
      sku: inst.item.sku,
      scope: 'item',
    }),
  }));
  return { ok: true, charges };
}

/**
 * Document-level rounding of the charge lines: their exact total is rounded once by the policy's
 * mode and spread back over the lines by largest remainder, in proportion to each exact amount,
 * so the lines still add up to the (once-rounded) total. Line-level rounding rounds each line
 * instead; the two can differ by a few minor units (three lines of 0.335 → 102 vs 101 cents).
 * Discounts, true-ups and credits are computed from these lines, each rounded once. Lines all
 * worth exactly zero have nothing to spread (allocate refuses zero weights) and stay zero.
 * Mutates the lines: they were built for this invoice only.
 */
function documentRounded(ctx: LineContext, charges: RatedCharge[]): void {
  if (charges.length === 0) return;
  const exact = charges.map((c) => decimal(c.exactMinor));
  if (exact.some((e) => e.isNegative())) return; // no price model rates below zero; keep line rounding
  const total = roundMinor(
    exact.reduce((sum, e) => sum.add(e), decimal(0)),
    ctx.rounding,
  );
  const amounts = exact.every((e) => e.isZero())
    ? exact.map(() => 0)
    : splitAmount(
        total,
        exact.map((e) => e.toString()),
        ctx.rounding.split,
      );
  charges.forEach((c, i) => {
    c.line.amountMinor = amounts[i]!;
    c.line.detail = { ...(c.line.detail as object), documentRounding: { exactMinor: c.exactMinor } };
  });
}

/** The share of its kind's full grid period that `range` covers, or null when it is a full period. */
export function periodFraction(ctx: LineContext, kind: InvoiceKind, range: DateRange): string | null {
  const step = baseStep(ctx.terms, kind);
  if (step === null) return null;
  // An amendment split inside a day (by the second) starts at an instant; its grid period is its day's.
  const grid = gridPeriodOf(gridFor(ctx.terms, step), range.start.slice(0, 10));
  if (sameRange(grid, range)) return null;
  return prorate(money(0, ctx.currency), grid, range, ctx.proration).fraction;
}

/** The kind of invoice that settles a phase's period (and so carries its minimum commitment). */
export function settlingKind(phase: Phase): InvoiceKind {
  return phase.items.some((i) => i.timing === 'in_arrears') ? 'arrears' : 'advance';
}

export interface PhaseLines {
  phaseIndex: number;
  range: DateRange;
  charges: ItemCharge[];
  invoiceDiscounts: InvoiceLineComputation[];
  lines: InvoiceLineComputation[];
}

/** Invoice-level discounts for one phase's charges over `range`. */
export function phaseDiscounts(
  ctx: LineContext,
  phase: Phase,
  kind: InvoiceKind,
  charges: ItemCharge[],
  range: DateRange,
): InvoiceLineComputation[] {
  // No discounts, no lines: skip the basis and the period fraction (a grid lookup) they would need.
  if (phase.discounts === undefined || phase.discounts.length === 0) return [];
  const basis = sumOf(charges.flatMap((c) => [c.charge, ...c.discounts]));
  return discountLines(ctx, phase.discounts, {
    basisMinor: basis,
    range,
    fraction: periodFraction(ctx, kind, range),
    sourceRef: null,
    sku: null,
    scope: 'invoice',
  });
}

/**
 * What the in-advance items of phase `phaseIndex` charge for the time inside `range` (a period
 * an arrears invoice settles), net of their item discounts: a minimum commitment counts every
 * charge of its period, whichever invoice carried it. A charge whose service period runs past
 * the range (a quarterly fee against a monthly minimum) counts for the days inside it, prorated
 * like any partial period. The in-advance invoices are recomputed (pure, same terms), not read:
 * they bill the same charges. Invoice-level discounts are left out here: they belong to the
 * advance invoice as a whole. A rating problem is reported by the advance invoice itself.
 */
function advanceChargesIn(ctx: LineContext, phaseIndex: number, range: DateRange): number {
  const phase = ctx.terms.phases[phaseIndex]!;
  let longest: Step | null = null;
  for (const item of phase.items) {
    if (itemKind(item) !== 'advance') continue;
    const step = cadenceStep(item.cadence) ?? { unit: 'month', count: 1 };
    if (longest === null || stepLength(step) > stepLength(longest)) longest = step;
  }
  if (longest === null) return 0;
  // Every service period overlapping the range starts less than one cadence before it.
  const window = { start: stepBack(range.start, longest), end: range.end };
  const rated = itemCharges(ctx, 'advance', window, {});
  if (!rated.ok) return 0;
  let total = 0;
  for (const c of rated.charges) {
    if (c.inst.phaseIndex !== phaseIndex) continue;
    const inside = clip(c.span, range);
    if (inside === null) continue;
    const net = sumOf([c.charge, ...c.discounts]);
    total += sameRange(inside, c.span)
      ? net
      : prorate(money(net, ctx.currency), c.span, inside, ctx.proration).amount.minor;
  }
  return total;
}

/** All lines of a regular invoice period, grouped by phase, before credits. */
export function periodLines(
  ctx: LineContext,
  kind: InvoiceKind,
  period: DateRange,
  usage: PeriodUsage,
): { ok: true; phases: PhaseLines[] } | { ok: false; issues: BillingIssue[] } {
  const rated = itemCharges(ctx, kind, period, usage);
  if (!rated.ok) return rated;
  const phases: PhaseLines[] = [];
  ctx.terms.phases.forEach((phase, phaseIndex) => {
    const within = phaseRange(ctx.terms, phase);
    const range = within === null ? null : clip(period, within);
    if (range === null) return;
    const charges = rated.charges.filter((c) => c.inst.phaseIndex === phaseIndex);
    const invoiceDiscounts = phaseDiscounts(ctx, phase, kind, charges, range);
    let lines = [...charges.flatMap((c) => [c.charge, ...c.discounts]), ...invoiceDiscounts];
    if (phase.minimumCommitment !== undefined && settlingKind(phase) === kind) {
      const usageIds = new Set(phase.items.filter((i) => i.metric !== undefined).map((i) => i.id));
      // The arrears invoice settles the period, but the advance invoice carried part of its charges.
      const elsewhere = kind === 'arrears' ? advanceChargesIn(ctx, phaseIndex, range) : 0;
      lines = commitmentLines(
        ctx,
        phase.minimumCommitment,
        lines,
        usageIds,
        periodFraction(ctx, kind, range),
        elsewhere,
      );
    }
    if (lines.length > 0) phases.push({ phaseIndex, range, charges, invoiceDiscounts, lines });
  });
  return { ok: true, phases };
}
