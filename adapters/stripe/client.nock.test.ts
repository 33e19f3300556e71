/**
 * The real Stripe SDK (fetch transport) against nock with recorded-shape responses: checks
 * the requests it sends (against Stripe's API description) and how failures are classified.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStripeAdapter, STRIPE_API_VERSION } from './index.js';

const API = 'https://api.stripe.com';
const KEY = 'sk_test_unit0000000000000000001234';
const NOW = new Date('2026-11-20T12:00:00Z');

interface SpecOperation {
  method: string;
  path: string;
  parameters: { query?: { name: string; required: boolean }[] };
  request: { required: string[]; properties: Record<string, string> };
}
const spec = JSON.parse(readFileSync(new URL('../../../shared/apispecs/stripe.json', import.meta.url), 'utf8')) as {
  operations: SpecOperation[];
};
const fullSpecText = readFileSync(
  new URL('../../../shared/apispecs/full/stripe/spec3.2023-09-12.yaml', import.meta.url),
  'utf8',
);

function operation(method: string, path: string): SpecOperation {
  const op = spec.operations.find((o) => o.method === method && o.path === path);
  if (!op) throw new Error(`${method} ${path} is not in stripe.json`);
  return op;
}

/** Top-level parameter names of a form body or query string (`metadata[x]` → `metadata`). */
function topLevelNames(encoded: string): Set<string> {
  return new Set([...new URLSearchParams(encoded).keys()].map((k) => k.replace(/\[.*$/, '')));
}

function assertBodyMatchesSpec(method: string, path: string, body: string) {
  const op = operation(method, path);
  const sent = topLevelNames(body);
  for (const required of op.request.required) expect(sent, `required field ${required}`).toContain(required);
  for (const name of sent) expect(Object.keys(op.request.properties), `unknown field ${name}`).toContain(name);
}

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'));
}

interface Captured {
  path: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function capture(into: Captured[], status: number, body: unknown, headers: Record<string, string> = {}) {
  return function (this: { req: { headers: Record<string, string> } }, uri: string, requestBody: unknown) {
    into.push({ path: uri, body: typeof requestBody === 'string' ? requestBody : '', headers: this.req.headers });
    return [status, body, { 'content-type': 'application/json', 'request-id': 'req_nock123', ...headers }] as [
      number,
      unknown,
      Record<string, string>,
    ];
  };
}

const adapter = (testPaymentMethod?: string) =>
  createStripeAdapter({ apiKey: KEY, webhookSecret: 'whsec_unit', testPaymentMethod, now: () => NOW });

const paymentRequest = {
  invoiceId: 'inv_local_1',
  invoiceNumber: 'INV-2026-0001',
  customerExternalId: 'cus_QXg1o8vcGmoR32',
  amountMinor: 125050,
  currency: 'USD',
  description: 'Invoice INV-2026-0001',
};

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(pending, 'every mocked Stripe call was made').toEqual([]);
});

describe('Stripe adapter requests', () => {
  it('creates a customer with our id in metadata, our idempotency key and the pinned API version', async () => {
    const seen: Captured[] = [];
    nock(API)
      .post('/v1/customers')
      .reply(capture(seen, 200, fixture('customer')));

    const result = await adapter().createCustomer(
      { localId: 'cust_local_1', name: 'Acme Corp', email: 'billing@acme.test' },
      { idempotencyKey: 'org1:customer:cust_local_1:v1:create' },
    );

    expect(result).toEqual({ ok: true, value: { externalId: 'cus_QXg1o8vcGmoR32' } });
    const [req] = seen;
    const body = new URLSearchParams(req.body);
    expect(body.get('metadata[hub_customer_id]')).toBe('cust_local_1');
    expect(body.get('name')).toBe('Acme Corp');
    expect(body.get('email')).toBe('billing@acme.test');
    expect(req.headers['idempotency-key']).toBe('org1:customer:cust_local_1:v1:create');
    expect(req.headers['stripe-version']).toBe(STRIPE_API_VERSION);
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    assertBodyMatchesSpec('POST', '/v1/customers', req.body);
  });

  it('finds a customer by searching our metadata, and returns null when none matches', async () => {
    const seen: Captured[] = [];
    nock(API)
      .get('/v1/customers/search')
      .query(true)
      .reply(capture(seen, 200, fixture('customer_search')))
      .get('/v1/customers/search')
      .query(true)
      .reply(capture(seen, 200, fixture('customer_search_empty')));

    const port = adapter();
    expect(await port.findCustomer('cust_local_1')).toEqual({ ok: true, value: { externalId: 'cus_QXg1o8vcGmoR32' } });
    expect(await port.findCustomer("o'brien")).toEqual({ ok: true, value: null });

    const first = new URL(seen[0].path, API).searchParams;
    expect(first.get('query')).toBe("metadata['hub_customer_id']:'cust_local_1'");
    expect(new URL(seen[1].path, API).searchParams.get('query')).toBe("metadata['hub_customer_id']:'o\\'brien'");
    const op = operation('GET', '/v1/customers/search');
    for (const p of op.parameters.query ?? []) if (p.required) expect(first.has(p.name)).toBe(true);
    for (const name of first.keys()) expect(op.parameters.query?.map((p) => p.name)).toContain(name);
  });

  it('creates an unconfirmed PaymentIntent for the customer to complete (pending)', async () => {
    const seen: Captured[] = [];
    nock(API)
      .post('/v1/payment_intents')
      .reply(capture(seen, 200, fixture('payment_intent_requires_payment_method')));

    const result = await adapter().createPayment(paymentRequest, { idempotencyKey: 'org1:invoice:inv_local_1:v1:pay' });

    expect(result).toEqual({
      ok: true,
      value: { externalId: 'pi_3PgafyB7WZ01zgkW0sTaUbmX', status: 'pending', amountMinor: 125050, currency: 'USD' },
    });
    const body = new URLSearchParams(seen[0].body);
    expect(body.get('amount')).toBe('125050');
    expect(body.get('currency')).toBe('usd');
    expect(body.get('customer')).toBe('cus_QXg1o8vcGmoR32');
    expect(body.get('metadata[hub_invoice_id]')).toBe('inv_local_1');
    expect(body.get('metadata[hub_invoice_number]')).toBe('INV-2026-0001');
    expect(body.has('confirm')).toBe(false);
    expect(seen[0].headers['idempotency-key']).toBe('org1:invoice:inv_local_1:v1:pay');
    assertBodyMatchesSpec('POST', '/v1/payment_intents', seen[0].body);
  });

  it('confirms off-session with the configured test payment method so the payment settles', async () => {
    const seen: Captured[] = [];
    nock(API)
      .post('/v1/payment_intents')
      .reply(capture(seen, 200, fixture('payment_intent_succeeded')));

    const result = await adapter('pm_card_visa').createPayment(paymentRequest, { idempotencyKey: 'k-confirm' });

    expect(result.ok && result.value.status).toBe('succeeded');
    const body = new URLSearchParams(seen[0].body);
    expect(body.get('confirm')).toBe('true');
    expect(body.get('payment_method')).toBe('pm_card_visa');
    expect(body.get('off_session')).toBe('true');
    expect(body.get('automatic_payment_methods[allow_redirects]')).toBe('never');
    assertBodyMatchesSpec('POST', '/v1/payment_intents', seen[0].body);
  });

  it('reports a declined confirmation as a failed payment with the intent Stripe created', async () => {
    nock(API).post('/v1/payment_intents').reply(402, fixture('error_card_declined'));

    const result = await adapter('pm_card_chargeDeclined').createPayment(paymentRequest, { idempotencyKey: 'k-decl' });

    expect(result).toEqual({
      ok: true,
      value: { externalId: 'pi_3PgafyB7WZ01zgkW0sTaUbmX', status: 'failed', amountMinor: 125050, currency: 'USD' },
    });
  });

  it('rejects a non-integer amount before calling Stripe', async () => {
    const result = await adapter().createPayment({ ...paymentRequest, amountMinor: 12.5 }, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'amountMinor' });
  });

  it('finds a payment by searching our invoice id', async () => {
    const seen: Captured[] = [];
    nock(API)
      .get('/v1/payment_intents/search')
      .query(true)
      .reply(capture(seen, 200, fixture('payment_intent_search')))
      .get('/v1/payment_intents/search')
      .query(true)
      .reply(capture(seen, 200, fixture('payment_intent_search_empty')));

    const port = adapter();
    expect(await port.findPayment('inv_local_1')).toEqual({
      ok: true,
      value: { externalId: 'pi_3PgafyB7WZ01zgkW0sTaUbmX', status: 'succeeded', amountMinor: 125050, currency: 'USD' },
    });
    expect(await port.findPayment('inv_unknown')).toEqual({ ok: true, value: null });
    const query = new URL(seen[0].path, API).searchParams;
    expect(query.get('query')).toBe("metadata['hub_invoice_id']:'inv_local_1'");
    // The trimmed spec omits this endpoint; the full 2023 spec marks `query` as required.
    const block = fullSpecText.slice(fullSpecText.indexOf('  /v1/payment_intents/search:'));
    expect(block.slice(0, block.indexOf('requestBody:'))).toMatch(/name: query\n\s+required: true/);
  });

  it('reads the fee from the expanded charge balance transaction', async () => {
    const seen: Captured[] = [];
    nock(API)
      .get('/v1/payment_intents/pi_3PgafyB7WZ01zgkW0sTaUbmX')
      .query(true)
      .reply(capture(seen, 200, fixture('payment_intent_expanded_fee')));

    expect(await adapter().getPaymentFee('pi_3PgafyB7WZ01zgkW0sTaUbmX')).toEqual({ ok: true, value: 3656 });
    const query = new URL(seen[0].path, API).searchParams;
    expect(query.getAll('expand[0]')).toEqual(['latest_charge.balance_transaction']);
    const op = operation('GET', '/v1/payment_intents/{intent}');
    expect(op.parameters.query?.map((p) => p.name)).toContain('expand');
  });

  it('refuses a fee for a payment that has not succeeded', async () => {
    nock(API)
      .get('/v1/payment_intents/pi_3PgafyB7WZ01zgkW0sTaUbmX')
      .query(true)
      .reply(200, fixture('payment_intent_requires_payment_method'));
    const result = await adapter().getPaymentFee('pi_3PgafyB7WZ01zgkW0sTaUbmX');
    expect(result).toMatchObject({ ok: false, kind: 'permanent' });
    expect(!result.ok && result.reason).toContain('requires_payment_method');
  });
});

describe('Stripe error classification', () => {
  it('429 with Retry-After is retryable after that delay', async () => {
    nock(API).post('/v1/customers').reply(429, fixture('error_rate_limit'), { 'Retry-After': '7' });
    const result = await adapter().createCustomer({ localId: 'c', name: 'n', email: null }, { idempotencyKey: 'k' });
    expect(result).toEqual({
      ok: false,
      kind: 'retryable',
      reason: expect.stringContaining('rate limit'),
      retryAfterMs: 7000,
      status: 429,
    });
  });

  it('429 without Retry-After (as Stripe documents it) is retryable with the default backoff', async () => {
    nock(API).get('/v1/customers/search').query(true).reply(429, fixture('error_rate_limit'));
    const result = await adapter().findCustomer('c');
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 429 });
    expect(result).not.toHaveProperty('retryAfterMs');
  });

  it('500 on a read is retryable; 500 on a write is indeterminate; 503 on a write is retryable', async () => {
    nock(API)
      .get('/v1/payment_intents/search')
      .query(true)
      .reply(500, fixture('error_api'))
      .post('/v1/payment_intents')
      .reply(500, fixture('error_api'))
      .post('/v1/payment_intents')
      .reply(503, fixture('error_api'));
    const port = adapter();
    expect(await port.findPayment('inv')).toMatchObject({ ok: false, kind: 'retryable', status: 500 });
    expect(await port.createPayment(paymentRequest, { idempotencyKey: 'k1' })).toMatchObject({
      ok: false,
      kind: 'indeterminate',
      status: 500,
    });
    expect(await port.createPayment(paymentRequest, { idempotencyKey: 'k1' })).toMatchObject({
      ok: false,
      kind: 'retryable',
      status: 503,
    });
  });

  it('401 needs a reconnect: the API key was rejected', async () => {
    nock(API).post('/v1/customers').reply(401, fixture('error_authentication'));
    const result = await adapter().createCustomer({ localId: 'c', name: 'n', email: null }, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 401, reconnect: true });
    expect(!result.ok && result.reason).toContain('API key rejected');
  });

  it('400 validation is permanent with the message and the offending param', async () => {
    nock(API).post('/v1/payment_intents').reply(400, fixture('error_invalid_amount'));
    const result = await adapter().createPayment(paymentRequest, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 400, field: 'amount' });
    expect(!result.ok && result.reason).toContain('Invalid integer: 12.5');
  });

  it('an idempotency conflict is permanent', async () => {
    nock(API).post('/v1/payment_intents').reply(400, fixture('error_idempotency'));
    const result = await adapter().createPayment(paymentRequest, { idempotencyKey: 'hub-key-1' });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 400 });
    expect(!result.ok && result.reason).toContain('idempotency');
  });

  it('a card error without an intent is permanent with the decline code', async () => {
    const body = fixture('error_card_declined') as { error: Record<string, unknown> };
    delete body.error.payment_intent;
    nock(API).post('/v1/payment_intents').reply(402, body);
    const result = await adapter('pm_card_chargeDeclined').createPayment(paymentRequest, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 402 });
    expect(!result.ok && result.reason).toContain('generic_decline');
  });

  it('a network error on a write is indeterminate, on a read retryable', async () => {
    nock(API)
      .post('/v1/payment_intents')
      .replyWithError('socket hang up')
      .get('/v1/payment_intents/search')
      .query(true)
      .replyWithError('socket hang up');
    const port = adapter();
    expect(await port.createPayment(paymentRequest, { idempotencyKey: 'k' })).toMatchObject({
      ok: false,
      kind: 'indeterminate',
    });
    expect(await port.findPayment('inv')).toMatchObject({ ok: false, kind: 'retryable' });
  });
});
