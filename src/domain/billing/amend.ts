/**
 * amendmentInvoices: what an amendment effective mid-period does to advance charges already billed.
 *
 * - Credit note (under `previous`): for every advance period already billed, every recurring item
 *   charge whose service period runs past the effective date is credited for the unused part
 *   [max(effectiveDate, service start), service end): the net amount billed for it (charge, item
 *   discounts and its share of invoice-level discounts) × unused days / service days. Since the
 *   unused time is part of the billed time, a credit never exceeds what was billed. One-time
 *   charges and minimum-commitment true-ups are not credited; prepaid credits drawn by the original
 *   invoice are not returned to their grants (the credit note credits the customer instead).
 * - Charge (under `next`, kind 'advance'): what `next` bills in those same periods for the time
 *   from the effective date on, prorated against the full cadence period, with discounts and
 *   prepaid credits like any invoice. One-time items of `next` are charged if their phase starts
 *   on or after the effective date inside a billed period.
 * Quantity changes, upgrades, downgrades and cancellations (next.endDate = effectiveDate) all
 * come out of this: a cancellation has nothing left to charge, so only the credit note remains.
 * Both documents start on the effective date, so a later billing run that computes `next`'s
 * period starting there hits the same (contract, period start, kind) key instead of billing twice.
 */
import type { ContractTerms } from '../contracts/terms.js';
import { afterTrial } from '../contracts/trial.js';
import { addDays, isIsoDate } from '../dates.js';
import { money, splitAmount } from '../money.js';
import { type DateRange, instantMs, isInstant, normalInstant, type ProrationPolicy, prorate } from '../proration.js';
import { clip, maxDate, phaseRange } from './calendar.js';
import { periodIssues } from './compute.js';
import { type LineContext, resolveContext } from './context.js';
import { couponLines, creditLines } from './credits.js';
import type { ChargeInstance } from './instances.js';
import { type ItemCharge, itemCharges, phaseDiscounts } from './lines.js';
import { assemble, sumOf } from './totals.js';
import type {
  AmendmentResult,
  BillingIssue,
  BillingPeriod,
  ComputeOptions,
  InvoiceComputation,
  InvoiceLineComputation,
} from './types.js';
import { checkTerms } from './validate.js';

function after(range: DateRange, from: string): DateRange | null {
  if (from.length === 10) {
    const start = maxDate(range.start, from);
    return start < range.end ? { start, end: range.end } : null;
  }
  // An instant (a by-the-second change): compared as time, not as text.
  const start = instantMs(from) > instantMs(range.start) ? from : range.start;
  return instantMs(start) < instantMs(range.end) ? { start, end: range.end } : null;
}

/**
 * Where an amendment effective at `effective` (a date, or an instant YYYY-MM-DDTHH:MM:SSZ) splits
 * the billed time between the old and the new terms, under the new terms' proration policy:
 * - `by_second`: the instant itself (a plain date is its midnight, or the next one on 'old_side');
 * - a day count: the day of the change is billed under the new terms ('new_side', default: the
 *   split is that day) or still under the old ones ('old_side': the split is the next day).
 * The documents of the amendment are dated on the split's day.
 */
export function changeSplit(effective: string, policy: Pick<ProrationPolicy, 'dayCount' | 'changeDay'>): string {
  const day = effective.slice(0, 10);
  if (isInstant(effective) && policy.dayCount === 'by_second') return normalInstant(effective);
  return policy.changeDay === 'old_side' ? addDays(day, 1) : day;
}

function byPhase(charges: ItemCharge[]): Map<number, ItemCharge[]> {
  const groups = new Map<number, ItemCharge[]>();
  for (const c of charges) groups.set(c.inst.phaseIndex, [...(groups.get(c.inst.phaseIndex) ?? []), c]);
  return groups;
}

function spanOfAll(charges: ItemCharge[]): DateRange {
  return {
    start: charges.reduce((m, c) => (c.span.start < m ? c.span.start : m), charges[0]!.span.start),
    end: charges.reduce((m, c) => (c.span.end > m ? c.span.end : m), charges[0]!.span.end),
  };
}

/** Credit lines (positive) for the unused part of what `previous` billed in one period. */
function creditForPeriod(
  ctx: LineContext,
  period: BillingPeriod,
  effectiveDate: string,
): { ok: true; lines: InvoiceLineComputation[] } | { ok: false; issues: BillingIssue[] } {
  const rated = itemCharges(ctx, 'advance', period, {});
  if (!rated.ok) return rated;
  const lines: InvoiceLineComputation[] = [];
  for (const [phaseIndex, charges] of byPhase(rated.charges)) {
    const phase = ctx.terms.phases[phaseIndex]!;
    const within = phaseRange(ctx.terms, phase);
    const range = (within && clip(period, within)) ?? period;
    const invoiceDiscount = sumOf(phaseDiscounts(ctx, phase, 'advance', charges, range));
    const nets = charges.map((c) => sumOf([c.charge, ...c.discounts]));
    const weights = nets.map((n) => Math.max(0, n));
    const shares =
      invoiceDiscount !== 0 && weights.some((w) => w > 0)
        ? splitAmount(invoiceDiscount, weights, ctx.rounding.split)
        : nets.map(() => 0);
    charges.forEach((c, i) => {
      if (c.inst.oneTime) return;
      const unused = after(c.span, effectiveDate);
      const billed = nets[i]! + shares[i]!;
      if (unused === null || billed <= 0) return;
      const p = prorate(money(billed, ctx.currency), c.span, unused, ctx.proration);
      if (p.amount.minor <= 0) return;
      lines.push({
        lineKind: 'proration',
        sourceRef: c.inst.item.id,
        sku: c.inst.item.sku,
        description: `Unused time: ${c.inst.item.description} (${unused.start} to ${unused.end})`,
        quantity: c.charge.quantity,
        unitAmount: c.charge.unitAmount,
        amountMinor: p.amount.minor,
        detail: {
          credit: true,
          billedPeriod: { start: period.start, end: period.end },
          servicePeriod: c.span,
          unusedPeriod: unused,
          billedNetMinor: billed,
          chargeMinor: c.charge.amountMinor,
          itemDiscountsMinor: sumOf(c.discounts),
          invoiceDiscountShareMinor: shares[i],
          fraction: p.fraction,
          coveredDays: p.coveredDays,
          periodDays: p.periodDays,
          explanation: p.explanation,
        },
      });
    });
  }
  return { ok: true, lines };
}

/** Charge lines under `next` for one billed period, from the effective date on. */
function chargeForPeriod(
  ctx: LineContext,
  period: BillingPeriod,
  effectiveDate: string,
): { ok: true; lines: InvoiceLineComputation[] } | { ok: false; issues: BillingIssue[] } {
  const spanOf = (inst: ChargeInstance) =>
    inst.oneTime
      ? instantMs(inst.service.start) >= instantMs(effectiveDate)
        ? inst.service
        : null
      : after(inst.service, effectiveDate);
  const rated = itemCharges(ctx, 'advance', period, {}, spanOf);
  if (!rated.ok) return rated;
  const lines: InvoiceLineComputation[] = [];
  for (const [phaseIndex, charges] of byPhase(rated.charges)) {
    const phase = ctx.terms.phases[phaseIndex]!;
    lines.push(...charges.flatMap((c) => [c.charge, ...c.discounts]));
    lines.push(...phaseDiscounts(ctx, phase, 'advance', charges, spanOfAll(charges)));
  }
  return { ok: true, lines };
}

function periodEnd(lines: InvoiceLineComputation[], fallback: string): string {
  return lines.reduce((end, l) => {
    const d = l.detail as { servicePeriod?: DateRange; unusedPeriod?: DateRange };
    const e = d.unusedPeriod?.end ?? d.servicePeriod?.end;
    return e !== undefined && e > end ? e : end;
  }, fallback);
}

/**
 * An amendment effective on `effectiveDate`: the credit note for unused in-advance time already
 * billed under `previous` (kind 'credit_note', every amount positive = credited to the customer,
 * never a negative invoice) and the prorated charge for the rest of those periods under `next`
 * (kind 'advance'); either may be null. Only the 'advance' entries of `billedAdvancePeriods`
 * are used. Pure; bad input comes back as issues naming "previous.…", "next.…", "effectiveDate",
 * "billedAdvancePeriods.N.…".
 */
export function amendmentInvoices(
  previous: ContractTerms,
  next: ContractTerms,
  effectiveDate: string,
  billedAdvancePeriods: BillingPeriod[],
  options?: ComputeOptions,
): AmendmentResult {
  const prev = checkTerms(previous, 'previous');
  const nxt = checkTerms(next, 'next');
  const issues: BillingIssue[] = [...(prev.ok ? [] : prev.issues), ...(nxt.ok ? [] : nxt.issues)];
  if (typeof effectiveDate !== 'string' || !(isIsoDate(effectiveDate) || isInstant(effectiveDate))) {
    issues.push({ path: 'effectiveDate', message: 'must be a date YYYY-MM-DD or an instant YYYY-MM-DDTHH:MM:SSZ' });
  } else if (isInstant(effectiveDate) && nxt.ok && nxt.terms.proration?.dayCount !== 'by_second') {
    issues.push({
      path: 'effectiveDate',
      message: "an instant needs the new terms' proration.dayCount 'by_second'; give a date otherwise",
    });
  }
  if (!Array.isArray(billedAdvancePeriods)) {
    issues.push({ path: 'billedAdvancePeriods', message: 'must be a list of billing periods' });
  } else {
    billedAdvancePeriods.forEach((p, i) => {
      issues.push(...periodIssues(p, `billedAdvancePeriods.${i}`));
    });
  }
  if (prev.ok && nxt.ok && prev.terms.currency !== nxt.terms.currency) {
    issues.push({
      path: 'next.currency',
      message: `must stay ${prev.terms.currency}: an amendment cannot change currency`,
    });
  }
  if (!prev.ok || !nxt.ok || issues.length > 0) return { ok: false, issues };

  let prevCtx = resolveContext(afterTrial(prev.terms), 'previous', options);
  const nextCtx = resolveContext(afterTrial(nxt.terms), 'next', options);
  // The new terms say where the change falls; both documents split the time there.
  const split = changeSplit(effectiveDate, nextCtx.proration);
  // Time split inside a day is only measured in seconds: the credit is then counted that way too.
  if (split.length > 10) prevCtx = { ...prevCtx, proration: { ...prevCtx.proration, dayCount: 'by_second' } };
  const splitDay = split.slice(0, 10);
  const periods = billedAdvancePeriods.filter((p) => p.kind === 'advance');
  const credited: InvoiceLineComputation[] = [];
  const charged: InvoiceLineComputation[] = [];
  for (const period of periods) {
    const c = creditForPeriod(prevCtx, period, split);
    const n = chargeForPeriod(nextCtx, period, split);
    if (!c.ok) issues.push(...c.issues);
    if (!n.ok) issues.push(...n.issues);
    if (c.ok) credited.push(...c.lines);
    if (n.ok) charged.push(...n.lines);
  }
  if (issues.length > 0) return { ok: false, issues };

  const creditNote: InvoiceComputation | null =
    credited.length === 0
      ? null
      : assemble(
          {
            currency: prevCtx.currency,
            periodStart: splitDay,
            periodEnd: periodEnd(credited, addDays(splitDay, 1)),
            kind: 'credit_note',
            issueDate: splitDay,
            dueDate: splitDay,
          },
          credited,
          [],
        );
  let charge: InvoiceComputation | null = null;
  if (charged.length > 0) {
    const coupons = couponLines(nextCtx, sumOf(charged), splitDay);
    const credits = creditLines(nextCtx, sumOf(charged) + sumOf(coupons.lines), splitDay);
    charge = assemble(
      {
        currency: nextCtx.currency,
        periodStart: splitDay,
        periodEnd: periodEnd(charged, addDays(splitDay, 1)),
        kind: 'advance',
        issueDate: splitDay,
        dueDate: addDays(splitDay, nextCtx.terms.paymentTermsDays),
      },
      [...charged, ...coupons.lines, ...credits.lines],
      [...coupons.used, ...credits.used],
    );
  }
  return { ok: true, creditNote, charge };
}
