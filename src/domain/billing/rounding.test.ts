import { describe, expect, it } from 'vitest';
import { computeInvoice } from './index.js';
import { phase, seats, terms } from './testing.js';

const march = { start: '2026-03-01', end: '2026-04-01', kind: 'advance' as const, billOn: '2026-03-01' };

describe('rounding options of contract invoices', () => {
  // Three items of 0.335 each: 33.5 cents per line.
  const thirds = terms([
    phase(
      ['a', 'b', 'c'].map((id) =>
        seats({
          id,
          sku: id.toUpperCase(),
          prices: [{ effectiveFrom: '2000-01-01', price: { model: 'per_unit', unit_amount: '0.335' } }],
        }),
      ),
    ),
  ]);

  it('rounds each line at line level and the exact total once at document level', () => {
    const line = computeInvoice(thirds, march, {}, { rounding: { mode: 'half_up', level: 'line' } });
    const doc = computeInvoice(thirds, march, {}, { rounding: { mode: 'half_up', level: 'document' } });
    if (!line.ok || !doc.ok) throw new Error('both policies must compute');
    // Line: 33.5 → 34, three times. Document: 100.5 → 101, spread by largest remainder.
    expect(line.invoice.lines.map((l) => l.amountMinor)).toEqual([34, 34, 34]);
    expect(doc.invoice.lines.map((l) => l.amountMinor)).toEqual([34, 34, 33]);
    expect(line.invoice.totalMinor).toBe(102);
    expect(doc.invoice.totalMinor).toBe(101);
    for (const inv of [line.invoice, doc.invoice]) {
      expect(inv.lines.reduce((sum, l) => sum + l.amountMinor, 0)).toBe(inv.totalMinor);
    }
  });

  it('computes discounts from the document-rounded lines', () => {
    const discounted = terms([phase(thirds.phases[0]!.items, { discounts: [{ kind: 'percent', value: '10' }] })]);
    const doc = computeInvoice(discounted, march, {}, { rounding: { mode: 'half_up', level: 'document' } });
    if (!doc.ok) throw new Error(JSON.stringify(doc.issues));
    expect(doc.invoice.subtotalMinor).toBe(101);
    // 10 % of 101 is 10.1 → 10, taken from the rounded lines, not from the exact 100.5.
    expect(doc.invoice.discountMinor).toBe(-10);
    expect(doc.invoice.totalMinor).toBe(91);
  });

  it('honours the rounding mode per line', () => {
    const third = terms([
      phase([
        seats({
          quantity: '1',
          prices: [{ effectiveFrom: '2000-01-01', price: { model: 'per_unit', unit_amount: '0.005' } }],
        }),
      ]),
    ]);
    const up = computeInvoice(third, march, {}, { rounding: { mode: 'up', level: 'line' } });
    const down = computeInvoice(third, march, {}, { rounding: { mode: 'down', level: 'line' } });
    expect(up.ok && up.invoice.totalMinor).toBe(1);
    expect(down.ok && down.invoice.totalMinor).toBe(0);
  });

  it('takes the policy from the contract terms, with the split convention of the terms', () => {
    // Document level, 100.5 → 101: largest remainder gives the extra cents to the earlier lines
    // (34, 34, 33); Stripe's way floors each share and puts the rest on the last line (33, 33, 35).
    const lastLine = {
      ...thirds,
      rounding: { mode: 'half_up' as const, level: 'document' as const, split: 'last_line' as const },
    };
    const byTerms = computeInvoice(lastLine, march, {});
    if (!byTerms.ok) throw new Error(JSON.stringify(byTerms.issues));
    expect(byTerms.invoice.lines.map((l) => l.amountMinor)).toEqual([33, 33, 35]);
    const largest = computeInvoice({ ...lastLine, rounding: { mode: 'half_up', level: 'document' } }, march, {});
    expect(largest.ok && largest.invoice.lines.map((l) => l.amountMinor)).toEqual([34, 34, 33]);
    // The caller's explicit option still wins over the terms (previews compare policies this way).
    const line = computeInvoice(lastLine, march, {}, { rounding: { mode: 'half_up', level: 'line' } });
    expect(line.ok && line.invoice.totalMinor).toBe(102);
  });

  it('refuses an unknown rounding option naming the field', () => {
    const bad = { ...thirds, rounding: { mode: 'half_up', level: 'document', split: 'first_line' } } as never;
    const result = computeInvoice(bad, march, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain('terms.rounding.split');
  });
});
