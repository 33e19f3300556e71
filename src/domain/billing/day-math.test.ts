import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, isIsoDate } from '../dates.js';
import { gridPeriodContaining } from './calendar.js';
import { addDaysFast, addMonthsFast, isIsoDay } from './day-math.js';

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Well-formed strings, including days past the month's end, years 0-99 and month 00/13. */
const dateString = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
const realDate = fc
  .date({ min: new Date('1600-01-01T00:00:00Z'), max: new Date('2400-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

/** The reference's answer or its error, so both can be compared as values. */
function outcome(f: () => string): string {
  try {
    return f();
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
}

describe('day-math gives dates.ts answers', () => {
  it('addMonthsFast = addMonths', () => {
    const edge = ['2024-01-31', '2024-02-29', '2023-02-28', '0100-03-31', '9999-12-31', '0099-12-01', '2026-02-30'];
    for (const d of edge) {
      for (const n of [-1300, -13, -12, -1, 0, 1, 11, 12, 13, 1300]) {
        expect(
          outcome(() => addMonthsFast(d, n)),
          `${d} + ${n}`,
        ).toBe(outcome(() => addMonths(d, n)));
      }
    }
    fc.assert(
      fc.property(fc.oneof(dateString, realDate), fc.integer({ min: -2400, max: 2400 }), (d, n) => {
        expect(outcome(() => addMonthsFast(d, n))).toBe(outcome(() => addMonths(d, n)));
      }),
      { numRuns: 3000 },
    );
  });

  it('addDaysFast = addDays', () => {
    for (const d of ['2024-02-28', '2024-12-31', '1900-02-28', '2000-02-28', '0100-01-01', '9999-12-31', 'nope']) {
      for (const n of [-400, -1, 0, 1, 30, 365, 366]) {
        expect(
          outcome(() => addDaysFast(d, n)),
          `${d} + ${n}`,
        ).toBe(outcome(() => addDays(d, n)));
      }
    }
    fc.assert(
      fc.property(fc.oneof(dateString, realDate), fc.integer({ min: -100_000, max: 100_000 }), (d, n) => {
        expect(outcome(() => addDaysFast(d, n))).toBe(outcome(() => addDays(d, n)));
      }),
      { numRuns: 3000 },
    );
  });

  it('isIsoDay = isIsoDate, asked once or twice', () => {
    for (const d of ['2026-01-01', '2026-02-30', '2026-13-01', '26-01-01', '', '2026-1-01']) {
      expect(isIsoDay(d)).toBe(isIsoDate(d));
      expect(isIsoDay(d)).toBe(isIsoDate(d));
    }
  });

  it('a remembered grid period is a fresh object each time', () => {
    const a = gridPeriodContaining('2026-01-31', 1, '2026-03-15');
    a.start = 'changed';
    expect(gridPeriodContaining('2026-01-31', 1, '2026-03-15')).toEqual({ start: '2026-02-28', end: '2026-03-31' });
  });
});
