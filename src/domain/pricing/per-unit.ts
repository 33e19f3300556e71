/** per_unit: every unit at the same price (Stripe "standard", Lago "standard", Orb "unit"). */
import { z } from 'zod';
import { amountSchema, dec, plain, specBaseShape } from './decimal';
import type { Rater } from './types';

export const perUnitSpecSchema = z.strictObject({
  model: z.literal('per_unit'),
  ...specBaseShape,
  unit_amount: amountSchema,
});
export type PerUnitSpec = z.output<typeof perUnitSpecSchema>;

export const ratePerUnit: Rater<PerUnitSpec> = (spec, usage) => {
  const amount = usage.quantity.mul(dec(spec.unit_amount));
  return {
    quantity: usage.quantity,
    amount,
    breakdown: [
      { label: 'Per unit', quantity: plain(usage.quantity), unit_amount: spec.unit_amount, amount: plain(amount) },
    ],
  };
};
