import { describe, expect, it } from 'vitest';
import type { ContractTerms, PeriodUsage } from '../contracts/terms.js';
import type { PriceSpec } from '../pricing/index.js';
import {
  type BillingPeriod,
  type ComputeOptions,
  computeInvoice,
  duePeriods,
  type InvoiceComputation,
} from './index.js';
import { phase, seats, terms, usageItem } from './testing.js';

function invoice(t: ContractTerms, period: BillingPeriod, usage: PeriodUsage = {}, options?: ComputeOptions) {
  const r = computeInvoice(t, period, usage, options);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.invoice;
}
const advance = (start: string, end: string): BillingPeriod => ({ start, end, kind: 'advance', billOn: start });
const arrears = (start: string, end: string): BillingPeriod => ({ start, end, kind: 'arrears', billOn: end });
const amounts = (inv: InvoiceComputation) => inv.lines.map((l) => [l.lineKind, l.sourceRef, l.amountMinor]);
const perUnit = (unit_amount: string): PriceSpec => ({ model: 'per_unit', unit_amount });

describe('computeInvoice: periods and proration', () => {
  it.each([
    { name: 'calendar, start on the 17th: 15 of 31 March days', alignment: 'calendar', want: 1500, kind: 'proration' },
    { name: 'anniversary, start on the 17th: a full month', alignment: 'anniversary', want: 3100, kind: 'charge' },
  ] as const)('mid-period start — $name', ({ alignment, want, kind }) => {
    const t = terms(
      [phase([seats({ prices: [{ effectiveFrom: '2026-01-01', price: perUnit('31.00') }] })], { start: '2026-03-17' })],
      {
        alignment,
      },
    );
    const [first] = duePeriods(t, '2026-03-17');
    const inv = invoice(t, first!);
    expect(inv.lines[0]!.lineKind).toBe(kind);
    expect(inv.totalMinor).toBe(want);
    if (kind === 'proration') {
      expect(inv.lines[0]!.detail).toMatchObject({
        proration: { coveredDays: 15, periodDays: 31, fullAmountMinor: 3100, basis: 'rate_then_prorate' },
        fullPeriod: { start: '2026-03-01', end: '2026-04-01' },
        servicePeriod: { start: '2026-03-17', end: '2026-04-01' },
      });
    }
  });

  it('contract end mid-month prorates the last period', () => {
    const t = terms([phase([seats({ prices: [{ effectiveFrom: '2026-01-01', price: perUnit('30.00') }] })])], {
      endDate: '2026-04-16',
    });
    const last = duePeriods(t, '2030-01-01').at(-1)!;
    expect(last).toMatchObject({ start: '2026-04-01', end: '2026-04-16' });
    expect(invoice(t, last).totalMinor).toBe(1500);
  });

  it('ramp phases with step-up prices bill each phase at its price, splitting the month they change in', () => {
    const t = terms(
      [
        phase([seats({ quantity: '10' })], { name: 'ramp', kind: 'ramp', start: '2026-01-01', end: '2026-03-16' }),
        phase([seats({ quantity: '10', prices: [{ effectiveFrom: '2026-01-01', price: perUnit('20.00') }] })], {
          name: 'step up',
          kind: 'step_up',
          start: '2026-03-16',
        }),
      ],
      { endDate: '2026-05-01' },
    );
    const totals = duePeriods(t, '2030-01-01').map((p) => [p.start, invoice(t, p).totalMinor]);
    // 10 seats: 100 USD/month, then 200 USD/month from March 16 (March has 31 days: 15 + 16).
    expect(totals).toEqual([
      ['2026-01-01', 10000],
      ['2026-02-01', 10000],
      ['2026-03-01', 4839],
      ['2026-03-16', 10323],
      ['2026-04-01', 20000],
    ]);
  });

  it('a price version change applies from the first period starting on or after it', () => {
    const item = seats({
      prices: [
        { effectiveFrom: '2026-01-01', price: perUnit('10.00') },
        { effectiveFrom: '2026-04-01', price: perUnit('12.00') },
      ],
    });
    const t = terms([phase([item])]);
    expect(invoice(t, advance('2026-03-01', '2026-04-01')).totalMinor).toBe(1000);
    const april = invoice(t, advance('2026-04-01', '2026-05-01'));
    expect(april.totalMinor).toBe(1200);
    expect(april.lines[0]!.detail).toMatchObject({ priceVersion: { index: 1, effectiveFrom: '2026-04-01' } });
  });

  it.each([
    { basis: undefined, want: 4000, why: 'rates 10 seats (tier 6+ at 8) then halves 80 USD' },
    { basis: 'prorate_quantity', want: 5000, why: 'halves the seats to 5 (tier 1-5 at 10) then rates them' },
  ] as const)('prorated volume price, basis $basis: $why', ({ basis, want }) => {
    const volume: PriceSpec = {
      model: 'volume',
      tiers: [
        { up_to: 5, unit_amount: '10' },
        { up_to: null, unit_amount: '8' },
      ],
    };
    const t = terms([
      phase([seats({ quantity: '10', prices: [{ effectiveFrom: '2026-01-01', price: volume }] })], {
        start: '2026-04-16',
      }),
    ]);
    const inv = invoice(t, advance('2026-04-16', '2026-05-01'), {}, basis ? { prorationBasis: basis } : {});
    expect(inv.totalMinor).toBe(want);
  });

  it('one-time fees bill once, in full, on the first invoice of their phase', () => {
    const setup = seats({
      id: 'setup',
      sku: 'SETUP',
      cadence: 'one_time',
      prices: [{ effectiveFrom: '2026-01-01', price: { model: 'flat_fee', amount: '500.00' } }],
    });
    const t = terms([phase([setup, seats()], { start: '2026-01-20' })]);
    const [first, second] = duePeriods(t, '2026-02-01');
    expect(amounts(invoice(t, first!))).toEqual([
      ['charge', 'setup', 50000],
      ['proration', 'seats', 387],
    ]);
    expect(amounts(invoice(t, second!))).toEqual([['charge', 'seats', 1000]]);
  });

  it('issue date is the bill date and due date adds the payment terms', () => {
    const t = terms([phase([seats()])], { paymentTermsDays: 45 });
    const inv = invoice(t, advance('2026-01-01', '2026-02-01'));
    expect([inv.issueDate, inv.dueDate, inv.kind, inv.currency]).toEqual([
      '2026-01-01',
      '2026-02-15',
      'advance',
      'USD',
    ]);
  });
});

describe('computeInvoice: usage', () => {
  it('free units come off the usage before the price (Stripe docs flat fee and overages: first 1,000 free, then 0.04 USD; 1,500 units → 20 USD)', () => {
    const t = terms([phase([usageItem('api_calls', perUnit('0.04'), { freeUnits: '1000' })])]);
    const inv = invoice(t, arrears('2026-01-01', '2026-02-01'), { api_calls: { quantity: '1500' } });
    expect(inv.totalMinor).toBe(2000);
    expect(inv.lines[0]).toMatchObject({ quantity: '500', unitAmount: '0.04' });
    expect(inv.lines[0]!.detail).toMatchObject({ quantity: { used: '1500', freeUnits: '1000', billed: '500' } });
  });

  it('free units never make the quantity negative', () => {
    const t = terms([phase([usageItem('api_calls', perUnit('0.04'), { freeUnits: '1000' })])]);
    expect(invoice(t, arrears('2026-01-01', '2026-02-01'), { api_calls: { quantity: '10' } }).totalMinor).toBe(0);
  });

  it('usage in arrears with a tiered price (Stripe docs graduated example, Typographic tiers: 15 units → 97.50 USD)', () => {
    const tiered: PriceSpec = {
      model: 'tiered',
      tiers: [
        { up_to: 5, unit_amount: '7' },
        { up_to: 10, unit_amount: '6.5' },
        { up_to: null, unit_amount: '6' },
      ],
    };
    const t = terms([phase([usageItem('fonts', tiered)])]);
    const [period] = duePeriods(t, '2026-02-01');
    const inv = invoice(t, period!, { fonts: { quantity: '15' } });
    expect(period!.billOn).toBe('2026-02-01');
    expect(inv.totalMinor).toBe(9750);
    expect((inv.lines[0]!.detail as { rated: { breakdown: unknown[] } }).rated.breakdown).toHaveLength(3);
  });

  it('usage is never prorated, even in a partial first period', () => {
    const t = terms([phase([usageItem('api_calls', perUnit('1'))], { start: '2026-01-20' })]);
    const inv = invoice(t, arrears('2026-01-20', '2026-02-01'), { api_calls: { quantity: '7' } });
    expect(amounts(inv)).toEqual([['charge', 'api_calls', 700]]);
  });

  it('matrix prices rate each usage group in its cell and sum (Orb docs matrix: alpha/west at 2.00, default 3.00)', () => {
    const matrix: PriceSpec = {
      model: 'matrix',
      dimensions: ['cluster_name', 'region'],
      rows: [{ match: { cluster_name: 'alpha', region: 'west' }, price: perUnit('2.00') }],
      default: perUnit('3.00'),
    };
    const t = terms([phase([usageItem('compute', matrix, { freeUnits: '2' })])]);
    const inv = invoice(t, arrears('2026-01-01', '2026-02-01'), {
      compute: {
        quantity: '17',
        groups: [
          { group: { cluster_name: 'alpha', region: 'west' }, quantity: '12' },
          { group: { cluster_name: 'beta', region: null }, quantity: '5' },
        ],
      },
    });
    // 2 free units come off the first group: 10 × 2.00 + 5 × 3.00 = 35.00
    expect(inv.totalMinor).toBe(3500);
    expect(inv.lines[0]!.detail).toMatchObject({
      groups: [
        { quantity: '10', freeUnits: '2', amountMinor: 2000 },
        { quantity: '5', freeUnits: '0', amountMinor: 1500 },
      ],
    });
  });
});

describe('computeInvoice: discounts', () => {
  const discounted = terms([
    phase(
      [
        seats({
          quantity: '10',
          discounts: [
            { kind: 'percent', value: '10', from: '2026-01-01', until: '2026-04-01', label: 'Launch 10%' },
            { kind: 'amount', value: '5.00', from: '2026-03-01' },
          ],
        }),
      ],
      { discounts: [{ kind: 'amount', value: '20.00', from: '2026-02-01', until: '2026-03-01' }] },
    ),
  ]);

  it.each([
    {
      month: '2026-01-01',
      end: '2026-02-01',
      want: [
        ['charge', 'seats', 10000],
        ['discount', 'seats', -1000],
      ],
    },
    {
      month: '2026-02-01',
      end: '2026-03-01',
      want: [
        ['charge', 'seats', 10000],
        ['discount', 'seats', -1000],
        ['discount', null, -2000],
      ],
    },
    {
      month: '2026-03-01',
      end: '2026-04-01',
      want: [
        ['charge', 'seats', 10000],
        ['discount', 'seats', -1000],
        ['discount', 'seats', -500],
      ],
    },
    {
      month: '2026-04-01',
      end: '2026-05-01',
      want: [
        ['charge', 'seats', 10000],
        ['discount', 'seats', -500],
      ],
    },
  ])('item percent + amount and invoice-level amount discounts by their dates: $month', ({ month, end, want }) => {
    const inv = invoice(discounted, advance(month, end));
    expect(amounts(inv)).toEqual(want);
    expect(inv.discountMinor).toBe(want.filter((w) => w[0] === 'discount').reduce((a, w) => a + (w[2] as number), 0));
  });

  it('the discount detail names its basis', () => {
    const inv = invoice(discounted, advance('2026-01-01', '2026-02-01'));
    expect(inv.lines[1]).toMatchObject({ description: 'Launch 10%' });
    expect(inv.lines[1]!.detail).toMatchObject({ scope: 'item', kind: 'percent', value: '10', basisMinor: 10000 });
  });

  it('an amount discount is capped at what it discounts and prorated with a prorated charge', () => {
    const t = terms([phase([seats({ discounts: [{ kind: 'amount', value: '50.00' }] })], { start: '2026-04-16' })]);
    expect(invoice(t, advance('2026-04-16', '2026-05-01')).totalMinor).toBe(0);
    const big = terms([
      phase([seats({ quantity: '100', discounts: [{ kind: 'amount', value: '30.00' }] })], { start: '2026-04-16' }),
    ]);
    // 100 seats × 10 USD × 15/30 = 500 USD, less 30 USD × 15/30 = 15 USD.
    expect(amounts(invoice(big, advance('2026-04-16', '2026-05-01')))).toEqual([
      ['proration', 'seats', 50000],
      ['discount', 'seats', -1500],
    ]);
  });
});

describe('computeInvoice: minimum commitment', () => {
  const usageOnly = (trueUp: 'extra_line' | 'replace') =>
    terms([phase([usageItem('usage', perUnit('1.00'))], { minimumCommitment: { amount: '1000.00', trueUp } })]);
  const period = arrears('2026-01-01', '2026-02-01');

  it.each([
    {
      usage: '800',
      want: [
        ['charge', 'usage', 80000],
        ['true_up', null, 20000],
      ],
      total: 100000,
    },
    { usage: '1300', want: [['charge', 'usage', 130000]], total: 130000 },
  ])(
    'Lago docs negotiated contract ($1,000 monthly minimum): $usage of usage → total $total',
    ({ usage, want, total }) => {
      const inv = invoice(usageOnly('extra_line'), period, { usage: { quantity: usage } });
      expect(amounts(inv)).toEqual(want);
      expect(inv.totalMinor).toBe(total);
    },
  );

  it('Lago minimum commitment example (plan $50 + 3 units × $10, minimum $100): true-up $20', () => {
    const t = terms([
      phase(
        [
          seats({
            id: 'plan',
            timing: 'in_arrears',
            prices: [{ effectiveFrom: '2026-01-01', price: { model: 'flat_fee', amount: '50' } }],
          }),
          usageItem('units', perUnit('10')),
        ],
        { minimumCommitment: { amount: '100', trueUp: 'extra_line' } },
      ),
    ]);
    const inv = invoice(t, period, { units: { quantity: '3' } });
    expect(amounts(inv)).toEqual([
      ['charge', 'plan', 5000],
      ['charge', 'units', 3000],
      ['true_up', null, 2000],
    ]);
    expect(inv.lines[2]!.detail).toMatchObject({
      mode: 'extra_line',
      minimumMinor: 10000,
      chargesMinor: 8000,
      shortfallMinor: 2000,
    });
  });

  it("'replace' replaces the usage line with the minimum", () => {
    const inv = invoice(usageOnly('replace'), period, { usage: { quantity: '800' } });
    expect(amounts(inv)).toEqual([['true_up', null, 100000]]);
    expect(inv.lines[0]!.detail).toMatchObject({
      mode: 'replace',
      replacedLines: [{ sourceRef: 'usage', amountMinor: 80000 }],
    });
  });

  it('the minimum is prorated in a partial period and compared after discounts', () => {
    const t = terms([
      phase([usageItem('usage', perUnit('1.00'), { discounts: [{ kind: 'percent', value: '50' }] })], {
        start: '2026-04-16',
        minimumCommitment: { amount: '300.00', trueUp: 'extra_line' },
      }),
    ]);
    const inv = invoice(t, arrears('2026-04-16', '2026-05-01'), { usage: { quantity: '200' } });
    // minimum 300 × 15/30 = 150; usage 200 − 50 % = 100; true-up 50.
    expect(amounts(inv)).toEqual([
      ['charge', 'usage', 20000],
      ['discount', 'usage', -10000],
      ['true_up', null, 5000],
    ]);
  });
});

describe('computeInvoice: prepaid credits', () => {
  const wallet = (credits: ContractTerms['credits']) => terms([phase([seats({ quantity: '10' })])], { credits });
  const march = advance('2026-03-01', '2026-04-01');

  it('draws grants by priority, then earliest expiry; skips expired and not-yet-granted ones', () => {
    const t = wallet([
      { id: 'late-expiry', amount: '30.00', priority: 1, grantedOn: '2026-01-01', expiresOn: '2027-01-01' },
      { id: 'first', amount: '10.00', priority: 0, grantedOn: '2026-01-01' },
      { id: 'early-expiry', amount: '5.00', priority: 1, grantedOn: '2026-01-01', expiresOn: '2026-06-01' },
      { id: 'expired', amount: '100.00', priority: 0, grantedOn: '2025-01-01', expiresOn: '2026-03-01' },
      { id: 'future', amount: '100.00', priority: 0, grantedOn: '2026-03-02' },
    ]);
    const inv = invoice(t, march);
    expect(inv.creditsUsed).toEqual([
      { grantId: 'first', amountMinor: 1000 },
      { grantId: 'early-expiry', amountMinor: 500 },
      { grantId: 'late-expiry', amountMinor: 3000 },
    ]);
    expect(inv.creditsAppliedMinor).toBe(-4500);
    expect(inv.totalMinor).toBe(5500);
  });

  it('never takes the total below zero and reports only what it used', () => {
    const inv = invoice(wallet([{ id: 'big', amount: '500.00', priority: 0, grantedOn: '2026-01-01' }]), march);
    expect(inv.totalMinor).toBe(0);
    expect(inv.creditsUsed).toEqual([{ grantId: 'big', amountMinor: 10000 }]);
    expect(inv.lines.at(-1)!.detail).toMatchObject({ balanceBeforeMinor: 50000, balanceAfterMinor: 40000 });
  });

  it('uses the remaining balances it is given', () => {
    const t = wallet([{ id: 'g', amount: '500.00', priority: 0, grantedOn: '2026-01-01' }]);
    expect(invoice(t, march, {}, { creditBalances: { g: 2500 } }).creditsAppliedMinor).toBe(-2500);
    expect(invoice(t, march, {}, { creditBalances: { g: 0 } }).creditsUsed).toEqual([]);
  });
});

describe('computeInvoice: bad input', () => {
  it.each([
    {
      name: 'overlapping phases',
      t: terms([phase([seats()], { end: '2026-06-01' }), phase([seats()], { start: '2026-05-01' })]),
      path: 'terms.phases.1.start',
    },
    {
      name: 'an item with neither quantity nor metric',
      t: terms([phase([seats({ quantity: undefined })])]),
      path: 'terms.phases.0.items.0.quantity',
    },
    {
      name: 'an unknown cadence',
      t: terms([phase([seats({ cadence: 'weekly' as never })])]),
      path: 'terms.phases.0.items.0.cadence',
    },
    {
      name: 'a percent discount over 100',
      t: terms([phase([seats({ discounts: [{ kind: 'percent', value: '150' }] })])]),
      path: 'terms.phases.0.items.0.discounts.0.value',
    },
    {
      name: 'price versions out of order',
      t: terms([
        phase([
          seats({
            prices: [
              { effectiveFrom: '2026-05-01', price: perUnit('1') },
              { effectiveFrom: '2026-01-01', price: perUnit('2') },
            ],
          }),
        ]),
      ]),
      path: 'terms.phases.0.items.0.prices.1.effectiveFrom',
    },
    {
      name: 'usage items on two cadences',
      t: terms([phase([usageItem('a', perUnit('1')), usageItem('b', perUnit('1'), { cadence: 'quarterly' })])]),
      path: 'terms.phases.0.items.1.cadence',
    },
    {
      name: 'a price in another currency',
      t: terms([
        phase([
          seats({
            prices: [{ effectiveFrom: '2026-01-01', price: { model: 'per_unit', unit_amount: '1', currency: 'EUR' } }],
          }),
        ]),
      ]),
      path: 'terms.phases.0.items.0.prices.0.price.currency',
    },
  ])('$name → $path', ({ t, path }) => {
    const r = computeInvoice(t, advance('2026-01-01', '2026-02-01'), {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain(path);
  });

  it('names bad period and usage fields', () => {
    const t = terms([phase([usageItem('api_calls', perUnit('1'))])]);
    const r = computeInvoice(
      t,
      { start: '2026-02-01', end: '2026-01-01', kind: 'arrears', billOn: '2026-02-01' },
      { api_calls: { quantity: '-3' } },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['period.end', 'usage.api_calls.quantity']);
  });
});
