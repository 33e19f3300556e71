import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recognitionSchedule } from './recognition.js';

const schedule = (o: Parameters<typeof recognitionSchedule>[0]) => {
  const r = recognitionSchedule(o);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.entries;
};

describe('recognitionSchedule', () => {
  it('ratable by day: Jan 15 → Mar 15 earns 17, 28 and 14 of 59 days, the first day counted', () => {
    // 120000 × 17/59 = 34576.27, × 28/59 = 56949.15, × 14/59 = 28474.58 → floors 34576 + 56949 +
    // 28474 = 119999; the largest remainder (.58, March) takes the last cent.
    const entries = schedule({
      amountMinor: 120_000,
      servicePeriod: { start: '2026-01-15', end: '2026-03-15' },
      method: 'ratable_daily',
    });
    expect(entries.map((e) => [e.month, e.days, e.amountMinor])).toEqual([
      ['2026-01', 17, 34_576],
      ['2026-02', 28, 56_949],
      ['2026-03', 14, 28_475],
    ]);
    expect(entries[0]!.explanation).toBe('ratable by day: 17 of 59 days');
  });

  it('ratable by month: a whole month weighs 1, a partial one its days over the month', () => {
    // Jan 15–31 = 17/31, February whole = 1, Mar 1–14 = 14/31; total weight 2 exactly,
    // so 120000 splits 32903.2 / 60000 / 27096.8 → 32903, 60000, 27097.
    const entries = schedule({
      amountMinor: 120_000,
      servicePeriod: { start: '2026-01-15', end: '2026-03-15' },
      method: 'ratable_monthly',
    });
    expect(entries.map((e) => e.amountMinor)).toEqual([32_903, 60_000, 27_097]);
    expect(entries[2]!.explanation).toBe('ratable by month: 14 of 31 days of the month');
  });

  it('a calendar year by month earns twelve equal shares; by day, February earns less', () => {
    const period = { start: '2026-01-01', end: '2027-01-01' };
    const byMonth = schedule({ amountMinor: 1_200_000, servicePeriod: period, method: 'ratable_monthly' });
    expect(new Set(byMonth.map((e) => e.amountMinor))).toEqual(new Set([100_000]));
    const byDay = schedule({ amountMinor: 1_200_000, servicePeriod: period, method: 'ratable_daily' });
    // Exact day shares: 31-day months 101917.81, 30-day 98630.14, February 92054.79. The floors
    // leave 7 cents, which go to the seven .81 remainders, so February keeps 92054.
    expect(byDay.map((e) => e.amountMinor)).toEqual([
      101_918, 92_054, 101_918, 98_630, 101_918, 98_630, 101_918, 101_918, 98_630, 101_918, 98_630, 101_918,
    ]);
  });

  it('point in time: everything on the delivery day', () => {
    const entries = schedule({
      amountMinor: 5_000,
      servicePeriod: { start: '2026-01-01', end: '2026-12-31' },
      method: 'point_in_time',
      recognizedOn: '2026-04-02',
    });
    expect(entries).toEqual([
      expect.objectContaining({ month: '2026-04', start: '2026-04-02', amountMinor: 5_000, days: 1 }),
    ]);
  });

  it('refuses a bad obligation naming each field', () => {
    const r = recognitionSchedule({
      amountMinor: 1.5,
      servicePeriod: { start: '2026-02-30', end: '2026-01-01' },
      method: 'ratable_daily',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.field)).toEqual(['amount_minor', 'service_period.start']);
    const backwards = recognitionSchedule({
      amountMinor: 1,
      servicePeriod: { start: '2026-02-01', end: '2026-02-01' },
      method: 'ratable_monthly',
    });
    expect(backwards.ok ? [] : backwards.issues.map((i) => i.field)).toEqual(['service_period.end']);
  });

  it('property: every schedule adds up to the amount, pieces tile the period, shares follow the days', () => {
    const day = fc.integer({ min: 0, max: 3_000 }).map((n) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000));
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: 1, max: 800 }),
        fc.integer({ min: -10_000_000, max: 10_000_000 }),
        fc.constantFrom('ratable_daily' as const, 'ratable_monthly' as const),
        (start, length, amountMinor, method) => {
          const iso = (d: Date) => d.toISOString().slice(0, 10);
          const servicePeriod = { start: iso(start), end: iso(new Date(start.getTime() + length * 86_400_000)) };
          const entries = schedule({ amountMinor, servicePeriod, method });
          expect(entries.reduce((s, e) => s + e.amountMinor, 0)).toBe(amountMinor);
          expect(entries.reduce((s, e) => s + e.days, 0)).toBe(length);
          expect(entries[0]!.start).toBe(servicePeriod.start);
          expect(entries.at(-1)!.end).toBe(servicePeriod.end);
          for (const [i, e] of entries.entries()) if (i > 0) expect(e.start).toBe(entries[i - 1]!.end);
          if (method === 'ratable_daily') {
            // Largest remainder: each share is within one minor unit of its exact day share.
            for (const e of entries) expect(Math.abs(e.amountMinor - (amountMinor * e.days) / length)).toBeLessThan(1);
          }
        },
      ),
      { seed: 606, numRuns: 300 },
    );
  });
});
