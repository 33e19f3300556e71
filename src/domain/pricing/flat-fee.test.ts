import { describe, expect, it } from 'vitest';
import { type PriceSpec, ratePrice } from './index';

describe('flat_fee', () => {
  const platform: PriceSpec = { model: 'flat_fee', amount: '49.99' };

  it.each(['0', '1', '0.5', '1000000000000'])('ignores usage: %s units → 4999 cents', (quantity) => {
    const rated = ratePrice(platform, { quantity, currency: 'USD' });
    expect(rated.amountMinor).toBe(4999);
    expect(rated.breakdown).toEqual([{ label: 'Flat fee', quantity: '1', flat_amount: '49.99', amount: '49.99' }]);
  });

  it('a zero flat fee bills zero', () => {
    expect(ratePrice({ model: 'flat_fee', amount: '0' }, { quantity: '3', currency: 'EUR' }).amountMinor).toBe(0);
  });
});
