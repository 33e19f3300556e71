/**
 * tiered (graduated): units fill the tiers in order, each unit priced at the rate of the tier it
 * sits in, plus the flat amount of every tier that usage entered. Zero usage enters the first
 * tier only when RatingOptions.zeroUsageBillsFirstTierFlat is on (the default).
 */
import type Decimal from 'decimal.js';
import { z } from 'zod';
import { dec, plain, specBaseShape, sum, ZERO } from './decimal';
import { blockTierSchema, tierLabel, tierListSchema, type UnitTier, unitsInTier } from './tiers';
import type { BreakdownLine, Rater, ResolvedOptions } from './types';

export const tieredSpecSchema = z.strictObject({
  model: z.literal('tiered'),
  ...specBaseShape,
  tiers: tierListSchema(blockTierSchema),
});
export type TieredSpec = z.output<typeof tieredSpecSchema>;

export interface TierRating {
  amount: Decimal;
  breakdown: BreakdownLine[];
}

export function rateGraduatedTiers(
  tiers: readonly UnitTier[],
  quantity: Decimal,
  options: ResolvedOptions,
): TierRating {
  const breakdown: BreakdownLine[] = [];
  const amounts: Decimal[] = [];
  tiers.forEach((tier, index) => {
    const units = unitsInTier(tiers, index, quantity);
    const zeroUsageFirstTier = index === 0 && quantity.isZero();
    if (units.isZero() && !zeroUsageFirstTier) return;
    const billsFlat = !zeroUsageFirstTier || options.zeroUsageBillsFirstTierFlat;
    const flat = billsFlat && tier.flat_amount !== undefined ? dec(tier.flat_amount) : ZERO;
    // Per block: a started block is billed whole (ceil), the unit amount is the block's price.
    const blocks = tier.block_size === undefined ? null : units.div(dec(tier.block_size)).ceil();
    const amount = (blocks ?? units).mul(dec(tier.unit_amount)).add(flat);
    amounts.push(amount);
    breakdown.push({
      label:
        tier.block_size === undefined
          ? tierLabel(tiers, index)
          : `${tierLabel(tiers, index)}, ${plain(blocks!)} blocks of ${tier.block_size}`,
      quantity: plain(units),
      unit_amount: tier.unit_amount,
      ...(billsFlat && tier.flat_amount !== undefined ? { flat_amount: tier.flat_amount } : {}),
      amount: plain(amount),
    });
  });
  return { amount: sum(amounts), breakdown };
}

export const rateTiered: Rater<TieredSpec> = (spec, usage, ctx) => ({
  quantity: usage.quantity,
  ...rateGraduatedTiers(spec.tiers, usage.quantity, ctx.options),
});
