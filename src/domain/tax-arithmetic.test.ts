import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditedTax, splitCreditSettlement, taxAtRate } from './tax-arithmetic.js';

describe('taxAtRate', () => {
  it('line and document rounding differ and each adds up to itself', () => {
    // Three lines of 1.05 at 10 %: per line 0.105 → 0.11 each = 0.33; the document's 0.315 → 0.32,
    // spread 11 / 11 / 10 by the largest remainder (ties to the earlier lines).
    const lines = [105, 105, 105];
    expect(taxAtRate(lines, '0.10', { mode: 'half_up', level: 'line' })).toEqual({
      lineTaxMinor: [11, 11, 11],
      totalTaxMinor: 33,
    });
    expect(taxAtRate(lines, '0.10', { mode: 'half_up', level: 'document' })).toEqual({
      lineTaxMinor: [11, 11, 10],
      totalTaxMinor: 32,
    });
  });

  it('follows the rounding mode, and refuses a negative rate', () => {
    expect(taxAtRate([125], '0.10', { mode: 'half_even', level: 'line' }).totalTaxMinor).toBe(12);
    expect(taxAtRate([125], '0.10', { mode: 'up', level: 'line' }).totalTaxMinor).toBe(13);
    expect(() => taxAtRate([100], '-0.1')).toThrow(/non-negative/);
    expect(taxAtRate([], '0.2')).toEqual({ lineTaxMinor: [], totalTaxMinor: 0 });
  });

  it('property: document-level line taxes add up to the document tax, within a cent per line of line level', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 30_000 }).map((bp) => (bp / 100_000).toFixed(5)),
        (lines, rate) => {
          const doc = taxAtRate(lines, rate, { mode: 'half_up', level: 'document' });
          const line = taxAtRate(lines, rate, { mode: 'half_up', level: 'line' });
          expect(doc.lineTaxMinor.reduce((s, t) => s + t, 0)).toBe(doc.totalTaxMinor);
          expect(Math.abs(doc.totalTaxMinor - line.totalTaxMinor)).toBeLessThanOrEqual(lines.length);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe('creditedTax', () => {
  const line = { amountMinor: 1_000, taxMinor: 83, creditedAmountMinor: 0, creditedTaxMinor: 0 };

  it('gives back tax in proportion, and the remainder with the rest of the line', () => {
    // 83 × 333 / 1000 = 27.64 → 28; then the rest of the line (667) gives back the 55 left.
    expect(creditedTax(line, 333)).toBe(28);
    expect(creditedTax({ ...line, creditedAmountMinor: 333, creditedTaxMinor: 28 }, 667)).toBe(55);
    expect(() => creditedTax(line, 1_001)).toThrow(/does not fit/);
  });

  it('property: a line credited in any number of parts gives back exactly its tax', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 2_500_000 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }),
        (amount, tax, parts) => {
          const shares = parts.map((p) => p);
          const sum = shares.reduce((s, p) => s + p, 0);
          let credited = 0;
          let creditedTaxSum = 0;
          for (const [i, p] of shares.entries()) {
            const credit = i === shares.length - 1 ? amount - credited : Math.floor((amount * p) / sum);
            if (credit === 0) continue;
            const t = creditedTax(
              { amountMinor: amount, taxMinor: tax, creditedAmountMinor: credited, creditedTaxMinor: creditedTaxSum },
              credit,
            );
            expect(t).toBeGreaterThanOrEqual(0);
            credited += credit;
            creditedTaxSum += t;
          }
          expect(credited).toBe(amount);
          expect(creditedTaxSum).toBe(tax);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('splitCreditSettlement', () => {
  it('refunds what the payment allows and keeps the rest as customer credit', () => {
    expect(splitCreditSettlement(5_000, 10_000, 0)).toEqual({ refundMinor: 5_000, customerCreditMinor: 0 });
    expect(splitCreditSettlement(5_000, 10_000, 7_000)).toEqual({ refundMinor: 3_000, customerCreditMinor: 2_000 });
    expect(splitCreditSettlement(5_000, 0, 0)).toEqual({ refundMinor: 0, customerCreditMinor: 5_000 });
  });
});
