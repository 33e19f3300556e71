/**
 * The fetch client (our "SDK" for QBO) against nock with recorded-shape responses: checks the
 * request it sends (path, query, headers, body) against the API description in
 * ../shared/apispecs/quickbooks.json and the classification of every error kind.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErpInvoiceRequest } from '../ports.js';
import { createQuickBooksAdapter, docNumberFor, QBO_SANDBOX_BASE_URL } from './index.js';

interface SpecSchema {
  required: string[];
  properties: Record<string, string>;
}
interface Spec {
  entities_not_in_spec: Record<string, { path: string; key_fields: string }>;
  operations_third_party_spec: { operationId: string; request?: { required: string[]; schema: string } }[];
  schemas_third_party_spec: Record<string, SpecSchema>;
}
const spec: Spec = JSON.parse(
  readFileSync(new URL('../../../shared/apispecs/quickbooks.json', import.meta.url), 'utf8'),
);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

/** Problems of `value` against a spec schema: missing required fields, unknown fields, recursively. */
function specProblems(schemaName: string, value: Record<string, unknown>, path = schemaName): string[] {
  const schema = spec.schemas_third_party_spec[schemaName];
  if (!schema) return [];
  const problems = schema.required.filter((f) => value[f] === undefined).map((f) => `${path}.${f} is required`);
  for (const [key, child] of Object.entries(value)) {
    const type = schema.properties[key];
    if (!type) {
      problems.push(`${path}.${key} is not in the spec`);
      continue;
    }
    const element = /^array<(\w+)>$/.exec(type)?.[1];
    if (element && Array.isArray(child)) {
      child.forEach((c, i) => {
        problems.push(...specProblems(element, c as Record<string, unknown>, `${path}.${key}[${i}]`));
      });
    } else if (child && typeof child === 'object') {
      problems.push(...specProblems(type, child as Record<string, unknown>, `${path}.${key}`));
    }
  }
  return problems;
}

function checkAgainstOperation(operationId: string, body: Record<string, unknown>): void {
  const operation = spec.operations_third_party_spec.find((o) => o.operationId === operationId);
  expect(operation?.request, `spec has ${operationId}`).toBeDefined();
  for (const field of operation!.request!.required) expect(body, `${operationId} needs ${field}`).toHaveProperty(field);
  expect(specProblems(operation!.request!.schema, body)).toEqual([]);
}

const realmId = '9130355377398765';
const companyPath = `/v3/company/${realmId}`;
const NOW = new Date('2026-11-23T14:00:00Z');
const adapter = () =>
  createQuickBooksAdapter({ baseUrl: QBO_SANDBOX_BASE_URL, realmId, accessToken: 'at-123', now: () => NOW });
const api = () =>
  nock(QBO_SANDBOX_BASE_URL, {
    reqheaders: { authorization: 'Bearer at-123', accept: 'application/json' },
  });

const invoice: ErpInvoiceRequest = {
  invoiceNumber: 'INV-2026-0042',
  customerExternalId: '58',
  currency: 'USD',
  issueDate: '2026-11-23',
  dueDate: '2026-12-23',
  lines: [
    {
      itemExternalId: '19',
      description: 'Platform subscription, Dec 2026',
      quantity: '3',
      unitPrice: '400.0333',
      amount: '1200.10',
    },
  ],
  totalTax: '97.51',
  total: '1297.61',
};

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('requests sent to QuickBooks', () => {
  it('createCustomer posts the Customer with requestid and minorversion', async () => {
    let sent: Record<string, unknown> = {};
    const scope = api()
      .post(`${companyPath}/customer`, (body) => {
        sent = body;
        return true;
      })
      .query({ requestid: 'org1-cust-7-v1-erp', minorversion: '75' })
      .matchHeader('content-type', 'application/json')
      .reply(200, fixture('customer-create.json'));
    const result = await adapter().createCustomer(
      { localId: 'c7', displayName: "Acme O'Brien Ltd", email: 'billing@acme.example', currency: 'USD' },
      { idempotencyKey: 'org1-cust-7-v1-erp' },
    );
    expect(result).toEqual({ ok: true, value: { externalId: '58' } });
    expect(sent).toEqual({
      DisplayName: "Acme O'Brien Ltd",
      PrimaryEmailAddr: { Address: 'billing@acme.example' },
      CurrencyRef: { value: 'USD' },
    });
    checkAgainstOperation('createCustomer', sent);
    expect(scope.isDone()).toBe(true);
  });

  it('createItem posts a Service item named by SKU with its income account', async () => {
    let sent: Record<string, unknown> = {};
    api()
      .post(`${companyPath}/item`, (body) => {
        sent = body;
        return true;
      })
      .query({ requestid: 'item-key', minorversion: '75' })
      .reply(200, fixture('item-create.json'));
    const result = await adapter().createItem(
      { sku: 'SKU-PLAT-001', name: 'Platform subscription', incomeAccountId: '79' },
      { idempotencyKey: 'item-key' },
    );
    expect(result).toEqual({ ok: true, value: { externalId: '19' } });
    expect(sent).toMatchObject({ Name: 'SKU-PLAT-001', Type: 'Service', IncomeAccountRef: { value: '79' } });
    checkAgainstOperation('createItem', sent);
  });

  it('createInvoice sends exact amounts as JSON numbers and the tax engine total', async () => {
    let raw = '';
    api()
      .post(`${companyPath}/invoice`, (body) => {
        raw = JSON.stringify(body);
        return true;
      })
      .query({ requestid: 'inv-key', minorversion: '65' })
      .reply(200, fixture('invoice-create.json'));
    const qbo = createQuickBooksAdapter({
      baseUrl: `${QBO_SANDBOX_BASE_URL}/`,
      realmId,
      accessToken: 'at-123',
      minorVersion: '65',
    });
    const result = await qbo.createInvoice(invoice, { idempotencyKey: 'inv-key' });
    expect(result).toEqual({ ok: true, value: { externalId: '130', number: 'INV-2026-0042' } });
    const sent = JSON.parse(raw);
    expect(raw).toContain('"Amount":1200.1,');
    expect(raw).toContain('"UnitPrice":400.0333');
    expect(sent).toMatchObject({
      DocNumber: 'INV-2026-0042',
      TxnDate: '2026-11-23',
      DueDate: '2026-12-23',
      CustomerRef: { value: '58' },
      CurrencyRef: { value: 'USD' },
      TxnTaxDetail: { TotalTax: 97.51 },
    });
    expect(sent.Line[0]).toMatchObject({
      DetailType: 'SalesItemLineDetail',
      SalesItemLineDetail: { ItemRef: { value: '19' }, Qty: 3 },
    });
    checkAgainstOperation('createInvoice', sent);
  });

  it('createPayment links the invoice and carries our ref as PaymentRefNum', async () => {
    let sent: Record<string, unknown> = {};
    api()
      .post(`${companyPath}/payment`, (body) => {
        sent = body;
        return true;
      })
      .query({ requestid: 'pay-key', minorversion: '75' })
      .reply(200, fixture('payment-create.json'));
    const result = await adapter().createPayment(
      {
        paymentRef: 'PAY-7781',
        customerExternalId: '58',
        invoiceExternalId: '130',
        amount: '1297.61',
        currency: 'USD',
        date: '2026-11-30',
      },
      { idempotencyKey: 'pay-key' },
    );
    expect(result).toEqual({ ok: true, value: { externalId: '131', number: 'PAY-7781' } });
    expect(sent).toMatchObject({
      TotalAmt: 1297.61,
      PaymentRefNum: 'PAY-7781',
      Line: [{ Amount: 1297.61, LinkedTxn: [{ TxnId: '130', TxnType: 'Invoice' }] }],
    });
    checkAgainstOperation('createPayment', sent);
  });

  it('findCustomer queries by DisplayName with the quote escaped', async () => {
    api()
      .get(`${companyPath}/query`)
      .query({ query: "select * from Customer where DisplayName = 'Acme O\\'Brien Ltd'", minorversion: '75' })
      .reply(200, fixture('query-customer.json'));
    expect(await adapter().findCustomer("Acme O'Brien Ltd")).toEqual({ ok: true, value: { externalId: '58' } });
  });

  it('findInvoice returns the invoice by DocNumber, and null when QueryResponse is empty', async () => {
    api()
      .get(`${companyPath}/query`)
      .query({ query: "select * from Invoice where DocNumber = 'INV-2026-0042'", minorversion: '75' })
      .reply(200, fixture('query-invoice.json'));
    api()
      .get(`${companyPath}/query`)
      .query({ query: "select * from Payment where PaymentRefNum = 'PAY-0'", minorversion: '75' })
      .reply(200, fixture('query-empty.json'));
    const qbo = adapter();
    expect(await qbo.findInvoice('INV-2026-0042')).toEqual({
      ok: true,
      value: { externalId: '130', number: 'INV-2026-0042' },
    });
    expect(await qbo.findPayment('PAY-0')).toEqual({ ok: true, value: null });
  });

  it('refuses an amount a double cannot carry without calling QuickBooks', async () => {
    const result = await adapter().createInvoice(
      {
        ...invoice,
        lines: [{ ...invoice.lines[0], amount: '12345678901234567.89' }],
        total: '12345678901234665.40',
      },
      { idempotencyKey: 'k' },
    );
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'lines[0].amount' });
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('refunds and journal entries', () => {
  it('postJournalEntry posts JournalEntryLineDetail lines to the path the spec names, with requestid', async () => {
    const described = spec.entities_not_in_spec.JournalEntry!;
    expect(described.path).toBe('POST /v3/company/{realmId}/journalentry');
    let sent: Record<string, unknown> = {};
    api()
      .post(`${companyPath}/journalentry`, (body) => {
        sent = body;
        return true;
      })
      .query({ requestid: 'je-key', minorversion: '75' })
      .reply(200, { JournalEntry: { Id: '201', DocNumber: docNumberFor('jnl_0123456789abcdefghijklmn') }, time: 'x' });
    const result = await adapter().postJournalEntry!(
      {
        entryRef: 'jnl_0123456789abcdefghijklmn',
        date: '2026-11-23',
        currency: 'EUR',
        exchangeRate: '1.0825',
        memo: 'Invoice INV-1 issued',
        lines: [
          { accountExternalId: '84', side: 'debit', amount: '100.00', description: 'AR', customerExternalId: '58' },
          { accountExternalId: '79', side: 'credit', amount: '100.00', description: 'Revenue' },
        ],
      },
      { idempotencyKey: 'je-key' },
    );
    expect(result).toMatchObject({ ok: true, value: { externalId: '201' } });
    // Every field the spec's hand-written description names is what we send, under that name.
    for (const field of [
      'Line',
      'Amount',
      'JournalEntryLineDetail',
      'PostingType',
      'AccountRef',
      'Entity',
      'TxnDate',
    ]) {
      expect(described.key_fields).toContain(field);
    }
    expect(sent).toMatchObject({
      DocNumber: docNumberFor('jnl_0123456789abcdefghijklmn'),
      TxnDate: '2026-11-23',
      CurrencyRef: { value: 'EUR' },
      ExchangeRate: 1.0825,
      Line: [
        {
          DetailType: 'JournalEntryLineDetail',
          Amount: 100,
          JournalEntryLineDetail: {
            PostingType: 'Debit',
            AccountRef: { value: '84' },
            Entity: { Type: 'Customer', EntityRef: { value: '58' } },
          },
        },
        { JournalEntryLineDetail: { PostingType: 'Credit', AccountRef: { value: '79' } } },
      ],
    });
  });

  it('an unbalanced journal is refused without any request (nock has no interceptor)', async () => {
    const result = await adapter().postJournalEntry!(
      {
        entryRef: 'jnl_1',
        date: '2026-11-23',
        currency: 'USD',
        memo: 'x',
        lines: [
          { accountExternalId: '84', side: 'debit', amount: '100.00', description: 'AR' },
          { accountExternalId: '79', side: 'credit', amount: '99.99', description: 'Revenue' },
        ],
      },
      { idempotencyKey: 'je-key' },
    );
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'lines' });
  });

  it('findRefund queries RefundReceipt by the shortened DocNumber', async () => {
    const ref = 'rfd_0123456789abcdefghijklmn';
    api()
      .get(`${companyPath}/query`)
      .query({ query: `select * from RefundReceipt where DocNumber = '${docNumberFor(ref)}'`, minorversion: '75' })
      .reply(200, { QueryResponse: { RefundReceipt: [{ Id: '77', DocNumber: docNumberFor(ref) }] } });
    expect(await adapter().findRefund!(ref)).toEqual({
      ok: true,
      value: { externalId: '77', number: docNumberFor(ref) },
    });
  });
});

describe('error classification', () => {
  it('429 with Retry-After → retryable after that many seconds', async () => {
    api().post(`${companyPath}/invoice`).query(true).reply(429, fixture('fault-throttle.json'), { 'Retry-After': '7' });
    const result = await adapter().createInvoice(invoice, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: false, kind: 'retryable', retryAfterMs: 7000, status: 429 });
  });

  it('429 without Retry-After → retryable after Intuit’s 60 s', async () => {
    api().get(`${companyPath}/query`).query(true).reply(429, fixture('fault-throttle.json'));
    const result = await adapter().findInvoice('INV-1');
    expect(result).toMatchObject({ ok: false, kind: 'retryable', retryAfterMs: 60_000 });
  });

  it('500 → retryable with the status and Fault message in the reason', async () => {
    api().post(`${companyPath}/invoice`).query(true).reply(500, fixture('fault-system.json'));
    const result = await adapter().createInvoice(invoice, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 500 });
    if (!result.ok) {
      expect(result.reason).toContain('500');
      expect(result.reason).toContain('An application error has occurred while processing your request');
    }
  });

  it('401 → retryable "access token expired"', async () => {
    api().post(`${companyPath}/customer`).query(true).reply(401, fixture('fault-auth.json'));
    const result = await adapter().createCustomer(
      { localId: 'c', displayName: 'Acme', email: null, currency: 'USD' },
      { idempotencyKey: 'k' },
    );
    expect(result).toEqual({
      ok: false,
      kind: 'retryable',
      reason: 'access token expired',
      status: 401,
      reconnect: true,
    });
  });

  it('400 ValidationFault → permanent naming the element and the Detail', async () => {
    api().post(`${companyPath}/invoice`).query(true).reply(400, fixture('fault-validation.json'));
    const result = await adapter().createInvoice(invoice, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 400, field: 'ItemRef' });
    if (!result.ok) expect(result.reason).toContain('Invalid Reference Id : Item id 999 not found');
  });

  it('network error on a write → indeterminate; on a lookup → retryable', async () => {
    const scope = api().post(`${companyPath}/payment`).query(true).replyWithError('socket hang up');
    api().get(`${companyPath}/query`).query(true).replyWithError('socket hang up');
    const qbo = adapter();
    const write = await qbo.createPayment(
      {
        paymentRef: 'PAY-1',
        customerExternalId: '58',
        invoiceExternalId: '130',
        amount: '1.00',
        currency: 'USD',
        date: '2026-11-30',
      },
      { idempotencyKey: 'k' },
    );
    expect(write).toMatchObject({ ok: false, kind: 'indeterminate' });
    if (!write.ok) expect(write.reason).toContain('socket hang up');
    const lookup = await qbo.findPayment('PAY-1');
    expect(lookup).toMatchObject({ ok: false, kind: 'retryable' });
    if (!lookup.ok) expect(lookup.reason).toContain('socket hang up');
    expect(scope.isDone()).toBe(true);
  });

  it('duplicate name (6240) on createCustomer → adopts the existing customer', async () => {
    api().post(`${companyPath}/customer`).query(true).reply(400, fixture('fault-duplicate-name.json'));
    api()
      .get(`${companyPath}/query`)
      .query({ query: "select * from Customer where DisplayName = 'Acme O\\'Brien Ltd'", minorversion: '75' })
      .reply(200, fixture('query-customer.json'));
    const result = await adapter().createCustomer(
      { localId: 'c7', displayName: "Acme O'Brien Ltd", email: null, currency: 'USD' },
      { idempotencyKey: 'k' },
    );
    expect(result).toEqual({ ok: true, value: { externalId: '58' } });
  });

  it('duplicate name held by a non-customer → permanent', async () => {
    api().post(`${companyPath}/customer`).query(true).reply(400, fixture('fault-duplicate-name.json'));
    api().get(`${companyPath}/query`).query(true).reply(200, fixture('query-empty.json'));
    const result = await adapter().createCustomer(
      { localId: 'c7', displayName: 'Jane Vendor', email: null, currency: 'USD' },
      { idempotencyKey: 'k' },
    );
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'DisplayName' });
  });

  it('two invoices with the same DocNumber → permanent (a person must pick one)', async () => {
    const one = fixture('query-invoice.json');
    const row = one.QueryResponse.Invoice[0];
    one.QueryResponse.Invoice = [row, { ...row, Id: '131' }];
    api().get(`${companyPath}/query`).query(true).reply(200, one);
    expect(await adapter().findInvoice('INV-2026-0042')).toMatchObject({
      ok: false,
      kind: 'permanent',
      field: 'DocNumber',
    });
  });

  it('a 200 without the created entity on a write → indeterminate', async () => {
    api().post(`${companyPath}/invoice`).query(true).reply(200, fixture('query-empty.json'));
    expect(await adapter().createInvoice(invoice, { idempotencyKey: 'k' })).toMatchObject({
      ok: false,
      kind: 'indeterminate',
    });
  });

  it('an idempotency key over 50 characters is refused before sending', async () => {
    const result = await adapter().createInvoice(invoice, { idempotencyKey: 'x'.repeat(51) });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'idempotencyKey' });
  });
});
