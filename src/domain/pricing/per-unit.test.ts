import { describe, expect, it } from 'vitest';
import { type PriceSpec, ratePrice } from './index';

const perCall: PriceSpec = { model: 'per_unit', unit_amount: '0.05' };

describe('per_unit', () => {
  it('Lago docs standard example ($0.05 per API call): 1,000 calls → $50', () => {
    const rated = ratePrice(perCall, { quantity: '1000', currency: 'USD' });
    expect(rated.amountMinor).toBe(5000);
    expect(rated.breakdown).toEqual([{ label: 'Per unit', quantity: '1000', unit_amount: '0.05', amount: '50' }]);
  });

  it.each([
    ['0', 0],
    ['1', 5],
    ['0.5', 3], // 2.5 cents, half_up by default
    ['1000000000000', 5000000000000], // 1e12 units, exact
  ])('at 0.05: %s units → %i cents', (quantity, cents) => {
    expect(ratePrice(perCall, { quantity, currency: 'USD' }).amountMinor).toBe(cents);
  });

  it('keeps every digit until the single rounding step', () => {
    const tiny: PriceSpec = { model: 'per_unit', unit_amount: '0.000012345678' };
    const rated = ratePrice(tiny, { quantity: '123456789012.123456', currency: 'USD' });
    // decimal.js at its default 20 significant digits would have cut this short.
    expect(rated.unroundedAmount).toBe('152415776.4057614284023168');
    expect(rated.amountMinor).toBe(152415776);
  });
});
