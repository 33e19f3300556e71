/**
 * The manual tax engine of an org without a tax vendor: a rate per jurisdiction and product tax
 * code, applied per line in minor units. Pure: the rates are given.
 */
import Decimal from 'decimal.js';
import type { PostalAddress } from './deal.js';
import { exponentOf } from './money.js';

export interface ManualTaxRate {
  /** "US" or "US-CA" (country, or country-region). */
  jurisdiction: string;
  /** '' for every product without a row of its own. */
  productTaxCode: string;
  /** Decimal fraction ("0.0725"). */
  rate: string;
}

/** "US-CA" / "DE": upper case, a country of two letters, then an optional region. */
export const JURISDICTION_PATTERN = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

/**
 * The rate for a line shipped to `address` with `taxCode`: the most specific row wins —
 * region and code, region, country and code, country — and no row is a rate of zero.
 */
export function manualRateFor(
  rates: readonly ManualTaxRate[],
  address: Pick<PostalAddress, 'country' | 'region'>,
  taxCode: string | undefined,
): ManualTaxRate | null {
  const country = address.country.toUpperCase();
  const region = `${country}-${address.region.toUpperCase()}`;
  const code = taxCode ?? '';
  const candidates: [string, string][] = [
    [region, code],
    [region, ''],
    [country, code],
    [country, ''],
  ];
  for (const [jurisdiction, productTaxCode] of candidates) {
    const hit = rates.find((r) => r.jurisdiction === jurisdiction && r.productTaxCode === productTaxCode);
    if (hit) return hit;
  }
  return null;
}

/** Tax on a line (major-unit decimal string), half-up to the currency's minor unit, as a major-unit string. */
export function manualLineTax(amount: string, rate: string, currency: string): string {
  const places = exponentOf(currency);
  return new Decimal(amount).mul(new Decimal(rate)).toDecimalPlaces(places, Decimal.ROUND_HALF_UP).toFixed(places);
}
