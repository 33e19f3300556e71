/**
 * A minimum commitment counts every charge of its period, whichever invoice carried it: the
 * in-advance fee of the month (on the advance invoice) counts toward the month's minimum that the
 * arrears invoice settles.
 */
import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '../contracts/terms.js';
import type { PriceSpec } from '../pricing/index.js';
import { type BillingPeriod, computeInvoice, type InvoiceComputation } from './index.js';
import { phase, seats, terms, usageItem } from './testing.js';

const perUnit = (unit_amount: string): PriceSpec => ({ model: 'per_unit', unit_amount });
const advance = (start: string, end: string): BillingPeriod => ({ start, end, kind: 'advance', billOn: start });
const arrears = (start: string, end: string): BillingPeriod => ({ start, end, kind: 'arrears', billOn: end });

function invoice(t: ContractTerms, period: BillingPeriod, usage = {}): InvoiceComputation {
  const r = computeInvoice(t, period, usage);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.invoice;
}

/** Platform $50 monthly in advance, units at $10 in arrears, minimum $100 per month. */
const plan = (
  trueUp: 'extra_line' | 'replace',
  fee: Partial<Parameters<typeof seats>[0]> = {},
  extra: Partial<Parameters<typeof phase>[1]> = {},
) =>
  terms([
    phase(
      [
        seats({
          id: 'platform',
          prices: [{ effectiveFrom: '2026-01-01', price: { model: 'flat_fee', amount: '50' } }],
          ...fee,
        }),
        usageItem('units', perUnit('10')),
      ],
      { minimumCommitment: { amount: '100', trueUp }, ...extra },
    ),
  ]);
const jan = { adv: advance('2026-01-01', '2026-02-01'), arr: arrears('2026-01-01', '2026-02-01') };

describe('minimum commitment across the invoices of its period', () => {
  it('counts the in-advance fee of the month: $50 fee + $30 usage → true-up $20, the month totals $100', () => {
    const t = plan('extra_line');
    const adv = invoice(t, jan.adv);
    const arr = invoice(t, jan.arr, { units: { quantity: '3' } });
    expect(adv.totalMinor).toBe(5000);
    const trueUp = arr.lines.find((l) => l.lineKind === 'true_up');
    expect(trueUp?.amountMinor).toBe(2000);
    expect(trueUp?.detail).toMatchObject({ chargesMinor: 8000, otherInvoicesMinor: 5000, shortfallMinor: 2000 });
    expect(adv.totalMinor + arr.totalMinor).toBe(10000);
  });

  it('bills no true-up when the fee and the usage together meet the minimum', () => {
    const t = plan('extra_line');
    const arr = invoice(t, jan.arr, { units: { quantity: '5' } });
    expect(arr.lines.map((l) => l.lineKind)).toEqual(['charge']);
    expect(arr.totalMinor).toBe(5000);
  });

  it("'replace' bills the minimum less what the advance invoice carried", () => {
    const t = plan('replace');
    const adv = invoice(t, jan.adv);
    const arr = invoice(t, jan.arr, { units: { quantity: '3' } });
    expect(arr.lines.map((l) => [l.lineKind, l.amountMinor])).toEqual([['true_up', 5000]]);
    expect(adv.totalMinor + arr.totalMinor).toBe(10000);
  });

  it('counts the fee after its discounts, and only the part of a quarterly fee inside the month', () => {
    // $150 a quarter, 20 % off: $120 a quarter; January's share is 31/90 of it = $41.33.
    const t = plan('extra_line', {
      cadence: 'quarterly',
      prices: [{ effectiveFrom: '2026-01-01', price: { model: 'flat_fee', amount: '150' } }],
      discounts: [{ kind: 'percent', value: '20' }],
    });
    const arr = invoice(t, jan.arr, { units: { quantity: '3' } });
    const trueUp = arr.lines.find((l) => l.lineKind === 'true_up');
    expect(trueUp?.detail).toMatchObject({ otherInvoicesMinor: 4133 });
    expect(trueUp?.amountMinor).toBe(10000 - 3000 - 4133);
  });
});
