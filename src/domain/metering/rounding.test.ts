/**
 * Rounding of an aggregated value at any precision, negative included (issue 11). Lago's
 * rounding page, https://getlago.com/docs/guide/billable-metrics/rounding: 123.4567 with
 * precision 2 → 123.46, precision -1 → 120; 10.2 hours → ceil 11, floor 10, round 10.
 */
import { describe, expect, it } from 'vitest';
import { Dec, plain } from '../pricing/decimal';
import { roundQuantity } from './aggregate';
import { billableMetricSchema, type MetricRounding } from './metric';

const r = (value: string, mode: MetricRounding['mode'], precision: number) =>
  plain(roundQuantity(new Dec(value), { mode, precision }));

describe('roundQuantity', () => {
  it.each([
    ['123.4567', 'round', 0, '123'],
    ['123.4567', 'round', 2, '123.46'],
    ['123.4567', 'round', -1, '120'], // Lago: to the nearest ten
    ['10.2', 'ceil', 0, '11'],
    ['10.2', 'floor', 0, '10'],
    ['10.2', 'round', 0, '10'],
    ['1234', 'ceil', -2, '1300'], // hundreds, up
    ['1299', 'floor', -2, '1200'], // hundreds, down
    ['1250', 'round', -2, '1300'], // half away from zero
    ['-125', 'round', -1, '-130'],
    ['0', 'ceil', -3, '0'],
  ] as const)('%s %s at %i → %s', (value, mode, precision, want) => {
    expect(r(value, mode, precision)).toBe(want);
  });

  it('the metric schema takes a negative precision down to -20', () => {
    const base = { code: 'm', aggregation: 'sum', field: 'gb' };
    expect(billableMetricSchema.safeParse({ ...base, rounding: { mode: 'round', precision: -2 } }).success).toBe(true);
    const low = billableMetricSchema.safeParse({ ...base, rounding: { mode: 'round', precision: -21 } });
    expect(low.error?.issues[0]?.path).toEqual(['rounding', 'precision']);
  });
});
