import { describe, expect, it } from 'vitest';
import { computeInvoice, duePeriods } from '../billing/index.js';
import { phase, seats, terms } from '../billing/testing.js';
import { renewedThrough } from './renewal.js';

const quarterTerm = (policy: 'none' | 'auto_renew', termMonths?: number) =>
  terms([phase([seats({ quantity: '2' })], { start: '2026-01-01', end: '2026-04-01' })], {
    endDate: '2026-04-01',
    renewal: termMonths ? { policy, termMonths } : { policy },
  });

describe('renewal policy', () => {
  it('a contract without auto-renewal stops billing at its end date', () => {
    const due = duePeriods(quarterTerm('none'), '2026-06-15').filter((p) => p.kind === 'advance');
    expect(due.map((p) => p.start)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
  });

  it('an auto-renewing contract keeps billing after its end date, at the prices in force', () => {
    const renewing = quarterTerm('auto_renew', 3);
    const due = duePeriods(renewing, '2026-06-15').filter((p) => p.kind === 'advance');
    expect(due.map((p) => p.start)).toEqual([
      '2026-01-01',
      '2026-02-01',
      '2026-03-01',
      '2026-04-01',
      '2026-05-01',
      '2026-06-01',
    ]);
    const may = due.find((p) => p.start === '2026-05-01')!;
    const invoice = computeInvoice(renewing, may, {});
    expect(invoice.ok && invoice.invoice.totalMinor).toBe(2000); // 2 seats × 10.00, a full month
  });

  it('renews by the initial term length when termMonths is not given, and only as far as needed', () => {
    const renewed = renewedThrough(quarterTerm('auto_renew'), '2026-04-01');
    expect(renewed.endDate).toBe('2026-07-01');
    expect(renewed.phases[0]!.end).toBe('2026-07-01');
    expect(renewedThrough(quarterTerm('auto_renew'), '2026-03-31').endDate).toBe('2026-04-01');
    expect(renewedThrough(quarterTerm('auto_renew'), '2027-01-15').endDate).toBe('2027-04-01');
  });
});
