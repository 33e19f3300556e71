/** flat_fee: a fixed amount per period, whatever the usage (a platform fee, a plan price). */
import { z } from 'zod';
import { amountSchema, dec, plain, specBaseShape } from './decimal';
import type { Rater } from './types';

export const flatFeeSpecSchema = z.strictObject({
  model: z.literal('flat_fee'),
  ...specBaseShape,
  amount: amountSchema,
});
export type FlatFeeSpec = z.output<typeof flatFeeSpecSchema>;

export const rateFlatFee: Rater<FlatFeeSpec> = (spec, usage) => {
  const amount = dec(spec.amount);
  return {
    quantity: usage.quantity,
    amount,
    breakdown: [{ label: 'Flat fee', quantity: '1', flat_amount: spec.amount, amount: plain(amount) }],
  };
};
