/**
 * The NetSuite client and adapter against nock: every request carries a TBA Authorization header
 * whose HMAC-SHA256 signature this test recomputes on its own (RFC 5849 base string, node:crypto),
 * writes are PUT …/eid:<external id>, request shapes follow ../shared/apispecs/netsuite.json, and
 * NetSuite's o:errorDetails answers are sorted into the hub's failure kinds.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErpInvoiceRequest } from '../ports.js';
import { accountHost, createNetSuiteAdapter, type NetSuiteConfig } from './index.js';

interface Spec {
  operations: { method: string; path: string; record_types?: string[] }[];
  records_of_interest: Record<string, { key_fields?: string[] }>;
}
const spec: Spec = JSON.parse(readFileSync(new URL('../../../shared/apispecs/netsuite.json', import.meta.url), 'utf8'));
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

const ACCOUNT = '1234567_SB1';
const HOST = `https://${accountHost(ACCOUNT)}`;
const NOW = new Date('2026-11-23T12:00:00Z');
const CREDS = { consumerKey: 'ck', consumerSecret: 'cs&secret', tokenId: 'tk', tokenSecret: 'ts' };

let waits: number[];
const adapter = (extra: Partial<NetSuiteConfig> = {}) =>
  createNetSuiteAdapter({
    accountId: ACCOUNT,
    ...CREDS,
    taxItemId: '9001',
    now: () => NOW,
    nonce: () => 'nonce123',
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });

/** RFC 5849 §3.6 percent-encoding. */
const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!*'()]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/** The base string of RFC 5849 §3.4.1, built here independently of the signing library. */
function baseString(method: string, url: string, oauth: Record<string, string>): string {
  const parsed = new URL(url);
  const params: [string, string][] = Object.entries(oauth).filter(([k]) => k !== 'oauth_signature' && k !== 'realm');
  for (const [k, v] of parsed.searchParams) params.push([k, v]);
  const normalized = params
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${method}&${enc(`${parsed.origin}${parsed.pathname}`)}&${enc(normalized)}`;
}

function parseHeader(header: string): Record<string, string> {
  expect(header.startsWith('OAuth ')).toBe(true);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, decodeURIComponent(m[2]!)]));
}

/** Checks the header of a request against our own computation of its signature. */
function expectSigned(header: string, method: string, url: string): Record<string, string> {
  const oauth = parseHeader(header);
  expect(oauth).toMatchObject({
    realm: ACCOUNT,
    oauth_consumer_key: 'ck',
    oauth_token: 'tk',
    oauth_nonce: 'nonce123',
    oauth_timestamp: '1795435200',
    oauth_signature_method: 'HMAC-SHA256',
    oauth_version: '1.0',
  });
  const key = `${enc(CREDS.consumerSecret)}&${enc(CREDS.tokenSecret)}`;
  const expected = createHmac('sha256', key)
    .update(baseString(method, url, oauth))
    .digest('base64');
  expect(oauth.oauth_signature).toBe(expected);
  return oauth;
}

beforeEach(() => {
  waits = [];
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const invoice: ErpInvoiceRequest = {
  invoiceNumber: 'INV-0001',
  customerExternalId: '812',
  currency: 'EUR',
  issueDate: '2026-11-23',
  dueDate: '2026-12-23',
  lines: [{ itemExternalId: '301', description: 'Seats', quantity: '3', unitPrice: '400.10', amount: '1200.30' }],
  totalTax: '97.51',
  total: '1297.81',
};

describe('Token-Based Authentication signature', () => {
  it('matches a known base string and its HMAC-SHA256 signature, computed here', async () => {
    let header = '';
    nock(HOST)
      .get('/services/rest/record/v1/invoice/eid:hub-inv-INV-0001')
      .reply(function () {
        header = String(this.req.headers.authorization);
        return [200, fixture('invoice-get.json')];
      });
    const found = await adapter().findInvoice('INV-0001');
    expect(found).toEqual({ ok: true, value: { externalId: '4711', number: 'INV-0001' } });
    const url = `${HOST}/services/rest/record/v1/invoice/eid:hub-inv-INV-0001`;
    const oauth = expectSigned(header, 'GET', url);
    // The known example, written out: method, encoded URL, sorted encoded parameters.
    expect(baseString('GET', url, oauth)).toBe(
      'GET&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2Finvoice%2Feid%3Ahub-inv-INV-0001' +
        '&oauth_consumer_key%3Dck%26oauth_nonce%3Dnonce123%26oauth_signature_method%3DHMAC-SHA256' +
        '%26oauth_timestamp%3D1795435200%26oauth_token%3Dtk%26oauth_version%3D1.0',
    );
    expect(header.startsWith(`OAuth realm="${ACCOUNT}", `)).toBe(true);
  });

  it('signs query parameters but not a JSON body (void: GET with expandSubResources, then PATCH ?replace=item)', async () => {
    const headers: [string, string, string][] = [];
    let patched: Record<string, unknown> = {};
    nock(HOST)
      .get('/services/rest/record/v1/invoice/4711')
      .query({ expandSubResources: 'true' })
      .reply(function (uri) {
        headers.push(['GET', uri, String(this.req.headers.authorization)]);
        return [200, fixture('invoice-get.json')];
      })
      .patch('/services/rest/record/v1/invoice/4711')
      .query({ replace: 'item' })
      .reply(function (uri, body) {
        headers.push(['PATCH', uri, String(this.req.headers.authorization)]);
        patched = body as Record<string, unknown>;
        return [204, ''];
      });
    const voided = await adapter().voidInvoice('4711', { idempotencyKey: 'void-1' });
    expect(voided).toEqual({ ok: true, value: { externalId: '4711', number: 'INV-0001' } });
    for (const [method, uri, header] of headers) expectSigned(header, method, `${HOST}${uri}`);
    expect(patched).toEqual({
      memo: 'Voided',
      item: {
        items: [
          { item: { id: '301' }, description: 'Seats', quantity: 0, rate: 0, amount: 0 },
          { item: { id: '9001' }, description: 'Tax', quantity: 0, rate: 0, amount: 0 },
        ],
      },
    });
  });
});

describe('requests', () => {
  it('an invoice is PUT to eid:<our key>, with the fields the spec names; the id comes from Location', async () => {
    let sent: Record<string, unknown> = {};
    nock(HOST)
      .put('/services/rest/record/v1/invoice/eid:hub-inv-INV-0001')
      .reply(function (_uri, body) {
        expectSigned(
          String(this.req.headers.authorization),
          'PUT',
          `${HOST}/services/rest/record/v1/invoice/eid:hub-inv-INV-0001`,
        );
        expect(this.req.headers['content-type']).toBe('application/json');
        sent = body as Record<string, unknown>;
        return [204, '', { Location: `${HOST}/services/rest/record/v1/invoice/4711` }];
      });
    const created = await adapter().createInvoice(invoice, { idempotencyKey: 'inv-1' });
    expect(created).toEqual({ ok: true, value: { externalId: '4711', number: 'INV-0001' } });
    expect(sent).toEqual({
      externalId: 'hub-inv-INV-0001',
      tranId: 'INV-0001',
      entity: { id: '812' },
      tranDate: '2026-11-23',
      dueDate: '2026-12-23',
      currency: { id: '4' },
      item: {
        items: [
          { item: { id: '301' }, description: 'Seats', quantity: 3, rate: 400.1, amount: 1200.3 },
          { item: { id: '9001' }, description: 'Tax', quantity: 1, rate: 97.51, amount: 97.51 },
        ],
      },
    });
    // Checked against the API description: the upsert operation and the invoice's fields.
    expect(
      spec.operations.some((o) => o.method === 'PUT' && o.path === '/record/v1/{recordType}/eid:{externalId}'),
    ).toBe(true);
    const invoiceFields = (spec.records_of_interest.invoice?.key_fields ?? []).map((f) => f.split(' ')[0]);
    for (const field of Object.keys(sent)) expect(invoiceFields).toContain(field);
  });

  it('payment and journal entry bodies use the spec record fields (apply and line sublists)', async () => {
    const bodies: Record<string, Record<string, unknown>> = {};
    nock(HOST)
      .put(/\/services\/rest\/record\/v1\/(customerPayment|journalEntry)\/eid:.*/)
      .times(2)
      .reply((uri, body) => {
        bodies[uri.split('/')[5]!] = body as Record<string, unknown>;
        return [204, '', { Location: `${HOST}/services/rest/record/v1/x/9` }];
      });
    const port = adapter();
    await port.createPayment(
      {
        paymentRef: 'PAY-1',
        customerExternalId: '812',
        invoiceExternalId: '4711',
        amount: '1297.81',
        currency: 'USD',
        date: '2026-11-30',
      },
      { idempotencyKey: 'pay-1' },
    );
    await port.postJournalEntry!(
      {
        entryRef: 'je-1',
        date: '2026-11-30',
        currency: 'EUR',
        memo: 'Recognition',
        exchangeRate: '1.0825',
        lines: [
          { accountExternalId: '220', side: 'debit', amount: '10.00', description: 'Deferred' },
          { accountExternalId: '54', side: 'credit', amount: '10.00', description: 'Revenue' },
        ],
      },
      { idempotencyKey: 'je-1' },
    );
    const fieldsOf = (record: string) =>
      (spec.records_of_interest[record]?.key_fields ?? []).map((f) => f.split(' ')[0]);
    const payment = bodies.customerPayment!;
    expect(payment.apply).toEqual({ items: [{ doc: { id: '4711' }, apply: true, amount: 1297.81 }] });
    // memo and currency are body fields of every transaction (the spec's invoice list names currency).
    const paymentFields = Object.keys(payment).filter((f) => f !== 'memo' && f !== 'currency');
    for (const field of paymentFields) expect(fieldsOf('customerPayment')).toContain(field);
    const journal = bodies.journalEntry!;
    expect(journal.exchangeRate).toBe(1.0825);
    for (const field of Object.keys(journal).filter((f) => f !== 'exchangeRate'))
      expect(fieldsOf('journalEntry')).toContain(field);
  });

  it('finds a customer by name with SuiteQL (Prefer: transient), quotes doubled', async () => {
    nock(HOST, { reqheaders: { prefer: 'transient' } })
      .post('/services/rest/query/v1/suiteql', { q: "SELECT id FROM customer WHERE companyname = 'O''Brien Ltd'" })
      .reply(200, fixture('suiteql-customer.json'));
    expect(await adapter().findCustomer("O'Brien Ltd")).toEqual({ ok: true, value: { externalId: '812' } });
  });
});

describe('answers', () => {
  it('404 on a lookup by external id is "not there"', async () => {
    nock(HOST)
      .get('/services/rest/record/v1/customerPayment/eid:hub-pay-PAY-9')
      .reply(404, fixture('error-not-found.json'));
    expect(await adapter().findPayment('PAY-9')).toEqual({ ok: true, value: null });
  });

  it('CONCURRENCY_LIMIT_EXCEEDED waits and is sent again (freshly signed); the write lands once', async () => {
    const nonces: string[] = [];
    let n = 0;
    nock(HOST)
      .put('/services/rest/record/v1/invoice/eid:hub-inv-INV-0001')
      .times(3)
      .reply(function () {
        nonces.push(parseHeader(String(this.req.headers.authorization)).oauth_nonce!);
        n += 1;
        return n < 3
          ? [429, fixture('error-concurrency.json')]
          : [204, '', { Location: `${HOST}/services/rest/record/v1/invoice/4711` }];
      });
    const created = await adapter({ nonce: () => `nonce${nonces.length}` }).createInvoice(invoice, {
      idempotencyKey: 'inv-1',
    });
    expect(created.ok).toBe(true);
    expect(waits).toEqual([250, 500]);
    expect(nonces).toEqual(['nonce0', 'nonce1', 'nonce2']);
  });

  it('a validation error in o:errorDetails is permanent and names the field', async () => {
    nock(HOST).put(/.*/).reply(400, fixture('error-invalid-reference.json'));
    const failed = await adapter().createInvoice(invoice, { idempotencyKey: 'inv-1' });
    expect(failed).toMatchObject({ kind: 'permanent', status: 400, field: 'entity' });
    expect(failed.ok ? '' : failed.reason).toContain('INVALID_KEY_OR_REF');
  });

  it('401 asks for a reconnect; 5xx and a record locked are retryable', async () => {
    nock(HOST).get(/.*/).reply(401, fixture('error-login.json'));
    expect(await adapter().findItem('SKU')).toMatchObject({ kind: 'retryable', status: 401, reconnect: true });
    nock(HOST).put(/.*/).reply(503, 'Service Unavailable');
    expect(await adapter().createInvoice(invoice, { idempotencyKey: 'i' })).toMatchObject({
      kind: 'retryable',
      status: 503,
    });
    nock(HOST)
      .put(/.*/)
      .reply(400, {
        title: 'Bad Request',
        status: 400,
        'o:errorDetails': [{ detail: 'Record is locked', 'o:errorCode': 'RCRD_LOCKED_BY_WF' }],
      });
    expect(await adapter().createInvoice(invoice, { idempotencyKey: 'i' })).toMatchObject({ kind: 'retryable' });
  });

  it('amounts a double cannot carry, and lines that do not add up, are refused before any call', async () => {
    const port = adapter();
    expect(await port.createInvoice({ ...invoice, total: '1297.80' }, { idempotencyKey: 'i' })).toMatchObject({
      kind: 'permanent',
      field: 'total',
    });
    expect(await adapter({ taxItemId: undefined }).createInvoice(invoice, { idempotencyKey: 'i' })).toMatchObject({
      kind: 'permanent',
      field: 'taxItemId',
    });
    expect(nock.pendingMocks()).toEqual([]);
  });
});
