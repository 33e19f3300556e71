/**
 * The shapes that go in and out of rating. Everything here is plain JSON so a rated price can be
 * stored on an invoice line, sent to the ERP, and re-read later without a decimal library.
 */
import type Decimal from 'decimal.js';
import { z } from 'zod';
import { DEFAULT_ROUNDING, type RoundingPolicy } from '../money';
import { amountSchema, currencySchema, quantitySchema } from './decimal';

export const usageSchema = z.object({
  /** Units used in the period (for `percent`: the total transaction amount in major units). */
  quantity: quantitySchema,
  currency: currencySchema,
  /** Group properties of the usage (e.g. region), read by `matrix`. */
  properties: z.record(z.string(), z.string()).optional(),
  /** Individual transaction amounts in major units, read by `percent` when it prices per transaction. */
  transactions: z.array(amountSchema).optional(),
  /** The second metric of `tiered_2d` in `rate_by_secondary` mode. */
  secondaryQuantity: quantitySchema.optional(),
  /** Measured size per dimension for `tiered_2d` in `capacity` mode. */
  dimensions: z.record(z.string(), quantitySchema).optional(),
});

export type Usage = z.input<typeof usageSchema>;

/**
 * Behaviours that differ between billing systems. Each has a default chosen to match what most
 * public billing docs describe; a contract can override them.
 */
export interface RatingOptions {
  /** Rounding mode and level. Default: money.ts DEFAULT_ROUNDING (half_up, line). */
  rounding?: RoundingPolicy;
  /** Partial packages for `package` when the spec does not say. Default 'up' (Lago, Orb). */
  packageRounding?: 'up' | 'down';
  /**
   * Whether zero usage still bills the first tier's flat amount (`tiered`, `volume`, `step`,
   * `tiered_2d` rate_by_secondary). Default true: the flat amount is the price of having the
   * tier at all. A first tier priced at zero bills nothing either way.
   */
  zeroUsageBillsFirstTierFlat?: boolean;
}

export interface ResolvedOptions {
  readonly rounding: RoundingPolicy;
  readonly packageRounding: 'up' | 'down';
  readonly zeroUsageBillsFirstTierFlat: boolean;
}

export function resolveOptions(options: RatingOptions = {}): ResolvedOptions {
  return {
    rounding: options.rounding ?? DEFAULT_ROUNDING,
    packageRounding: options.packageRounding ?? 'up',
    zeroUsageBillsFirstTierFlat: options.zeroUsageBillsFirstTierFlat ?? true,
  };
}

/**
 * One explanatory line. Money fields are decimal strings in MAJOR units, like the spec, so each
 * line checks by hand: amount = quantity × unit_amount + flat_amount (or quantity × rate_percent / 100).
 * The amounts of all lines add up to RatedPrice.unroundedAmount (which is in minor units).
 */
export interface BreakdownLine {
  label: string;
  quantity: string;
  unit_amount?: string;
  flat_amount?: string;
  rate_percent?: string;
  amount: string;
}

export interface RatedPrice {
  model: string;
  /** The quantity that was rated (for `percent`: the total transaction amount). */
  quantity: string;
  /** Integer minor units, rounded once by the RoundingPolicy. */
  amountMinor: number;
  /** The exact amount in minor units before rounding, as a decimal string. */
  unroundedAmount: string;
  currency: string;
  breakdown: BreakdownLine[];
}

/** Usage after validation, with numbers already parsed. */
export interface ParsedUsage {
  quantity: Decimal;
  currency: string;
  properties: Readonly<Record<string, string>>;
  transactions?: readonly Decimal[];
  secondaryQuantity?: Decimal;
  dimensions: Readonly<Record<string, Decimal>>;
}

/** What a model returns: an exact amount in major units plus the lines that explain it. */
export interface Rating {
  quantity: Decimal;
  amount: Decimal;
  breakdown: BreakdownLine[];
  /**
   * Set only by models that bill several chargeable events inside one price (per-transaction
   * percent at line level): each event is rounded on its own and this is their sum.
   */
  roundedMinor?: number;
}

export interface RatingContext {
  readonly options: ResolvedOptions;
  readonly currency: string;
  /** 10^exponent of the currency: multiply a major amount by it to get minor units. */
  readonly minorPerMajor: Decimal;
  /**
   * Rates a nested price (matrix cells) through the registry. The spec is typed `unknown` here so
   * this file needs no import of schema.ts (which imports every model, which import this file);
   * the implementation (index.ts) takes a PriceSpec, and matrix cells were parsed by schema.ts.
   */
  rateNested(spec: unknown, usage: ParsedUsage): Rating;
}

export type Rater<S> = (spec: S, usage: ParsedUsage, ctx: RatingContext) => Rating;

export interface RatingIssue {
  path: string;
  message: string;
}

/** Raised by ratePrice for a spec or usage that cannot be rated; tryRatePrice returns it as a value. */
export class PricingError extends Error {
  readonly issues: RatingIssue[];
  constructor(issues: RatingIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'PricingError';
    this.issues = issues;
  }
}

export function fail(path: string, message: string): never {
  throw new PricingError([{ path, message }]);
}
