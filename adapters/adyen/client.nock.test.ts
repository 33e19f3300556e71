/**
 * The real Adyen SDK (with the hub's fetch transport) against nock: request bodies are checked
 * against CheckoutService-v71's required fields (../../../shared/apispecs/adyen.json and the full
 * copy), the Idempotency-Key is sent, ServiceError answers are sorted, and the SDK's HmacValidator
 * accepts a notification signed the way Adyen documents it.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdyenAdapter } from './index.js';
import { parseAdyenWebhook } from './webhooks.js';

const HOST = 'https://checkout-test.adyen.com';
const spec = JSON.parse(readFileSync(new URL('../../../shared/apispecs/adyen.json', import.meta.url), 'utf8')) as {
  operations: { method: string; path: string; request?: { required: string[] } }[];
};
const full = JSON.parse(
  readFileSync(new URL('../../../shared/apispecs/full/adyen/CheckoutService-v71.json', import.meta.url), 'utf8'),
) as { components: { schemas: Record<string, { required?: string[]; properties: Record<string, unknown> }> } };
const required = (path: string) =>
  spec.operations.find((o) => o.method === 'POST' && o.path === path)!.request!.required;

const HMAC_KEY = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const adapter = () =>
  createAdyenAdapter({ apiKey: 'AQE_unit', merchantAccount: 'HubECOM', hmacKey: HMAC_KEY, now: () => new Date() });
const request = {
  invoiceId: 'inv_1',
  invoiceNumber: 'INV-0001',
  customerExternalId: 'cus_local_1',
  amountMinor: 1000,
  currency: 'KWD',
  description: 'Invoice INV-0001',
};

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('Adyen over the SDK', () => {
  it('charges a stored card with ContAuth and captures it, each write with its Idempotency-Key', async () => {
    const sent: { path: string; body: Record<string, unknown>; key: string | undefined }[] = [];
    const scope = nock(HOST)
      .get(/\/v7\d\/storedPaymentMethods/)
      .query({ shopperReference: 'cus_local_1', merchantAccount: 'HubECOM' })
      .reply(200, {
        storedPaymentMethods: [{ id: 'M123', supportedRecurringProcessingModels: ['UnscheduledCardOnFile'] }],
      })
      .post(/\/v7\d\/payments$/)
      .reply(function (uri, body) {
        sent.push({
          path: uri,
          body: body as Record<string, unknown>,
          key: this.req.headers['idempotency-key'] as string,
        });
        return [200, { pspReference: 'PSP0001', resultCode: 'Authorised', amount: { currency: 'KWD', value: 1000 } }];
      })
      .post(/\/v7\d\/payments\/PSP0001\/captures$/)
      .reply(function (uri, body) {
        sent.push({
          path: uri,
          body: body as Record<string, unknown>,
          key: this.req.headers['idempotency-key'] as string,
        });
        return [
          201,
          {
            pspReference: 'PSP0002',
            paymentPspReference: 'PSP0001',
            status: 'received',
            merchantAccount: 'HubECOM',
            amount: { currency: 'KWD', value: 1000 },
          },
        ];
      });
    const outcome = await adapter().createPayment(request, { idempotencyKey: 'key-1' });
    expect(outcome).toMatchObject({
      ok: true,
      value: { externalId: 'PSP0001', status: 'succeeded', amountMinor: 1000, currency: 'KWD' },
    });
    scope.done();
    const [payment, capture] = sent;
    for (const field of required('/payments')) expect(payment!.body).toHaveProperty(field);
    expect(payment!.body).toMatchObject({
      amount: { currency: 'KWD', value: 1000 },
      shopperInteraction: 'ContAuth',
      recurringProcessingModel: 'UnscheduledCardOnFile',
      paymentMethod: { storedPaymentMethodId: 'M123' },
      metadata: { hub_invoice_id: 'inv_1' },
    });
    expect(payment!.key).toBe('key-1');
    for (const field of required('/payments/{paymentPspReference}/captures'))
      expect(capture!.body).toHaveProperty(field);
    expect(capture!.key).toBe('key-1:capture');
  });

  it('a customer with no stored card gets a Pay by Link link that stores the card', async () => {
    let body: Record<string, unknown> = {};
    nock(HOST)
      .get(/\/v7\d\/storedPaymentMethods/)
      .query(true)
      .reply(200, { storedPaymentMethods: [] })
      .post(/\/v7\d\/paymentLinks$/)
      .reply(201, (_uri, b) => {
        body = b as Record<string, unknown>;
        return {
          id: 'PL61C53A8B97E6915A',
          url: 'https://test.adyen.link/PL61C53A8B97E6915A',
          status: 'active',
          reference: 'INV-0001',
          merchantAccount: 'HubECOM',
          amount: { currency: 'KWD', value: 1000 },
        };
      });
    const outcome = await adapter().createPayment(request, { idempotencyKey: 'key-2' });
    expect(outcome).toMatchObject({
      ok: true,
      value: { status: 'requires_action', payUrl: 'https://test.adyen.link/PL61C53A8B97E6915A' },
    });
    for (const field of full.components.schemas.PaymentLinkRequest!.required ?? []) expect(body).toHaveProperty(field);
    expect(body).toMatchObject({ storePaymentMethodMode: 'enabled', shopperReference: 'cus_local_1' });
  });

  it('a refund Adyen refuses with a ServiceError is permanent with its message; a 500 is indeterminate', async () => {
    nock(HOST)
      .post(/\/v7\d\/payments\/PSP0001\/refunds$/)
      .reply(422, {
        status: 422,
        errorCode: '167',
        message: 'Original pspReference required for this operation',
        errorType: 'validation',
      })
      .post(/\/v7\d\/payments\/PSP0001\/refunds$/)
      .reply(500, { status: 500, errorCode: '000', message: 'Internal error', errorType: 'internal' });
    const refund = {
      paymentExternalId: 'PSP0001',
      amountMinor: 10,
      currency: 'KWD',
      creditNoteId: 'cn_1',
      reason: 'duplicate' as const,
    };
    const refused = await adapter().refundPayment(refund, { idempotencyKey: 'r-1' });
    expect(refused).toMatchObject({ ok: false, kind: 'permanent', status: 422 });
    expect(refused.ok ? '' : refused.reason).toMatch(/Original pspReference required/);
    expect(await adapter().refundPayment(refund, { idempotencyKey: 'r-1' })).toMatchObject({
      ok: false,
      kind: 'indeterminate',
    });
  });

  it('verifies a notification signed with Node crypto the way Adyen documents it', () => {
    const item = {
      eventCode: 'AUTHORISATION',
      success: 'true',
      pspReference: 'PSP0001',
      merchantAccountCode: 'HubECOM',
      merchantReference: 'INV-0001',
      amount: { currency: 'JPY', value: 12500 },
      eventDate: '2026-11-20T09:30:00+01:00',
      additionalData: { 'metadata.hub_invoice_id': 'inv_1' } as Record<string, string>,
    };
    const data = ['PSP0001', '', 'HubECOM', 'INV-0001', '12500', 'JPY', 'AUTHORISATION', 'true'].join(':');
    item.additionalData.hmacSignature = createHmac('sha256', Buffer.from(HMAC_KEY, 'hex'))
      .update(data)
      .digest('base64');
    const body = JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: item }] });
    expect(parseAdyenWebhook(body, HMAC_KEY)).toMatchObject({
      ok: true,
      value: {
        type: 'payment.succeeded',
        paymentExternalId: 'PSP0001',
        invoiceId: 'inv_1',
        amountMinor: 12500,
        currency: 'JPY',
      },
    });
    expect(parseAdyenWebhook(body.replace('"value":12500', '"value":12501'), HMAC_KEY)).toMatchObject({
      ok: false,
      status: 401,
    });
  });
});
