import { describe, expect, it } from 'vitest';
import type { ErpInvoiceRequest } from '../ports.js';
import { docNumberFor } from './doc-number.js';
import {
  fromDocument,
  fromEntity,
  selectByField,
  toInvoice,
  toJournalEntry,
  toJsonNumber,
  toPayment,
  toRefundReceipt,
} from './map.js';

describe('toJsonNumber', () => {
  it.each([
    ['1200.10', 1200.1],
    ['0.1', 0.1],
    ['-3.50', -3.5],
    ['97.51', 97.51],
    ['1000000', 1000000],
    ['400.0333', 400.0333],
  ])('sends %s as the JSON number %s', (input, expected) => {
    const result = toJsonNumber(input, 'amount');
    expect(result).toEqual({ ok: true, value: expected });
    if (result.ok) expect(JSON.stringify(result.value)).toBe(String(expected));
  });

  it.each(['12345678901234567.89', '0.12345678901234567891'])('refuses %s, which a double cannot carry', (input) => {
    const result = toJsonNumber(input, 'amount');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result).toMatchObject({ kind: 'permanent', field: 'amount' });
  });

  it.each(['1e3', '12,00', ' 1', 'NaN', ''])('refuses the non-decimal %j', (input) => {
    expect(toJsonNumber(input, 'amount')).toMatchObject({ ok: false, kind: 'permanent' });
  });
});

describe('selectByField', () => {
  it('escapes single quotes with a backslash', () => {
    expect(selectByField('Customer', 'DisplayName', "Acme O'Brien's")).toBe(
      "select * from Customer where DisplayName = 'Acme O\\'Brien\\'s'",
    );
  });
});

const invoice: ErpInvoiceRequest = {
  invoiceNumber: 'INV-1',
  customerExternalId: '58',
  currency: 'USD',
  issueDate: '2026-11-23',
  dueDate: '2026-12-23',
  lines: [
    { itemExternalId: '19', description: 'Seats', quantity: '3', unitPrice: '400.0333', amount: '1200.10' },
    { itemExternalId: '20', description: 'Setup', quantity: '1', unitPrice: '0.20', amount: '0.20' },
  ],
  totalTax: '97.51',
  total: '1297.81',
};

describe('toInvoice', () => {
  it('maps lines, tax and references', () => {
    const body = toInvoice(invoice);
    expect(body.ok).toBe(true);
    if (!body.ok) return;
    expect(body.value).toMatchObject({
      DocNumber: 'INV-1',
      TxnDate: '2026-11-23',
      DueDate: '2026-12-23',
      CustomerRef: { value: '58' },
      CurrencyRef: { value: 'USD' },
      TxnTaxDetail: { TotalTax: 97.51 },
    });
    expect(body.value.Line[1]).toEqual({
      DetailType: 'SalesItemLineDetail',
      Amount: 0.2,
      Description: 'Setup',
      SalesItemLineDetail: { ItemRef: { value: '20' }, Qty: 1, UnitPrice: 0.2 },
    });
  });

  it('refuses an invoice whose lines and tax do not add up to the total', () => {
    expect(toInvoice({ ...invoice, total: '1297.80' })).toMatchObject({
      ok: false,
      kind: 'permanent',
      field: 'total',
    });
  });

  it('sends a number longer than 21 characters through the DocNumber rule (doc-number.ts)', () => {
    const mapped = toInvoice({ ...invoice, invoiceNumber: 'X'.repeat(22) });
    expect(mapped.ok && mapped.value.DocNumber).toBe(docNumberFor('X'.repeat(22)));
    expect(mapped.ok && mapped.value.DocNumber.length).toBe(21);
  });
});

describe('toPayment / fromEntity', () => {
  it('links the payment to the invoice', () => {
    const body = toPayment({
      paymentRef: 'PAY-1',
      customerExternalId: '58',
      invoiceExternalId: '130',
      amount: '1297.81',
      currency: 'USD',
      date: '2026-11-30',
    });
    expect(body).toEqual({
      ok: true,
      value: {
        TotalAmt: 1297.81,
        CustomerRef: { value: '58' },
        CurrencyRef: { value: 'USD' },
        PaymentRefNum: 'PAY-1',
        TxnDate: '2026-11-30',
        Line: [{ Amount: 1297.81, LinkedTxn: [{ TxnId: '130', TxnType: 'Invoice' }] }],
      },
    });
  });

  it('reports DocNumber or PaymentRefNum as the number', () => {
    expect(fromEntity({ Id: '130', DocNumber: 'INV-1' })).toEqual({ externalId: '130', number: 'INV-1' });
    expect(fromEntity({ Id: '131', PaymentRefNum: 'PAY-1' })).toEqual({ externalId: '131', number: 'PAY-1' });
    expect(fromEntity({ Id: '58' })).toEqual({ externalId: '58' });
  });
});

describe('toRefundReceipt', () => {
  const refund = {
    refundRef: 'ref_cn_0123456789abcdefghij',
    customerExternalId: '58',
    creditMemoExternalId: '140',
    amount: '432.60',
    currency: 'USD',
    date: '2026-11-26',
    depositAccountId: '35',
  };

  it('pays the amount out of the deposit account, our ref shortened into DocNumber and in full in PrivateNote', () => {
    const mapped = toRefundReceipt(refund, '1');
    expect(mapped).toEqual({
      ok: true,
      value: {
        DocNumber: docNumberFor(refund.refundRef),
        TxnDate: '2026-11-26',
        CustomerRef: { value: '58' },
        CurrencyRef: { value: 'USD' },
        DepositToAccountRef: { value: '35' },
        PaymentRefNum: docNumberFor(refund.refundRef),
        PrivateNote: 'Refund ref_cn_0123456789abcdefghij of credit memo 140',
        Line: [
          {
            DetailType: 'SalesItemLineDetail',
            Amount: 432.6,
            Description: 'Refund ref_cn_0123456789abcdefghij',
            SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 1, UnitPrice: 432.6 },
          },
        ],
      },
    });
  });

  it('refuses a refund without a deposit account', () => {
    expect(toRefundReceipt({ ...refund, depositAccountId: '' })).toMatchObject({
      kind: 'permanent',
      field: 'DepositToAccountRef',
    });
  });
});

describe('toJournalEntry', () => {
  const entry = {
    entryRef: 'jnl_0123456789abcdefghijklmn',
    date: '2026-11-23',
    currency: 'USD',
    memo: 'Invoice INV-1 issued',
    lines: [
      {
        accountExternalId: '4',
        side: 'debit' as const,
        amount: '1297.81',
        description: 'AR',
        customerExternalId: '58',
      },
      { accountExternalId: '79', side: 'credit' as const, amount: '1200.30', description: 'Revenue' },
      { accountExternalId: '33', side: 'credit' as const, amount: '97.51', description: 'Tax' },
    ],
  };

  it('maps each line to JournalEntryLineDetail with PostingType, AccountRef and the customer entity', () => {
    const mapped = toJournalEntry(entry, 'USD');
    if (!mapped.ok) throw new Error(mapped.reason);
    expect(mapped.value.DocNumber).toBe(docNumberFor(entry.entryRef));
    expect(mapped.value.ExchangeRate).toBeUndefined();
    expect(mapped.value.Line[0]).toEqual({
      DetailType: 'JournalEntryLineDetail',
      Amount: 1297.81,
      Description: 'AR',
      JournalEntryLineDetail: {
        PostingType: 'Debit',
        AccountRef: { value: '4' },
        Entity: { Type: 'Customer', EntityRef: { value: '58' } },
      },
    });
    expect(mapped.value.Line[1]?.JournalEntryLineDetail).toEqual({
      PostingType: 'Credit',
      AccountRef: { value: '79' },
    });
  });

  it('refuses an unbalanced entry', () => {
    const lines = [...entry.lines.slice(0, 2), { ...entry.lines[2]!, amount: '97.50' }];
    expect(toJournalEntry({ ...entry, lines }, 'USD')).toMatchObject({ kind: 'permanent', field: 'lines' });
  });

  it('a foreign currency needs an exchange rate, and sends it', () => {
    expect(toJournalEntry({ ...entry, currency: 'EUR' }, 'USD')).toMatchObject({ field: 'exchangeRate' });
    const mapped = toJournalEntry({ ...entry, currency: 'EUR', exchangeRate: '1.0825' }, 'USD');
    expect(mapped.ok && mapped.value.ExchangeRate).toBe(1.0825);
  });
});

describe('fromDocument (reconciliation)', () => {
  it.each([
    ['open invoice', 'Invoice', 'invoice', { TotalAmt: 120.5, Balance: 120.5 }, 'open'],
    ['paid invoice', 'Invoice', 'invoice', { TotalAmt: 120.5, Balance: 0 }, 'paid'],
    ['voided invoice', 'Invoice', 'invoice', { TotalAmt: 0, Balance: 0, PrivateNote: 'Voided' }, 'voided'],
    ['applied payment', 'Payment', 'payment', { TotalAmt: 120.5, Line: [{ LinkedTxn: [{ TxnId: '1' }] }] }, 'applied'],
    ['unapplied payment', 'Payment', 'payment', { TotalAmt: 120.5, Line: [] }, 'open'],
  ] as const)('%s', (_name, _entity, kind, fields, status) => {
    const row = { Id: '9', DocNumber: 'INV-9', CurrencyRef: { value: 'USD' }, ...fields };
    const state = fromDocument(row, kind);
    expect(state.ok && state.value).toMatchObject({ externalId: '9', kind, currency: 'USD', status });
    expect(state.ok && state.value.total).toBe(String(fields.TotalAmt));
  });

  it('refuses a row without TotalAmt', () => {
    expect(fromDocument({ Id: '9' }, 'invoice').ok).toBe(false);
  });
});
