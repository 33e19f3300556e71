import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prorate } from './proration.js';

const usd = (minor: number) => ({ minor, currency: 'USD' });
const march = { start: '2026-03-01', end: '2026-04-01' };

describe('prorate', () => {
  it('a mid-period start bills the covered calendar days (actual days, the default)', () => {
    const p = prorate(usd(3100), march, { start: '2026-03-17', end: '2026-04-01' });
    expect(p.coveredDays).toBe(15);
    expect(p.periodDays).toBe(31);
    expect(p.amount.minor).toBe(1500);
  });

  it('30/360 counts every month as 30 days', () => {
    const p = prorate(
      usd(3000),
      march,
      { start: '2026-03-16', end: '2026-04-01' },
      {
        dayCount: 'thirty_day_month',
        rounding: { mode: 'half_up', level: 'line' },
      },
    );
    expect(p.periodDays).toBe(30);
    expect(p.coveredDays).toBe(15);
    expect(p.amount.minor).toBe(1500);
  });

  it('February in a leap year has 29 actual days', () => {
    const p = prorate(
      usd(2900),
      { start: '2028-02-01', end: '2028-03-01' },
      { start: '2028-02-15', end: '2028-03-01' },
    );
    expect(p.periodDays).toBe(29);
    expect(p.amount.minor).toBe(1500);
  });

  it('rounds once by the policy', () => {
    const third = { start: '2026-03-01', end: '2026-03-04' };
    const p = prorate(usd(100), { start: '2026-03-01', end: '2026-03-10' }, third);
    expect(p.fraction.startsWith('0.333')).toBe(true);
    expect(p.amount.minor).toBe(33);
    expect(
      prorate(usd(100), { start: '2026-03-01', end: '2026-03-10' }, third, {
        dayCount: 'actual_days',
        rounding: { mode: 'up', level: 'line' },
      }).amount.minor,
    ).toBe(34);
  });

  it('covers nothing outside the period and everything when it spans it', () => {
    expect(prorate(usd(1000), march, { start: '2026-04-01', end: '2026-05-01' }).amount.minor).toBe(0);
    expect(prorate(usd(1000), march, { start: '2026-01-01', end: '2026-12-31' }).amount.minor).toBe(1000);
  });

  it('refuses backwards or malformed ranges', () => {
    expect(() => prorate(usd(1), { start: '2026-03-02', end: '2026-03-01' }, march)).toThrow(/end after/);
    expect(() => prorate(usd(1), march, { start: '03/01/2026', end: '2026-04-01' })).toThrow(/YYYY-MM-DD/);
  });

  it('property: the two halves of a split period add up to the whole within one minor unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 30 }), (amount, splitDay) => {
        const split = `2026-03-${String(splitDay + 1).padStart(2, '0')}`;
        const a = prorate(usd(amount), march, { start: march.start, end: split }).amount.minor;
        const b = prorate(usd(amount), march, { start: split, end: march.end }).amount.minor;
        expect(Math.abs(a + b - amount)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
