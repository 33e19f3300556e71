import { describe, expect, it } from 'vitest';
import type { BillableMetric } from './metric';
import { levelBefore } from './prior';

const seats: BillableMetric = { code: 's', aggregation: 'weighted_sum', field: 'seats' };
const ev = (timestamp: number, properties: Record<string, unknown>) => ({ timestamp, properties });

describe('levelBefore', () => {
  it('is the last decimal level before the start; later input wins a timestamp tie', () => {
    const events = [
      ev(1, { seats: 4 }),
      ev(5, { seats: 7 }),
      ev(5, { seats: 9 }),
      ev(6, { other: 1 }),
      ev(10, { seats: 1 }),
    ];
    expect(levelBefore(seats, events, 10)).toBe('9');
    expect(levelBefore(seats, events, 5)).toBe('4');
    expect(levelBefore(seats, events, 1)).toBeUndefined();
  });

  it('keeps one level per group and skips filtered-out events', () => {
    const metric: BillableMetric = {
      ...seats,
      groupBy: ['plan'],
      filters: [{ property: 'region', values: ['eu'] }],
    };
    const events = [
      ev(1, { seats: 3, plan: 'basic', region: 'eu' }),
      ev(2, { seats: 8, plan: 'basic', region: 'us' }),
      ev(3, { seats: 2, plan: 'pro', region: 'eu' }),
    ];
    expect(levelBefore(metric, events, 4)).toEqual({ '["basic"]': '3', '["pro"]': '2' });
  });
});
