import { describe, expect, it } from 'vitest';
import { computeInvoice } from './index.js';
import { phase, seats, terms } from './testing.js';

const march = { start: '2026-03-01', end: '2026-04-01', kind: 'advance' as const, billOn: '2026-03-01' };

describe('rounding options of contract invoices', () => {
  it('refuses document-level rounding instead of silently rounding lines', () => {
    const result = computeInvoice(
      terms([phase([seats()])]),
      march,
      {},
      { rounding: { mode: 'half_up', level: 'document' } },
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.path)).toEqual(['options.rounding.level']);
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
});
