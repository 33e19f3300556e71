import { describe, expect, it } from 'vitest';
import { type PriceSpec, parsePriceSpec, ratePrice, tryRatePrice } from './index';

// API calls priced by the seat count: small teams (≤ 10 seats) pay more per call.
const bySeats = (primary_mode: 'graduated' | 'volume'): PriceSpec => ({
  model: 'tiered_2d',
  mode: 'rate_by_secondary',
  primary_mode,
  secondary_tiers: [
    {
      up_to: 10,
      tiers: [
        { up_to: 1000, unit_amount: '0.01' },
        { up_to: null, unit_amount: '0.005' },
      ],
    },
    {
      up_to: null,
      tiers: [
        { up_to: 1000, unit_amount: '0.008', flat_amount: '1' },
        { up_to: null, unit_amount: '0.004' },
      ],
    },
  ],
});

const calls = (quantity: string, secondaryQuantity?: string) => ({
  quantity,
  currency: 'USD',
  ...(secondaryQuantity !== undefined ? { secondaryQuantity } : {}),
});

describe('tiered_2d rate_by_secondary', () => {
  it.each([
    ['1500', '10', 1250], // secondary on its bound: 1000 × 0.01 + 500 × 0.005
    ['1500', '10.5', 1100], // secondary just above: 1 + 1000 × 0.008 + 500 × 0.004
    ['1000', '0', 1000], // primary on its bound
    ['0', '50', 100], // zero primary usage bills the first tier's flat amount
    ['1000000000000', '3', 500000000500], // 1e12 calls: 10 + (1e12 − 1000) × 0.005, exact
  ])('graduated: %s calls with %s seats → %i cents', (q, seats, cents) => {
    expect(ratePrice(bySeats('graduated'), calls(q, seats)).amountMinor).toBe(cents);
  });

  it.each([
    ['1500', '10', 750], // all 1500 at 0.005
    ['1000', '11', 900], // 1 + 1000 × 0.008
    ['1000.5', '11', 400], // 1000.5 × 0.004 = 4.002 → 400 cents
  ])('volume: %s calls with %s seats → %i cents', (q, seats, cents) => {
    expect(ratePrice(bySeats('volume'), calls(q, seats)).amountMinor).toBe(cents);
  });

  it('labels say which secondary tier set the rates', () => {
    const rated = ratePrice(bySeats('graduated'), calls('1500', '12'));
    expect(rated.breakdown.map((l) => l.label)).toEqual([
      '[secondary 12: Tier 2 (over 10)] Tier 1 (up to 1000)',
      '[secondary 12: Tier 2 (over 10)] Tier 2 (over 1000)',
    ]);
  });

  it('zero usage skips the flat amount when zeroUsageBillsFirstTierFlat is false', () => {
    expect(ratePrice(bySeats('graduated'), calls('0', '50'), { zeroUsageBillsFirstTierFlat: false }).amountMinor).toBe(
      0,
    );
  });

  it('missing secondaryQuantity is an error naming usage.secondaryQuantity', () => {
    const result = tryRatePrice(bySeats('graduated'), calls('5'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].path).toBe('usage.secondaryQuantity');
  });
});

const plans: PriceSpec = {
  model: 'tiered_2d',
  mode: 'capacity',
  dimensions: ['seats', 'storage_gb'],
  tiers: [
    { limits: { seats: 10, storage_gb: 100 }, flat_amount: '50' },
    { limits: { seats: 50, storage_gb: 1000 }, flat_amount: '200' },
    { limits: { seats: null, storage_gb: null }, flat_amount: '400', unit_amount: '1' },
  ],
};

const sized = (seats: string, storage_gb: string, quantity = '0') => ({
  quantity,
  currency: 'USD',
  dimensions: { seats, storage_gb },
});

describe('tiered_2d capacity', () => {
  it.each([
    ['0', '0', 5000],
    ['10', '100', 5000], // exactly on both limits
    ['10', '100.5', 20000], // one dimension just above
    ['11', '1', 20000],
    ['50', '1000', 20000],
    ['51', '1', 40000],
    ['1000000000000', '1000000000000', 40000],
  ])('%s seats and %s GB → %i cents', (seats, gb, cents) => {
    expect(ratePrice(plans, sized(seats, gb)).amountMinor).toBe(cents);
  });

  it('the fitting tier can also price units', () => {
    const rated = ratePrice(plans, sized('60', '5', '7'));
    expect(rated.amountMinor).toBe(40700);
    expect(rated.breakdown).toEqual([
      {
        label: 'Capacity tier 3 (seats 60 ≤ unlimited, storage_gb 5 ≤ unlimited)',
        quantity: '7',
        unit_amount: '1',
        flat_amount: '400',
        amount: '407',
      },
    ]);
  });

  it('a missing dimension is an error naming it', () => {
    const result = tryRatePrice(plans, { quantity: '0', currency: 'USD', dimensions: { seats: '3' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].path).toBe('usage.dimensions.storage_gb');
  });

  const capacity = plans as Extract<PriceSpec, { mode: 'capacity' }>;
  it.each([
    [
      {
        ...capacity,
        tiers: [
          { limits: { seats: 50, storage_gb: 100 }, flat_amount: '1' },
          { limits: { seats: 10, storage_gb: 1000 }, flat_amount: '2' },
          { limits: { seats: null, storage_gb: null }, flat_amount: '3' },
        ],
      },
      'tiers.1.limits.seats',
    ],
    [
      {
        ...capacity,
        tiers: [
          { limits: { seats: 10, storage_gb: 100 }, flat_amount: '1' },
          { limits: { seats: 10, storage_gb: 100 }, flat_amount: '2' },
          { limits: { seats: null, storage_gb: null }, flat_amount: '3' },
        ],
      },
      'tiers.1.limits',
    ],
    [{ ...capacity, tiers: [{ limits: { seats: 10, storage_gb: null }, flat_amount: '1' }] }, 'tiers.0.limits.seats'],
    [{ ...capacity, tiers: [{ limits: { seats: null }, flat_amount: '1' }] }, 'tiers.0.limits'],
    [{ ...capacity, tiers: [{ limits: { seats: null, storage_gb: null } }] }, 'tiers.0'],
    [
      {
        model: 'tiered_2d',
        mode: 'rate_by_secondary',
        primary_mode: 'graduated',
        secondary_tiers: [{ up_to: 10, tiers: [{ up_to: null, unit_amount: '1' }] }],
      },
      'secondary_tiers.0.up_to',
    ],
    [
      {
        model: 'tiered_2d',
        mode: 'rate_by_secondary',
        primary_mode: 'graduated',
        secondary_tiers: [{ up_to: null, tiers: [{ up_to: 5, unit_amount: '1' }] }],
      },
      'secondary_tiers.0.tiers.0.up_to',
    ],
    [{ model: 'tiered_2d', mode: 'diagonal' }, 'mode'],
  ])('invalid tiered_2d %# names %s', (input, path) => {
    const result = parsePriceSpec(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });
});
