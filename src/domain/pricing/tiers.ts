/**
 * Tier lists shared by tiered (graduated), volume, step and tiered_2d.
 *
 * A tier covers the quantities above the previous tier's `up_to` and up to and including its own
 * `up_to` (Stripe's convention: `up_to` 10 then 20 holds 10 units each). Because quantities may be
 * fractional, 10.5 against a bound of 10 falls into the next tier.
 */
import type Decimal from 'decimal.js';
import { z } from 'zod';
import { amountSchema, bound, dec, plain, positiveQuantitySchema, upToSchema, ZERO } from './decimal';

export const unitTierSchema = z.strictObject({
  up_to: upToSchema,
  unit_amount: amountSchema,
  flat_amount: amountSchema.optional(),
});
export type UnitTier = z.output<typeof unitTierSchema> & { block_size?: string };

/**
 * A graduated tier that may be priced per block: with `block_size` N, `unit_amount` is the price
 * of one block of N units and the tier bills ceil(units in the tier ÷ N) blocks, as Kill Bill's
 * consumable usage blocks do (<block><size>1000</size><prices>… in the catalog,
 * https://killbill.github.io/slate/catalog.html). Without it, the tier is priced per unit.
 */
export const blockTierSchema = unitTierSchema.extend({ block_size: positiveQuantitySchema.optional() });

export const flatTierSchema = z.strictObject({ up_to: upToSchema, flat_amount: amountSchema });
export type FlatTier = z.output<typeof flatTierSchema>;

type Path = (string | number)[];

/** Sorted, non-overlapping, and open-ended at the end, so every quantity lands in exactly one tier. */
export function checkTierBounds(tiers: readonly { up_to: number | null }[], ctx: z.RefinementCtx, path: Path): void {
  tiers.forEach((tier, i) => {
    const last = i === tiers.length - 1;
    if (last && tier.up_to !== null) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'up_to'],
        message: 'the last tier must be open-ended (up_to: null)',
      });
    }
    if (!last && tier.up_to === null) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'up_to'],
        message: 'only the last tier may be open-ended (up_to: null)',
      });
    }
    const previous = i > 0 ? tiers[i - 1].up_to : null;
    if (previous !== null && tier.up_to !== null && tier.up_to <= previous) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'up_to'],
        message: `must be greater than the previous tier's up_to (${previous}): tiers must be sorted and must not overlap`,
      });
    }
  });
}

export function tierListSchema<T extends z.ZodType<{ up_to: number | null }>>(tier: T) {
  return z
    .array(tier)
    .min(1, 'needs at least one tier')
    .superRefine((tiers, ctx) => checkTierBounds(tiers, ctx, []));
}

export function lowerBound(tiers: readonly { up_to: number | null }[], index: number): Decimal {
  return index === 0 ? ZERO : bound(tiers[index - 1].up_to);
}

/** Index of the tier a quantity falls in (bounds inclusive). */
export function tierIndexFor(tiers: readonly { up_to: number | null }[], quantity: Decimal): number {
  const index = tiers.findIndex((tier) => quantity.lte(bound(tier.up_to)));
  // Validation guarantees an open-ended last tier, so findIndex cannot miss; this is a safety net.
  return index === -1 ? tiers.length - 1 : index;
}

export function tierLabel(tiers: readonly { up_to: number | null }[], index: number): string {
  const { up_to } = tiers[index];
  const from = index === 0 ? null : tiers[index - 1].up_to;
  let range: string;
  if (from === null && up_to === null) range = 'all units';
  else if (from === null) range = `up to ${plain(dec(up_to as number))}`;
  else if (up_to === null) range = `over ${plain(dec(from))}`;
  else range = `over ${plain(dec(from))} up to ${plain(dec(up_to))}`;
  return `Tier ${index + 1} (${range})`;
}

/** Units of `quantity` that fall inside tier `index` when units fill the tiers in order. */
export function unitsInTier(tiers: readonly { up_to: number | null }[], index: number, quantity: Decimal): Decimal {
  const lower = lowerBound(tiers, index);
  const upper = bound(tiers[index].up_to);
  const top = quantity.lt(upper) ? quantity : upper;
  const units = top.sub(lower);
  return units.isNegative() ? ZERO : units;
}
