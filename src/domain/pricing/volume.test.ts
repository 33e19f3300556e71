import { describe, expect, it } from 'vitest';
import { type PriceSpec, ratePrice } from './index';

const usd = (quantity: string) => ({ quantity, currency: 'USD' });

// Stripe docs, "Set up tiered pricing", volume-based table (tiers 1-5 at 7, 6-10 at 6.5, 11+ at 6 USD).
const stripeTiers: PriceSpec = {
  model: 'volume',
  tiers: [
    { up_to: 5, unit_amount: '7' },
    { up_to: 10, unit_amount: '6.5' },
    { up_to: null, unit_amount: '6' },
  ],
};

describe('volume', () => {
  it.each([
    ['1', 700],
    ['5', 3500],
    ['6', 3900],
    ['20', 12000],
    ['25', 15000],
  ])('Stripe docs volume example: %s fonts → %i cents', (quantity, cents) => {
    expect(ratePrice(stripeTiers, usd(quantity)).amountMinor).toBe(cents);
  });

  it('Stripe docs volume example: 6 fonts are all billed at the 6-10 rate', () => {
    expect(ratePrice(stripeTiers, usd('6')).breakdown).toEqual([
      {
        label: "Tier 2 (over 5 up to 10): all units at this tier's rate",
        quantity: '6',
        unit_amount: '6.5',
        amount: '39',
      },
    ]);
  });

  it('Orb docs bulk example (≤10 units at 0.50, then 0.40): 101 units → 40.40', () => {
    const orb: PriceSpec = {
      model: 'volume',
      tiers: [
        { up_to: 10, unit_amount: '0.50' },
        { up_to: null, unit_amount: '0.40' },
      ],
    };
    expect(ratePrice(orb, usd('10')).amountMinor).toBe(500);
    expect(ratePrice(orb, usd('101')).amountMinor).toBe(4040);
  });

  const withFlats: PriceSpec = {
    model: 'volume',
    tiers: [
      { up_to: 10, unit_amount: '1', flat_amount: '5' },
      { up_to: null, unit_amount: '0.5', flat_amount: '2' },
    ],
  };

  it.each([
    ['0', 500], // zero usage still bills tier 1's flat amount by default
    ['10', 1500], // exactly on the bound stays in tier 1
    ['10.5', 725], // fractional above the bound: tier 2 for every unit, only tier 2's flat
    ['1000000000000', 50000000000200], // 1e12 × 0.5 + 2, exact
  ])('only the reached tier flat amount: %s units → %i cents', (quantity, cents) => {
    expect(ratePrice(withFlats, usd(quantity)).amountMinor).toBe(cents);
  });

  it('zero usage bills nothing when zeroUsageBillsFirstTierFlat is false', () => {
    expect(ratePrice(withFlats, usd('0'), { zeroUsageBillsFirstTierFlat: false }).amountMinor).toBe(0);
  });
});
