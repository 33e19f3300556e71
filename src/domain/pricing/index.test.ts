import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUNDING } from '../money';
import { PRICE_MODELS, type PriceSpec, PricingError, ratePrice, raters, resolveOptions, tryRatePrice } from './index';

const half: PriceSpec = { model: 'per_unit', unit_amount: '0.005' };

describe('ratePrice', () => {
  it('documents its defaults', () => {
    expect(resolveOptions()).toEqual({
      rounding: DEFAULT_ROUNDING,
      packageRounding: 'up',
      zeroUsageBillsFirstTierFlat: true,
    });
  });

  it.each([
    ['half_up', '1', 1],
    ['half_even', '1', 0],
    ['half_even', '3', 2], // 1.5 cents → 2
    ['down', '1', 0],
    ['up', '1', 1],
    ['up', '0.2', 1], // 0.1 cent still rounds up
  ] as const)('rounds once by the policy mode %s: %s × 0.005 USD → %i cents', (mode, quantity, cents) => {
    const rated = ratePrice(half, { quantity, currency: 'USD' }, { rounding: { mode, level: 'line' } });
    expect(rated.amountMinor).toBe(cents);
  });

  it.each([
    ['JPY', '0.5', '3', 2, '1.5'], // exponent 0: 1.5 yen
    ['KWD', '0.0005', '1', 1, '0.5'], // exponent 3: 0.5 fils
    ['EUR', '0.005', '1', 1, '0.5'],
  ])('uses the currency exponent: %s %s × %s → %i minor units', (currency, unit, quantity, minor, unrounded) => {
    const rated = ratePrice({ model: 'per_unit', unit_amount: unit }, { quantity, currency });
    expect(rated.amountMinor).toBe(minor);
    expect(rated.unroundedAmount).toBe(unrounded);
    expect(rated.currency).toBe(currency);
  });

  it('returns plain JSON that survives a round trip', () => {
    const spec: PriceSpec = {
      model: 'tiered',
      tiers: [
        { up_to: 10, unit_amount: '0.1', flat_amount: '1' },
        { up_to: null, unit_amount: '0.05' },
      ],
    };
    const rated = ratePrice(spec, { quantity: '12.5', currency: 'USD' });
    expect(JSON.parse(JSON.stringify(rated))).toEqual(rated);
    expect(rated).toEqual({
      model: 'tiered',
      quantity: '12.5',
      amountMinor: 213,
      unroundedAmount: '212.5',
      currency: 'USD',
      breakdown: [
        { label: 'Tier 1 (up to 10)', quantity: '10', unit_amount: '0.1', flat_amount: '1', amount: '2' },
        { label: 'Tier 2 (over 10)', quantity: '2.5', unit_amount: '0.05', amount: '0.125' },
      ],
    });
  });

  it('refuses a price in another currency than the usage', () => {
    expect(() =>
      ratePrice({ model: 'flat_fee', amount: '1', currency: 'EUR' }, { quantity: '1', currency: 'USD' }),
    ).toThrow(PricingError);
  });

  it('refuses an amount too large to be an exact integer of minor units', () => {
    const result = tryRatePrice(
      { model: 'per_unit', unit_amount: '1000000' },
      { quantity: '1000000000000', currency: 'USD' },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].path).toBe('usage.quantity');
  });

  it('has a rater for every model', () => {
    expect([...PRICE_MODELS].sort()).toEqual(
      ['flat_fee', 'matrix', 'package', 'per_unit', 'percent', 'step', 'tiered', 'tiered_2d', 'volume'].sort(),
    );
    for (const model of PRICE_MODELS) expect(typeof raters[model]).toBe('function');
  });

  it('tryRatePrice returns the rated price on success', () => {
    const result = tryRatePrice({ model: 'flat_fee', amount: '2' }, { quantity: '0', currency: 'USD' });
    expect(result.ok && result.rated.amountMinor).toBe(200);
  });
});
