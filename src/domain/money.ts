/**
 * Money is integer minor units plus an ISO 4217 currency; never a float.
 * Rates and quantities are decimal strings computed with decimal.js.
 */
import DecimalBase from 'decimal.js';

/**
 * decimal.js defaults to 20 significant digits, which a large quantity times a long unit price
 * can exceed; money math here gets 40 so nothing is cut before the one rounding step.
 */
const Decimal = DecimalBase.clone({ precision: 40 });
type Decimal = DecimalBase;

/** ISO 4217 minor-unit exponents for the currencies the hub knows. */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  USD: 2,
  EUR: 2,
  GBP: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  INR: 2,
  SGD: 2,
  HKD: 2,
  MXN: 2,
  BRL: 2,
  ZAR: 2,
  CNY: 2,
  ILS: 2,
  AED: 2,
  SAR: 2,
  JPY: 0,
  KRW: 0,
  CLP: 0,
  VND: 0,
  ISK: 0,
  UGX: 0,
  HUF: 2,
  TWD: 2,
  KWD: 3,
  BHD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
});

export type Currency = string;

export interface Money {
  /** Integer number of minor units (cents for USD, yen for JPY, fils for KWD). */
  readonly minor: number;
  readonly currency: Currency;
}

export type RoundingMode = 'half_up' | 'half_even' | 'down' | 'up';

/**
 * How an amount is split across lines (document rounding, tax over lines, shares of a discount):
 * 'largest_remainder' (default) gives the leftover minor units to the largest fractions;
 * 'last_line' floors every share and puts the leftover on the last line, as Stripe does.
 */
export type SplitConvention = 'largest_remainder' | 'last_line';

/** One rounding policy is shared by the invoice, the tax request and the ERP payload. */
export interface RoundingPolicy {
  readonly mode: RoundingMode;
  /** Round each line, or only the document total. */
  readonly level: 'line' | 'document';
  /** Absent = largest_remainder. */
  readonly split?: SplitConvention;
  /**
   * Cash rounding of an invoice's grand total after tax, in major units ("0.05" for CHF);
   * absent = none. Applied at finalize as a visible rounding difference (payable.ts).
   */
  readonly cashIncrement?: string;
  /**
   * 'round_to_provider': the grand total also follows the payment provider's amount rule (Stripe:
   * HUF and TWD whole units, BHD/JOD/KWD/OMR/TND tens of the minor unit); 'exact' (default): not.
   */
  readonly providerAmounts?: 'exact' | 'round_to_provider';
}

export const DEFAULT_ROUNDING: RoundingPolicy = Object.freeze({ mode: 'half_up', level: 'line' });

const DECIMAL_MODES: Record<RoundingMode, DecimalBase.Rounding> = {
  half_up: DecimalBase.ROUND_HALF_UP,
  half_even: DecimalBase.ROUND_HALF_EVEN,
  down: DecimalBase.ROUND_DOWN,
  up: DecimalBase.ROUND_UP,
};

export function isKnownCurrency(code: string): boolean {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function exponentOf(currency: Currency): number {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === undefined) throw new RangeError(`unknown currency ${currency}`);
  return exponent;
}

/** True when `value` is a plain decimal string such as "12", "-3.50": the one grammar (grammar.ts). */
export { isDecimalString } from './grammar.js';

export function decimal(value: string | number): Decimal {
  return new Decimal(value);
}

export function money(minor: number, currency: Currency): Money {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`minor units must be a safe integer, got ${minor}`);
  exponentOf(currency);
  return { minor, currency };
}

/** Rounds a decimal amount expressed in major units (e.g. "12.345" USD) to integer minor units. */
export function majorToMinor(
  major: string | Decimal,
  currency: Currency,
  policy: RoundingPolicy = DEFAULT_ROUNDING,
): number {
  const minor = roundMinor(new Decimal(major).mul(new Decimal(10).pow(exponentOf(currency))), policy);
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${major} ${currency} is too large for integer minor units`);
  return minor;
}

/** Formats minor units as a major-unit decimal string with the currency's exponent ("1234" USD → "12.34"). */
export function minorToMajor(minor: number, currency: Currency): string {
  const exponent = exponentOf(currency);
  return new Decimal(minor).div(new Decimal(10).pow(exponent)).toFixed(exponent);
}

/** Rounds an unrounded minor-unit decimal (e.g. 1234.5 cents) to an integer by the policy's mode. */
export function roundMinor(unrounded: Decimal, policy: RoundingPolicy = DEFAULT_ROUNDING): number {
  // Callers check the result with Number.isSafeInteger where an input may be huge (pricing does).
  return unrounded.toDecimalPlaces(0, DECIMAL_MODES[policy.mode]).toNumber();
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`currency mismatch ${a.currency} vs ${b.currency}`);
  return money(a.minor + b.minor, a.currency);
}

/**
 * Splits `total` minor units across `weights` by the largest-remainder method so the parts
 * always add up to the total exactly. Ties go to the earlier part.
 */
export function allocate(total: number, weights: readonly (string | number)[]): number[] {
  if (!Number.isSafeInteger(total)) throw new RangeError('total must be a safe integer');
  if (weights.length === 0) throw new RangeError('allocate needs at least one weight');
  const ws = weights.map((w) => new Decimal(w));
  if (ws.some((w) => w.isNegative())) throw new RangeError('weights must not be negative');
  const sum = ws.reduce((acc, w) => acc.add(w), new Decimal(0));
  if (sum.isZero()) throw new RangeError('weights must not all be zero');
  const sign = total < 0 ? -1 : 1;
  const magnitude = Math.abs(total);
  const exact = ws.map((w) => w.mul(magnitude).div(sum));
  const floors = exact.map((e) => e.floor().toNumber());
  let remainder = magnitude - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, index) => ({ index, frac: e.sub(e.floor()) }))
    .sort((x, y) => y.frac.comparedTo(x.frac) || x.index - y.index);
  for (const { index } of order) {
    if (remainder === 0) break;
    floors[index] += 1;
    remainder -= 1;
  }
  return floors.map((f) => f * sign);
}

/**
 * Splits `total` across `weights` by the policy's convention; both add up to the total exactly.
 * 'last_line': each share but the last is floored toward zero, the last takes the rest.
 */
export function splitAmount(
  total: number,
  weights: readonly (string | number)[],
  split: SplitConvention = 'largest_remainder',
): number[] {
  if (split === 'largest_remainder') return allocate(total, weights);
  const parts = allocate(0, weights); // the same checks on the weights as allocate's
  const ws = weights.map((w) => new Decimal(w));
  const sum = ws.reduce((acc, w) => acc.add(w), new Decimal(0));
  const sign = total < 0 ? -1 : 1;
  const magnitude = Math.abs(total);
  let given = 0;
  for (let i = 0; i < ws.length - 1; i++) {
    const share = ws[i]!.mul(magnitude).div(sum).floor().toNumber();
    parts[i] = sign < 0 ? 0 - share : share;
    given += parts[i]!;
  }
  parts[ws.length - 1] = total - given;
  return parts;
}

/** "1234567.5" → "1,234,567.5": thousands grouped in the integer part only. */
function groupThousands(plain: string): string {
  const negative = plain.startsWith('-');
  const [whole, fraction] = (negative ? plain.slice(1) : plain).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/**
 * Minor units for a person to read, in the currency's exponent: 123456 USD → "USD 1,234.56",
 * 1500 JPY → "JPY 1,500", -1 KWD → "KWD -0.001". ASCII only, so a PDF's standard fonts can draw it.
 */
export function formatMoney(minor: number, currency: Currency): string {
  return `${currency} ${groupThousands(minorToMajor(minor, currency))}`;
}

/**
 * A decimal string in major units (a unit price) for a person to read: at least the currency's
 * exponent in decimals, more where the price has them ("0.0015" USD per call stays "0.0015").
 */
export function formatMajorAmount(major: string, currency: Currency): string {
  const exponent = exponentOf(currency);
  const d = new Decimal(major);
  const places = Math.max(exponent, d.decimalPlaces());
  return `${currency} ${groupThousands(d.toFixed(places))}`;
}
