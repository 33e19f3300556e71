/**
 * step: the quantity picks one tier and that tier's flat amount is the whole price, however many
 * units inside the tier were used (stair-step pricing, e.g. "up to 10 seats: 100").
 */
import { z } from 'zod';
import { dec, plain, specBaseShape, ZERO } from './decimal';
import { flatTierSchema, tierIndexFor, tierLabel, tierListSchema } from './tiers';
import type { Rater } from './types';

export const stepSpecSchema = z.strictObject({
  model: z.literal('step'),
  ...specBaseShape,
  tiers: tierListSchema(flatTierSchema),
});
export type StepSpec = z.output<typeof stepSpecSchema>;

export const rateStep: Rater<StepSpec> = (spec, usage, ctx) => {
  const index = tierIndexFor(spec.tiers, usage.quantity);
  const tier = spec.tiers[index];
  const billsFlat = !usage.quantity.isZero() || ctx.options.zeroUsageBillsFirstTierFlat;
  const amount = billsFlat ? dec(tier.flat_amount) : ZERO;
  return {
    quantity: usage.quantity,
    amount,
    breakdown: [
      {
        label: `${tierLabel(spec.tiers, index)}: flat price of the step`,
        quantity: plain(usage.quantity),
        ...(billsFlat ? { flat_amount: tier.flat_amount } : {}),
        amount: plain(amount),
      },
    ],
  };
};
