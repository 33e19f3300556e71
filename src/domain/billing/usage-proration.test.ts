/**
 * Prorated usage (issue 11): a usage item in a partial period with `usageProration:
 * 'per_unit_part'` is rated on the full quantity (the tier is picked on it), its per-unit part
 * prorated by the days covered, its tiers' flat fees kept whole — Lago's prorated charges,
 * https://getlago.com/docs/guide/plans/charges/prorated-vs-full-charges. The default bills it in full.
 */
import { describe, expect, it } from 'vitest';
import type { ContractItem } from '../contracts/terms.js';
import { computeInvoice, duePeriods } from './index.js';
import { phase, terms, usageItem } from './testing.js';
import { checkTerms } from './validate.js';

// 10 units at 1.00 + 5.00 flat, then 0.50 + 2.00 flat: 15 units rate 15.00 + 4.50 = 19.50, of
// which 7.00 is flat fees and 12.50 per-unit.
const tiered = {
  model: 'tiered',
  tiers: [
    { up_to: 10, unit_amount: '1.00', flat_amount: '5.00' },
    { up_to: null, unit_amount: '0.50', flat_amount: '2.00' },
  ],
} as const;

function januaryTotal(overrides: Partial<ContractItem>) {
  const t = terms([phase([usageItem('storage', tiered as never, overrides)], { start: '2026-01-16' })]);
  const [january] = duePeriods(t, '2026-02-01');
  const r = computeInvoice(t, january!, { storage: { quantity: '15' } });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return { period: `${january!.start}..${january!.end}`, line: r.invoice.lines[0]!, total: r.invoice.totalMinor };
}

describe('prorated usage', () => {
  it('per_unit_part: 16 of 31 days prorate the 12.50 per-unit part; the 7.00 of flat fees stay whole', () => {
    const { period, line, total } = januaryTotal({ usageProration: 'per_unit_part' });
    expect(period).toBe('2026-01-16..2026-02-01');
    // 7.00 + 12.50 × 16/31 = 7.00 + 6.4516… = 13.4516… → 13.45
    expect(total).toBe(1345);
    expect(line.lineKind).toBe('proration');
    expect(line.detail).toMatchObject({ proration: { basis: 'usage_per_unit_part', coveredDays: 16, periodDays: 31 } });
  });

  it('the default bills a partial period’s usage in full', () => {
    expect(januaryTotal({}).total).toBe(1950);
    expect(januaryTotal({ usageProration: 'none' }).total).toBe(1950);
  });

  it('a full period is not prorated whatever the option', () => {
    const t = terms([phase([usageItem('storage', tiered as never, { usageProration: 'per_unit_part' })])]);
    const [january] = duePeriods(t, '2026-02-01');
    const r = computeInvoice(t, january!, { storage: { quantity: '15' } });
    expect(r.ok && r.invoice.totalMinor).toBe(1950);
  });

  it('is refused on an item with a fixed quantity, naming the field', () => {
    const checked = checkTerms(
      terms([
        phase([
          {
            id: 'seats',
            sku: 'SEAT',
            description: 'Seats',
            prices: [{ effectiveFrom: '2000-01-01', price: { model: 'per_unit', unit_amount: '1.00' } }],
            quantity: '3',
            cadence: 'monthly',
            timing: 'in_advance',
            usageProration: 'per_unit_part',
          } as ContractItem,
        ]),
      ]),
      'terms',
    );
    expect(checked.ok ? [] : checked.issues.map((i) => i.path)).toEqual(['terms.phases.0.items.0.usageProration']);
  });
});
