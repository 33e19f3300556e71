import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContractDraft } from './contract.js';
import { allocateTax, firstInvoice } from './invoice.js';

const contract = (lines: ContractDraft['lines'], currency = 'USD'): ContractDraft => ({
  customer: { sourceId: 'a', name: 'Acme', email: null, address: null },
  currency,
  startDate: '2026-01-31',
  billingCadence: 'monthly',
  billingTiming: 'in_advance',
  paymentTermsDays: 30,
  lines,
});

describe('first invoice', () => {
  it('bills the first month in advance: flat fee plus per-unit seats', () => {
    const inv = firstInvoice(
      contract([
        {
          sourceLineId: '1',
          sku: 'PLAT',
          productName: 'Platform',
          description: 'Platform',
          quantity: '1',
          price: { model: 'flat_fee', amount: '1000.00' },
        },
        {
          sourceLineId: '2',
          sku: 'SEAT',
          productName: 'Seat',
          description: 'Seats',
          quantity: '25',
          price: { model: 'per_unit', unit_amount: '40.00' },
        },
      ]),
    );
    expect(inv.lines.map((l) => l.amountMinor)).toEqual([100_000, 100_000]);
    expect(inv.subtotalMinor).toBe(200_000);
    expect(inv.periodStart).toBe('2026-01-31');
    expect(inv.periodEnd).toBe('2026-02-28'); // month-end clamps
    expect(inv.dueDate).toBe('2026-03-02');
  });

  it('rounds each line, and the total is the sum of the rounded lines', () => {
    const inv = firstInvoice(
      contract([
        {
          sourceLineId: '1',
          sku: 'A',
          productName: 'A',
          description: 'A',
          quantity: '3',
          price: { model: 'per_unit', unit_amount: '0.335' },
        },
        {
          sourceLineId: '2',
          sku: 'B',
          productName: 'B',
          description: 'B',
          quantity: '3',
          price: { model: 'per_unit', unit_amount: '0.335' },
        },
      ]),
    );
    expect(inv.lines.map((l) => l.amountMinor)).toEqual([101, 101]);
    expect(inv.subtotalMinor).toBe(202);
  });

  it('document-level rounding rounds once and spreads it over the lines', () => {
    const lines: ContractDraft['lines'] = [
      {
        sourceLineId: '1',
        sku: 'A',
        productName: 'A',
        description: 'A',
        quantity: '3',
        price: { model: 'per_unit', unit_amount: '0.335' },
      },
      {
        sourceLineId: '2',
        sku: 'B',
        productName: 'B',
        description: 'B',
        quantity: '3',
        price: { model: 'per_unit', unit_amount: '0.335' },
      },
    ];
    const inv = firstInvoice(contract(lines), { mode: 'half_up', level: 'document' });
    expect(inv.subtotalMinor).toBe(201);
    expect(inv.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(201);
  });

  it('property: the invoice total equals the sum of its rounded lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 10_000_000 })), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.constantFrom<'line' | 'document'>('line', 'document'),
        (specs, level) => {
          const lines = specs.map(([qty, milli], i) => ({
            sourceLineId: String(i),
            sku: `S${i}`,
            productName: 'P',
            description: 'P',
            quantity: String(qty),
            // A decimal string built from integers, so the generator itself uses no float arithmetic.
            price: {
              model: 'per_unit' as const,
              unit_amount: `${Math.floor(milli / 1000)}.${String(milli % 1000).padStart(3, '0')}`,
            },
          }));
          const inv = firstInvoice(contract(lines), { mode: 'half_up', level });
          expect(inv.subtotalMinor).toBe(inv.lines.reduce((s, l) => s + l.amountMinor, 0));
        },
      ),
    );
  });

  it('allocates the tax engine total over lines so it adds up', () => {
    expect(allocateTax([100_000, 100_000], 14_501)).toEqual([7_251, 7_250]);
    expect(allocateTax([0, 0], 3)).toEqual([2, 1]);
  });
});
