import { describe, expect, it } from 'vitest';
import { toErpJournal } from './erp-journal.js';

const entry = {
  id: 'jnl_abc',
  memo: 'Invoice INV-1 issued',
  occurredAt: '2026-11-23T10:00:00.000Z',
  lines: [
    { account: 'accounts_receivable', currency: 'USD', debitMinor: 10800, creditMinor: 0 },
    { account: 'revenue:platform', currency: 'USD', debitMinor: 0, creditMinor: 10000 },
    { account: 'tax_payable', currency: 'USD', debitMinor: 0, creditMinor: 800 },
  ],
};
const map = { accounts_receivable: '84', revenue: '79', tax_payable: '33' };

describe('toErpJournal', () => {
  it('maps codes (a sub-account through its parent), major units, the customer on the receivable line', () => {
    const mapped = toErpJournal(entry, map, '58');
    expect(mapped).toEqual({
      ok: true,
      value: {
        entryRef: 'jnl_abc',
        date: '2026-11-23',
        currency: 'USD',
        memo: 'Invoice INV-1 issued',
        lines: [
          {
            accountExternalId: '84',
            side: 'debit',
            amount: '108.00',
            description: 'Invoice INV-1 issued (accounts_receivable)',
            customerExternalId: '58',
          },
          {
            accountExternalId: '79',
            side: 'credit',
            amount: '100.00',
            description: 'Invoice INV-1 issued (revenue:platform)',
          },
          {
            accountExternalId: '33',
            side: 'credit',
            amount: '8.00',
            description: 'Invoice INV-1 issued (tax_payable)',
          },
        ],
      },
    });
  });

  it('an unmapped account pauses (retryable, flagged) naming the hub account code', () => {
    const { tax_payable: _t, ...partial } = map;
    const mapped = toErpJournal(entry, partial, '58');
    expect(mapped).toMatchObject({ ok: false, kind: 'retryable', reconnect: true });
    expect(!mapped.ok && mapped.reason).toContain('tax_payable');
  });
});
