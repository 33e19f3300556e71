/**
 * Balances spent once across a contract's invoices: fixed-amount coupons carried over until spent
 * (Lago's fixed_amount coupon of frequency "once": its amount_cents_remaining carries to the next
 * invoices, https://getlago.com/docs/guide/coupons) and prepaid wallets bought at a conversion
 * rate, topped up, expiring (https://getlago.com/docs/guide/wallet-and-top-up/prepaid-credits).
 * Invoices are computed in order, each with what the earlier ones left, as a billing run does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '../contracts/terms.js';
import { type BillingPeriod, balanceAmounts, computeInvoice, type InvoiceComputation } from './index.js';
import { phase, seats, terms } from './testing.js';
import { checkTerms } from './validate.js';

const month = (m: number): BillingPeriod => {
  const start = `2026-${String(m).padStart(2, '0')}-01`;
  const end = m === 12 ? '2027-01-01' : `2026-${String(m + 1).padStart(2, '0')}-01`;
  return { start, end, kind: 'advance', billOn: start };
};

/** 10 seats at 10.00 = 100.00 a month from March. */
const plan = (extra: Partial<ContractTerms>) =>
  terms([phase([seats({ quantity: '10' })], { start: '2026-03-01' })], { startDate: '2026-03-01', ...extra });

/** Bills the periods in order, each drawing on what the earlier invoices left. */
function billInOrder(t: ContractTerms, periods: BillingPeriod[]): InvoiceComputation[] {
  const balances = balanceAmounts(t);
  return periods.map((p) => {
    const r = computeInvoice(t, p, {}, { creditBalances: { ...balances } });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    for (const u of r.invoice.creditsUsed) balances[u.grantId]! -= u.amountMinor;
    return r.invoice;
  });
}

describe('fixed-amount coupons as balances', () => {
  it('a 150.00 coupon on 100.00 invoices: 100.00 off March, the remaining 50.00 off April, nothing in May', () => {
    const t = plan({ coupons: [{ id: 'welcome', amount: '150.00', label: 'Welcome' }] });
    const [mar, apr, may] = billInOrder(t, [month(3), month(4), month(5)]);
    expect([mar!.totalMinor, apr!.totalMinor, may!.totalMinor]).toEqual([0, 5000, 10_000]);
    const line = mar!.lines.find((l) => l.sourceRef === 'coupon:welcome')!;
    // A discount line (before tax), not a credit: tax and the ERP see the discounted invoice.
    expect(line).toMatchObject({ lineKind: 'discount', amountMinor: -10_000, description: 'Coupon Welcome' });
    expect(line.detail).toMatchObject({ couponMinor: 15_000, balanceBeforeMinor: 15_000, balanceAfterMinor: 5000 });
    expect(mar!.discountMinor).toBe(-10_000);
    expect(apr!.lines.find((l) => l.sourceRef === 'coupon:welcome')!.detail).toMatchObject({
      balanceBeforeMinor: 5000,
      balanceAfterMinor: 0,
    });
    expect(may!.lines.some((l) => l.sourceRef === 'coupon:welcome')).toBe(false);
  });

  it('applies from its date and not on invoices issued on or after its expiry', () => {
    const t = plan({ coupons: [{ id: 'c', amount: '500', appliesFrom: '2026-04-01', expiresOn: '2026-06-01' }] });
    expect(billInOrder(t, [month(3), month(4), month(5), month(6)]).map((i) => i.totalMinor)).toEqual([
      10_000, 0, 0, 10_000,
    ]);
  });

  it('comes before prepaid credits: the coupon is spent first, the grant keeps the rest', () => {
    const t = plan({
      coupons: [{ id: 'c', amount: '30.00' }],
      credits: [{ id: 'g', amount: '100.00', priority: 0, grantedOn: '2026-01-01' }],
    });
    const [mar] = billInOrder(t, [month(3)]);
    expect(mar!.lines.map((l) => [l.lineKind, l.sourceRef, l.amountMinor])).toEqual([
      ['charge', 'seats', 10_000],
      ['discount', 'coupon:c', -3000],
      ['credit', 'g', -7000],
    ]);
  });

  it('refuses duplicate ids and an expiry before it applies, naming the field', () => {
    const bad = plan({
      coupons: [
        { id: 'c', amount: '1' },
        { id: 'c', amount: '1', appliesFrom: '2026-05-01', expiresOn: '2026-04-01' },
      ],
    });
    const r = checkTerms(bad, 'terms');
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(['terms.coupons.1.id', 'terms.coupons.1.expiresOn']);
  });

  it('property: a coupon is never spent twice — all invoices together take min(coupon, everything due)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 100_000 }),
        (quantities, couponMinor) => {
          const t = terms(
            quantities.map((q, i) =>
              phase([seats({ quantity: String(q) })], {
                name: `m${i}`,
                start: month(i + 1).start,
                end: month(i + 1).end,
              }),
            ),
            { coupons: [{ id: 'c', amount: (couponMinor / 100).toFixed(2) }] },
          );
          const invoices = billInOrder(
            t,
            quantities.map((_, i) => month(i + 1)),
          );
          const taken = 0 - invoices.reduce((n, inv) => n + inv.discountMinor, 0);
          const due = quantities.reduce((n, q) => n + q * 1000, 0);
          expect(taken).toBe(Math.min(couponMinor, due));
          for (const inv of invoices) expect(inv.totalMinor).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('prepaid wallets: credits at a rate, top-ups, expiry', () => {
  // 10 credits per USD: 1,000 credits are 100.00 USD, 500 credits 50.00 USD.
  const wallet = {
    id: 'main',
    rate: '10',
    topUps: [
      { credits: '1000', on: '2026-03-01', expiresOn: '2026-05-01' },
      { credits: '500', on: '2026-04-01' },
    ],
  };
  const eighty = (extra: Partial<ContractTerms> = {}) =>
    terms([phase([seats({ quantity: '8' })], { start: '2026-03-01' })], { startDate: '2026-03-01', ...extra });

  it("80.00 a month: March 800 credits; April the first top-up's last 200 then 500; May what expired is gone", () => {
    const [mar, apr, may] = billInOrder(eighty({ wallets: [wallet] }), [month(3), month(4), month(5)]);
    expect(
      mar!.lines.filter((l) => l.lineKind === 'credit').map((l) => [l.sourceRef, l.amountMinor, l.quantity]),
    ).toEqual([['wallet:main:0', -8000, '800']]);
    expect(mar!.totalMinor).toBe(0);
    // The top-up expiring first is used first.
    expect(apr!.lines.filter((l) => l.lineKind === 'credit').map((l) => [l.sourceRef, l.amountMinor])).toEqual([
      ['wallet:main:0', -2000],
      ['wallet:main:1', -5000],
    ]);
    expect(apr!.totalMinor).toBe(1000);
    expect(apr!.lines.find((l) => l.sourceRef === 'wallet:main:1')!.detail).toMatchObject({
      creditsUsed: '500',
      creditsLeft: '0',
      rate: '10',
    });
    expect(may!.totalMinor).toBe(8000);
  });

  it('a rate that does not divide evenly rounds the money value down: 100 credits at 3 per EUR = 33.33', () => {
    expect(
      balanceAmounts({
        currency: 'EUR',
        wallets: [{ id: 'w', rate: '3', topUps: [{ credits: '100', on: '2026-01-01' }] }],
      }),
    ).toEqual({ 'wallet:w:0': 3333 });
  });

  it('refuses a zero rate and a top-up expiring before it is bought, naming the fields', () => {
    const r = checkTerms(
      eighty({ wallets: [{ id: 'w', rate: '0', topUps: [{ credits: '1', on: '2026-03-01' }] }] }),
      'terms',
    );
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(['terms.wallets.0.rate']);
    const s = checkTerms(
      eighty({
        wallets: [{ id: 'w', rate: '1', topUps: [{ credits: '1', on: '2026-03-01', expiresOn: '2026-03-01' }] }],
      }),
      'terms',
    );
    expect(!s.ok && s.issues.map((i) => i.path)).toEqual(['terms.wallets.0.topUps.0.expiresOn']);
  });
});
