import { describe, expect, it } from 'vitest';
import { checkNewAccount, DEFAULT_CHART, isSystemAccount, parentCode } from './chart-of-accounts.js';
import { bookingDate, isPeriod, periodBounds } from './periods.js';

describe('chart of accounts', () => {
  it('holds the default accounts the issue lists, each once', () => {
    const codes = DEFAULT_CHART.map((a) => a.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of ['accounts_receivable', 'unbilled_receivables', 'deferred_revenue', 'discounts', 'bad_debt']) {
      expect(codes).toContain(code);
    }
  });

  type Want = { ok: boolean; type?: string; status?: number; field?: string };
  it.each<[Parameters<typeof checkNewAccount>[1], Want]>([
    [
      { code: 'revenue:hardware', name: 'Hardware' },
      { ok: true, type: 'revenue' },
    ],
    [
      { code: 'cash:stripe:EUR', name: 'Stripe EUR clearing' },
      { ok: true, type: 'asset' },
    ],
    [
      { code: 'tax_payable:US-CA', name: 'CA sales tax' },
      { ok: true, type: 'liability' },
    ],
    [
      { code: 'revenue:x', name: 'x', type: 'expense' as const },
      { ok: false, status: 422, field: 'type' },
    ],
    [
      { code: 'rent:office', name: 'x' },
      { ok: false, status: 422, field: 'code' },
    ],
    [
      { code: 'Revenue', name: 'x', type: 'revenue' as const },
      { ok: false, status: 422, field: 'code' },
    ],
    [
      { code: 'cash', name: 'x', type: 'asset' as const },
      { ok: false, status: 409, field: 'code' },
    ],
    [
      { code: 'rent', name: 'Rent' },
      { ok: false, status: 422, field: 'type' },
    ],
  ])('checks %o', (input, want) => {
    const result = checkNewAccount(DEFAULT_CHART, input);
    expect(result.ok).toBe(want.ok);
    if (result.ok) expect(result.account.type).toBe(want.type);
    else {
      expect(result.status).toBe(want.status);
      expect(result.issues[0]!.field).toBe(want.field);
    }
  });

  it('rolls sub-accounts up to their parent and knows the accounts the hub posts to', () => {
    expect(parentCode('cash:stripe:EUR')).toBe('cash');
    expect(isSystemAccount('revenue')).toBe(true);
    expect(isSystemAccount('discounts')).toBe(false);
  });
});

describe('periods', () => {
  it('dates an entry of a closed period into the next open one, keeping its form', () => {
    const closed = new Set(['2026-01', '2026-02']);
    expect(bookingDate('2026-01-15', closed)).toBe('2026-03-01');
    expect(bookingDate('2026-02-28T10:00:00.000Z', closed)).toBe('2026-03-01T00:00:00.000Z');
    expect(bookingDate('2026-03-02', closed)).toBe('2026-03-02');
    expect(bookingDate('2025-12-31', closed)).toBe('2025-12-31');
    expect(bookingDate('2026-12-31', new Set(['2026-12']))).toBe('2027-01-01');
  });

  it('reads periods', () => {
    expect(isPeriod('2026-02')).toBe(true);
    expect(isPeriod('2026-13')).toBe(false);
    expect(isPeriod('2026-2')).toBe(false);
    expect(periodBounds('2026-12')).toEqual({ from: '2026-12-01', until: '2027-01-01' });
  });
});
