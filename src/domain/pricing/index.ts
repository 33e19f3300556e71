/**
 * Pricing: rate a PriceSpec against a period's usage. Pure: no I/O, no clock.
 *
 *   ratePrice(spec, usage, options) → RatedPrice (throws PricingError on bad input)
 *   tryRatePrice(...)               → { ok: true, rated } | { ok: false, issues }
 *   rateParsedPrice / tryRateParsedPrice: the same for a spec priceSpecSchema already parsed
 *   parsePriceSpec(json)            → { ok: true, spec } | { ok: false, issues }
 */

import { isNonNegativeDecimalString } from '../grammar';
import { exponentOf, isKnownCurrency, roundMinor } from '../money';
import { dec, plain } from './decimal';
import { rateWith } from './registry';
import { type PriceSpec, priceSpecSchema, type SpecIssue, toIssues } from './schema';
import {
  fail,
  type ParsedUsage,
  PricingError,
  type RatedPrice,
  type Rating,
  type RatingContext,
  type RatingOptions,
  type ResolvedOptions,
  resolveOptions,
  type Usage,
  usageSchema,
} from './types';

export type { FlatFeeSpec } from './flat-fee';
export type { PackageSpec } from './package';
export type { PerUnitSpec } from './per-unit';
export { chargeTransactions, type PercentSpec, pricesPerTransaction, type TransactionCharge } from './percent';
export { PRICE_MODELS, raters } from './registry';
export type { MatrixRow, MatrixSpec } from './schema';
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
  const fast = plainUsage(usage);
  if (fast !== null) return fast;
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

function isEmptyPlainObject(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Reflect.ownKeys(value).length === 0
  );
}

/**
 * The usage billing rates most: a plain { quantity, currency } (properties absent or empty) that
 * usageSchema would accept as is. Parsed without zod (the schema cost more than the rating); any
 * other shape, valid or not, goes through usageSchema as before, so errors read the same.
 */
function plainUsage(usage: Usage): ParsedUsage | null {
  if (typeof usage !== 'object' || usage === null || Object.getPrototypeOf(usage) !== Object.prototype) return null;
  const { quantity, currency, properties, transactions, secondaryQuantity, dimensions } = usage;
  if (!isNonNegativeDecimalString(quantity)) return null;
  if (typeof currency !== 'string' || !isKnownCurrency(currency)) return null;
  if (properties !== undefined && !isEmptyPlainObject(properties)) return null;
  if (transactions !== undefined || secondaryQuantity !== undefined || dimensions !== undefined) return null;
  return { quantity: dec(quantity), currency, properties: {}, dimensions: {} };
}

/** 10^exponent per currency exponent: Decimals are immutable, so one per exponent serves every rating. */
const MINOR_PER_MAJOR = new Map<number, ReturnType<typeof dec>>();

function minorPerMajorOf(currency: string): ReturnType<typeof dec> {
  const exponent = exponentOf(currency);
  let factor = MINOR_PER_MAJOR.get(exponent);
  if (factor === undefined) {
    factor = dec(10).pow(exponent);
    MINOR_PER_MAJOR.set(exponent, factor);
  }
  return factor;
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
  return rateSpec(parsedSpec.data as PriceSpec, usage, options);
}

/**
 * ratePrice for a spec that is already the output of priceSpecSchema, unchanged since — a price
 * inside contract terms that contractTermsSchema parsed. The schema has no transforms, so parsing
 * it again would give the same spec; this skips that second parse. Usage is validated as in ratePrice.
 */
export function rateParsedPrice(spec: PriceSpec, usage: Usage, options?: RatingOptions): RatedPrice {
  return rateSpec(spec, usage, options);
}

/** The rating context; a class so no closure is made per rating (rateSpec runs per invoice line). */
class Context implements RatingContext {
  constructor(
    readonly options: ResolvedOptions,
    readonly currency: string,
    readonly minorPerMajor: ReturnType<typeof dec>,
  ) {}

  rateNested(nested: PriceSpec, nestedUsage: ParsedUsage): Rating {
    checkCurrency(nested, this.currency);
    return rateWith(nested, nestedUsage, this);
  }
}

function rateSpec(spec: PriceSpec, usage: Usage, options?: RatingOptions): RatedPrice {
  const parsedUsage = parseUsage(usage);
  const resolved = resolveOptions(options);
  const currency = parsedUsage.currency;
  const ctx = new Context(resolved, currency, minorPerMajorOf(currency));
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

/** rateParsedPrice with bad input as a value, like tryRatePrice. */
export function tryRateParsedPrice(spec: PriceSpec, usage: unknown, options?: RatingOptions): RatePriceResult {
  try {
    return { ok: true, rated: rateParsedPrice(spec, usage as Usage, options) };
  } catch (error) {
    if (error instanceof PricingError) return { ok: false, issues: error.issues };
    throw error;
  }
}
