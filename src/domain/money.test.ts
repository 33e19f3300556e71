import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  DEFAULT_ROUNDING,
  formatMajorAmount,
  formatMoney,
  majorToMinor,
  minorToMajor,
  splitAmount,
} from './money.js';

describe('money', () => {
  it.each([
    ['12.345', 'USD', 1235],
    ['12.344', 'USD', 1234],
    ['1500', 'JPY', 1500],
    ['1500.5', 'JPY', 1501],
    ['1.2345', 'KWD', 1235],
    ['-2.005', 'USD', -201],
  ])('majorToMinor(%s %s) = %i (ISO 4217 exponent, half up)', (major, currency, minor) => {
    expect(majorToMinor(major, currency, DEFAULT_ROUNDING)).toBe(minor);
  });

  it('half-even rounds ties to even', () => {
    expect(majorToMinor('0.125', 'USD', { mode: 'half_even', level: 'line' })).toBe(12);
    expect(majorToMinor('0.135', 'USD', { mode: 'half_even', level: 'line' })).toBe(14);
  });

  it('formats minor units with the currency exponent', () => {
    expect(minorToMajor(214500, 'USD')).toBe('2145.00');
    expect(minorToMajor(1500, 'JPY')).toBe('1500');
    expect(minorToMajor(1, 'KWD')).toBe('0.001');
  });

  it.each([
    [123456, 'USD', 'USD 1,234.56'],
    [100000000, 'USD', 'USD 1,000,000.00'],
    [1500, 'JPY', 'JPY 1,500'],
    [999, 'JPY', 'JPY 999'],
    [-1, 'KWD', 'KWD -0.001'],
    [1234567, 'KWD', 'KWD 1,234.567'],
    [-250000, 'EUR', 'EUR -2,500.00'],
    [0, 'USD', 'USD 0.00'],
  ])('formatMoney(%i %s) = %s (exponent, grouped thousands)', (minor, currency, text) => {
    expect(formatMoney(minor, currency)).toBe(text);
  });

  it.each([
    ['0.0015', 'USD', 'USD 0.0015'],
    ['1200', 'USD', 'USD 1,200.00'],
    ['99.5', 'USD', 'USD 99.50'],
    ['1500', 'JPY', 'JPY 1,500'],
    ['0.5', 'JPY', 'JPY 0.5'],
    ['2.1', 'KWD', 'KWD 2.100'],
  ])('formatMajorAmount(%s %s) = %s (keeps a unit price’s extra decimals)', (major, currency, text) => {
    expect(formatMajorAmount(major, currency)).toBe(text);
  });

  it('rejects a currency it does not know', () => {
    expect(() => majorToMinor('1', 'XYZ')).toThrow(/unknown currency/);
  });

  it('allocates by largest remainder (100 over three equal parts)', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
  });

  it('property: allocation always adds up and never strays more than one unit from the exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc
          .array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 20 })
          .filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          const sum = weights.reduce((a, b) => a + b, 0);
          parts.forEach((p, i) => {
            expect(Math.abs(p - (total * weights[i]!) / sum)).toBeLessThan(1 + 1e-6);
          });
        },
      ),
    );
  });
});

describe('splitAmount', () => {
  it('largest remainder by default, the rest on the last line as Stripe splits', () => {
    expect(splitAmount(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitAmount(100, [1, 1, 1], 'last_line')).toEqual([33, 33, 34]);
    expect(splitAmount(-100, [1, 1, 1], 'last_line')).toEqual([-33, -33, -34]);
    expect(splitAmount(0, [2, 5], 'last_line')).toEqual([0, 0]);
    expect(() => splitAmount(10, [0, 0], 'last_line')).toThrow(/zero/);
  });

  it('property: both conventions add up to the total, each share within one unit of exact but the last', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc
          .array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 10 })
          .filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          for (const split of ['largest_remainder', 'last_line'] as const) {
            const parts = splitAmount(total, weights, split);
            expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
            const checked = split === 'last_line' ? parts.slice(0, -1) : parts;
            for (const [i, p] of checked.entries()) expect(Math.abs(p - (total * weights[i]!) / sum)).toBeLessThan(1);
          }
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
