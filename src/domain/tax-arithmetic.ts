/**
 * Tax arithmetic the hub does itself (issue #11), pure: the manual tax table, the check of what a
 * tax engine returned, and the books use the same functions.
 * - `taxAtRate`: tax of lines at one rate under the invoice's RoundingPolicy. `line` level rounds
 *   each line's tax (what AvaTax does by default); `document` level rounds the document's exact
 *   tax once and spreads it over the lines by the largest remainder, so the lines add up to it.
 *   The two can differ by a few minor units; each ties out with itself. The policy's `split`
 *   picks how the document tax is spread (largest remainder, or the rest on the last line).
 * - `creditedTax`: the tax a credit note gives back on each line it credits, in proportion to the
 *   credited amount, and the line's whole remaining tax when the rest of the line is credited
 *   (so crediting an invoice in parts gives back exactly what the sale charged).
 * - `splitCreditSettlement`: a credit note on a paid invoice split between a refund (at most
 *   what was paid and not refunded yet) and customer credit (the rest).
 */
import { DEFAULT_ROUNDING, decimal, type RoundingPolicy, roundMinor, splitAmount } from './money.js';

export interface TaxedLines {
  lineTaxMinor: number[];
  totalTaxMinor: number;
}

/** Tax on each line at `rate` (a decimal string, "0.0825" for 8.25 %) under the rounding policy. */
export function taxAtRate(
  lineAmountsMinor: readonly number[],
  rate: string,
  policy: RoundingPolicy = DEFAULT_ROUNDING,
): TaxedLines {
  const r = decimal(rate);
  if (r.isNegative() || !r.isFinite()) throw new RangeError(`a tax rate must be a non-negative decimal, got ${rate}`);
  if (lineAmountsMinor.length === 0) return { lineTaxMinor: [], totalTaxMinor: 0 };
  if (policy.level === 'line') {
    const lineTaxMinor = lineAmountsMinor.map((a) => roundMinor(decimal(a).mul(r), policy));
    return { lineTaxMinor, totalTaxMinor: lineTaxMinor.reduce((s, t) => s + t, 0) };
  }
  const net = lineAmountsMinor.reduce((s, a) => s + a, 0);
  const totalTaxMinor = roundMinor(decimal(net).mul(r), policy);
  const weights = lineAmountsMinor.map((a) => Math.abs(a));
  const lineTaxMinor = weights.every((w) => w === 0)
    ? lineAmountsMinor.map(() => 0)
    : splitAmount(totalTaxMinor, weights, policy.split);
  return { lineTaxMinor, totalTaxMinor };
}

export interface CreditableTaxLine {
  amountMinor: number;
  taxMinor: number;
  /** Net and tax already given back by earlier credit notes. */
  creditedAmountMinor: number;
  creditedTaxMinor: number;
}

/** a × b / c rounded half up, for non-negative integers (exact in integers below 2^53 / 2). */
const shareOf = (a: number, b: number, c: number) => (c === 0 ? 0 : Math.floor((2 * a * b + c) / (2 * c)));

/** The tax a credit of `creditMinor` (net) on a line gives back. */
export function creditedTax(line: CreditableTaxLine, creditMinor: number): number {
  const leftNet = line.amountMinor - line.creditedAmountMinor;
  const leftTax = line.taxMinor - line.creditedTaxMinor;
  if (creditMinor < 0 || creditMinor > leftNet) {
    throw new RangeError(`a credit of ${creditMinor} does not fit in the ${leftNet} left on the line`);
  }
  if (creditMinor === leftNet) return leftTax;
  return Math.min(leftTax, shareOf(line.taxMinor, creditMinor, line.amountMinor));
}

export interface CreditSplit {
  refundMinor: number;
  customerCreditMinor: number;
}

/** A paid invoice's credit note: refunded as far as the payment allows, the rest kept as credit. */
export function splitCreditSettlement(creditMinor: number, paidMinor: number, refundedMinor: number): CreditSplit {
  const refundable = Math.max(0, paidMinor - refundedMinor);
  const refundMinor = Math.min(Math.max(0, creditMinor), refundable);
  return { refundMinor, customerCreditMinor: Math.max(0, creditMinor) - refundMinor };
}
