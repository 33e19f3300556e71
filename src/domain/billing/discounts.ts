/**
 * Discounts as negative lines. A discount applies to every period its [from, until) overlaps
 * (in full: no day-by-day split inside a period). Percent discounts apply first, then amount
 * discounts, each capped at what is left so a discount never turns a charge negative.
 * An amount discount is "per billing period": on a prorated charge (or a partial period) it is
 * prorated by the same fraction, so a half month gets half the monthly discount.
 */
import type { Discount } from '../contracts/terms.js';
import { decimal, majorToMinor, roundMinor } from '../money.js';
import type { DateRange } from '../proration.js';
import type { LineContext } from './context.js';
import type { InvoiceLineComputation } from './types.js';

export function discountActive(d: Discount, range: DateRange): boolean {
  return (d.from === undefined || d.from < range.end) && (d.until === undefined || d.until > range.start);
}

export interface DiscountTarget {
  /** What the discounts reduce (minor units, ≥ 0). */
  basisMinor: number;
  range: DateRange;
  /** Proration fraction for amount discounts (null = full period). */
  fraction: string | null;
  sourceRef: string | null;
  sku: string | null;
  /** "item" or "invoice": says in the detail what the basis was. */
  scope: 'item' | 'invoice';
}

export function discountLines(
  ctx: LineContext,
  discounts: readonly Discount[] | undefined,
  target: DiscountTarget,
): InvoiceLineComputation[] {
  const active = (discounts ?? []).filter((d) => discountActive(d, target.range));
  const ordered = [...active.filter((d) => d.kind === 'percent'), ...active.filter((d) => d.kind === 'amount')];
  const lines: InvoiceLineComputation[] = [];
  let remaining = target.basisMinor;
  for (const d of ordered) {
    if (remaining <= 0) break;
    let wanted: number;
    let how: string;
    if (d.kind === 'percent') {
      wanted = roundMinor(decimal(target.basisMinor).mul(d.value).div(100), ctx.rounding);
      how = `${d.value}% of ${target.basisMinor}`;
    } else {
      const full = majorToMinor(d.value, ctx.currency, ctx.rounding);
      wanted = target.fraction === null ? full : roundMinor(decimal(full).mul(target.fraction), ctx.rounding);
      how = target.fraction === null ? `${d.value} ${ctx.currency} per period` : `${full} × ${target.fraction}`;
    }
    const amount = Math.min(wanted, remaining);
    if (amount <= 0) continue;
    remaining -= amount;
    lines.push({
      lineKind: 'discount',
      sourceRef: target.sourceRef,
      sku: target.sku,
      description: d.label ?? (d.kind === 'percent' ? `Discount ${d.value}%` : `Discount ${d.value} ${ctx.currency}`),
      quantity: '1',
      unitAmount: '0',
      amountMinor: -amount,
      detail: {
        scope: target.scope,
        kind: d.kind,
        value: d.value,
        from: d.from ?? null,
        until: d.until ?? null,
        basisMinor: target.basisMinor,
        computed: how,
        ...(amount < wanted ? { cappedAtMinor: amount, wantedMinor: wanted } : {}),
        ...(d.kind === 'amount' && target.fraction !== null ? { prorationFraction: target.fraction } : {}),
      },
    });
  }
  return lines;
}
