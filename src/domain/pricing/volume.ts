/**
 * volume: the total quantity picks one tier, every unit is priced at that tier's rate, and only
 * that tier's flat amount is added (Stripe "volume", Orb "bulk").
 */
import type Decimal from 'decimal.js';
import { z } from 'zod';
import { dec, plain, specBaseShape, ZERO } from './decimal';
import type { TierRating } from './tiered';
import { tierIndexFor, tierLabel, tierListSchema, type UnitTier, unitTierSchema } from './tiers';
import type { Rater, ResolvedOptions } from './types';

export const volumeSpecSchema = z.strictObject({
  model: z.literal('volume'),
  ...specBaseShape,
  tiers: tierListSchema(unitTierSchema),
});
export type VolumeSpec = z.output<typeof volumeSpecSchema>;

export function rateVolumeTiers(tiers: readonly UnitTier[], quantity: Decimal, options: ResolvedOptions): TierRating {
  const index = tierIndexFor(tiers, quantity);
  const tier = tiers[index];
  const billsFlat = tier.flat_amount !== undefined && (!quantity.isZero() || options.zeroUsageBillsFirstTierFlat);
  const flat = billsFlat ? dec(tier.flat_amount as string) : ZERO;
  const amount = quantity.mul(dec(tier.unit_amount)).add(flat);
  return {
    amount,
    breakdown: [
      {
        label: `${tierLabel(tiers, index)}: all units at this tier's rate`,
        quantity: plain(quantity),
        unit_amount: tier.unit_amount,
        ...(billsFlat ? { flat_amount: tier.flat_amount } : {}),
        amount: plain(amount),
      },
    ],
  };
}

export const rateVolume: Rater<VolumeSpec> = (spec, usage, ctx) => ({
  quantity: usage.quantity,
  ...rateVolumeTiers(spec.tiers, usage.quantity, ctx.options),
});
