/**
 * Day-count bases of the terms (issue 11). Zuora's partial-month proration page gives the rule
 * "Assume 30 days": Total = price per month × (full months + prorated days / 30), with the
 * prorated days counted on the calendar:
 * https://docs.zuora.com/en/zuora-billing/manage-accounts-subscriptions-and-non-subscriptions/manage-subscription-transactions/common-subscription-information/proration/total-amount-calculation-with-partial-period-proration/total-amount-calculation-with-partial-month-proration
 */
import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '../contracts/terms.js';
import { money } from '../money.js';
import { DEFAULT_PRORATION, prorate } from '../proration.js';
import { computeInvoice, duePeriods } from './index.js';
import { phase, seats, terms } from './testing.js';
import { checkTerms } from './validate.js';

const feb = { start: '2026-02-01', end: '2026-03-01' };
const lastTwoWeeks = { start: '2026-02-15', end: '2026-03-01' };

function firstTotal(t: ContractTerms): number {
  const p = duePeriods(t, '2030-01-01')[0]!;
  const r = computeInvoice(t, p, {});
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.invoice.totalMinor;
}

describe('prorate with a fixed N-day month', () => {
  it.each([
    // 14 actual days of February's 28: 1000 × 14/28 = 500.
    { dayCount: 'actual_days' as const, want: 500, covered: 14, of: 28 },
    // 30/360: Feb 15 → Mar 1 counts (3 − 2) × 30 + (1 − 15) = 16 days of 30: 533.33 → 533.
    { dayCount: 'thirty_day_month' as const, want: 533, covered: 16, of: 30 },
    // Zuora's "assume 30 days": 14 actual days / 30 = 466.67 → 467.
    { dayCount: { fixedMonthDays: 30 }, want: 467, covered: 14, of: 30 },
    // Any N: 14 / 31 = 451.61 → 452.
    { dayCount: { fixedMonthDays: 31 }, want: 452, covered: 14, of: 31 },
  ])('$dayCount: 10.00 for Feb 15 → Mar 1 is $want', ({ dayCount, want, covered, of }) => {
    const p = prorate(money(1000, 'USD'), feb, lastTwoWeeks, { ...DEFAULT_PRORATION, dayCount });
    expect([p.amount.minor, p.coveredDays, p.periodDays]).toEqual([want, covered, of]);
  });

  it('a quarter counts three N-day months; the covered days never exceed the period', () => {
    // Feb 15 → Apr 1 is 45 actual days of 3 × 30 = 90: 3000 × 45/90 = 1500.
    const q = prorate(
      money(3000, 'USD'),
      { start: '2026-01-01', end: '2026-04-01' },
      { start: '2026-02-15', end: '2026-04-01' },
      { ...DEFAULT_PRORATION, dayCount: { fixedMonthDays: 30 } },
    );
    expect(q.amount.minor).toBe(1500);
    // 31 days of a 31-day month against 30: capped at the whole month.
    const jan = prorate(
      money(1000, 'USD'),
      { start: '2026-01-01', end: '2026-02-01' },
      { start: '2026-01-01', end: '2026-02-01' },
      { ...DEFAULT_PRORATION, dayCount: { fixedMonthDays: 30 } },
    );
    expect(jan.amount.minor).toBe(1000);
  });

  it('a period shorter than a month (a week) counts actual days', () => {
    const p = prorate(
      money(700, 'USD'),
      { start: '2026-01-05', end: '2026-01-12' },
      { start: '2026-01-07', end: '2026-01-12' },
      { ...DEFAULT_PRORATION, dayCount: { fixedMonthDays: 30 } },
    );
    expect(p.amount.minor).toBe(500);
  });
});

describe('terms.proration.dayCount', () => {
  const start = (extra: Partial<ContractTerms>) =>
    terms([phase([seats()], { start: '2026-02-15' })], { endDate: '2026-06-01', ...extra });

  it('absent: actual days, as before (1000 × 14/28 = 500)', () => {
    expect(firstTotal(start({}))).toBe(500);
  });

  it('{ fixedMonthDays: 30 }: Zuora-style 14/30 = 467; thirty_day_month: 16/30 = 533', () => {
    expect(firstTotal(start({ proration: { dayCount: { fixedMonthDays: 30 } } }))).toBe(467);
    expect(firstTotal(start({ proration: { dayCount: 'thirty_day_month' } }))).toBe(533);
  });

  it("the caller's options still win over the terms", () => {
    const t = start({ proration: { dayCount: { fixedMonthDays: 30 } } });
    const p = duePeriods(t, '2030-01-01')[0]!;
    const r = computeInvoice(t, p, {}, { proration: DEFAULT_PRORATION });
    expect(r.ok && r.invoice.totalMinor).toBe(500);
  });

  it('names the field of a bad day count', () => {
    const r = checkTerms(start({ proration: { dayCount: { fixedMonthDays: 0 } } }), 'terms');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.path).toMatch(/^terms\.proration\.dayCount/);
  });
});
