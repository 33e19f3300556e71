import { describe, expect, it } from 'vitest';
import { ageReceivables, agingBucket } from './receivables.js';

describe('agingBucket', () => {
  it.each([
    ['2026-03-10', 'current'],
    ['2026-03-01', 'current'],
    ['2026-02-28', 'days_1_30'],
    ['2026-01-30', 'days_1_30'],
    ['2026-01-29', 'days_31_60'],
    ['2025-12-31', 'days_31_60'],
    ['2025-12-30', 'days_61_90'],
    ['2025-12-01', 'days_61_90'],
    ['2025-11-30', 'days_over_90'],
  ])('due %s, as of 2026-03-01 → %s', (due, bucket) => {
    expect(agingBucket(due, '2026-03-01')).toBe(bucket);
  });
});

describe('ageReceivables', () => {
  it('sums per customer and currency, never across currencies, with totals per currency', () => {
    const report = ageReceivables(
      [
        { customerId: 'c2', customerName: 'Beta', currency: 'USD', dueDate: '2026-03-05', dueMinor: 1000 },
        { customerId: 'c1', customerName: 'Acme', currency: 'USD', dueDate: '2026-02-01', dueMinor: 250 },
        { customerId: 'c1', customerName: 'Acme', currency: 'USD', dueDate: '2025-10-01', dueMinor: 50 },
        { customerId: 'c1', customerName: 'Acme', currency: 'JPY', dueDate: '2026-02-20', dueMinor: 1500 },
        { customerId: 'c1', customerName: 'Acme', currency: 'USD', dueDate: '2026-02-01', dueMinor: 0 },
      ],
      '2026-03-01',
    );
    expect(report.rows.map((r) => [r.customerName, r.currency, r.total, r.invoices])).toEqual([
      ['Acme', 'JPY', 1500, 1],
      ['Acme', 'USD', 300, 2],
      ['Beta', 'USD', 1000, 1],
    ]);
    expect(report.rows[1]).toMatchObject({ days_1_30: 250, days_over_90: 50, current: 0 });
    expect(report.totals).toEqual([
      {
        currency: 'JPY',
        invoices: 1,
        current: 0,
        days_1_30: 1500,
        days_31_60: 0,
        days_61_90: 0,
        days_over_90: 0,
        total: 1500,
      },
      {
        currency: 'USD',
        invoices: 3,
        current: 1000,
        days_1_30: 250,
        days_31_60: 0,
        days_61_90: 0,
        days_over_90: 50,
        total: 1300,
      },
    ]);
  });
});
