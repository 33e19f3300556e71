/** ComputeOptions.validated: the same invoice as a validating call, for terms a parse produced. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contractTermsSchema, type Phase } from '../contracts/terms.js';
import { addDays } from '../dates.js';
import { computeInvoice, duePeriods } from './index.js';
import { phase, seats, terms, usageItem } from './testing.js';

const money = fc
  .integer({ min: 0, max: 100_000 })
  .map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`);
const qty = fc.integer({ min: 0, max: 500 }).map(String);
const day = fc.integer({ min: 0, max: 364 }).map((n) => addDays('2026-01-01', n));
const discount = fc.record({
  kind: fc.constantFrom('percent' as const, 'amount' as const),
  value: fc.integer({ min: 0, max: 100 }).map(String),
});

const contract = fc
  .record({
    start: day,
    alignment: fc.constantFrom('calendar' as const, 'anniversary' as const),
    cadence: fc.constantFrom('monthly' as const, 'quarterly' as const, 'annual' as const),
    seats: qty,
    unit: money,
    usageUnit: money,
    itemDiscounts: fc.array(discount, { maxLength: 2 }),
    invoiceDiscounts: fc.array(discount, { maxLength: 2 }),
    minimum: fc.option(fc.record({ amount: money }), { nil: undefined }),
    credit: fc.option(money, { nil: undefined }),
  })
  .map((c) =>
    terms(
      [
        phase(
          [
            seats({
              quantity: c.seats,
              cadence: c.cadence,
              prices: [{ effectiveFrom: '2026-01-01', price: { model: 'per_unit', unit_amount: c.unit } }],
              discounts: c.itemDiscounts,
            }),
            usageItem('calls', { model: 'per_unit', unit_amount: c.usageUnit }),
          ],
          // No trueUp: the schema's default fills it in, which validated terms must already carry.
          {
            start: c.start,
            discounts: c.invoiceDiscounts,
            ...(c.minimum ? { minimumCommitment: c.minimum as Phase['minimumCommitment'] } : {}),
          },
        ),
      ],
      {
        alignment: c.alignment,
        endDate: addDays(c.start, 400),
        ...(c.credit ? { credits: [{ id: 'a', amount: c.credit, priority: 0, grantedOn: c.start }] } : {}),
      },
    ),
  );

describe('computeInvoice with validated: true', () => {
  it('gives the invoice a validating call gives, for parsed terms', () => {
    fc.assert(
      fc.property(contract, qty, (t, calls) => {
        const parsed = contractTermsSchema.parse(t);
        for (const period of duePeriods(parsed, '2027-12-31')) {
          const usage = { calls: { quantity: calls } };
          const options = { creditBalances: { a: 1234 } };
          expect(computeInvoice(parsed, period, usage, { ...options, validated: true })).toEqual(
            computeInvoice(t, period, usage, options),
          );
        }
      }),
      { numRuns: 60 },
    );
  });

  it('still checks the period and the usage', () => {
    const t = contractTermsSchema.parse(
      terms([phase([seats(), usageItem('calls', { model: 'flat_fee', amount: '1' })])]),
    );
    const r = computeInvoice(
      t,
      { start: '2026-02-01', end: '2026-01-01', kind: 'arrears', billOn: '2026-02-01' },
      { calls: { quantity: '-1' } },
      { validated: true },
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['period.end', 'usage.calls.quantity']);
  });

  it('leaves the terms to the caller: without it, bad terms are still reported', () => {
    const bad = terms([phase([seats({ cadence: 'weekly' as never })])]);
    const period = { start: '2026-01-01', end: '2026-02-01', kind: 'advance', billOn: '2026-01-01' } as const;
    const r = computeInvoice(bad, period, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.path).toBe('terms.phases.0.items.0.cadence');
  });
});
