/**
 * The Xero client and adapter against nock, with answers shaped as Xero's (__fixtures__): every
 * call carries the bearer token and `xero-tenant-id`, every write `Idempotency-Key`; request
 * shapes are checked against ../shared/apispecs/xero.json; a 429 waits as Xero says (a spent day
 * parks); the access token expiring mid-sync is refreshed once, and a refresh Xero refuses is a
 * reconnect; a resend after a 500 carries the same key and body.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failureOf, unwrap } from '../contract/failures.contract.js';
import type { ErpInvoiceRequest } from '../ports.js';
import { needsReconnect } from '../registry.js';
import { XERO_TOKEN_REJECTED } from './errors.js';
import { createXeroAdapter, type XeroConfig } from './index.js';

interface SpecOperation {
  method: string;
  path: string;
  parameters: { header?: { name: string }[] };
}
interface Spec {
  operations: SpecOperation[];
  schemas: Record<string, { properties: Record<string, string> }>;
}
const spec: Spec = JSON.parse(readFileSync(new URL('../../../shared/apispecs/xero.json', import.meta.url), 'utf8'));
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

const API = 'https://api.xero.com';
const IDENTITY = 'https://identity.xero.com';
const NOW = new Date('2026-11-23T12:00:00Z');
let tenantSeq = 0;
let tenant: string;

const adapter = (extra: Partial<XeroConfig> = {}) =>
  createXeroAdapter({ tenantId: tenant, accessToken: 'token-A', now: () => NOW, sleep: async () => {}, ...extra });

/** Every field we send exists in the spec's schema of that object. */
function expectKnownFields(object: Record<string, unknown>, schema: string) {
  const known = Object.keys(spec.schemas[schema]!.properties);
  expect(Object.keys(object).filter((k) => !known.includes(k))).toEqual([]);
}

function expectSpecOperation(method: string, path: string, idempotent: boolean) {
  const op = spec.operations.find((o) => o.method === method && o.path === path);
  expect(op, `${method} ${path} in the spec`).toBeDefined();
  const headers = (op!.parameters.header ?? []).map((h) => h.name);
  expect(headers).toContain('xero-tenant-id');
  if (idempotent) expect(headers).toContain('Idempotency-Key');
}

const invoice: ErpInvoiceRequest = {
  invoiceNumber: 'INV-0001',
  customerExternalId: 'b1f0e2d3-4c5b-4a69-8778-695a4b3c2d1e',
  currency: 'USD',
  issueDate: '2026-11-23',
  dueDate: '2026-12-23',
  lines: [{ itemExternalId: 'SKU-PLAT', description: 'Seats', quantity: '3', unitPrice: '400.10', amount: '1200.30' }],
  totalTax: '97.51',
  total: '1297.81',
};

beforeEach(() => {
  tenant = `tenant-nock-${++tenantSeq}`;
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('Xero requests', () => {
  it('creates an ACCREC invoice with PUT /Invoices: token, tenant, Idempotency-Key, spec fields, our tax on the line', async () => {
    expectSpecOperation('PUT', '/Invoices', true);
    type Sent = { headers: Record<string, unknown>; body: { Invoices: Record<string, unknown>[] } };
    let sent: Sent | undefined;
    nock(API)
      .put('/api.xro/2.0/Invoices')
      .reply(function (_uri, body) {
        sent = { headers: this.req.headers, body: body as Sent['body'] };
        return [200, fixture('invoice-create.json')];
      });
    const created = unwrap(
      await adapter().createInvoice(invoice, { idempotencyKey: 'org1:inv:INV-0001:v1:erp-invoice' }),
    );
    expect(created).toEqual({ externalId: '8c2a1f44-3b9e-4d1a-a7c2-6e5f4d3c2b1a', number: 'INV-0001' });
    expect(sent!.headers).toMatchObject({
      authorization: 'Bearer token-A',
      'xero-tenant-id': tenant,
      'idempotency-key': 'org1:inv:INV-0001:v1:erp-invoice',
    });
    const [sentInvoice] = sent!.body.Invoices;
    expectKnownFields(sentInvoice!, 'Invoice');
    for (const line of sentInvoice!.LineItems as Record<string, unknown>[]) expectKnownFields(line, 'LineItem');
    expect(sentInvoice).toMatchObject({
      Type: 'ACCREC',
      Contact: { ContactID: invoice.customerExternalId },
      InvoiceNumber: 'INV-0001',
      Status: 'AUTHORISED',
      LineAmountTypes: 'Exclusive',
      LineItems: [
        {
          ItemCode: 'SKU-PLAT',
          Quantity: 3,
          UnitAmount: 400.1,
          LineAmount: 1200.3,
          TaxType: 'OUTPUT',
          TaxAmount: 97.51,
        },
      ],
    });
  });

  it('finds a contact by name with a where filter that escapes quotes', async () => {
    expectSpecOperation('GET', '/Contacts', false);
    nock(API)
      .get('/api.xro/2.0/Contacts')
      .query({ where: 'Name=="Acme \\"Quoted\\" Ltd"' })
      .reply(200, fixture('contacts-one.json'))
      .get('/api.xro/2.0/Contacts')
      .query(true)
      .reply(200, fixture('contacts-empty.json'));
    expect(unwrap(await adapter().findCustomer('Acme "Quoted" Ltd'))).toEqual({
      externalId: 'b1f0e2d3-4c5b-4a69-8778-695a4b3c2d1e',
      number: 'cust_1',
    });
    expect(unwrap(await adapter().findCustomer('Nobody'))).toBeNull();
  });

  it('posts a payment with PUT /Payments and a journal with PUT /ManualJournals, spec fields only', async () => {
    expectSpecOperation('PUT', '/Payments', true);
    expectSpecOperation('PUT', '/ManualJournals', true);
    const bodies: Record<string, Record<string, unknown>[]>[] = [];
    nock(API)
      .put('/api.xro/2.0/Payments', (b) => bodies.push(b) > 0)
      .reply(200, { Payments: [{ PaymentID: 'p-1', Reference: 'pay_1', Amount: 10 }] })
      .put('/api.xro/2.0/ManualJournals', (b) => bodies.push(b) > 0)
      .reply(200, { ManualJournals: [{ ManualJournalID: 'mj-1', Narration: 'le_1: close' }] });
    const port = adapter({ paymentAccount: '090' });
    const payment = {
      paymentRef: 'pay_1',
      customerExternalId: 'c',
      invoiceExternalId: 'i-1',
      amount: '10.00',
      currency: 'USD',
      date: '2026-11-24',
    };
    expect(unwrap(await port.createPayment(payment, { idempotencyKey: 'k1' }))).toEqual({
      externalId: 'p-1',
      number: 'pay_1',
    });
    const journal = {
      entryRef: 'le_1',
      date: '2026-11-30',
      currency: 'USD',
      memo: 'close',
      lines: [
        { accountExternalId: '820', side: 'debit' as const, amount: '10.00', description: 'deferred' },
        { accountExternalId: '200', side: 'credit' as const, amount: '10.00', description: 'revenue' },
      ],
    };
    expect(unwrap(await port.postJournalEntry!(journal, { idempotencyKey: 'k2' })).externalId).toBe('mj-1');
    expectKnownFields(bodies[0]!.Payments![0]!, 'Payment');
    expect(bodies[0]!.Payments![0]).toMatchObject({
      Invoice: { InvoiceID: 'i-1' },
      Account: { Code: '090' },
      Amount: 10,
    });
    const [mj] = bodies[1]!.ManualJournals!;
    expectKnownFields(mj!, 'ManualJournal');
    for (const line of mj!.JournalLines as Record<string, unknown>[]) expectKnownFields(line, 'ManualJournalLine');
    expect(mj!.JournalLines).toMatchObject([
      { AccountCode: '820', LineAmount: 10 },
      { AccountCode: '200', LineAmount: -10 },
    ]);
  });

  it('a validation error is permanent and names what Xero said', async () => {
    nock(API).put('/api.xro/2.0/Invoices').reply(400, fixture('error-validation.json'));
    const failure = failureOf(await adapter().createInvoice(invoice, { idempotencyKey: 'k' }));
    expect(failure).toMatchObject({ kind: 'permanent', status: 400 });
    expect(failure.reason).toContain("Account code '999' is not a valid code for this document.");
  });
});

describe('Xero rate limits', () => {
  it('a 429 over the minute waits as Retry-After says', async () => {
    nock(API)
      .get('/api.xro/2.0/Items')
      .query(true)
      .reply(429, fixture('error-rate-limit.json'), { 'Retry-After': '37', 'X-Rate-Limit-Problem': 'minute' });
    expect(failureOf(await adapter().findItem('SKU-PLAT'))).toMatchObject({
      kind: 'retryable',
      status: 429,
      retryAfterMs: 37_000,
    });
  });

  it('a spent day parks the job until the window reopens, and no further call goes out meanwhile', async () => {
    nock(API)
      .get('/api.xro/2.0/Items')
      .query(true)
      .reply(429, fixture('error-rate-limit.json'), { 'Retry-After': '5400', 'X-Rate-Limit-Problem': 'day' });
    const port = adapter();
    expect(failureOf(await port.findItem('SKU-PLAT'))).toMatchObject({
      kind: 'retryable',
      parked: true,
      retryAfterMs: 5_400_000,
    });
    // Nothing is intercepted any more: a call that went out would fail with a network error instead.
    expect(failureOf(await port.findItem('SKU-PLAT'))).toMatchObject({ kind: 'retryable', parked: true });
    expect(nock.isDone()).toBe(true);
  });
});

describe('Xero access tokens', () => {
  const oauth = { refreshToken: 'refresh-1', clientId: 'app-id', clientSecret: 'app-secret' };

  it('the token expiring mid-sync: the 401 is refreshed once, the call resent with the new token, the rotated pair stored', async () => {
    const stored: Record<string, string>[] = [];
    const seen: string[] = [];
    let form: URLSearchParams | undefined;
    let basic: string | undefined;
    nock(API)
      .get('/api.xro/2.0/Items')
      .query(true)
      .reply(function () {
        seen.push(String(this.req.headers.authorization));
        return [200, { Items: [] }];
      })
      .get('/api.xro/2.0/Items')
      .query(true)
      .reply(function () {
        seen.push(String(this.req.headers.authorization));
        return [401, fixture('error-token-expired.json'), { 'WWW-Authenticate': 'Bearer error="invalid_token"' }];
      })
      .get('/api.xro/2.0/Items')
      .query(true)
      .reply(function () {
        seen.push(String(this.req.headers.authorization));
        return [200, { Items: [{ ItemID: 'x', Code: 'SKU-PLAT' }] }];
      });
    nock(IDENTITY)
      .post('/connect/token')
      .reply(function (_uri, body) {
        form = new URLSearchParams(String(body));
        basic = String(this.req.headers.authorization);
        return [200, fixture('token-refresh.json')];
      });
    const port = adapter({ oauth, onTokenRefresh: (s) => stored.push(s) });
    expect(unwrap(await port.findItem('SKU-NONE'))).toBeNull();
    expect(unwrap(await port.findItem('SKU-PLAT'))).toEqual({ externalId: 'SKU-PLAT', number: 'SKU-PLAT' });
    expect(seen).toEqual(['Bearer token-A', 'Bearer token-A', 'Bearer eyJ-refreshed-access-token']);
    expect(basic).toBe(`Basic ${Buffer.from('app-id:app-secret').toString('base64')}`);
    expect(Object.fromEntries(form!)).toEqual({ grant_type: 'refresh_token', refresh_token: 'refresh-1' });
    expect(stored).toEqual([
      {
        accessToken: 'eyJ-refreshed-access-token',
        refreshToken: 'rotated-refresh-token-2',
        accessTokenExpiresAt: new Date(NOW.getTime() + 1_800_000).toISOString(),
      },
    ]);
  });

  it('a token known to be expiring is refreshed before the call', async () => {
    nock(IDENTITY).post('/connect/token').reply(200, fixture('token-refresh.json'));
    let auth: string | undefined;
    nock(API)
      .get('/api.xro/2.0/Items')
      .query(true)
      .reply(function () {
        auth = String(this.req.headers.authorization);
        return [200, { Items: [] }];
      });
    const port = adapter({ oauth: { ...oauth, accessTokenExpiresAt: new Date(NOW.getTime() + 30_000).toISOString() } });
    unwrap(await port.findItem('SKU-1'));
    expect(auth).toBe('Bearer eyJ-refreshed-access-token');
  });

  it('a refresh Xero refuses (invalid_grant) is a clear reconnect, named as Xero by the registry', async () => {
    nock(API).get('/api.xro/2.0/Items').query(true).reply(401, fixture('error-token-expired.json'));
    nock(IDENTITY).post('/connect/token').reply(400, { error: 'invalid_grant' });
    const failure = failureOf(await adapter({ oauth }).findItem('SKU-1'));
    expect(failure).toMatchObject({ kind: 'retryable', reconnect: true, reason: XERO_TOKEN_REJECTED, status: 401 });
    expect(needsReconnect(failure)).toEqual({ vendor: 'xero', reason: XERO_TOKEN_REJECTED });
  });

  it('without refresh credentials a 401 is the same reconnect, with no token call', async () => {
    nock(API).get('/api.xro/2.0/Items').query(true).reply(401, fixture('error-token-expired.json'));
    expect(failureOf(await adapter().findItem('SKU-1'))).toMatchObject({
      reconnect: true,
      reason: XERO_TOKEN_REJECTED,
    });
    expect(nock.isDone()).toBe(true);
  });
});

describe('Xero idempotent retry', () => {
  it('a 500 is retryable and the resend carries the same Idempotency-Key and body', async () => {
    const sent: { key: string; body: string }[] = [];
    const record = function (this: { req: { headers: Record<string, string> } }, _uri: string, body: unknown) {
      sent.push({ key: this.req.headers['idempotency-key']!, body: JSON.stringify(body) });
    };
    nock(API)
      .put('/api.xro/2.0/Invoices')
      .reply(function (uri, body) {
        record.call(this as never, uri, body);
        return [500, { ErrorNumber: 500, Type: 'UnknownErrorException', Message: 'An error occurred in Xero.' }];
      })
      .put('/api.xro/2.0/Invoices')
      .reply(function (uri, body) {
        record.call(this as never, uri, body);
        return [200, fixture('invoice-create.json')];
      });
    const port = adapter();
    expect(failureOf(await port.createInvoice(invoice, { idempotencyKey: 'inv-key' })).kind).toBe('retryable');
    expect(unwrap(await port.createInvoice(invoice, { idempotencyKey: 'inv-key' })).number).toBe('INV-0001');
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[0]!.key).toBe('inv-key');
  });

  it('a dropped connection on a write is indeterminate (look it up by our number before retrying)', async () => {
    nock(API).put('/api.xro/2.0/Invoices').replyWithError('socket hang up');
    expect(failureOf(await adapter().createInvoice(invoice, { idempotencyKey: 'k' })).kind).toBe('indeterminate');
  });
});
