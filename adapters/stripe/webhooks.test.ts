/** Webhook verification and mapping, signed independently with the SDK's test-header helper. */
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createStripeAdapter } from './index.js';
import { signStripePayload } from './simulator/webhooks.js';

const SECRET = 'whsec_test_secret_for_unit_tests';
const NOW = new Date('2026-01-01T10:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const event = readFileSync(new URL('./__fixtures__/event_payment_intent_succeeded.json', import.meta.url), 'utf8');
const port = createStripeAdapter({ apiKey: 'sk_test_x', webhookSecret: SECRET, now: () => NOW });

async function sdkHeader(payload: string, secret = SECRET, timestamp = T): Promise<Headers> {
  const value = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret,
    timestamp,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return new Headers({ 'Stripe-Signature': value, 'content-type': 'application/json' });
}

describe('parseWebhook', () => {
  it('accepts a good signature and maps payment_intent.succeeded', async () => {
    const result = await port.parseWebhook(event, await sdkHeader(event));
    expect(result).toEqual({
      ok: true,
      value: {
        eventId: 'evt_3PgafyB7WZ01zgkW0aBcDeFg',
        type: 'payment.succeeded',
        paymentExternalId: 'pi_3PgafyB7WZ01zgkW0sTaUbmX',
        invoiceId: 'inv_local_1',
        amountMinor: 125050,
        currency: 'USD',
        feeMinor: null,
        occurredAt: '2026-01-01T10:00:00.000Z',
      },
    });
  });

  it('maps payment_intent.payment_failed and ignores other event types', async () => {
    const failed = JSON.parse(event);
    failed.type = 'payment_intent.payment_failed';
    failed.data.object.status = 'requires_payment_method';
    failed.data.object.amount_received = 0;
    const failedBody = JSON.stringify(failed);
    const failedResult = await port.parseWebhook(failedBody, await sdkHeader(failedBody));
    expect(failedResult).toMatchObject({ ok: true, value: { type: 'payment.failed', amountMinor: 125050 } });

    const other = JSON.stringify({
      ...failed,
      type: 'customer.created',
      data: { object: { id: 'cus_1', object: 'customer' } },
    });
    const otherResult = await port.parseWebhook(other, await sdkHeader(other));
    expect(otherResult).toMatchObject({
      ok: true,
      value: { type: 'ignored', paymentExternalId: null, invoiceId: null },
    });
  });

  it('agrees with the simulator signer (same header format and HMAC)', async () => {
    const header = await signStripePayload(SECRET, event, T);
    expect(header).toBe((await sdkHeader(event)).get('stripe-signature'));
  });

  it('rejects a wrong secret, a tampered body, a missing header and a stale timestamp with 401', async () => {
    const tampered = event.replace('"amount": 125050', '"amount": 1');
    expect(tampered).not.toBe(event);
    const cases: [string, Promise<unknown>][] = [
      ['wrong secret', port.parseWebhook(event, await sdkHeader(event, 'whsec_other'))],
      ['tampered body', port.parseWebhook(tampered, await sdkHeader(event))],
      ['missing header', port.parseWebhook(event, new Headers())],
      ['garbage header', port.parseWebhook(event, new Headers({ 'Stripe-Signature': 'nonsense' }))],
      ['older than 300 s', port.parseWebhook(event, await sdkHeader(event, SECRET, T - 301))],
    ];
    for (const [name, pending] of cases) {
      expect(await pending, name).toMatchObject({ ok: false, kind: 'permanent', status: 401 });
    }
  });

  it('a correctly signed body that is not JSON is permanent 400', async () => {
    const body = 'not json';
    expect(await port.parseWebhook(body, await sdkHeader(body))).toMatchObject({
      ok: false,
      kind: 'permanent',
      status: 400,
    });
  });
});
