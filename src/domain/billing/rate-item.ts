/**
 * One item charge on an invoice: pick the price version, find the quantity (fixed, or usage
 * minus free units; matrix prices rate each usage group in its cell), rate it, and prorate a
 * fixed item whose service period is shorter than its cadence period.
 */
import type { ContractItem, PeriodUsage } from '../contracts/terms.js';
import { decimal, exponentOf, money, roundMinor } from '../money.js';
import { type PriceSpec, type RatedPrice, tryRateParsedPrice } from '../pricing/index.js';
import { type DateRange, prorate } from '../proration.js';
import { sameRange } from './calendar.js';
import type { LineContext } from './context.js';
import type { ChargeInstance } from './instances.js';
import type { BillingIssue, InvoiceLineComputation } from './types.js';

export interface RatedCharge {
  line: InvoiceLineComputation;
  /** The proration fraction applied (decimal string), or null for a full-period charge. */
  fraction: string | null;
  /**
   * The charge before any rounding, in minor units (decimal string): the rated price's exact
   * amount, times the proration fraction when rated then prorated. Document-level rounding
   * rounds the sum of these once (see documentRounded in lines.ts).
   */
  exactMinor: string;
}

type Rated = { ok: true; rated: RatedPrice } | { ok: false; issues: BillingIssue[] };

/** The version whose effectiveFrom is the latest not after `on`; before the first one, the first applies. */
export function priceVersionAt(item: ContractItem, on: string): number {
  let index = 0;
  item.prices.forEach((v, i) => {
    if (v.effectiveFrom <= on) index = i;
  });
  return index;
}

function nonNegative(value: ReturnType<typeof decimal>): string {
  return value.isNegative() ? '0' : value.toFixed();
}

function rateOne(
  ctx: LineContext,
  inst: ChargeInstance,
  version: number,
  price: PriceSpec,
  quantity: string,
  properties: Record<string, string>,
): Rated {
  // ctx.terms passed contractTermsSchema, which parsed every price with priceSpecSchema already.
  const result = tryRateParsedPrice(price, { quantity, currency: ctx.currency, properties }, ctx.rating);
  if (result.ok) return result;
  const itemPath = `${ctx.prefix}.phases.${inst.phaseIndex}.items.${inst.itemIndex}`;
  return {
    ok: false,
    issues: result.issues.map((i) => ({
      path: i.path.startsWith('price')
        ? `${itemPath}.prices.${version}.${i.path}`
        : `usage.${inst.item.metric ?? inst.item.id}.${i.path.replace(/^usage\.?/, '')}`,
      message: i.message,
    })),
  };
}

/** Matrix usage: each group is rated in its own cell; free units are used up by the groups in order. */
function rateGroups(
  ctx: LineContext,
  inst: ChargeInstance,
  version: number,
  price: PriceSpec,
  groups: NonNullable<PeriodUsage[string]['groups']>,
  free: string,
): { ok: true; rated: RatedPrice; groups: unknown[] } | { ok: false; issues: BillingIssue[] } {
  let freeLeft = decimal(free);
  let amountMinor = 0;
  let unrounded = decimal(0);
  let billed = decimal(0);
  const detail: unknown[] = [];
  const breakdown: RatedPrice['breakdown'] = [];
  for (const g of groups) {
    const used = decimal(g.quantity);
    const freeHere = used.lt(freeLeft) ? used : freeLeft;
    freeLeft = freeLeft.sub(freeHere);
    const quantity = used.sub(freeHere).toFixed();
    const properties = Object.fromEntries(Object.entries(g.group).filter((e): e is [string, string] => e[1] !== null));
    const r = rateOne(ctx, inst, version, price, quantity, properties);
    if (!r.ok) return r;
    amountMinor += r.rated.amountMinor;
    unrounded = unrounded.add(r.rated.unroundedAmount);
    billed = billed.add(quantity);
    breakdown.push(...r.rated.breakdown);
    detail.push({
      group: g.group,
      used: g.quantity,
      freeUnits: freeHere.toFixed(),
      quantity,
      amountMinor: r.rated.amountMinor,
    });
  }
  return {
    ok: true,
    rated: {
      model: 'matrix',
      quantity: billed.toFixed(),
      amountMinor,
      unroundedAmount: unrounded.toFixed(),
      currency: ctx.currency,
      breakdown,
    },
    groups: detail,
  };
}

function unitAmountOf(price: PriceSpec, rated: RatedPrice): string {
  if (price.model === 'flat_fee') return price.amount;
  if (price.model === 'per_unit') return price.unit_amount;
  const only = rated.breakdown.length === 1 ? rated.breakdown[0] : undefined;
  return only?.unit_amount !== undefined && only.flat_amount === undefined ? only.unit_amount : '0';
}

/**
 * Rates one charge instance for the part `span` of its service period (the whole service period
 * on a regular invoice; the time after an amendment's effective date on an amendment charge).
 */
export function rateInstance(
  ctx: LineContext,
  inst: ChargeInstance,
  usage: PeriodUsage,
  span: DateRange = inst.service,
): { ok: true; charge: RatedCharge } | { ok: false; issues: BillingIssue[] } {
  const { item } = inst;
  const version = priceVersionAt(item, span.start);
  const price = item.prices[version]!.price as PriceSpec;
  const free = item.freeUnits ?? '0';
  const measured = item.metric !== undefined ? usage[item.metric] : undefined;
  const used = item.quantity ?? measured?.quantity ?? '0';
  const partial = !inst.oneTime && item.metric === undefined && !sameRange(span, inst.full);
  const fraction = partial ? prorate(money(0, ctx.currency), inst.full, span, ctx.proration) : null;
  let billed = nonNegative(decimal(used).sub(free));
  const quantityFirst = partial && ctx.basis === 'prorate_quantity' && price.model !== 'flat_fee';
  if (quantityFirst && fraction) billed = decimal(billed).mul(fraction.fraction).toFixed();

  let rated: RatedPrice;
  let groups: unknown[] | undefined;
  if (price.model === 'matrix' && measured?.groups !== undefined && measured.groups.length > 0) {
    const r = rateGroups(ctx, inst, version, price, measured.groups, free);
    if (!r.ok) return r;
    rated = r.rated;
    groups = r.groups;
    billed = r.rated.quantity;
  } else {
    const r = rateOne(ctx, inst, version, price, billed, {});
    if (!r.ok) return r;
    rated = r.rated;
  }

  let amountMinor = rated.amountMinor;
  let exactMinor = rated.unroundedAmount;
  let proration: unknown;
  const usagePartial =
    item.metric !== undefined &&
    item.usageProration === 'per_unit_part' &&
    !inst.oneTime &&
    !sameRange(span, inst.full);
  if (usagePartial) {
    const p = prorate(money(0, ctx.currency), inst.full, span, ctx.proration);
    // Flat fees (a tier's flat_amount, or a flat_fee price) stay whole; the per-unit rest is prorated.
    const scale = decimal(10).pow(exponentOf(ctx.currency));
    const flatMinor =
      price.model === 'flat_fee'
        ? decimal(rated.unroundedAmount)
        : rated.breakdown.reduce((sum, b) => sum.add(decimal(b.flat_amount ?? '0').mul(scale)), decimal(0));
    const exact = flatMinor.add(decimal(rated.unroundedAmount).sub(flatMinor).mul(p.fraction));
    amountMinor = roundMinor(exact, ctx.rounding);
    exactMinor = exact.toString();
    proration = {
      basis: 'usage_per_unit_part',
      fraction: p.fraction,
      coveredDays: p.coveredDays,
      periodDays: p.periodDays,
      dayCount: ctx.proration.dayCount,
      fullAmountMinor: rated.amountMinor,
      flatMinor: flatMinor.toString(),
      explanation: `${p.explanation}; flat fees not prorated`,
    };
  } else if (partial && fraction) {
    if (quantityFirst) {
      proration = {
        basis: 'prorate_quantity',
        fraction: fraction.fraction,
        coveredDays: fraction.coveredDays,
        periodDays: fraction.periodDays,
        dayCount: ctx.proration.dayCount,
        quantity: used,
        proratedQuantity: billed,
      };
    } else {
      const p = prorate(money(rated.amountMinor, ctx.currency), inst.full, span, ctx.proration);
      amountMinor = p.amount.minor;
      exactMinor = decimal(rated.unroundedAmount).mul(p.fraction).toString();
      proration = {
        basis: 'rate_then_prorate',
        fraction: p.fraction,
        coveredDays: p.coveredDays,
        periodDays: p.periodDays,
        dayCount: ctx.proration.dayCount,
        fullAmountMinor: rated.amountMinor,
        explanation: p.explanation,
      };
    }
  }
  const line: InvoiceLineComputation = {
    lineKind: partial || usagePartial ? 'proration' : 'charge',
    sourceRef: item.id,
    sku: item.sku,
    description:
      partial || usagePartial ? `${item.description} (${span.start} to ${span.end}, prorated)` : item.description,
    quantity: price.model === 'flat_fee' ? '1' : billed,
    unitAmount: unitAmountOf(price, rated),
    amountMinor,
    detail: {
      item: item.id,
      phase: inst.phase.name,
      priceVersion: { index: version, effectiveFrom: item.prices[version]!.effectiveFrom },
      model: price.model,
      quantity: { used, freeUnits: free, billed },
      servicePeriod: span,
      fullPeriod: inst.full,
      ...(inst.oneTime ? { oneTime: true } : {}),
      rated: { amountMinor: rated.amountMinor, unroundedAmount: rated.unroundedAmount, breakdown: rated.breakdown },
      ...(groups ? { groups } : {}),
      ...(proration ? { proration } : {}),
    },
  };
  return { ok: true, charge: { line, fraction: fraction ? fraction.fraction : null, exactMinor } };
}
