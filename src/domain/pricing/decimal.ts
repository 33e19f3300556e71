/**
 * Decimal arithmetic and the JSON field schemas shared by every pricing model.
 *
 * Pricing runs on its own decimal.js clone with 80 significant digits: the library default (20)
 * would silently round products such as 123456789012.123456 units × 0.000012345678 per unit,
 * and a rated amount must be exact until the one rounding step of the RoundingPolicy.
 */
import Decimal from 'decimal.js';
import { z } from 'zod';
import { isNonNegativeDecimalString } from '../grammar';
import { isKnownCurrency } from '../money';

export const Dec = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_UP });
export type Dec = Decimal;

export const ZERO: Decimal = new Dec(0);

export function dec(value: string | number): Decimal {
  return new Dec(value);
}

/** Plain notation, never an exponent, never "-0": safe to store and to compare as text. */
export function plain(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}

export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce((acc, v) => acc.add(v), ZERO);
}

/** A money amount in MAJOR units of the contract currency, as a decimal string ("0.05"). */
export const amountSchema = z
  .string({ error: 'must be a decimal string such as "0.05"' })
  .refine(isNonNegativeDecimalString, {
    message: 'must be a non-negative decimal string such as "0.05" (no sign, no exponent)',
    // Later checks (greater than zero, ...) read the value as a decimal: never run them on a bad one.
    abort: true,
  });

/** A quantity of units, as a decimal string; the same shape as an amount. */
export const quantitySchema = z
  .string({ error: 'must be a decimal string such as "12.5"' })
  .refine(isNonNegativeDecimalString, {
    message: 'must be a non-negative decimal string such as "12.5" (no sign, no exponent)',
    // Later checks (greater than zero, ...) read the value as a decimal: never run them on a bad one.
    abort: true,
  });

export const positiveQuantitySchema = quantitySchema.refine(
  (v) => isNonNegativeDecimalString(v) && new Dec(v).gt(0),
  'must be greater than zero',
);

/** Inclusive upper bound of a tier; null means open-ended (only allowed on the last tier). */
export const upToSchema = z
  .number({ error: 'must be a number or null' })
  .min(0, 'must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'must be at most 2^53 - 1')
  .nullable();

export const currencySchema = z
  .string({ error: 'must be an ISO 4217 code' })
  .refine((code) => isKnownCurrency(code), { error: (issue) => `unknown currency ${String(issue.input)}` });

/** Upper bound as a decimal, with null as +infinity so comparisons need no special case. */
export function bound(upTo: number | null): Decimal {
  return upTo === null ? new Dec(Number.POSITIVE_INFINITY) : new Dec(upTo);
}

/** Fields every price spec may carry. `currency`, when present, must match the usage's currency. */
export const specBaseShape = { currency: currencySchema.optional() };
