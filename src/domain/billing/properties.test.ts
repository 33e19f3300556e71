/** Invariants for any terms the generators can build (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../dates.js';
import { amendmentInvoices, type BillingPeriod, computeInvoice, duePeriods, type InvoiceComputation } from './index.js';
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
const grant = fc.record({
  id: fc.constantFrom('a', 'b', 'c'),
  amount: money,
  priority: fc.integer({ min: 0, max: 3 }),
  grantedOn: day,
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
    minimum: fc.option(
      fc.record({ amount: money, trueUp: fc.constantFrom('extra_line' as const, 'replace' as const) }),
      {
        nil: undefined,
      },
    ),
    credits: fc.uniqueArray(grant, { selector: (g) => g.id, maxLength: 3 }),
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
          { start: c.start, discounts: c.invoiceDiscounts, ...(c.minimum ? { minimumCommitment: c.minimum } : {}) },
        ),
      ],
      { alignment: c.alignment, credits: c.credits, endDate: addDays(c.start, 400) },
    ),
  );

const sum = (inv: InvoiceComputation) => inv.lines.reduce((a, l) => a + l.amountMinor, 0);

describe('billing properties', () => {
  it('invoice total = sum of its lines = subtotal + discounts + credits; credits never make it negative', () => {
    fc.assert(
      fc.property(contract, qty, fc.nat(20), (t, calls, pick) => {
        const periods = duePeriods(t, '2027-12-31');
        const period = periods[pick % periods.length]!;
        const r = computeInvoice(t, period, { calls: { quantity: calls } });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const inv = r.invoice;
        expect(inv.totalMinor).toBe(sum(inv));
        expect(inv.subtotalMinor + inv.discountMinor + inv.creditsAppliedMinor).toBe(inv.totalMinor);
        expect(inv.lines.every((l) => Number.isSafeInteger(l.amountMinor))).toBe(true);
        expect(inv.totalMinor).toBeGreaterThanOrEqual(0);
        expect(inv.discountMinor).toBeLessThanOrEqual(0);
        expect(inv.creditsUsed.reduce((a, c) => a + c.amountMinor, 0) + inv.creditsAppliedMinor).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('credits never make a total negative, whatever the balances', () => {
    fc.assert(
      fc.property(
        contract,
        fc.nat(20),
        fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 10_000_000 })),
        (t, pick, balances) => {
          const periods = duePeriods(t, '2027-12-31').filter((p) => p.kind === 'advance');
          const period = periods[pick % periods.length]!;
          const r = computeInvoice(t, period, {}, { creditBalances: balances });
          if (!r.ok) throw new Error(JSON.stringify(r.issues));
          expect(r.invoice.totalMinor).toBeGreaterThanOrEqual(0);
          for (const used of r.invoice.creditsUsed) {
            expect(used.amountMinor).toBeLessThanOrEqual(balances[used.grantId] ?? Number.MAX_SAFE_INTEGER);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("an upgrade's credit note is never more than what was billed for that period (before credits)", () => {
    fc.assert(
      fc.property(contract, qty, fc.nat(20), fc.nat(400), (t, newSeats, pick, offset) => {
        const periods = duePeriods(t, '2027-12-31').filter((p) => p.kind === 'advance');
        const billed: BillingPeriod = periods[pick % periods.length]!;
        const effective = addDays(billed.start, offset % 400);
        const next = {
          ...t,
          phases: t.phases.map((p) => ({
            ...p,
            items: p.items.map((i) => (i.metric ? i : { ...i, quantity: newSeats })),
          })),
        };
        const r = amendmentInvoices(t, next, effective, [billed]);
        if (!r.ok) throw new Error(JSON.stringify(r.issues));
        const original = computeInvoice(t, billed, {});
        if (!original.ok) throw new Error('unreachable');
        const beforeCredits = original.invoice.totalMinor - original.invoice.creditsAppliedMinor;
        const credited = r.creditNote?.totalMinor ?? 0;
        expect(credited).toBeLessThanOrEqual(beforeCredits);
        expect(r.creditNote?.lines.every((l) => l.amountMinor > 0) ?? true).toBe(true);
        if (r.charge) expect(r.charge.totalMinor).toBe(sum(r.charge));
      }),
      { numRuns: 150 },
    );
  });
});
