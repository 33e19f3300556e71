import { describe, expect, it } from 'vitest';
import { periodsBeforeCancellation } from './cancellation.js';

const monthly = [
  { start: '2026-01-01', end: '2026-02-01' },
  { start: '2026-02-01', end: '2026-03-01' },
  { start: '2026-03-01', end: '2026-04-01' },
  { start: '2026-04-01', end: '2026-05-01' },
];

describe('periodsBeforeCancellation', () => {
  it('keeps every period when no cancellation is set', () => {
    expect(periodsBeforeCancellation(monthly, null)).toEqual(monthly);
    expect(periodsBeforeCancellation(monthly, undefined)).toEqual(monthly);
  });

  it.each([
    [
      'mid-period: the period in progress is owed, the next ones are not',
      '2026-02-14T09:30:00Z',
      ['2026-01-01', '2026-02-01'],
    ],
    ['on a period start: that period is the one in progress', '2026-03-01', ['2026-01-01', '2026-02-01', '2026-03-01']],
    ['the last day of a period: that period only', '2026-02-28T23:59:59Z', ['2026-01-01', '2026-02-01']],
    ['before the first period: nothing', '2025-12-31', []],
  ])('%s', (_name, setOn, starts) => {
    expect(periodsBeforeCancellation(monthly, setOn).map((p) => p.start)).toEqual(starts);
  });
});
