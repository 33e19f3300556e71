import { describe, expect, it } from 'vitest';
import { lineTaxesFromEngine } from './tax-lines.js';

const policy = { mode: 'half_up', level: 'line' } as const;
const lines = [
  { lineNo: 1, amountMinor: 34 },
  { lineNo: 2, amountMinor: 34 },
  { lineNo: 3, amountMinor: 34 },
];

describe('lineTaxesFromEngine', () => {
  it("keeps the engine's own line taxes when they add up to its total", () => {
    // An engine rounding per line can put the odd cent anywhere; a split would not know where.
    const engine = [
      { number: '1', tax: '0.03' },
      { number: '2', tax: '0.02' },
      { number: '3', tax: '0.03' },
    ];
    expect(lineTaxesFromEngine(lines, engine, 8, 'USD', policy)).toEqual({ taxes: [3, 2, 3], source: 'engine' });
  });

  it('falls back to the split when the lines do not add up or do not match', () => {
    const short = [{ number: '1', tax: '0.08' }];
    expect(lineTaxesFromEngine(lines, short, 8, 'USD', policy).source).toBe('allocated');
    const off = lines.map((l) => ({ number: String(l.lineNo), tax: '0.03' }));
    const allocated = lineTaxesFromEngine(lines, off, 8, 'USD', policy);
    expect(allocated.source).toBe('allocated');
    expect(allocated.taxes.reduce((a, b) => a + b, 0)).toBe(8);
  });
});
