import { describe, expect, it } from 'vitest';
import { type BalanceInvoice, customerBalance, walletCredit } from './customer-balance.js';
import { INVOICE_STATUSES } from './invoice-lifecycle.js';

const inv = (over: Partial<BalanceInvoice>): BalanceInvoice => ({
  documentKind: 'recurring',
  status: 'finalized',
  currency: 'USD',
  totalMinor: 1000,
  amountPaidMinor: 0,
  creditedMinor: 0,
  ...over,
});

describe('customerBalance', () => {
  it.each(INVOICE_STATUSES)('counts a %s invoice only when it is open', (status) => {
    const open = ['finalized', 'partially_paid', 'overdue'].includes(status);
    expect(customerBalance([inv({ status })])).toEqual({
      dueByCurrency: new Map(open ? [['USD', 1000]] : []),
      openInvoiceCount: open ? 1 : 0,
    });
  });

  it('takes payments and issued credit off, never below zero, per currency; credit notes are not bills', () => {
    const b = customerBalance([
      inv({ totalMinor: 1000, amountPaidMinor: 300, creditedMinor: 200 }),
      inv({ totalMinor: 500, creditedMinor: 900 }),
      inv({ currency: 'JPY', totalMinor: 1500 }),
      inv({ documentKind: 'credit_note', totalMinor: 700 }),
    ]);
    expect(b.dueByCurrency).toEqual(
      new Map([
        ['USD', 500],
        ['JPY', 1500],
      ]),
    );
    expect(b.openInvoiceCount).toBe(2);
  });
});

describe('walletCredit', () => {
  it('adds what is left of usable grants, per currency', () => {
    const credit = walletCredit(
      [
        {
          currency: 'USD',
          grants: [
            { id: 'a', amount: '100', priority: 0, grantedOn: '2026-01-01' },
            { id: 'b', amount: '50', priority: 1, grantedOn: '2026-01-01', expiresOn: '2026-06-01' },
            { id: 'late', amount: '10', priority: 0, grantedOn: '2026-04-01' },
          ],
          drawnMinor: new Map([
            ['a', -2500],
            ['b', -9000],
          ]),
        },
        {
          currency: 'KWD',
          grants: [{ id: 'k', amount: '1.5', priority: 0, grantedOn: '2026-01-01' }],
          drawnMinor: new Map(),
        },
      ],
      '2026-03-01',
    );
    // a: 100.00 - 25.00; b overdrawn counts 0 (never below zero); late not granted yet
    expect(credit).toEqual(
      new Map([
        ['USD', 7500],
        ['KWD', 1500],
      ]),
    );
    expect(
      walletCredit(
        [
          {
            currency: 'USD',
            grants: [{ id: 'b', amount: '50', priority: 1, grantedOn: '2026-01-01', expiresOn: '2026-03-01' }],
            drawnMinor: new Map(),
          },
        ],
        '2026-03-01',
      ),
    ).toEqual(new Map());
  });
});
