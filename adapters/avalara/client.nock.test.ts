/**
 * The real AvaTax SDK (with our transport override) against nock: the requests it sends, checked
 * against the AvaTax API description, and how each vendor failure is classified.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  findOperation,
  lineFields,
  minimumTransactionFields,
  responseKeyFields,
  spec,
} from '../../test/support/avalara-spec.js';
import type { TaxRequest } from '../ports.js';
import { createAvalaraAdapter } from './index.js';

const BASE = 'https://sandbox-rest.avatax.test';
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'));

const adapter = () =>
  createAvalaraAdapter({
    baseUrl: `${BASE}/`,
    accountId: '1100012345',
    licenseKey: 'LICENSE-KEY',
    companyCode: 'ACMECO',
    appName: 'hub-test',
    machineName: 'ci',
    now: () => new Date('2026-11-02T10:00:00Z'),
  });

const sale = (over: Partial<TaxRequest> = {}): TaxRequest => ({
  documentCode: 'INV-2026-0042',
  customerCode: 'ACME-001',
  date: '2026-11-02',
  currency: 'USD',
  shipTo: { line1: '2000 Main Street', city: 'Irvine', region: 'CA', postalCode: '92614', country: 'US' },
  lines: [
    {
      number: '1',
      itemCode: 'PLAT-ANNUAL',
      description: 'Platform subscription (annual)',
      quantity: '1',
      amount: '1200.00',
      taxCode: 'SW054000',
    },
    { number: '2', itemCode: 'ONBOARD', description: 'Onboarding', quantity: '1', amount: '99.99' },
  ],
  commit: true,
  ...over,
});

const CREATE_PATH = '/api/v2/transactions/createoradjust';
const GET_PATH = '/api/v2/companies/ACMECO/transactions/INV-2026-0042';

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('recordSale request', () => {
  it('sends CreateOrAdjustTransaction with the document code, exact amounts and Basic auth', async () => {
    let rawBody = '';
    let headers: Record<string, string | string[]> = {};
    const scope = nock(BASE)
      .post(CREATE_PATH)
      .query({ $include: 'Lines' })
      .reply(function (_uri, body) {
        rawBody = typeof body === 'string' ? body : JSON.stringify(body);
        headers = this.req.headers;
        return [201, fixture('transaction-committed')];
      });

    const result = await adapter().recordSale(sale(), { idempotencyKey: 'org1:inv42:v1:tax' });

    expect(scope.isDone()).toBe(true);
    expect(result).toEqual({
      ok: true,
      value: {
        transactionId: '85028422212',
        documentCode: 'INV-2026-0042',
        status: 'Committed',
        state: 'committed',
        totalTax: '94.25',
        lines: [
          { number: '1', tax: '87.00' },
          { number: '2', tax: '7.25' },
        ],
      },
    });
    expect(headers.authorization).toBe(`Basic ${Buffer.from('1100012345:LICENSE-KEY').toString('base64')}`);
    expect(String(headers['x-avalara-client'])).toMatch(/^hub-test; .*; JavascriptSdk; .*; ci$/);
    // The JSON numbers are the port's decimal strings, parsed not computed.
    expect(rawBody).toContain('"amount":1200');
    expect(rawBody).toContain('"amount":99.99');
    const body = JSON.parse(rawBody);
    expect(body.createTransactionModel).toMatchObject({
      type: 'SalesInvoice',
      code: 'INV-2026-0042',
      companyCode: 'ACMECO',
      date: '2026-11-02',
      customerCode: 'ACME-001',
      currencyCode: 'USD',
      commit: true,
      addresses: { shipTo: { line1: '2000 Main Street', city: 'Irvine', region: 'CA', country: 'US' } },
    });
    expect(body.createTransactionModel.lines[0]).toEqual({
      number: '1',
      quantity: 1,
      amount: 1200,
      itemCode: 'PLAT-ANNUAL',
      description: 'Platform subscription (annual)',
      taxCode: 'SW054000',
    });
    expect(body.createTransactionModel.lines[1]).not.toHaveProperty('taxCode');
  });

  it('matches the AvaTax API description: operation, minimum fields, line fields', async () => {
    let body: { createTransactionModel: Record<string, unknown> } | undefined;
    nock(BASE)
      .post(CREATE_PATH, (b) => {
        body = b;
        return true;
      })
      .query(true)
      .reply(201, fixture('transaction-committed'));
    await adapter().recordSale(sale(), { idempotencyKey: 'k' });

    const op = findOperation('POST', CREATE_PATH);
    expect(op).toBeDefined();
    // The example wraps the transaction in createTransactionModel, as we do.
    expect(Object.keys(op?.request_example ?? {})).toContain('createTransactionModel');
    const model = body?.createTransactionModel ?? {};
    for (const field of minimumTransactionFields()) expect(model, field).toHaveProperty(field);
    const { all, required } = lineFields();
    for (const line of model.lines as Record<string, unknown>[]) {
      for (const field of required) expect(line).toHaveProperty(field);
      for (const key of Object.keys(line)) expect(all, `line field ${key}`).toContain(key);
    }
    // The spec's example sends addresses the same way (an AddressesModel of named locations).
    expect(spec.create_transaction_minimum_fields.fields.join(' ')).toContain('shipTo');
  });

  it('refuses an amount a JSON number cannot carry exactly, without calling AvaTax', async () => {
    const scope = nock(BASE).post(CREATE_PATH).query(true).reply(201, {});
    const request = sale();
    request.lines[1].amount = '12345678901234567.89';
    const result = await adapter().recordSale(request, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'lines[1].amount' });
    expect(scope.isDone()).toBe(false);
  });

  it('recorded fixture has the TransactionModel key fields the spec lists', () => {
    const tx = fixture('transaction-committed');
    for (const field of responseKeyFields()) expect(tx, field).toHaveProperty(field);
  });
});

describe('findByDocumentCode', () => {
  it('GETs the transaction by company and code as a SalesInvoice', async () => {
    const scope = nock(BASE)
      .get(GET_PATH)
      .query({ documentType: 'SalesInvoice', $include: 'Lines' })
      .reply(200, fixture('transaction-committed'));
    const result = await adapter().findByDocumentCode('INV-2026-0042');
    expect(scope.isDone()).toBe(true);
    expect(findOperation('GET', GET_PATH)).toBeDefined();
    expect(result).toMatchObject({ ok: true, value: { transactionId: '85028422212', totalTax: '94.25' } });
  });

  it('escapes "/" in the code the AvaTax way', async () => {
    const scope = nock(BASE)
      .get('/api/v2/companies/ACMECO/transactions/INV_-ava2f-_7')
      .query(true)
      .reply(200, fixture('transaction-committed'));
    await adapter().findByDocumentCode('INV/7');
    expect(scope.isDone()).toBe(true);
  });

  it('404 EntityNotFoundError → ok(null)', async () => {
    nock(BASE).get('/api/v2/companies/ACMECO/transactions/INV-404').query(true).reply(404, fixture('error-404'));
    expect(await adapter().findByDocumentCode('INV-404')).toEqual({ ok: true, value: null });
  });

  it('a network error on a read is retryable, not indeterminate', async () => {
    nock(BASE).get(GET_PATH).query(true).replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(await adapter().findByDocumentCode('INV-2026-0042')).toMatchObject({ ok: false, kind: 'retryable' });
  });
});

describe('error classification on recordSale', () => {
  const record = () => adapter().recordSale(sale(), { idempotencyKey: 'k' });
  const post = () => nock(BASE).post(CREATE_PATH).query(true);

  it('429 with Retry-After → retryable with the delay', async () => {
    post().reply(429, fixture('error-429'), { 'Retry-After': '7' });
    expect(await record()).toMatchObject({ ok: false, kind: 'retryable', retryAfterMs: 7000, status: 429 });
  });

  it('429 with a non-JSON body still honours Retry-After (as an HTTP date)', async () => {
    post().reply(429, 'Too Many Requests', {
      'Content-Type': 'text/plain',
      'Retry-After': 'Mon, 02 Nov 2026 10:00:30 GMT',
    });
    expect(await record()).toMatchObject({ ok: false, kind: 'retryable', retryAfterMs: 30_000 });
  });

  it('500 → retryable', async () => {
    post().reply(500, fixture('error-500'));
    const result = await record();
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 500 });
    expect(result.ok ? '' : result.reason).toContain('ServerConfiguration');
  });

  it('401 AuthenticationException → needs a reconnect, credentials rejected', async () => {
    post().reply(401, fixture('error-401'));
    const result = await record();
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 401, reconnect: true });
    expect(result.ok ? '' : result.reason).toMatch(/credentials rejected/);
  });

  it('400 MissingLine → permanent naming the field', async () => {
    post().reply(400, fixture('error-400-missing-line'));
    const result = await record();
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 400, field: 'lines' });
    expect(result.ok ? '' : result.reason).toContain('MissingLine');
  });

  it('400 InvalidAddress → permanent naming the address field', async () => {
    post().reply(400, fixture('error-400-invalid-address'));
    expect(await record()).toMatchObject({ ok: false, kind: 'permanent', field: 'addresses.shipTo.region' });
  });

  it('network error on the write → indeterminate', async () => {
    post().replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const result = await record();
    expect(result).toMatchObject({ ok: false, kind: 'indeterminate' });
    expect(result.ok ? '' : result.reason).toMatch(/look it up by document code/);
  });
});

describe('configuration', () => {
  it('rejects a base URL the SDK would silently replace with production', () => {
    expect(() =>
      createAvalaraAdapter({ baseUrl: 'sandbox', accountId: 'a', licenseKey: 'b', companyCode: 'c' }),
    ).toThrow(/http/);
  });
});
