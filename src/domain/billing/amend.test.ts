import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '../contracts/terms.js';
import { amendmentInvoices, type BillingPeriod, computeInvoice } from './index.js';
import { phase, seats, terms } from './testing.js';

const advance = (start: string, end: string): BillingPeriod => ({ start, end, kind: 'advance', billOn: start });
const plan = (amount: string) =>
  seats({ id: 'plan', prices: [{ effectiveFrom: '2026-01-01', price: { model: 'flat_fee', amount } }] });

function amend(previous: ContractTerms, next: ContractTerms, on: string, billed: BillingPeriod[]) {
  const r = amendmentInvoices(previous, next, on, billed);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}

describe('amendmentInvoices', () => {
  it('Stripe docs prorations example (10 USD → 20 USD monthly, halfway through): 5 USD credited, 10 USD charged', () => {
    const april = advance('2026-04-01', '2026-05-01');
    const r = amend(terms([phase([plan('10')])]), terms([phase([plan('20')])]), '2026-04-16', [april]);
    expect(r.creditNote).toMatchObject({
      kind: 'credit_note',
      totalMinor: 500,
      periodStart: '2026-04-16',
      periodEnd: '2026-05-01',
    });
    expect(r.charge).toMatchObject({
      kind: 'advance',
      totalMinor: 1000,
      periodStart: '2026-04-16',
      issueDate: '2026-04-16',
    });
    expect(r.charge!.lines[0]).toMatchObject({ lineKind: 'proration', sourceRef: 'plan' });
  });

  it('a quantity upgrade mid-period: credit the unused old seats, charge the new seats for the rest', () => {
    const before = terms([phase([seats({ quantity: '10' })])]);
    const after = terms([phase([seats({ quantity: '15' })])]);
    const r = amend(before, after, '2026-03-17', [
      advance('2026-02-01', '2026-03-01'),
      advance('2026-03-01', '2026-04-01'),
    ]);
    // 10 × 10 USD × 15/31 unused = 48.39; 15 × 10 USD × 15/31 = 72.58.
    expect(r.creditNote!.lines.map((l) => [l.sourceRef, l.amountMinor])).toEqual([['seats', 4839]]);
    expect(r.creditNote!.lines[0]!.detail).toMatchObject({
      unusedPeriod: { start: '2026-03-17', end: '2026-04-01' },
      billedNetMinor: 10000,
      coveredDays: 15,
      periodDays: 31,
    });
    expect(r.charge!.totalMinor).toBe(7258);
  });

  it('an upgrade through a new amendment phase lands on the same dates', () => {
    const before = terms([phase([seats({ quantity: '10' })])]);
    const after = terms([
      phase([seats({ quantity: '10' })], { end: '2026-03-17' }),
      phase([seats({ quantity: '15' })], { name: 'upsell', kind: 'amendment', start: '2026-03-17' }),
    ]);
    const r = amend(before, after, '2026-03-17', [advance('2026-03-01', '2026-04-01')]);
    expect(r.creditNote!.totalMinor).toBe(4839);
    expect(r.charge!.totalMinor).toBe(7258);
  });

  it('a downgrade credits more than it charges', () => {
    const r = amend(terms([phase([plan('20')])]), terms([phase([plan('10')])]), '2026-04-16', [
      advance('2026-04-01', '2026-05-01'),
    ]);
    expect([r.creditNote!.totalMinor, r.charge!.totalMinor]).toEqual([1000, 500]);
  });

  it('a cancellation (next ends on the effective date) gives a credit note only', () => {
    const before = terms([phase([seats({ quantity: '10' })])]);
    const r = amend(before, { ...before, endDate: '2026-04-16' }, '2026-04-16', [advance('2026-04-01', '2026-05-01')]);
    expect(r.charge).toBeNull();
    expect(r.creditNote!.totalMinor).toBe(5000);
    expect(r.creditNote!.lines.every((l) => l.amountMinor > 0)).toBe(true);
  });

  it('credits the net of item and invoice-level discounts, never more than was billed', () => {
    const before = terms([
      phase([seats({ quantity: '10', discounts: [{ kind: 'percent', value: '20' }] })], {
        discounts: [{ kind: 'amount', value: '10.00' }],
      }),
    ]);
    const april = advance('2026-04-01', '2026-05-01');
    const billed = computeInvoice(before, april, {});
    expect(billed.ok && billed.invoice.totalMinor).toBe(7000);
    const r = amend(before, { ...before, endDate: '2026-04-16' }, '2026-04-16', [april]);
    expect(r.creditNote!.totalMinor).toBe(3500);
  });

  it('an annual fee billed in January is credited for the rest of its year', () => {
    const annual = seats({
      id: 'platform',
      cadence: 'annual',
      prices: [{ effectiveFrom: '2026-01-01', price: { model: 'flat_fee', amount: '365' } }],
    });
    const before = terms([phase([annual, seats()])]);
    const billed = [
      advance('2026-01-01', '2026-02-01'),
      advance('2026-02-01', '2026-03-01'),
      advance('2026-03-01', '2026-04-01'),
    ];
    const r = amend(before, { ...before, endDate: '2026-03-02' }, '2026-03-02', billed);
    // platform: 365 USD × 305 unused days / 365; seats: 10 USD × 30/31.
    expect(r.creditNote!.lines.map((l) => [l.sourceRef, l.amountMinor])).toEqual([
      ['platform', 30500],
      ['seats', 968],
    ]);
    expect(r.creditNote!.periodEnd).toBe('2027-01-01');
  });

  it('nothing billed past the effective date → no credit note and no charge', () => {
    const t = terms([phase([seats()])]);
    const r = amend(t, t, '2026-04-16', [advance('2026-03-01', '2026-04-01')]);
    expect([r.creditNote, r.charge]).toEqual([null, null]);
  });

  it('bad input names the argument and field', () => {
    const t = terms([phase([seats()])]);
    const r = amendmentInvoices(t, { ...t, currency: 'EUR', phases: [] }, '2026-13-01', [
      { start: '2026-04-01', end: 'x', kind: 'advance', billOn: '2026-04-01' },
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining(['next.phases', 'effectiveDate', 'billedAdvancePeriods.0.end']),
      );
    }
  });
});
