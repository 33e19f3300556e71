/**
 * Pricing: rate a PriceSpec against a period's usage. Pure: no I/O, no clock.
 *
 *   ratePrice(spec, usage, options) → RatedPrice (throws PricingError on bad input)
 *   tryRatePrice(...)               → { ok: true, rated } | { ok: false, issues }
 *   parsePriceSpec(json)            → { ok: true, spec } | { ok: false, issues }
 */
import { exponentOf, roundMinor } from '../money';
import { dec, plain } from './decimal';
import { rateWith } from './registry';
import { type PriceSpec, priceSpecSchema, type SpecIssue, toIssues } from './schema';
import {
  fail,
  type ParsedUsage,
  PricingError,
  type RatedPrice,
  type RatingContext,
  type RatingOptions,
  resolveOptions,
  type Usage,
  usageSchema,
} from './types';

export type { FlatFeeSpec } from './flat-fee';
export type { MatrixRow, MatrixSpec } from './matrix';
export type { PackageSpec } from './package';
export type { PerUnitSpec } from './per-unit';
export { chargeTransactions, type PercentSpec, pricesPerTransaction, type TransactionCharge } from './percent';
export { PRICE_MODELS, raters } from './registry';
export {
  type ParsedPriceSpec,
  type PriceModel,
  type PriceSpec,
  parsePriceSpec,
  priceSpecSchema,
  type SpecIssue,
} from './schema';
export type { StepSpec } from './step';
export type { TieredSpec } from './tiered';
export type { Tiered2dSpec } from './tiered-2d';
export {
  type BreakdownLine,
  PricingError,
  type RatedPrice,
  type RatingIssue,
  type RatingOptions,
  resolveOptions,
  type Usage,
  usageSchema,
} from './types';
export type { VolumeSpec } from './volume';

function prefixed(prefix: string, issues: SpecIssue[]): SpecIssue[] {
  return issues.map((i) => ({ path: i.path ? `${prefix}.${i.path}` : prefix, message: i.message }));
}

function parseUsage(usage: Usage): ParsedUsage {
  const result = usageSchema.safeParse(usage);
  if (!result.success) throw new PricingError(prefixed('usage', toIssues(result.error)));
  const u = result.data;
  return {
    quantity: dec(u.quantity),
    currency: u.currency,
    properties: u.properties ?? {},
    ...(u.transactions ? { transactions: u.transactions.map((t) => dec(t)) } : {}),
    ...(u.secondaryQuantity !== undefined ? { secondaryQuantity: dec(u.secondaryQuantity) } : {}),
    dimensions: Object.fromEntries(Object.entries(u.dimensions ?? {}).map(([k, v]) => [k, dec(v)])),
  };
}

function checkCurrency(spec: PriceSpec, currency: string): void {
  if (spec.currency !== undefined && spec.currency !== currency) {
    fail('price.currency', `the price is in ${spec.currency} but the usage is in ${currency}`);
  }
}

/**
 * Rates one price for one period. The spec is validated again here (cheap next to a wrong bill),
 * so a spec that skipped parsePriceSpec still cannot rate with unsorted tiers.
 */
export function ratePrice(price: PriceSpec, usage: Usage, options?: RatingOptions): RatedPrice {
  const parsedSpec = priceSpecSchema.safeParse(price);
  if (!parsedSpec.success) throw new PricingError(prefixed('price', toIssues(parsedSpec.error)));
  const spec = parsedSpec.data as PriceSpec;
  const parsedUsage = parseUsage(usage);
  const resolved = resolveOptions(options);
  const currency = parsedUsage.currency;
  const ctx: RatingContext = {
    options: resolved,
    currency,
    minorPerMajor: dec(10).pow(exponentOf(currency)),
    rateNested: (nested, nestedUsage) => {
      checkCurrency(nested, currency);
      return rateWith(nested, nestedUsage, ctx);
    },
  };
  checkCurrency(spec, currency);

  const rating = rateWith(spec, parsedUsage, ctx);
  const unrounded = rating.amount.mul(ctx.minorPerMajor);
  const amountMinor = rating.roundedMinor ?? roundMinor(unrounded, resolved.rounding);
  if (!Number.isSafeInteger(amountMinor)) {
    fail('usage.quantity', `the amount (${plain(unrounded)} minor units) is too large to hold exactly`);
  }
  // Every model only adds non-negative amounts; a negative total would be a bug, not bad input.
  if (unrounded.isNegative() || amountMinor < 0) throw new RangeError('rated amount is negative');
  return {
    model: spec.model,
    quantity: plain(rating.quantity),
    amountMinor,
    unroundedAmount: plain(unrounded),
    currency,
    breakdown: rating.breakdown,
  };
}

export type RatePriceResult = { ok: true; rated: RatedPrice } | { ok: false; issues: SpecIssue[] };

/** ratePrice with bad input as a value: the issues name the field ("price.tiers.1.up_to", "usage.currency"). */
export function tryRatePrice(price: unknown, usage: unknown, options?: RatingOptions): RatePriceResult {
  try {
    return { ok: true, rated: ratePrice(price as PriceSpec, usage as Usage, options) };
  } catch (error) {
    if (error instanceof PricingError) return { ok: false, issues: error.issues };
    throw error;
  }
}
