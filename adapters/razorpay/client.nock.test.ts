/**
 * The real Razorpay SDK (on axios's fetch adapter) against nock: order and refund bodies are
 * checked against ../../../shared/apispecs/razorpay.json, a refund above what is left is refused
 * before anything is sent, and a webhook signed as Razorpay documents (hex HMAC-SHA256 of the raw
 * body) passes validateWebhookSignature.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRazorpayAdapter } from './index.js';

const API = 'https://api.razorpay.com';
const spec = JSON.parse(readFileSync(new URL('../../../shared/apispecs/razorpay.json', import.meta.url), 'utf8')) as {
  operations_third_party_spec: {
    method: string;
    path: string;
    request?: { required: string[]; properties: Record<string, string> };
  }[];
};
const op = (method: string, path: string) =>
  spec.operations_third_party_spec.find((o) => o.method === method && o.path === path)!;

const adapter = () =>
  createRazorpayAdapter({
    keyId: 'rzp_test_unit',
    keySecret: 'secret',
    webhookSecret: 'whsec',
    sandboxToken: 'token_1',
    now: () => new Date(),
  });
const order = {
  id: 'order_Unit0000000001',
  amount: 125050,
  currency: 'INR',
  receipt: 'inv_1',
  status: 'created',
  notes: {},
};
const captured = {
  id: 'pay_Unit0000000001',
  amount: 125050,
  currency: 'INR',
  status: 'captured',
  order_id: order.id,
  captured: true,
  amount_refunded: 125000,
  fee: 2950,
  notes: {},
};

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('Razorpay over the SDK', () => {
  it('creates an order in paise with our receipt after looking it up, charges the token and captures', async () => {
    let orderBody: Record<string, unknown> = {};
    let captureBody: Record<string, unknown> = {};
    const scope = nock(API)
      .get('/v1/orders')
      .query((q) => q.receipt === 'inv_1')
      .reply(200, { entity: 'collection', count: 0, items: [] })
      .post('/v1/orders', (b) => {
        orderBody = b;
        return true;
      })
      .reply(200, order)
      .post('/v1/payments/create/recurring')
      .reply(200, { razorpay_payment_id: 'pay_Unit0000000001', razorpay_order_id: order.id })
      .get(`/v1/orders/${order.id}/payments`)
      .reply(200, {
        entity: 'collection',
        count: 1,
        items: [{ ...captured, status: 'authorized', captured: false, amount_refunded: 0 }],
      })
      .post('/v1/payments/pay_Unit0000000001/capture', (b) => {
        captureBody = b;
        return true;
      })
      .reply(200, { ...captured, amount_refunded: 0 });
    const outcome = await adapter().createPayment(
      {
        invoiceId: 'inv_1',
        invoiceNumber: 'INV-1',
        customerExternalId: 'cust_1',
        amountMinor: 125050,
        currency: 'INR',
        description: 'x',
      },
      { idempotencyKey: 'k' },
    );
    expect(outcome).toMatchObject({
      ok: true,
      value: { externalId: order.id, status: 'succeeded', amountMinor: 125050 },
    });
    scope.done();
    for (const field of op('POST', '/orders').request!.required) expect(orderBody).toHaveProperty(field);
    expect(orderBody).toMatchObject({
      amount: 125050,
      currency: 'INR',
      receipt: 'inv_1',
      notes: { hub_invoice_id: 'inv_1' },
    });
    for (const field of op('POST', '/payments/{id}/capture').request!.required)
      expect(captureBody).toHaveProperty(field);
  });

  it('refuses a refund above what is captured and not refunded, sending no refund', async () => {
    nock(API)
      .get(`/v1/orders/${order.id}/payments`)
      .reply(200, { entity: 'collection', count: 1, items: [captured] })
      .get(`/v1/payments/${captured.id}/refunds`)
      .query(true)
      .reply(200, { entity: 'collection', count: 0, items: [] });
    const refundCalls = nock(API).post(`/v1/payments/${captured.id}/refund`).reply(200, {});
    const outcome = await adapter().refundPayment(
      {
        paymentExternalId: order.id,
        amountMinor: 51,
        currency: 'INR',
        creditNoteId: 'cn_1',
        reason: 'requested_by_customer',
      },
      { idempotencyKey: 'r' },
    );
    expect(outcome).toMatchObject({ ok: false, kind: 'permanent', status: 422 });
    expect(refundCalls.isDone()).toBe(false);
  });

  it('a refund sends amount, notes with our credit note id and a receipt, as the spec lists', async () => {
    let body: Record<string, unknown> = {};
    nock(API)
      .get(`/v1/orders/${order.id}/payments`)
      .reply(200, { entity: 'collection', count: 1, items: [captured] })
      .get(`/v1/payments/${captured.id}/refunds`)
      .query(true)
      .reply(200, { entity: 'collection', count: 0, items: [] })
      .post(`/v1/payments/${captured.id}/refund`, (b) => {
        body = b;
        return true;
      })
      .reply(200, {
        id: 'rfnd_1',
        amount: 50,
        currency: 'INR',
        payment_id: captured.id,
        status: 'processed',
        notes: { hub_credit_note_id: 'cn_1' },
      });
    const outcome = await adapter().refundPayment(
      {
        paymentExternalId: order.id,
        amountMinor: 50,
        currency: 'INR',
        creditNoteId: 'cn_1',
        reason: 'requested_by_customer',
      },
      { idempotencyKey: 'r' },
    );
    expect(outcome).toMatchObject({ ok: true, value: { externalId: 'rfnd_1', status: 'succeeded', amountMinor: 50 } });
    const allowed = Object.keys(op('POST', '/payments/{id}/refund').request!.properties);
    for (const key of Object.keys(body)) expect(allowed).toContain(key);
    expect(body).toMatchObject({ amount: 50, notes: { hub_credit_note_id: 'cn_1' } });
  });

  it('a 429 carries its Retry-After; a webhook signed as Razorpay documents parses, a tampered one does not', async () => {
    nock(API)
      .get('/v1/orders')
      .query(true)
      .reply(429, { error: { code: 'BAD_REQUEST_ERROR', description: 'Too many requests' } }, { 'Retry-After': '3' });
    expect(await adapter().findPayment('inv_1')).toMatchObject({ ok: false, kind: 'retryable', retryAfterMs: 3000 });

    const raw = JSON.stringify({
      entity: 'event',
      event: 'payment.captured',
      contains: ['payment'],
      payload: {
        payment: {
          entity: {
            id: captured.id,
            order_id: order.id,
            amount: 1250,
            currency: 'KWD',
            fee: 25,
            notes: { hub_invoice_id: 'inv_1' },
          },
        },
      },
      created_at: 1795000000,
    });
    const signature = createHmac('sha256', 'whsec').update(raw).digest('hex');
    const headers = new Headers({ 'x-razorpay-signature': signature, 'x-razorpay-event-id': 'evt_1' });
    expect(await adapter().parseWebhook(raw, headers)).toMatchObject({
      ok: true,
      value: {
        eventId: 'evt_1',
        type: 'payment.succeeded',
        paymentExternalId: order.id,
        invoiceId: 'inv_1',
        amountMinor: 1250,
        currency: 'KWD',
      },
    });
    expect(await adapter().parseWebhook(raw.replace('1250', '1251'), headers)).toMatchObject({
      ok: false,
      status: 401,
    });
  });
});
