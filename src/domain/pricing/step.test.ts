import { describe, expect, it } from 'vitest';
import { type PriceSpec, ratePrice } from './index';

const usd = (quantity: string) => ({ quantity, currency: 'USD' });

const seats: PriceSpec = {
  model: 'step',
  tiers: [
    { up_to: 10, flat_amount: '100' },
    { up_to: 50, flat_amount: '400' },
    { up_to: null, flat_amount: '1000' },
  ],
};

describe('step', () => {
  it.each([
    ['0', 10000],
    ['1', 10000],
    ['10', 10000], // on the bound
    ['10.01', 40000], // just above
    ['50', 40000],
    ['51', 100000],
    ['1000000000000', 100000],
  ])('%s units → %i cents', (quantity, cents) => {
    expect(ratePrice(seats, usd(quantity)).amountMinor).toBe(cents);
  });

  it('explains which step was billed', () => {
    expect(ratePrice(seats, usd('12')).breakdown).toEqual([
      { label: 'Tier 2 (over 10 up to 50): flat price of the step', quantity: '12', flat_amount: '400', amount: '400' },
    ]);
  });

  it('zero usage bills nothing when zeroUsageBillsFirstTierFlat is false', () => {
    expect(ratePrice(seats, usd('0'), { zeroUsageBillsFirstTierFlat: false }).amountMinor).toBe(0);
    expect(ratePrice(seats, usd('1'), { zeroUsageBillsFirstTierFlat: false }).amountMinor).toBe(10000);
  });
});
