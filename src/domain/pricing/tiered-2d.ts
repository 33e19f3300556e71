/**
 * tiered_2d: tiers in two dimensions, in one of two modes.
 *
 * mode 'rate_by_secondary': the secondary metric (usage.secondaryQuantity) picks a secondary tier,
 * and that tier's own tier table prices the primary quantity, graduated or volume. Example: API
 * calls are cheaper per call for customers with more seats.
 *   { "model": "tiered_2d", "mode": "rate_by_secondary", "primary_mode": "graduated",
 *     "secondary_tiers": [ { "up_to": 10, "tiers": [ { "up_to": 1000, "unit_amount": "0.01" }, ... ] },
 *                          { "up_to": null, "tiers": [ ... ] } ] }
 *
 * mode 'capacity': each tier caps several dimensions at once; the first tier whose limits every
 * measured dimension fits (value ≤ limit, null = unlimited) is billed its flat amount plus
 * quantity × unit_amount. Example: plan sizes by seats and storage.
 *   { "model": "tiered_2d", "mode": "capacity", "dimensions": ["seats", "storage_gb"],
 *     "tiers": [ { "limits": { "seats": 10, "storage_gb": 100 }, "flat_amount": "50" },
 *                { "limits": { "seats": null, "storage_gb": null }, "flat_amount": "400" } ] }
 * Capacity tiers are a reserved size, not usage, so zeroUsageBillsFirstTierFlat does not apply.
 */
import { z } from 'zod';
import { amountSchema, bound, dec, plain, specBaseShape, upToSchema, ZERO } from './decimal';
import { rateGraduatedTiers } from './tiered';
import { checkTierBounds, tierIndexFor, tierLabel, tierListSchema, unitTierSchema } from './tiers';
import { type BreakdownLine, fail, type Rater } from './types';
import { rateVolumeTiers } from './volume';

const rateBySecondarySchema = z
  .strictObject({
    model: z.literal('tiered_2d'),
    mode: z.literal('rate_by_secondary'),
    ...specBaseShape,
    primary_mode: z.enum(['graduated', 'volume']),
    secondary_tiers: z
      .array(z.strictObject({ up_to: upToSchema, tiers: tierListSchema(unitTierSchema) }))
      .min(1, 'needs at least one secondary tier'),
  })
  .superRefine((spec, ctx) => checkTierBounds(spec.secondary_tiers, ctx, ['secondary_tiers']));

const limitSchema = z.number({ error: 'must be a number or null' }).min(0, 'must not be negative').nullable();

const capacitySchema = z
  .strictObject({
    model: z.literal('tiered_2d'),
    mode: z.literal('capacity'),
    ...specBaseShape,
    dimensions: z.array(z.string().min(1, 'must not be empty')).min(1, 'needs at least one dimension'),
    tiers: z
      .array(
        z.strictObject({
          limits: z.record(z.string(), limitSchema),
          flat_amount: amountSchema.optional(),
          unit_amount: amountSchema.optional(),
        }),
      )
      .min(1, 'needs at least one tier'),
  })
  .superRefine((spec, ctx) => {
    if (new Set(spec.dimensions).size !== spec.dimensions.length) {
      ctx.addIssue({ code: 'custom', path: ['dimensions'], message: 'dimensions must be unique' });
      return;
    }
    const last = spec.tiers.length - 1;
    spec.tiers.forEach((tier, i) => {
      const path = ['tiers', i];
      if (tier.flat_amount === undefined && tier.unit_amount === undefined) {
        ctx.addIssue({ code: 'custom', path, message: 'needs flat_amount or unit_amount' });
      }
      const keys = Object.keys(tier.limits);
      if (keys.length !== spec.dimensions.length || !spec.dimensions.every((d) => Object.hasOwn(tier.limits, d))) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'limits'],
          message: `must give a limit (number or null) for exactly the dimensions ${spec.dimensions.join(', ')}`,
        });
        return;
      }
      for (const d of spec.dimensions) {
        if (i === last && tier.limits[d] !== null) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'limits', d],
            message: 'the last tier must be open-ended in every dimension (null)',
          });
        }
      }
      if (i === 0) return;
      const previous = spec.tiers[i - 1].limits;
      let grows = false;
      for (const d of spec.dimensions) {
        const before = bound(previous[d] ?? null);
        const now = bound(tier.limits[d]);
        if (now.lt(before)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'limits', d],
            message: `must not be lower than the previous tier's limit (${previous[d]}): tiers must be sorted`,
          });
        }
        if (now.gt(before)) grows = true;
      }
      if (!grows) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'limits'],
          message: `overlaps tier ${i}: it must raise at least one limit or it can never be reached`,
        });
      }
    });
  });

export const tiered2dSpecSchema = z.discriminatedUnion('mode', [rateBySecondarySchema, capacitySchema]);
export type Tiered2dSpec = z.output<typeof tiered2dSpecSchema>;
type RateBySecondarySpec = z.output<typeof rateBySecondarySchema>;
type CapacitySpec = z.output<typeof capacitySchema>;

const rateBySecondary: Rater<RateBySecondarySpec> = (spec, usage, ctx) => {
  if (usage.secondaryQuantity === undefined) {
    fail('usage.secondaryQuantity', 'is required by a tiered_2d price in rate_by_secondary mode');
  }
  const index = tierIndexFor(spec.secondary_tiers, usage.secondaryQuantity);
  const table = spec.secondary_tiers[index].tiers;
  const rated =
    spec.primary_mode === 'graduated'
      ? rateGraduatedTiers(table, usage.quantity, ctx.options)
      : rateVolumeTiers(table, usage.quantity, ctx.options);
  const prefix = `[secondary ${plain(usage.secondaryQuantity)}: ${tierLabel(spec.secondary_tiers, index)}]`;
  return {
    quantity: usage.quantity,
    amount: rated.amount,
    breakdown: rated.breakdown.map((line) => ({ ...line, label: `${prefix} ${line.label}` })),
  };
};

const rateCapacity: Rater<CapacitySpec> = (spec, usage) => {
  const measured = spec.dimensions.map((d) => {
    const value = usage.dimensions[d];
    if (value === undefined) fail(`usage.dimensions.${d}`, 'is required by the capacity tiers');
    return value;
  });
  const index = spec.tiers.findIndex((tier) => spec.dimensions.every((d, k) => measured[k].lte(bound(tier.limits[d]))));
  // The last tier is unlimited in every dimension, so a tier is always found.
  const tier = spec.tiers[index === -1 ? spec.tiers.length - 1 : index];
  const flat = tier.flat_amount === undefined ? ZERO : dec(tier.flat_amount);
  const amount = tier.unit_amount === undefined ? flat : flat.add(usage.quantity.mul(dec(tier.unit_amount)));
  const fits = spec.dimensions
    .map((d, k) => {
      const limit = tier.limits[d];
      return `${d} ${plain(measured[k])} ≤ ${limit === null ? 'unlimited' : plain(dec(limit))}`;
    })
    .join(', ');
  const line: BreakdownLine = {
    label: `Capacity tier ${spec.tiers.indexOf(tier) + 1} (${fits})`,
    quantity: plain(usage.quantity),
    ...(tier.unit_amount !== undefined ? { unit_amount: tier.unit_amount } : {}),
    ...(tier.flat_amount !== undefined ? { flat_amount: tier.flat_amount } : {}),
    amount: plain(amount),
  };
  return { quantity: usage.quantity, amount, breakdown: [line] };
};

export const rateTiered2d: Rater<Tiered2dSpec> = (spec, usage, ctx) =>
  spec.mode === 'rate_by_secondary' ? rateBySecondary(spec, usage, ctx) : rateCapacity(spec, usage, ctx);
