import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec } from '../pricing/decimal';
import { aggregate, type BillableMetric, billableMetricSchema, isLate, type MeteredEvent } from './index';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const march: { start: number; end: number } = { start: T0, end: T0 + 10 * DAY };

function ev(at: number, properties: Record<string, unknown> = {}): MeteredEvent {
  return { timestamp: at, properties };
}

const events: MeteredEvent[] = [
  ev(T0, { gb: '1.5', region: 'eu', user: 'a' }),
  ev(T0 + HOUR, { gb: 2, region: 'us', user: 'b' }),
  ev(T0 + 2 * HOUR, { gb: '0.25', region: 'eu', user: 'a' }),
  ev(T0 + 3 * HOUR, { gb: 'n/a', region: 'eu', user: 'c' }),
  ev(T0 + 10 * DAY, { gb: '100', region: 'eu', user: 'd' }), // at the exclusive end: outside
  ev(T0 - 1, { gb: '100', region: 'eu', user: 'e' }), // before the start: outside
];

describe('aggregate', () => {
  const cases: { name: string; metric: BillableMetric; expected: Array<[Record<string, string | null>, string]> }[] = [
    { name: 'count', metric: { code: 'm', aggregation: 'count' }, expected: [[{}, '4']] },
    { name: 'sum skips non-numeric', metric: { code: 'm', aggregation: 'sum', field: 'gb' }, expected: [[{}, '3.75']] },
    { name: 'max', metric: { code: 'm', aggregation: 'max', field: 'gb' }, expected: [[{}, '2']] },
    { name: 'unique_count', metric: { code: 'm', aggregation: 'unique_count', field: 'user' }, expected: [[{}, '3']] },
    {
      name: 'latest takes the last numeric value',
      metric: { code: 'm', aggregation: 'latest', field: 'gb' },
      expected: [[{}, '0.25']],
    },
    {
      name: 'filter',
      metric: { code: 'm', aggregation: 'sum', field: 'gb', filters: [{ property: 'region', values: ['eu'] }] },
      expected: [[{}, '1.75']],
    },
    {
      name: 'filter with several values and a number property',
      metric: { code: 'm', aggregation: 'count', filters: [{ property: 'gb', values: ['2', '0.25'] }] },
      expected: [[{}, '2']],
    },
    {
      name: 'group_by gives one result per group, sorted by key',
      metric: { code: 'm', aggregation: 'sum', field: 'gb', groupBy: ['region'] },
      expected: [
        [{ region: 'eu' }, '1.75'],
        [{ region: 'us' }, '2'],
      ],
    },
    {
      name: 'a missing group property is null',
      metric: { code: 'm', aggregation: 'count', groupBy: ['plan'] },
      expected: [[{ plan: null }, '4']],
    },
    {
      name: 'rounding ceil',
      metric: { code: 'm', aggregation: 'sum', field: 'gb', rounding: { mode: 'ceil', precision: 0 } },
      expected: [[{}, '4']],
    },
    {
      name: 'rounding floor at 1 place',
      metric: { code: 'm', aggregation: 'sum', field: 'gb', rounding: { mode: 'floor', precision: 1 } },
      expected: [[{}, '3.7']],
    },
    {
      name: 'rounding round half away from zero',
      metric: { code: 'm', aggregation: 'sum', field: 'gb', rounding: { mode: 'round', precision: 1 } },
      expected: [[{}, '3.8']],
    },
  ];
  it.each(cases)('$name', ({ metric, expected }) => {
    const result = aggregate(metric, events, march);
    expect(result.map((r) => [r.group, r.value])).toEqual(expected);
  });

  it('ungrouped metrics give one zero result for an empty period; grouped ones give none', () => {
    expect(aggregate({ code: 'm', aggregation: 'max', field: 'gb' }, [], march)).toEqual([
      { group: {}, key: '[]', value: '0', events: 0 },
    ]);
    expect(aggregate({ code: 'm', aggregation: 'sum', field: 'gb', groupBy: ['region'] }, [], march)).toEqual([]);
  });

  it('sums exactly where floats would not', () => {
    const tenths = Array.from({ length: 10 }, (_, i) => ev(T0 + i, { v: 0.1 }));
    expect(aggregate({ code: 'm', aggregation: 'sum', field: 'v' }, tenths, march)[0]!.value).toBe('1');
  });

  it('latest breaks timestamp ties by input order and ignores input order otherwise', () => {
    const metric: BillableMetric = { code: 'm', aggregation: 'latest', field: 'v' };
    const out = [ev(T0 + 5, { v: '9' }), ev(T0 + 1, { v: '1' }), ev(T0 + 5, { v: '7' })];
    expect(aggregate(metric, out, march)[0]!.value).toBe('7');
  });

  describe('weighted_sum', () => {
    const metric: BillableMetric = { code: 'seats', aggregation: 'weighted_sum', field: 'seats' };
    const period = { start: T0, end: T0 + 30 * DAY };

    it('holds each level until the next event and starts from 0', () => {
      // 0 for 10 days, 10 for 10 days, 40 for 10 days → (0 + 100 + 400) / 30 = 16.666…
      const out = aggregate(metric, [ev(T0 + 10 * DAY, { seats: 10 }), ev(T0 + 20 * DAY, { seats: '40' })], period);
      expect(out[0]!.value).toBe('16.666666666667');
    });

    it('starts from the prior level when one is passed', () => {
      const out = aggregate(metric, [ev(T0 + 15 * DAY, { seats: 20 })], period, { prior: '10' });
      expect(out[0]!.value).toBe('15');
      expect(aggregate(metric, [], period, { prior: '7' })[0]!.value).toBe('7');
    });

    it('applies the metric rounding instead of the default scale', () => {
      const rounded = { ...metric, rounding: { mode: 'ceil' as const, precision: 0 } };
      const out = aggregate(rounded, [ev(T0 + 10 * DAY, { seats: 10 }), ev(T0 + 20 * DAY, { seats: 40 })], period);
      expect(out[0]!.value).toBe('17');
    });

    it('keeps a prior level per group, even for a group without events', () => {
      const grouped = { ...metric, groupBy: ['plan'] };
      const out = aggregate(grouped, [ev(T0 + 15 * DAY, { seats: 4, plan: 'pro' })], period, {
        prior: { '["basic"]': '3', '["pro"]': '2' },
      });
      expect(out.map((r) => [r.group, r.value])).toEqual([
        [{ plan: 'basic' }, '3'],
        [{ plan: 'pro' }, '3'],
      ]);
    });
  });

  it('rejects an empty or inverted period', () => {
    expect(() => aggregate({ code: 'm', aggregation: 'count' }, [], { start: T0, end: T0 })).toThrow(RangeError);
  });
});

describe('aggregation properties', () => {
  const eventArb = fc.record({
    offset: fc.integer({ min: 0, max: 10 * DAY - 1 }),
    v: fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
      fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 999 })).map(([w, f]) => `${w}.${f}`),
      fc.constant('not a number'),
    ),
    region: fc.constantFrom('eu', 'us', 'apac'),
  });

  it('sum and count over a period equal the sum of the parts of any split', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 * DAY - 1 }),
        fc.constantFrom<BillableMetric>(
          { code: 'm', aggregation: 'sum', field: 'v' },
          { code: 'm', aggregation: 'count' },
          { code: 'm', aggregation: 'sum', field: 'v', groupBy: ['region'] },
          { code: 'm', aggregation: 'count', filters: [{ property: 'region', values: ['eu', 'us'] }] },
        ),
        (raw, split, metric) => {
          const evs = raw.map((r) => ev(T0 + r.offset, { v: r.v, region: r.region }));
          const whole = aggregate(metric, evs, march);
          const parts = [
            ...aggregate(metric, evs, { start: T0, end: T0 + split }),
            ...aggregate(metric, evs, { start: T0 + split, end: march.end }),
          ];
          for (const group of whole) {
            const total = parts.filter((p) => p.key === group.key).reduce((acc, p) => acc.add(p.value), new Dec(0));
            expect(total.eq(group.value)).toBe(true);
          }
          expect(new Set(parts.map((p) => p.key))).toEqual(new Set(whole.map((w) => w.key)));
        },
      ),
    );
  });

  it('weighted_sum of a constant level is that level, whatever the events in between', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * DAY - 1 }), { maxLength: 20 }), (offsets) => {
        const evs = offsets.map((o) => ev(T0 + o, { seats: '5' }));
        const out = aggregate({ code: 's', aggregation: 'weighted_sum', field: 'seats' }, evs, march, { prior: '5' });
        expect(out[0]!.value).toBe('5');
      }),
    );
  });
});

describe('billableMetricSchema', () => {
  it('requires field except for count, and defaults filters and group_by', () => {
    expect(billableMetricSchema.safeParse({ code: 'api_calls', aggregation: 'count' }).data).toEqual({
      code: 'api_calls',
      aggregation: 'count',
      filters: [],
      group_by: [],
    });
    const missing = billableMetricSchema.safeParse({ code: 'gb', aggregation: 'sum' });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(['field']);
    const badRounding = billableMetricSchema.safeParse({
      code: 'gb',
      aggregation: 'sum',
      field: 'gb',
      rounding: { mode: 'up', precision: 2 },
    });
    expect(badRounding.error?.issues[0]?.path).toEqual(['rounding', 'mode']);
  });
});

describe('isLate', () => {
  it('is late only before a known watermark', () => {
    expect(isLate(T0, null)).toBe(false);
    expect(isLate(T0 - 1, T0)).toBe(true);
    expect(isLate(T0, T0)).toBe(false);
  });
});
