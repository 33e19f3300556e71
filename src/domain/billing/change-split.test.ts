/**
 * Proration by the second (Stripe's way) and the day of a change billed on the old or the new
 * side. Stripe: "Stripe calculates proration down to the second based on the starting timestamp
 * of the billing period and the timestamp of the proration's triggering event"
 * (https://docs.stripe.com/billing/scripts/prorations), and its worked example: 10 USD → 20 USD
 * monthly halfway through the period credits 5 USD and charges 10 USD
 * (https://docs.stripe.com/billing/subscriptions/prorations).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '../contracts/terms.js';
import { prorate } from '../proration.js';
import { amendmentInvoices, type BillingPeriod, changeSplit } from './index.js';
import { phase, seats, terms } from './testing.js';

const advance = (start: string, end: string): BillingPeriod => ({ start, end, kind: 'advance', billOn: start });
const plan = (amount: string) =>
  seats({ id: 'plan', prices: [{ effectiveFrom: '2026-01-01', price: { model: 'flat_fee', amount } }] });
const march = advance('2026-03-01', '2026-04-01');

function amend(previous: ContractTerms, next: ContractTerms, on: string, billed: BillingPeriod[]) {
  const r = amendmentInvoices(previous, next, on, billed);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}

const bySecond = (amount: string) => terms([phase([plan(amount)])], { proration: { dayCount: 'by_second' } });

describe('proration by the second', () => {
  it("Stripe's example in a 31-day month: halfway is March 16 at 12:00 UTC, 5 USD credited and 10 USD charged", () => {
    // 2,678,400 s in March; 1,339,200 s left after 2026-03-16T12:00:00Z: exactly half.
    const r = amend(bySecond('10'), bySecond('20'), '2026-03-16T12:00:00Z', [march]);
    expect(r.creditNote!.totalMinor).toBe(500);
    expect(r.charge!.totalMinor).toBe(1000);
    expect(r.creditNote!.lines[0]!.detail).toMatchObject({
      unusedPeriod: { start: '2026-03-16T12:00:00Z', end: '2026-04-01' },
      explanation: '1000 × 1339200/2678400 seconds (by_second) = 500 USD minor units',
    });
    // Both documents are dated on the day of the change.
    expect(r.creditNote!.periodStart).toBe('2026-03-16');
    expect(r.charge!.periodStart).toBe('2026-03-16');
  });

  it('counted by days the same change cannot land halfway: 15 or 16 of 31 days', () => {
    const days = (amount: string) => terms([phase([plan(amount)])]);
    expect(amend(days('10'), days('20'), '2026-03-17', [march]).creditNote!.totalMinor).toBe(484); // 1000 × 15/31
    expect(amend(days('10'), days('20'), '2026-03-16', [march]).creditNote!.totalMinor).toBe(516); // 1000 × 16/31
  });

  it('an instant at 09:30:15 UTC: 100.00 USD × 1,348,185 s / 2,678,400 s = 50.34 credited', () => {
    const r = amend(bySecond('100'), bySecond('100'), '2026-03-16T09:30:15Z', [march]);
    // From 2026-03-16T09:30:15Z to 2026-04-01T00:00:00Z: 15 days 14:29:45 = 1,348,185 s.
    expect(r.creditNote!.lines[0]!.detail).toMatchObject({ coveredDays: 1348185 / 86400 });
    expect(r.creditNote!.totalMinor).toBe(5034); // 10000 × 1348185 / 2678400 = 5033.55
    expect(r.charge!.totalMinor).toBe(5034);
  });

  it('an instant is refused unless the new terms prorate by the second', () => {
    const days = terms([phase([plan('10')])]);
    const r = amendmentInvoices(days, days, '2026-03-16T12:00:00Z', [march]);
    expect(r).toMatchObject({ ok: false, issues: [{ path: 'effectiveDate' }] });
  });

  it('a plain date under by_second is its midnight: the same as actual days', () => {
    const r = amend(bySecond('10'), bySecond('20'), '2026-03-17', [march]);
    expect(r.creditNote!.totalMinor).toBe(484);
  });

  it('property: the seconds before and after any instant add up to the whole period (within one minor unit)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_678_399 }), fc.integer({ min: 1, max: 10_000_000 }), (s, minor) => {
        const at = new Date(Date.parse('2026-03-01T00:00:00Z') + s * 1000).toISOString().replace('.000Z', 'Z');
        const policy = {
          dayCount: 'by_second' as const,
          rounding: { mode: 'half_up' as const, level: 'line' as const },
        };
        const amount = { minor, currency: 'USD' };
        const before = prorate(amount, march, { start: '2026-03-01', end: at }, policy).amount.minor;
        const after = prorate(amount, march, { start: at, end: '2026-04-01' }, policy).amount.minor;
        expect(Math.abs(before + after - minor)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('the day of a change: old side or new side', () => {
  const on = (side: 'new_side' | 'old_side', amount: string) =>
    terms([phase([plan(amount)])], { proration: { changeDay: side } });

  it('new side (default): the change day is billed under the new terms, 17 of 31 days', () => {
    const r = amend(on('new_side', '31'), on('new_side', '62'), '2026-03-15', [march]);
    expect(r.creditNote!.totalMinor).toBe(1700); // 31.00 × 17/31
    expect(r.charge!.totalMinor).toBe(3400); // 62.00 × 17/31
    expect(r.charge!.periodStart).toBe('2026-03-15');
  });

  it('old side: March 15 stays on the old terms, the new ones start March 16 (16 of 31 days)', () => {
    const r = amend(on('old_side', '31'), on('old_side', '62'), '2026-03-15', [march]);
    expect(r.creditNote!.totalMinor).toBe(1600);
    expect(r.charge!.totalMinor).toBe(3200);
    expect(r.creditNote!.lines[0]!.detail).toMatchObject({ unusedPeriod: { start: '2026-03-16', end: '2026-04-01' } });
    expect(r.charge!.periodStart).toBe('2026-03-16');
  });

  it('changeSplit names the split for every combination', () => {
    expect(changeSplit('2026-03-15', { dayCount: 'actual_days' })).toBe('2026-03-15');
    expect(changeSplit('2026-03-15', { dayCount: 'actual_days', changeDay: 'old_side' })).toBe('2026-03-16');
    expect(changeSplit('2026-03-15T10:00:00Z', { dayCount: 'by_second' })).toBe('2026-03-15T10:00:00Z');
    expect(changeSplit('2026-03-15T00:00:00Z', { dayCount: 'by_second' })).toBe('2026-03-15');
    expect(changeSplit('2026-03-15', { dayCount: 'by_second', changeDay: 'old_side' })).toBe('2026-03-16');
  });
});
