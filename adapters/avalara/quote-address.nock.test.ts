/**
 * The AvaTax SDK against nock for the calls beside the sale: a quote (CreateTransaction of a
 * SalesOrder, never committed), the customer's exemption certificate number, and address
 * resolution (ResolveAddressPost). Requests are checked against the AvaTax API description where
 * it has them; ResolveAddressPost is not in the trimmed description, so its path is the SDK's own.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOperation, lineFields, minimumTransactionFields } from '../../test/support/avalara-spec.js';
import type { TaxRequest } from '../ports.js';
import { createAvalaraAdapter } from './index.js';

const BASE = 'https://sandbox-rest.avatax.test';
const adapter = () =>
  createAvalaraAdapter({
    baseUrl: BASE,
    accountId: '1100012345',
    licenseKey: 'LICENSE-KEY',
    companyCode: 'ACMECO',
    now: () => new Date('2026-11-02T10:00:00Z'),
  });

const sale = (over: Partial<TaxRequest> = {}): TaxRequest => ({
  documentCode: 'INV-2026-0042',
  customerCode: 'ACME-001',
  date: '2026-11-02',
  currency: 'USD',
  shipTo: { line1: '2000 Main Street', city: 'Irvine', region: 'CA', postalCode: '92614', country: 'US' },
  lines: [
    { number: '1', itemCode: 'PLAT', description: 'Platform', quantity: '1', amount: '100.00', taxCode: 'SW054000' },
  ],
  commit: true,
  ...over,
});

const transaction = (over: Record<string, unknown> = {}) => ({
  id: 0,
  code: 'INV-2026-0042',
  status: 'Temporary',
  type: 'SalesOrder',
  currencyCode: 'USD',
  totalTax: 7.25,
  lines: [{ lineNumber: '1', tax: 7.25 }],
  ...over,
});

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('quote', () => {
  it('sends CreateTransaction as a SalesOrder that is never committed, with the tax code and exemption number', async () => {
    let body: Record<string, unknown> = {};
    const scope = nock(BASE)
      .post('/api/v2/transactions/create')
      .query({ $include: 'Lines' })
      .reply(200, (_uri, b) => {
        body = b as Record<string, unknown>;
        return transaction();
      });
    const quoted = await adapter().quote(sale({ exemptionNumber: 'EX-7781' }));
    expect(scope.isDone()).toBe(true);
    expect(findOperation('POST', '/api/v2/transactions/create')).toBeDefined();
    for (const field of minimumTransactionFields()) expect(body).toHaveProperty(field);
    expect(body).toMatchObject({ type: 'SalesOrder', commit: false, exemptionNo: 'EX-7781' });
    const line = (body.lines as Record<string, unknown>[])[0]!;
    for (const field of lineFields().required) expect(line).toHaveProperty(field);
    expect(line).toMatchObject({ amount: 100, taxCode: 'SW054000' });
    expect(quoted).toMatchObject({ ok: true, value: { state: 'estimate', totalTax: '7.25' } });
  });

  it('a quote that cannot reach AvaTax is retryable (nothing was stored)', async () => {
    nock(BASE).post('/api/v2/transactions/create').query(true).replyWithError('socket hang up');
    const quoted = await adapter().quote(sale());
    expect(quoted).toMatchObject({ ok: false, kind: 'retryable' });
  });
});

describe('validateAddress', () => {
  const address = { line1: '1 Main St', city: 'Irvine', region: 'CA', postalCode: '9261', country: 'US' };

  it('posts the address to ResolveAddressPost and reads an Error message as a readable reason', async () => {
    let body: Record<string, unknown> = {};
    const scope = nock(BASE)
      .post('/api/v2/addresses/resolve')
      .reply(200, (_uri, b) => {
        body = b as Record<string, unknown>;
        return {
          address,
          resolutionQuality: 'NotCoded',
          messages: [
            {
              summary: 'The address is not deliverable.',
              details: 'The ZIP code is not valid.',
              refersTo: 'Address.PostalCode',
              severity: 'Error',
            },
          ],
        };
      });
    const checked = await adapter().validateAddress(address);
    expect(scope.isDone()).toBe(true);
    expect(body).toEqual(address);
    expect(checked).toEqual({
      ok: true,
      value: {
        valid: false,
        reason: 'AvaTax could not resolve the address: The address is not deliverable.: The ZIP code is not valid.',
      },
    });
  });

  it('a resolved address comes back as AvaTax normalised it', async () => {
    nock(BASE)
      .post('/api/v2/addresses/resolve')
      .reply(200, {
        validatedAddresses: [
          { line1: '1 MAIN ST', city: 'IRVINE', region: 'CA', postalCode: '92614-7101', country: 'US' },
        ],
        messages: [],
      });
    const checked = await adapter().validateAddress({ ...address, postalCode: '92614' });
    expect(checked).toMatchObject({ ok: true, value: { valid: true, address: { postalCode: '92614-7101' } } });
  });

  it('503 from the address service is retryable, not a rejected address', async () => {
    nock(BASE).post('/api/v2/addresses/resolve').reply(503, 'Service Unavailable', { 'Retry-After': '5' });
    const checked = await adapter().validateAddress(address);
    expect(checked).toMatchObject({ ok: false, kind: 'retryable', status: 503, retryAfterMs: 5000 });
  });
});
