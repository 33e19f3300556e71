/**
 * package: units are sold in blocks of `package_size` for `package_amount` each. A partial block
 * is billed as a whole one ('up', Lago and Orb) or dropped ('down'); `free_units` (Lago) are taken
 * off before blocks are counted.
 */
import { z } from 'zod';
import { amountSchema, Dec, dec, plain, positiveQuantitySchema, quantitySchema, specBaseShape, ZERO } from './decimal';
import type { BreakdownLine, Rater } from './types';

export const packageSpecSchema = z.strictObject({
  model: z.literal('package'),
  ...specBaseShape,
  package_size: positiveQuantitySchema,
  package_amount: amountSchema,
  /** Absent: RatingOptions.packageRounding decides (default 'up'). */
  rounding: z.enum(['up', 'down']).optional(),
  free_units: quantitySchema.optional(),
});
export type PackageSpec = z.output<typeof packageSpecSchema>;

export const ratePackage: Rater<PackageSpec> = (spec, usage, ctx) => {
  const rounding = spec.rounding ?? ctx.options.packageRounding;
  const size = dec(spec.package_size);
  const free = spec.free_units === undefined ? ZERO : Dec.min(dec(spec.free_units), usage.quantity);
  const billable = usage.quantity.sub(free);
  // divToInt and mod are exact, unlike a division that could end in ...999 at the precision limit.
  const whole = billable.divToInt(size);
  const partial = !billable.mod(size).isZero();
  const packages = partial && rounding === 'up' ? whole.add(1) : whole;
  const amount = packages.mul(dec(spec.package_amount));

  const breakdown: BreakdownLine[] = [];
  if (spec.free_units !== undefined) {
    breakdown.push({ label: `Free units (first ${plain(dec(spec.free_units))})`, quantity: plain(free), amount: '0' });
  }
  const how = partial ? `, partial package rounded ${rounding}` : '';
  breakdown.push({
    label: `Packages of ${plain(size)} units (${plain(billable)} billable units${how})`,
    quantity: plain(packages),
    unit_amount: spec.package_amount,
    amount: plain(amount),
  });
  return { quantity: usage.quantity, amount, breakdown };
};
