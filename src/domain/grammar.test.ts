import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './grammar.js';

// "…Z" strings take the digit-by-digit path; the same instant written "…+00:00" takes the regex path.
const viaRegex = (value: string) => parseTimestamp(`${value.slice(0, -1)}+00:00`);

describe('parseTimestamp', () => {
  it('reads toISOString output as Date.parse does, with or without milliseconds', () => {
    const from = Date.UTC(2000, 0, 1);
    const to = Date.UTC(2199, 11, 31, 23, 59, 59, 999);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(parseTimestamp(iso)).toBe(ms);
        const seconds = `${iso.slice(0, 19)}Z`;
        expect(parseTimestamp(seconds)).toBe(Date.parse(seconds));
      }),
    );
  });

  it('gives the answer of the general path for any character changed in a UTC timestamp', () => {
    const alphabet = fc.constantFrom(...'0123456789-:.TZtz +x'.split(''));
    const base = fc.constantFrom('2026-03-02T09:00:00Z', '2024-02-29T23:59:59.999Z', '2199-12-31T00:00:00.000Z');
    fc.assert(
      fc.property(base, fc.nat(), alphabet, (value, at, char) => {
        const i = at % (value.length - 1); // the final Z stays, so the +00:00 rewrite is the same instant
        const changed = value.slice(0, i) + char + value.slice(i + 1);
        expect(parseTimestamp(changed)).toBe(viaRegex(changed));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses impossible days, hours and years on the fast path', () => {
    for (const bad of [
      '2026-02-30T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-03-02T24:00:00Z',
      '2026-03-02T09:60:00Z',
      '2026-03-02T09:00:60Z',
      '1999-12-31T23:59:59Z',
      '2200-01-01T00:00:00.000Z',
    ]) {
      expect(parseTimestamp(bad)).toBeNull();
    }
  });
});
