import { describe, expect, it } from 'vitest';
import { type PriceSpec, ratePrice } from './index';

const usd = (quantity: string) => ({ quantity, currency: 'USD' });

// Stripe docs, "Set up tiered pricing": Typographic's tiers 1-5 at 7 USD, 6-10 at 6.5 USD, 11+ at 6 USD.
const stripeTiers: PriceSpec = {
  model: 'tiered',
  tiers: [
    { up_to: 5, unit_amount: '7' },
    { up_to: 10, unit_amount: '6.5' },
    { up_to: null, unit_amount: '6' },
  ],
};

const withFlats: PriceSpec = {
  model: 'tiered',
  tiers: [
    { up_to: 10, unit_amount: '1', flat_amount: '5' },
    { up_to: 20, unit_amount: '0.5', flat_amount: '2' },
    { up_to: null, unit_amount: '0.1' },
  ],
};

describe('tiered (graduated)', () => {
  it.each([
    ['0', 0],
    ['1', 700],
    ['5', 3500], // exactly on the first bound: all 5 units at 7
    ['6', 4150], // 5 × 7 + 1 × 6.5
    ['15', 9750], // 5 × 7 + 5 × 6.5 + 5 × 6
    ['20', 12750],
    ['25', 15750],
    ['5.5', 3825], // fractional above a bound: 0.5 unit falls into tier 2
    ['1000000000000', 600000000000750], // 1e12 units, exact: 35 + 32.5 + (1e12 − 10) × 6
  ])('Stripe docs graduated example (Typographic tiers): %s fonts → %i cents', (quantity, cents) => {
    expect(ratePrice(stripeTiers, usd(quantity)).amountMinor).toBe(cents);
  });

  it('Stripe docs graduated example: 15 units → 97.50 USD explained tier by tier', () => {
    const rated = ratePrice(stripeTiers, usd('15'));
    expect(rated.unroundedAmount).toBe('9750');
    expect(rated.breakdown).toEqual([
      { label: 'Tier 1 (up to 5)', quantity: '5', unit_amount: '7', amount: '35' },
      { label: 'Tier 2 (over 5 up to 10)', quantity: '5', unit_amount: '6.5', amount: '32.5' },
      { label: 'Tier 3 (over 10)', quantity: '5', unit_amount: '6', amount: '30' },
    ]);
  });

  it.each([
    ['0', 500], // zero usage bills the first tier's flat amount by default
    ['10', 1500], // on the bound: tier 2 not entered, so no tier-2 flat
    ['10.5', 1725], // 15 + 0.5 × 0.5 + 2
    ['20', 2200],
    ['21', 2210],
  ])('flat amount of every tier entered: %s units → %i cents', (quantity, cents) => {
    expect(ratePrice(withFlats, usd(quantity)).amountMinor).toBe(cents);
  });

  it('zero usage skips the first flat amount when zeroUsageBillsFirstTierFlat is false', () => {
    const rated = ratePrice(withFlats, usd('0'), { zeroUsageBillsFirstTierFlat: false });
    expect(rated.amountMinor).toBe(0);
    expect(rated.breakdown).toEqual([{ label: 'Tier 1 (up to 10)', quantity: '0', unit_amount: '1', amount: '0' }]);
  });

  it('zero usage on a zero-priced first tier bills nothing', () => {
    const free: PriceSpec = {
      model: 'tiered',
      tiers: [
        { up_to: 100, unit_amount: '0' },
        { up_to: null, unit_amount: '1', flat_amount: '9' },
      ],
    };
    expect(ratePrice(free, usd('0')).amountMinor).toBe(0);
  });

  it('Stripe docs flat fee and overages example (0-1000 at 0 USD, 1000+ at 0.04 USD): 1,500 units → 20 USD', () => {
    const overage: PriceSpec = {
      model: 'tiered',
      tiers: [
        { up_to: 1000, unit_amount: '0' },
        { up_to: null, unit_amount: '0.04' },
      ],
    };
    expect(ratePrice(overage, usd('1000')).amountMinor).toBe(0);
    expect(ratePrice(overage, usd('1500')).amountMinor).toBe(2000);
  });

  it('Lago docs graduated example ($1 first 100, $0.50 next 100, $0.10 after): 250 units → 155 USD', () => {
    const lago: PriceSpec = {
      model: 'tiered',
      tiers: [
        { up_to: 100, unit_amount: '1' },
        { up_to: 200, unit_amount: '0.50' },
        { up_to: null, unit_amount: '0.10' },
      ],
    };
    expect(ratePrice(lago, usd('250')).amountMinor).toBe(15500);
  });

  it('Orb docs tiered example (first 10 units at 0.50, then 0.10): 15 units → 5.50', () => {
    const orb: PriceSpec = {
      model: 'tiered',
      tiers: [
        { up_to: 10, unit_amount: '0.50' },
        { up_to: null, unit_amount: '0.10' },
      ],
    };
    expect(ratePrice(orb, usd('15')).amountMinor).toBe(550);
  });
});
