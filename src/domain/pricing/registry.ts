/**
 * Model name → rater. The mapped type makes the table exhaustive: adding a model to PriceSpec
 * without a rater here is a compile error.
 */
import { rateFlatFee } from './flat-fee';
import { rateMatrix } from './matrix';
import { ratePackage } from './package';
import { ratePerUnit } from './per-unit';
import { ratePercent } from './percent';
import type { PriceModel, PriceSpec } from './schema';
import { rateStep } from './step';
import { rateTiered } from './tiered';
import { rateTiered2d } from './tiered-2d';
import type { ParsedUsage, Rater, Rating, RatingContext } from './types';
import { rateVolume } from './volume';

type RaterTable = { readonly [M in PriceModel]: Rater<Extract<PriceSpec, { model: M }>> };

export const raters: RaterTable = {
  flat_fee: rateFlatFee,
  per_unit: ratePerUnit,
  package: ratePackage,
  tiered: rateTiered,
  volume: rateVolume,
  step: rateStep,
  percent: ratePercent,
  matrix: rateMatrix,
  tiered_2d: rateTiered2d,
};

export const PRICE_MODELS = Object.keys(raters) as PriceModel[];

export function rateWith(spec: PriceSpec, usage: ParsedUsage, ctx: RatingContext): Rating {
  // TypeScript cannot correlate raters[spec.model] with spec's own member of the union; the
  // table's type above already guarantees each entry takes its own model's spec.
  const rater = raters[spec.model] as Rater<PriceSpec>;
  return rater(spec, usage, ctx);
}
