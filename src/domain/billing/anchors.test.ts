/**
 * Billing anchors, the end-of-month rule, and week and day cadences (issue 11). The worked
 * examples follow Stripe's "Set the subscription billing renewal date" page,
 * https://docs.stripe.com/billing/subscriptions/billing-cycle, and its Checkout variant,
 * https://stripe.com/docs/payments/checkout/billing-cycle.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '../contracts/terms.js';
import { computeInvoice, duePeriods } from './index.js';
import { phase, seats, terms } from './testing.js';
import { checkTerms } from './validate.js';

const spans = (t: ContractTerms, through = '2030-01-01') => duePeriods(t, through).map((p) => `${p.start}..${p.end}`);

function totals(t: ContractTerms, through: string): number[] {
  return duePeriods(t, through).map((p) => {
    const r = computeInvoice(t, p, {});
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.invoice.totalMinor;
  });
}

describe('billing anchor on a day of the month', () => {
  it('Stripe: an anchor on January 31 bills February 28, then March 31, April 30', () => {
    const t = terms([phase([seats()], { start: '2026-01-31' })], {
      alignment: { anchorDay: 31 },
      endDate: '2026-05-31',
    });
    expect(spans(t)).toEqual([
      '2026-01-31..2026-02-28',
      '2026-02-28..2026-03-31',
      '2026-03-31..2026-04-30',
      '2026-04-30..2026-05-31',
    ]);
  });

  it("endOfMonth 'stay_clamped': once clamped to the 28th, the anchor stays there", () => {
    const t = terms([phase([seats()], { start: '2026-01-31' })], {
      alignment: { anchorDay: 31 },
      endOfMonth: 'stay_clamped',
      endDate: '2026-05-28',
    });
    expect(spans(t)).toEqual([
      '2026-01-31..2026-02-28',
      '2026-02-28..2026-03-28',
      '2026-03-28..2026-04-28',
      '2026-04-28..2026-05-28',
    ]);
  });

  it("'stay_clamped' applies to anniversary alignment too; the default keeps the day (as before)", () => {
    const base = terms([phase([seats()], { start: '2026-01-30' })], {
      alignment: 'anniversary',
      endDate: '2026-04-30',
    });
    expect(spans(base)).toEqual(['2026-01-30..2026-02-28', '2026-02-28..2026-03-30', '2026-03-30..2026-04-30']);
    expect(spans({ ...base, endOfMonth: 'stay_clamped', endDate: '2026-04-28' })).toEqual([
      '2026-01-30..2026-02-28',
      '2026-02-28..2026-03-28',
      '2026-03-28..2026-04-28',
    ]);
  });

  it('Stripe Checkout: created May 15 with an anchor on the 1st bills May 15 (prorated), then the 1st', () => {
    // 10.00 USD a month: May 15 → June 1 covers 17 days of the grid month May 1 → June 1 (31
    // days), so 1000 × 17/31 = 548.39 → 548 minor units; then full months.
    const t = terms([phase([seats()], { start: '2026-05-15' })], { alignment: { anchorDay: 1 } });
    expect(spans(t, '2026-07-01')).toEqual([
      '2026-05-15..2026-06-01',
      '2026-06-01..2026-07-01',
      '2026-07-01..2026-08-01',
    ]);
    expect(totals(t, '2026-07-01')).toEqual([548, 1000, 1000]);
  });

  it('an anchor after the start day in the same month: start Mar 3, anchor 20 → Mar 3..Mar 20 prorated', () => {
    // Grid month Feb 20 → Mar 20 has 28 days; 17 are covered: 1000 × 17/28 = 607.14 → 607.
    const t = terms([phase([seats()], { start: '2026-03-03' })], { alignment: { anchorDay: 20 } });
    expect(spans(t, '2026-04-20')).toEqual([
      '2026-03-03..2026-03-20',
      '2026-03-20..2026-04-20',
      '2026-04-20..2026-05-20',
    ]);
    expect(totals(t, '2026-04-20')).toEqual([607, 1000, 1000]);
  });

  it('quarterly with an anchor day: quarters count from the first anchor', () => {
    const t = terms([phase([seats({ cadence: 'quarterly' })], { start: '2026-01-10' })], {
      alignment: { anchorDay: 15 },
      endDate: '2026-07-15',
    });
    expect(spans(t)).toEqual(['2026-01-10..2026-01-15', '2026-01-15..2026-04-15', '2026-04-15..2026-07-15']);
  });

  it('names the field of a billing anchor that names no day', () => {
    const r = checkTerms(terms([phase([seats()])], { alignment: {} as never }), 'terms');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain('terms.alignment.anchorDay');
    const high = checkTerms(terms([phase([seats()])], { alignment: { anchorDay: 32 } }), 'terms');
    expect(high.ok).toBe(false);
  });

  it('property: periods are contiguous, and every full one starts on the anchor day (clamped)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 31 }),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }),
        fc.constantFrom('anchor_day' as const, 'stay_clamped' as const),
        (day, start, endOfMonth) => {
          const startDate = start.toISOString().slice(0, 10);
          const t = terms([phase([seats()], { start: startDate })], { alignment: { anchorDay: day }, endOfMonth });
          const ps = duePeriods(t, `${Number(startDate.slice(0, 4)) + 2}-01-01`);
          expect(ps[0]!.start).toBe(startDate);
          for (let i = 1; i < ps.length; i++) {
            expect(ps[i]!.start).toBe(ps[i - 1]!.end);
            const d = Number(ps[i]!.start.slice(8, 10));
            if (endOfMonth === 'anchor_day') {
              const [y, m] = ps[i]!.start.split('-').map(Number) as [number, number];
              expect(d).toBe(Math.min(day, new Date(Date.UTC(y, m, 0)).getUTCDate()));
            } else {
              expect(d).toBeLessThanOrEqual(day);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('week and day cadences', () => {
  it('Stripe: a weekly anchor on Friday June 3 bills every Friday; the days before are prorated', () => {
    // 2022-06-01 is a Wednesday: June 1 → June 3 is 2 of the grid week's 7 days: 1000 × 2/7 = 285.71 → 286.
    const t = terms([phase([seats({ cadence: { weeks: 1 } })], { start: '2022-06-01' })], {
      alignment: { anchorWeekday: 5 },
      endDate: '2022-06-17',
    });
    expect(spans(t)).toEqual(['2022-06-01..2022-06-03', '2022-06-03..2022-06-10', '2022-06-10..2022-06-17']);
    expect(totals(t, '2030-01-01')).toEqual([286, 1000, 1000]);
  });

  it('calendar weeks start on Monday (ISO 8601): a Wednesday start pays 5/7 of its first week', () => {
    // 2026-01-07 is a Wednesday; the week runs Monday Jan 5 → Monday Jan 12: 1000 × 5/7 = 714.29 → 714.
    const t = terms([phase([seats({ cadence: { weeks: 1 } })], { start: '2026-01-07' })], { endDate: '2026-01-19' });
    expect(spans(t)).toEqual(['2026-01-07..2026-01-12', '2026-01-12..2026-01-19']);
    expect(totals(t, '2030-01-01')).toEqual([714, 1000]);
  });

  it('every 2 weeks from the anniversary; a contract ending mid-fortnight prorates the last one', () => {
    // Last period Jan 29 → Feb 5 of the fortnight Jan 29 → Feb 12: 1000 × 7/14 = 500.
    const t = terms([phase([seats({ cadence: { weeks: 2 } })], { start: '2026-01-01' })], {
      alignment: 'anniversary',
      endDate: '2026-02-05',
    });
    expect(spans(t)).toEqual(['2026-01-01..2026-01-15', '2026-01-15..2026-01-29', '2026-01-29..2026-02-05']);
    expect(totals(t, '2030-01-01')).toEqual([1000, 1000, 500]);
  });

  it('every N days, in arrears: 10-day periods billed on their end', () => {
    const t = terms([phase([seats({ cadence: { days: 10 }, timing: 'in_arrears' })], { start: '2026-03-01' })], {
      endDate: '2026-03-21',
    });
    const ps = duePeriods(t, '2030-01-01');
    expect(ps.map((p) => `${p.kind}@${p.billOn}`)).toEqual(['arrears@2026-03-11', 'arrears@2026-03-21']);
  });

  it('a monthly fee in a weekly contract lands on the week its month starts in', () => {
    const t = terms(
      [phase([seats({ cadence: { weeks: 1 } }), seats({ id: 'platform', quantity: '1' })], { start: '2026-01-05' })],
      { alignment: 'anniversary', endDate: '2026-02-09' },
    );
    const withPlatform = duePeriods(t, '2030-01-01')
      .filter((p) => {
        const r = computeInvoice(t, p, {});
        return r.ok && r.invoice.lines.some((l) => l.sourceRef === 'platform');
      })
      .map((p) => p.start);
    expect(withPlatform).toEqual(['2026-01-05', '2026-02-02']);
  });
});
