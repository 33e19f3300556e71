/** Amounts as Xero answers them: JSON numbers rounded to the currency's decimals, computed exactly. */
import Decimal from 'decimal.js';
import { exponentOf, isKnownCurrency } from '../../../src/domain/money.js';

export const dec = (value: unknown): Decimal =>
  new Decimal(typeof value === 'number' || typeof value === 'string' ? value : 0);

export function num(value: Decimal, currency: string): number {
  const places = isKnownCurrency(currency) ? exponentOf(currency) : 2;
  return value.toDecimalPlaces(places, Decimal.ROUND_HALF_UP).toNumber();
}
