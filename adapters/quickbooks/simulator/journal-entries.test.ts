/** The simulator's own rules for JournalEntry and RefundReceipt, as QuickBooks answers them. */
import { describe, expect, it } from 'vitest';
import { createEntity } from './entities.js';
import { createQuickBooksState } from './state.js';

const NOW = new Date('2026-11-23T12:00:00Z');

function realmWithCustomer() {
  const realm = createQuickBooksState({}).realm('r1');
  const customer = createEntity(realm, 'Customer', { DisplayName: 'Acme' }, NOW).body.Customer as { Id: string };
  return { realm, customerId: customer.Id };
}

const line = (posting: 'Debit' | 'Credit', account: string, amount: number, extra: object = {}) => ({
  DetailType: 'JournalEntryLineDetail',
  Amount: amount,
  JournalEntryLineDetail: { PostingType: posting, AccountRef: { value: account }, ...extra },
});

describe('QuickBooks simulator: JournalEntry', () => {
  it('stores a balanced entry with its customer line', () => {
    const { realm, customerId } = realmWithCustomer();
    const entity = { Type: 'Customer', EntityRef: { value: customerId } };
    const result = createEntity(
      realm,
      'JournalEntry',
      { DocNumber: 'J1', Line: [line('Debit', '84', 10.5, { Entity: entity }), line('Credit', '79', 10.5)] },
      NOW,
    );
    expect(result.status).toBe(200);
    expect(realm.entities.JournalEntry.size).toBe(1);
  });

  it('refuses an unbalanced entry (6000) and an unknown account (2500), storing nothing', () => {
    const { realm } = realmWithCustomer();
    const unbalanced = createEntity(
      realm,
      'JournalEntry',
      { Line: [line('Debit', '84', 10), line('Credit', '79', 9)] },
      NOW,
    );
    expect(unbalanced.status).toBe(400);
    expect(JSON.stringify(unbalanced.body)).toContain('not balanced');
    const ghost = createEntity(
      realm,
      'JournalEntry',
      { Line: [line('Debit', '84', 1), line('Credit', '999999', 1)] },
      NOW,
    );
    expect(JSON.stringify(ghost.body)).toContain('"code":"2500"');
    expect(realm.entities.JournalEntry.size).toBe(0);
  });

  it('a foreign currency entry needs ExchangeRate', () => {
    const { realm } = realmWithCustomer();
    const body = { CurrencyRef: { value: 'EUR' }, Line: [line('Debit', '84', 1), line('Credit', '79', 1)] };
    expect(createEntity(realm, 'JournalEntry', body, NOW).status).toBe(400);
    expect(createEntity(realm, 'JournalEntry', { ...body, ExchangeRate: 1.08 }, NOW).status).toBe(200);
  });
});

describe('QuickBooks simulator: RefundReceipt', () => {
  it('needs a known DepositToAccountRef', () => {
    const { realm, customerId } = realmWithCustomer();
    const body = {
      CustomerRef: { value: customerId },
      Line: [{ DetailType: 'SalesItemLineDetail', Amount: 5, SalesItemLineDetail: { Qty: 1, UnitPrice: 5 } }],
    };
    expect(createEntity(realm, 'RefundReceipt', body, NOW).status).toBe(400);
    expect(
      createEntity(realm, 'RefundReceipt', { ...body, DepositToAccountRef: { value: '999999' } }, NOW).status,
    ).toBe(400);
    const stored = createEntity(realm, 'RefundReceipt', { ...body, DepositToAccountRef: { value: '35' } }, NOW);
    expect(stored.status).toBe(200);
    expect((stored.body.RefundReceipt as { TotalAmt: number }).TotalAmt).toBe(5);
  });
});
