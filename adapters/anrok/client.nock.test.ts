/**
 * The Anrok adapter against nock: every request it sends is checked against the Anrok API
 * description (test/support/anrok-spec.ts), and every answer Anrok documents is sorted as the
 * port promises.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAnrokRequest } from '../../test/support/anrok-spec.js';
import type { TaxRequest } from '../ports.js';
import { createAnrokAdapter } from './index.js';

const BASE = 'https://api.anrok.test';
const adapter = (over: { defaultTaxCategoryId?: string } = {}) =>
  createAnrokAdapter({ baseUrl: BASE, apiKey: 'sk_test_anrok', now: () => new Date('2026-11-02T10:00:00Z'), ...over });

const sale = (over: Partial<TaxRequest> = {}): TaxRequest => ({
  documentCode: 'INV-2026-0042',
  customerCode: 'cus_1',
  date: '2026-11-02',
  currency: 'USD',
  shipTo: { line1: '2000 Main Street', city: 'Irvine', region: 'CA', postalCode: '92614', country: 'US' },
  lines: [
    {
      number: '1',
      itemCode: 'prod_plat',
      description: 'Platform',
      quantity: '1',
      amount: '1200.00',
      taxCode: 'anrok-plat',
    },
    { number: '2', itemCode: 'prod_onb', description: 'Onboarding', quantity: '2', amount: '99.99' },
  ],
  commit: true,
  ...over,
});

/** Captures each request's path, body and headers, answering with `answer`. */
function intercept(path: string, status: number, answer: unknown, headers: Record<string, string> = {}) {
  const seen: { body: Record<string, unknown>; auth: string | undefined }[] = [];
  const scope = nock(BASE)
    .post(path)
    .reply(function (_uri, body) {
      seen.push({ body: body as Record<string, unknown>, auth: this.req.headers.authorization as string | undefined });
      return [status, answer, headers];
    });
  return { scope, seen };
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('requests, checked against the Anrok API description', () => {
  it('a finalized invoice is createOrUpdate keyed by our id, amounts in integer cents, Bearer auth', async () => {
    const { scope, seen } = intercept('/v1/seller/transactions/createOrUpdate', 200, {
      version: 1,
      taxAmountToCollect: 9425,
      preTaxAmount: '129999',
      lineItems: [
        { id: '1', taxAmountToCollect: 8700 },
        { id: '2', taxAmountToCollect: 725 },
      ],
      jurisSummaries: [],
    });
    const result = await adapter().recordSale(sale(), { idempotencyKey: 'k' });
    expect(scope.isDone()).toBe(true);
    const { body, auth } = seen[0]!;
    expectAnrokRequest('POST', '/v1/seller/transactions/createOrUpdate', body);
    expect(auth).toBe('Bearer sk_test_anrok');
    expect(body).toMatchObject({
      id: 'INV-2026-0042',
      currencyCode: 'USD',
      accountingDate: '2026-11-02',
      customerAddress: { region: 'CA', postalCode: '92614', country: 'US' },
    });
    expect(body).not.toHaveProperty('customerId');
    // The product's Anrok id where it has one, else ours.
    expect(body.lineItems).toEqual([
      { id: '1', productExternalId: 'anrok-plat', amount: 120000, quantity: '1', isTaxIncludedInAmount: false },
      { id: '2', productExternalId: 'prod_onb', amount: 9999, quantity: '2', isTaxIncludedInAmount: false },
    ]);
    expect(result).toEqual({
      ok: true,
      value: {
        transactionId: 'INV-2026-0042',
        documentCode: 'INV-2026-0042',
        status: 'normal',
        state: 'committed',
        totalTax: '94.25',
        lines: [
          { number: '1', tax: '87.00' },
          { number: '2', tax: '7.25' },
        ],
      },
    });
  });

  it('a quote is createEphemeral (no id); three-decimal and zero-decimal currencies go in their minor units', async () => {
    const { seen } = intercept('/v1/seller/transactions/createEphemeral', 200, {
      taxAmountToCollect: 5,
      lineItems: [{ id: '1', taxAmountToCollect: 5 }],
    });
    const quoted = await adapter().quote(
      sale({
        currency: 'KWD',
        lines: [{ number: '1', itemCode: 'p', description: 'P', quantity: '1', amount: '1.234' }],
      }),
    );
    expectAnrokRequest('POST', '/v1/seller/transactions/createEphemeral', seen[0]!.body);
    expect(seen[0]!.body).not.toHaveProperty('id');
    expect((seen[0]!.body.lineItems as { amount: number }[])[0]!.amount).toBe(1234);
    expect(quoted).toMatchObject({ ok: true, value: { state: 'estimate', totalTax: '0.005' } });

    const jpy = intercept('/v1/seller/transactions/createEphemeral', 200, { taxAmountToCollect: 80, lineItems: [] });
    await adapter().quote(
      sale({
        currency: 'JPY',
        lines: [{ number: '1', itemCode: 'p', description: 'P', quantity: '1', amount: '1000' }],
      }),
    );
    expect((jpy.seen[0]!.body.lineItems as { amount: number }[])[0]!.amount).toBe(1000);
  });

  it('an amount finer than the currency is refused before anything is sent', async () => {
    const refused = await adapter().recordSale(
      sale({ lines: [{ number: '1', itemCode: 'p', description: 'P', quantity: '1', amount: '10.005' }] }),
      { idempotencyKey: 'k' },
    );
    expect(refused).toMatchObject({ ok: false, kind: 'permanent', field: 'lines[0].amount' });
  });

  it('an exempt customer is named by its id, so Anrok applies the certificates it keeps for it', async () => {
    const { seen } = intercept('/v1/seller/transactions/createOrUpdate', 200, { taxAmountToCollect: 0, lineItems: [] });
    await adapter().recordSale(sale({ exemptionNumber: 'EX-1' }), { idempotencyKey: 'k' });
    expectAnrokRequest('POST', '/v1/seller/transactions/createOrUpdate', seen[0]!.body);
    expect(seen[0]!.body.customerId).toBe('cus_1');
  });

  it('a whole credit note is createNegation of the sale, read back from the list', async () => {
    const negation = intercept('/v1/seller/transactions/createNegation', 200, {});
    const list = intercept('/v1/seller/transactions/list', 200, {
      transactions: [
        {
          type: 'normal',
          id: 'return-CN-1',
          body: { currencyCode: 'USD', taxAmountDue: -9425, lineItems: [{ id: '1', taxAmountDue: -9425 }] },
        },
      ],
      hasMore: false,
    });
    const back = await adapter().recordReturn(
      {
        ...sale(),
        documentCode: 'CN-1',
        originalDocumentCode: 'INV-2026-0042',
        originalDate: '2026-11-02',
        wholeSale: true,
      },
      { idempotencyKey: 'k' },
    );
    expectAnrokRequest('POST', '/v1/seller/transactions/createNegation', negation.seen[0]!.body);
    expect(negation.seen[0]!.body).toEqual({ originalTransactionId: 'INV-2026-0042', newTransactionId: 'return-CN-1' });
    expectAnrokRequest('POST', '/v1/seller/transactions/list', list.seen[0]!.body);
    expect(back).toMatchObject({
      ok: true,
      value: { transactionId: 'return-CN-1', totalTax: '94.25', state: 'committed' },
    });
  });

  it('a partial credit note is a transaction of negative amounts taxed at the sale date', async () => {
    const { seen } = intercept('/v1/seller/transactions/createOrUpdate', 200, {
      version: 1,
      taxAmountToCollect: -2175,
      lineItems: [{ id: '1', taxAmountToCollect: -2175 }],
    });
    const back = await adapter().recordReturn(
      {
        ...sale(),
        documentCode: 'CN-2',
        date: '2026-11-20',
        originalDocumentCode: 'INV-2026-0042',
        originalDate: '2026-11-02',
        lines: [
          {
            number: '1',
            itemCode: 'prod_plat',
            description: 'Platform',
            quantity: '1',
            amount: '300.00',
            tax: '21.76',
          },
        ],
      },
      { idempotencyKey: 'k' },
    );
    const body = seen[0]!.body;
    expectAnrokRequest('POST', '/v1/seller/transactions/createOrUpdate', body);
    expect(body).toMatchObject({ id: 'return-CN-2', accountingDate: '2026-11-20', taxDate: '2026-11-02' });
    expect((body.lineItems as { amount: number }[])[0]!.amount).toBe(-30000);
    // Anrok's own tax is given back (it takes no override), positive as the port states it.
    expect(back).toMatchObject({ ok: true, value: { totalTax: '21.75', lines: [{ number: '1', tax: '21.75' }] } });
  });

  it('a void posts to id:{transactionId}/void after finding the transaction', async () => {
    intercept('/v1/seller/transactions/list', 200, {
      transactions: [
        { type: 'normal', id: 'INV-2026-0042', body: { currencyCode: 'USD', taxAmountDue: 9425, lineItems: [] } },
      ],
      hasMore: false,
    });
    const voided = intercept('/v1/seller/transactions/id:INV-2026-0042/void', 200, {});
    const result = await adapter().voidDocument('INV-2026-0042', 'sale');
    expect(voided.scope.isDone()).toBe(true);
    expectAnrokRequest('POST', '/v1/seller/transactions/id:INV-2026-0042/void', voided.seen[0]!.body);
    expect(result).toMatchObject({ ok: true, value: { state: 'voided', status: 'void' } });
  });

  it('a lookup follows the list cursor until it finds the id', async () => {
    const first = intercept('/v1/seller/transactions/list', 200, {
      transactions: [{ type: 'normal', id: 'INV-1', body: { currencyCode: 'USD', taxAmountDue: 1, lineItems: [] } }],
      nextCursor: 'c2',
      hasMore: true,
    });
    const second = intercept('/v1/seller/transactions/list', 200, {
      transactions: [{ type: 'void', id: 'INV-2026-0042' }],
      hasMore: false,
    });
    const found = await adapter().findByDocumentCode('INV-2026-0042');
    expect(first.seen[0]!.body).toEqual({ limit: 100 });
    expect(second.seen[0]!.body).toEqual({ limit: 100, cursor: 'c2' });
    expectAnrokRequest('POST', '/v1/seller/transactions/list', second.seen[0]!.body);
    expect(found).toMatchObject({ ok: true, value: { state: 'voided' } });
  });

  it('an unknown product is registered once with the default tax category, then the sale goes through', async () => {
    nock(BASE)
      .post('/v1/seller/transactions/createOrUpdate')
      .reply(409, { type: 'productExternalIdUnknown', productExternalId: 'anrok-plat' });
    const created = intercept('/v1/seller/products/create', 200, {});
    intercept('/v1/seller/transactions/createOrUpdate', 200, { taxAmountToCollect: 0, lineItems: [] });
    const result = await adapter({ defaultTaxCategoryId: 'saas' }).recordSale(sale(), { idempotencyKey: 'k' });
    expect(result.ok).toBe(true);
    expectAnrokRequest('POST', '/v1/seller/products/create', created.seen[0]!.body);
    expect(created.seen[0]!.body).toEqual({ externalId: 'anrok-plat', taxCategoryId: 'saas', name: 'Platform' });
  });
});

describe('answers, sorted', () => {
  const write = () => adapter().recordSale(sale(), { idempotencyKey: 'k' });
  const path = '/v1/seller/transactions/createOrUpdate';

  it('429 (text/plain, Retry-After in seconds) is retryable with the wait', async () => {
    nock(BASE).post(path).reply(429, 'Too many requests', { 'Content-Type': 'text/plain', 'Retry-After': '7' });
    expect(await write()).toMatchObject({ ok: false, kind: 'retryable', status: 429, retryAfterMs: 7000 });
  });

  it('503 is retryable', async () => {
    nock(BASE).post(path).reply(503, 'unavailable');
    expect(await write()).toMatchObject({ ok: false, kind: 'retryable', status: 503 });
  });

  it('409 customerAddressCouldNotResolve is permanent with a reason a person can act on', async () => {
    nock(BASE).post(path).reply(409, { type: 'customerAddressCouldNotResolve' });
    const failed = await write();
    expect(failed).toMatchObject({ ok: false, kind: 'permanent', status: 409, field: 'customerAddress' });
    expect(!failed.ok && failed.reason).toContain('could not resolve the customer address');
  });

  it('400 (a JSON string) is permanent and carries the message', async () => {
    nock(BASE).post(path).reply(400, JSON.stringify('lineItems[0].amount: must be an integer'));
    const failed = await write();
    expect(failed).toMatchObject({ ok: false, kind: 'permanent', status: 400 });
    expect(!failed.ok && failed.reason).toContain('must be an integer');
  });

  it('401 asks for a reconnect', async () => {
    nock(BASE).post(path).reply(401, 'Unauthorized');
    expect(await write()).toMatchObject({ ok: false, kind: 'retryable', reconnect: true, status: 401 });
  });

  it('a connection cut on a write is indeterminate; on a lookup retryable', async () => {
    nock(BASE).post(path).replyWithError('socket hang up');
    expect(await write()).toMatchObject({ ok: false, kind: 'indeterminate' });
    nock(BASE).post('/v1/seller/transactions/list').replyWithError('socket hang up');
    expect(await adapter().findByDocumentCode('INV-1')).toMatchObject({ ok: false, kind: 'retryable' });
  });

  it('an unresolvable address is a readable reason from validateAddress, not a failure', async () => {
    const { seen } = intercept('/v1/seller/transactions/createEphemeral', 409, {
      type: 'customerAddressCouldNotResolve',
    });
    const checked = await adapter().validateAddress({
      line1: '1 Main',
      city: 'X',
      region: 'CA',
      postalCode: '0',
      country: 'US',
    });
    expectAnrokRequest('POST', '/v1/seller/transactions/createEphemeral', seen[0]!.body);
    expect(checked).toEqual({
      ok: true,
      value: { valid: false, reason: 'Anrok could not resolve the customer address (customerAddressCouldNotResolve)' },
    });
  });
});
