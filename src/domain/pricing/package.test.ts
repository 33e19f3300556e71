import { describe, expect, it } from 'vitest';
import { type PriceSpec, ratePrice } from './index';

const usd = (quantity: string) => ({ quantity, currency: 'USD' });

describe('package', () => {
  it('Lago docs package example ($5 per 100 units, first 100 free): 201 units → $10', () => {
    const lago: PriceSpec = { model: 'package', package_size: '100', package_amount: '5', free_units: '100' };
    const rated = ratePrice(lago, usd('201'));
    expect(rated.amountMinor).toBe(1000);
    expect(rated.breakdown).toEqual([
      { label: 'Free units (first 100)', quantity: '100', amount: '0' },
      {
        label: 'Packages of 100 units (101 billable units, partial package rounded up)',
        quantity: '2',
        unit_amount: '5',
        amount: '10',
      },
    ]);
  });

  it.each([
    ['4', 80], // billed as 10 units
    ['11', 160], // billed as 20 units
  ])('Orb docs package example (size 10 at 0.80): %s units → %i cents', (quantity, cents) => {
    const orb: PriceSpec = { model: 'package', package_size: '10', package_amount: '0.80' };
    expect(ratePrice(orb, usd(quantity)).amountMinor).toBe(cents);
  });

  const hundred: PriceSpec = { model: 'package', package_size: '100', package_amount: '5' };

  it.each([
    ['0', 0, 0],
    ['100', 500, 500], // exactly one package
    ['100.5', 1000, 500], // a fraction of a unit over the bound
    ['199', 1000, 500],
    ['1000000000000', 5000000000000, 5000000000000], // 1e10 packages, exact
  ])('%s units → %i cents rounding up, %i rounding down', (quantity, up, down) => {
    expect(ratePrice(hundred, usd(quantity)).amountMinor).toBe(up);
    expect(ratePrice(hundred, usd(quantity), { packageRounding: 'down' }).amountMinor).toBe(down);
  });

  it("the spec's own rounding wins over RatingOptions.packageRounding", () => {
    const down: PriceSpec = { ...hundred, rounding: 'down' } as PriceSpec;
    expect(ratePrice(down, usd('150')).amountMinor).toBe(500);
    const up: PriceSpec = { ...hundred, rounding: 'up' } as PriceSpec;
    expect(ratePrice(up, usd('150'), { packageRounding: 'down' }).amountMinor).toBe(1000);
  });

  it('fractional package sizes count packages exactly', () => {
    const half: PriceSpec = { model: 'package', package_size: '0.5', package_amount: '1' };
    expect(ratePrice(half, usd('1.2')).amountMinor).toBe(300);
    expect(ratePrice(half, usd('1.5')).amountMinor).toBe(300);
  });

  it('free units larger than usage bill nothing', () => {
    const free: PriceSpec = { ...hundred, free_units: '500' } as PriceSpec;
    expect(ratePrice(free, usd('300')).amountMinor).toBe(0);
  });
});
