/**
 * Refunds and cancelling a PaymentIntent through the real Stripe SDK against nock, answered with
 * the shapes of Stripe's published fixtures (../../../shared/apispecs/full/stripe/): the form
 * bodies are checked against the API description and the Idempotency-Key is sent.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStripeAdapter } from './index.js';

const API = 'https://api.stripe.com';
const fixtures = JSON.parse(
  readFileSync(new URL('../../../shared/apispecs/full/stripe/fixtures3.2026-08-21.json', import.meta.url), 'utf8'),
).resources as Record<string, Record<string, unknown>>;
const fullSpec = readFileSync(
  new URL('../../../shared/apispecs/full/stripe/spec3.2023-09-12.yaml', import.meta.url),
  'utf8',
);
const cancelSpec = (
  JSON.parse(readFileSync(new URL('../../../shared/apispecs/stripe.json', import.meta.url), 'utf8')).operations as {
    path: string;
    request: { properties: Record<string, string> };
  }[]
).find((o) => o.path === '/v1/payment_intents/{intent}/cancel')!;

const adapter = () =>
  createStripeAdapter({
    apiKey: 'sk_test_unit0000000000000000001234',
    webhookSecret: 'whsec_x',
    now: () => new Date(),
  });

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** The body properties the full spec lists for POST /v1/refunds. */
function refundProperties(): string[] {
  const at = fullSpec.indexOf('operationId: PostRefunds');
  const block = fullSpec.slice(at, fullSpec.indexOf('required: false', at));
  return [...block.matchAll(/^ {16}([a-z_]+):$/gm)].map((m) => m[1]!);
}

describe('Stripe refunds and cancel', () => {
  it('a refund sends payment_intent, amount, reason and our metadata, with the Idempotency-Key', async () => {
    let body = '';
    let key: string | undefined;
    nock(API)
      .post('/v1/refunds')
      .reply(function (_uri, b) {
        body = String(b);
        key = this.req.headers['idempotency-key'] as string | undefined;
        return [200, { ...fixtures.refund, id: 're_1', amount: 2500, payment_intent: 'pi_1' }];
      });
    const result = await adapter().refundPayment(
      { paymentExternalId: 'pi_1', amountMinor: 2500, currency: 'USD', creditNoteId: 'cn_1', reason: 'duplicate' },
      { idempotencyKey: 'hub-refund-1' },
    );
    expect(result.ok && result.value).toMatchObject({ externalId: 're_1', status: 'succeeded', amountMinor: 2500 });
    expect(key).toBe('hub-refund-1');
    const params = new URLSearchParams(body);
    expect(params.get('payment_intent')).toBe('pi_1');
    expect(params.get('amount')).toBe('2500');
    expect(params.get('reason')).toBe('duplicate');
    expect(params.get('metadata[hub_credit_note_id]')).toBe('cn_1');
    const allowed = refundProperties();
    expect(allowed).toEqual(expect.arrayContaining(['amount', 'payment_intent', 'reason', 'metadata']));
    for (const name of new Set([...params.keys()].map((k) => k.replace(/\[.*$/, '')))) expect(allowed).toContain(name);
  });

  it('cancel sends a cancellation_reason the spec allows; an intent that already succeeded answers succeeded', async () => {
    let body = '';
    nock(API)
      .post('/v1/payment_intents/pi_2/cancel')
      .reply(400, (_uri, b) => {
        body = String(b);
        return {
          error: {
            type: 'invalid_request_error',
            code: 'payment_intent_unexpected_state',
            message: 'You cannot cancel this PaymentIntent because it has a status of succeeded.',
          },
        };
      });
    nock(API)
      .get('/v1/payment_intents/pi_2')
      .reply(200, { ...fixtures.payment_intent, id: 'pi_2', status: 'succeeded', amount: 1000, currency: 'usd' });
    const result = await adapter().cancelPayment('pi_2', { idempotencyKey: 'hub-cancel-2' });
    expect(result.ok && result.value.status).toBe('succeeded');
    const reason = new URLSearchParams(body).get('cancellation_reason');
    expect(cancelSpec.request.properties.cancellation_reason).toContain(reason);
  });
});
