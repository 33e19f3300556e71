import { describe, expect, it } from 'vitest';
import { computeInvoice, duePeriods } from './index.js';
import { phase, seats, terms, usageItem } from './testing.js';

const spans = (ps: { start: string; end: string }[]) => ps.map((p) => `${p.start}..${p.end}`);

describe('duePeriods', () => {
  it.each([
    {
      name: 'calendar monthly, mid-month start: a partial first and last month',
      t: terms([phase([seats()], { start: '2026-01-15' })], { endDate: '2026-04-15', alignment: 'calendar' }),
      want: ['2026-01-15..2026-02-01', '2026-02-01..2026-03-01', '2026-03-01..2026-04-01', '2026-04-01..2026-04-15'],
    },
    {
      name: 'anniversary monthly: periods start on the start day',
      t: terms([phase([seats()], { start: '2026-01-15' })], { endDate: '2026-04-15', alignment: 'anniversary' }),
      want: ['2026-01-15..2026-02-15', '2026-02-15..2026-03-15', '2026-03-15..2026-04-15'],
    },
    {
      name: 'anniversary on the 31st does not drift to the 28th after February',
      t: terms([phase([seats()], { start: '2026-01-31' })], { endDate: '2026-05-31', alignment: 'anniversary' }),
      want: ['2026-01-31..2026-02-28', '2026-02-28..2026-03-31', '2026-03-31..2026-04-30', '2026-04-30..2026-05-31'],
    },
    {
      name: 'calendar quarterly: calendar quarters, the first one partial',
      t: terms([phase([seats({ cadence: 'quarterly' })], { start: '2026-02-10' })], { endDate: '2026-10-01' }),
      want: ['2026-02-10..2026-04-01', '2026-04-01..2026-07-01', '2026-07-01..2026-10-01'],
    },
    {
      name: 'calendar annual: calendar years',
      t: terms([phase([seats({ cadence: 'annual' })], { start: '2026-07-01' })], { endDate: '2028-07-01' }),
      want: ['2026-07-01..2027-01-01', '2027-01-01..2028-01-01', '2028-01-01..2028-07-01'],
    },
    {
      name: 'a phase change mid-period splits the period (anniversary)',
      t: terms(
        [
          phase([seats()], { start: '2026-01-10', end: '2026-03-01', kind: 'ramp' }),
          phase([seats({ quantity: '20' })], { name: 'year 1', start: '2026-03-01', end: '2026-04-10' }),
        ],
        { alignment: 'anniversary', endDate: '2026-04-10' },
      ),
      want: ['2026-01-10..2026-02-10', '2026-02-10..2026-03-01', '2026-03-01..2026-03-10', '2026-03-10..2026-04-10'],
    },
    {
      name: 'a contract of one-time items only: one day on the phase start',
      t: terms([phase([seats({ cadence: 'one_time' })], { start: '2026-03-05' })]),
      want: ['2026-03-05..2026-03-06'],
    },
    {
      name: 'a one-time fee rides on the first monthly period, it opens none of its own',
      t: terms([phase([seats({ id: 'setup', cadence: 'one_time' }), seats()])], { endDate: '2026-03-01' }),
      want: ['2026-01-01..2026-02-01', '2026-02-01..2026-03-01'],
    },
    {
      name: 'an annual fee in a monthly contract: periods follow the shortest cadence',
      t: terms([phase([seats({ id: 'platform', cadence: 'annual' }), seats()])], { endDate: '2026-04-01' }),
      want: ['2026-01-01..2026-02-01', '2026-02-01..2026-03-01', '2026-03-01..2026-04-01'],
    },
  ])('$name', ({ t, want }) => {
    const periods = duePeriods(t, '2030-01-01');
    expect(periods.every((p) => p.kind === 'advance' && p.billOn === p.start)).toBe(true);
    expect(spans(periods)).toEqual(want);
  });

  it('arrears periods bill on their end; `through` is inclusive', () => {
    const t = terms([phase([usageItem('api_calls', { model: 'per_unit', unit_amount: '0.01' })])]);
    expect(duePeriods(t, '2026-02-28').map((p) => p.billOn)).toEqual(['2026-02-01']);
    const twoMonths = duePeriods(t, '2026-03-01');
    expect(twoMonths).toEqual([
      { start: '2026-01-01', end: '2026-02-01', kind: 'arrears', billOn: '2026-02-01' },
      { start: '2026-02-01', end: '2026-03-01', kind: 'arrears', billOn: '2026-03-01' },
    ]);
  });

  it('advance and arrears of the same month are two periods, ordered by bill date then period start', () => {
    const t = terms([phase([seats(), usageItem('api_calls', { model: 'per_unit', unit_amount: '0.01' })])]);
    const got = duePeriods(t, '2026-02-01').map((p) => `${p.kind}@${p.billOn}:${p.start}`);
    expect(got).toEqual([
      'advance@2026-01-01:2026-01-01',
      'arrears@2026-02-01:2026-01-01',
      'advance@2026-02-01:2026-02-01',
    ]);
  });

  it('an evergreen contract lists periods up to `through` only', () => {
    const t = terms([phase([seats()])]);
    expect(duePeriods(t, '2026-06-15')).toHaveLength(6);
  });

  it('the annual fee is on the January invoices only', () => {
    const t = terms([phase([seats({ id: 'platform', cadence: 'annual', quantity: '1' }), seats()])], {
      endDate: '2027-03-01',
    });
    const withPlatform = duePeriods(t, '2030-01-01')
      .filter((p) => {
        const r = computeInvoice(t, p, {});
        return r.ok && r.invoice.lines.some((l) => l.sourceRef === 'platform');
      })
      .map((p) => p.start);
    expect(withPlatform).toEqual(['2026-01-01', '2027-01-01']);
  });

  it('refuses bad terms with the path of the field', () => {
    const bad = terms([
      phase([seats()], { start: '2026-01-01', end: '2026-06-01' }),
      phase([seats()], { start: '2026-05-01', end: null }),
    ]);
    expect(() => duePeriods(bad, '2026-12-31')).toThrow(/terms\.phases\.1\.start/);
    expect(() => duePeriods(terms([phase([seats()])]), '31/12/2026')).toThrow(RangeError);
  });
});
