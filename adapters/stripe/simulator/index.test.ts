/**
 * The adapter (real SDK) against the simulator on loopback: round trip, idempotency,
 * faults, search-based reconciliation and signed webhook delivery. No nock here.
 */
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/domain/clock.js';
import type { PaymentPort } from '../../ports.js';
import { type RunningServer, serveOnLoopback } from '../../sandbox/serve.js';
import { createStripeAdapter } from '../index.js';
import { parseStripeForm } from './form.js';
import { createStripeSimulator, type StripeSimulator } from './index.js';
import { simulatedFee } from './objects.js';

const SECRET = 'whsec_sim_secret';
const KEY = 'sk_test_simulator_key_0001';
const clock = new ManualClock('2026-11-20T09:30:00Z');

interface Received {
  body: string;
  headers: Headers;
}
const received: Received[] = [];
let receiverStatus = 200;
let receiver: RunningServer;
let server: RunningServer;
let sim: StripeSimulator;

beforeAll(async () => {
  const hook = new Hono();
  hook.post('/webhooks/stripe', async (c) => {
    received.push({ body: await c.req.text(), headers: new Headers(c.req.raw.headers) });
    return c.text('ok', receiverStatus as 200);
  });
  receiver = await serveOnLoopback(hook);
});
afterAll(async () => {
  await receiver.close();
});

async function start(options: { autoDeliver?: boolean; searchDelaySeconds?: number; webhookUrl?: string } = {}) {
  sim = createStripeSimulator({
    webhookSecret: SECRET,
    webhookUrl: options.webhookUrl ?? `${receiver.url}/webhooks/stripe`,
    now: () => clock.now(),
    autoDeliver: options.autoDeliver,
    searchDelaySeconds: options.searchDelaySeconds,
  });
  server = await serveOnLoopback(sim.app);
}

const adapterFor = (testPaymentMethod?: string, apiKey = KEY): PaymentPort =>
  createStripeAdapter({
    apiKey,
    webhookSecret: SECRET,
    baseUrl: server.url,
    testPaymentMethod,
    now: () => clock.now(),
  });

const payment = (invoiceId: string, customerExternalId: string, amountMinor = 125050) => ({
  invoiceId,
  invoiceNumber: `INV-${invoiceId}`,
  customerExternalId,
  amountMinor,
  currency: 'USD',
  description: `Invoice ${invoiceId}`,
});

async function customer(port: PaymentPort, localId = 'cust_1'): Promise<string> {
  const created = await port.createCustomer(
    { localId, name: 'Acme', email: 'ap@acme.test' },
    { idempotencyKey: `c-${localId}` },
  );
  if (!created.ok) throw new Error(created.reason);
  return created.value.externalId;
}

beforeEach(() => {
  received.length = 0;
  receiverStatus = 200;
});
afterEach(async () => {
  await server?.close();
});

describe('Stripe simulator with the adapter', () => {
  beforeEach(() => start());

  it('round trip: customer, settled payment, lookups and the fee', async () => {
    const port = adapterFor('pm_card_visa');
    const customerId = await customer(port);
    expect(await port.findCustomer('cust_1')).toEqual({ ok: true, value: { externalId: customerId } });
    expect(await port.findCustomer('cust_unknown')).toEqual({ ok: true, value: null });

    const created = await port.createPayment(payment('inv_1', customerId), { idempotencyKey: 'pay-inv_1' });
    expect(created).toMatchObject({ ok: true, value: { status: 'succeeded', amountMinor: 125050, currency: 'USD' } });
    const id = created.ok ? created.value.externalId : '';
    expect(await port.findPayment('inv_1')).toEqual(created);
    // 125050 × 2.9% = 3626.45, + 30 = 3656.45 → 3656
    expect(await port.getPaymentFee(id)).toEqual({ ok: true, value: 3656 });

    const intent = sim.state.paymentIntents.get(id);
    expect(intent?.metadata).toEqual({ hub_invoice_id: 'inv_1', hub_invoice_number: 'INV-inv_1' });
    expect(intent?.customer).toBe(customerId);
    expect(intent?.created).toBe(Math.floor(clock.now().getTime() / 1000));
    expect(sim.state.charges.size).toBe(1);
    expect(sim.state.balanceTransactions.size).toBe(1);
  });

  it('without a test payment method the intent waits for the customer and emits nothing', async () => {
    const port = adapterFor();
    const created = await port.createPayment(payment('inv_2', await customer(port)), { idempotencyKey: 'pay-inv_2' });
    expect(created).toMatchObject({ ok: true, value: { status: 'pending' } });
    expect(sim.state.outbox).toHaveLength(0);
    expect(await port.getPaymentFee(created.ok ? created.value.externalId : '')).toMatchObject({
      ok: false,
      kind: 'permanent',
    });
  });

  it('a declined card gives a failed payment that lookup agrees with', async () => {
    const port = adapterFor('pm_card_chargeDeclined');
    const created = await port.createPayment(payment('inv_3', await customer(port)), { idempotencyKey: 'pay-inv_3' });
    expect(created).toMatchObject({ ok: true, value: { status: 'failed' } });
    expect(await port.findPayment('inv_3')).toEqual(created);
    expect(sim.state.events.map((e) => e.type)).toEqual(['payment_intent.payment_failed']);
  });

  it('replays the same idempotency key: same objects, nothing duplicated', async () => {
    const port = adapterFor('pm_card_visa');
    const first = await customer(port, 'cust_dup');
    const second = await customer(port, 'cust_dup');
    expect(second).toBe(first);
    expect(sim.state.customers.size).toBe(1);

    const a = await port.createPayment(payment('inv_4', first), { idempotencyKey: 'pay-inv_4' });
    const b = await port.createPayment(payment('inv_4', first), { idempotencyKey: 'pay-inv_4' });
    expect(b).toEqual(a);
    expect(sim.state.paymentIntents.size).toBe(1);
    expect(sim.state.charges.size).toBe(1);
    expect(sim.state.events).toHaveLength(1);
  });

  it('the same key with different parameters is an idempotency_error (permanent)', async () => {
    const port = adapterFor();
    const customerId = await customer(port);
    await port.createPayment(payment('inv_5', customerId), { idempotencyKey: 'pay-inv_5' });
    const clash = await port.createPayment(payment('inv_5', customerId, 999), { idempotencyKey: 'pay-inv_5' });
    expect(clash).toMatchObject({ ok: false, kind: 'permanent', status: 400 });
    expect(!clash.ok && clash.reason).toContain('idempotency');
    expect(sim.state.paymentIntents.size).toBe(1);
  });

  it('429 with Retry-After is retryable, then the retry succeeds', async () => {
    const port = adapterFor();
    sim.faults.inject('/v1/customers', { kind: 'status', status: 429, retryAfterSeconds: 2 }, 1, 'POST');
    const limited = await port.createCustomer({ localId: 'c429', name: 'n', email: null }, { idempotencyKey: 'c429' });
    expect(limited).toMatchObject({ ok: false, kind: 'retryable', retryAfterMs: 2000, status: 429 });
    expect(sim.state.customers.size).toBe(0);
    expect(
      await port.createCustomer({ localId: 'c429', name: 'n', email: null }, { idempotencyKey: 'c429' }),
    ).toMatchObject({ ok: true });
    expect(sim.state.customers.size).toBe(1);
  });

  it('500 on a lookup is retryable; an injected 401 needs a reconnect', async () => {
    const port = adapterFor();
    sim.faults.inject('/v1/payment_intents/search', { kind: 'status', status: 500 });
    expect(await port.findPayment('inv_x')).toMatchObject({ ok: false, kind: 'retryable', status: 500 });
    expect(await port.findPayment('inv_x')).toEqual({ ok: true, value: null });
    sim.faults.inject('/v1/customers', { kind: 'status', status: 401 });
    const denied = await port.findCustomer('x');
    expect(denied).toMatchObject({ ok: false, kind: 'retryable', status: 401, reconnect: true });
  });

  it('a bad API key is rejected by the simulator with Stripe’s 401', async () => {
    const port = adapterFor(undefined, 'sk_live_not_for_the_sandbox');
    const result = await port.createCustomer({ localId: 'c', name: 'n', email: null }, { idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 401, reconnect: true });
    expect(sim.state.customers.size).toBe(0);
  });

  it('timeout after the write: indeterminate, search finds it, the retry with the same key creates nothing new', async () => {
    const port = adapterFor('pm_card_visa');
    const customerId = await customer(port);
    sim.faults.inject('/v1/payment_intents', { kind: 'timeout' }, 1, 'POST');

    const lost = await port.createPayment(payment('inv_6', customerId), { idempotencyKey: 'pay-inv_6' });
    expect(lost).toMatchObject({ ok: false, kind: 'indeterminate' });
    expect(sim.state.paymentIntents.size).toBe(1);

    const found = await port.findPayment('inv_6');
    expect(found).toMatchObject({ ok: true, value: { status: 'succeeded' } });
    const retried = await port.createPayment(payment('inv_6', customerId), { idempotencyKey: 'pay-inv_6' });
    expect(retried).toEqual(found);
    expect(sim.state.paymentIntents.size).toBe(1);
    expect(sim.state.charges.size).toBe(1);
  });

  it('timeout with lagging search: lookup misses, the same key still prevents a duplicate', async () => {
    await server.close();
    await start({ searchDelaySeconds: 60 });
    const port = adapterFor('pm_card_visa');
    const customerId = await customer(port);
    sim.faults.inject('/v1/payment_intents', { kind: 'timeout' }, 1, 'POST');
    expect(await port.createPayment(payment('inv_7', customerId), { idempotencyKey: 'pay-inv_7' })).toMatchObject({
      kind: 'indeterminate',
    });
    expect(await port.findPayment('inv_7')).toEqual({ ok: true, value: null });
    const retried = await port.createPayment(payment('inv_7', customerId), { idempotencyKey: 'pay-inv_7' });
    expect(retried).toMatchObject({ ok: true, value: { status: 'succeeded' } });
    expect(sim.state.paymentIntents.size).toBe(1);
    clock.advance(60_000);
    expect(await port.findPayment('inv_7')).toEqual(retried);
  });
});

describe('Stripe simulator webhooks', () => {
  it('flushWebhooks delivers signed events the adapter verifies and maps', async () => {
    await start();
    const port = adapterFor('pm_card_visa');
    const created = await port.createPayment(payment('inv_w1', await customer(port)), { idempotencyKey: 'pay-w1' });
    const declined = await adapterFor('pm_card_chargeDeclined').createPayment(
      payment('inv_w2', 'cus_sim00000000000001'),
      {
        idempotencyKey: 'pay-w2',
      },
    );
    expect(declined).toMatchObject({ ok: true, value: { status: 'failed' } });
    expect(received).toHaveLength(0);

    expect(await sim.flushWebhooks()).toBe(2);
    expect(await sim.flushWebhooks()).toBe(0);
    expect(received).toHaveLength(2);
    const [first, second] = await Promise.all(received.map((r) => port.parseWebhook(r.body, r.headers)));
    expect(first).toMatchObject({
      ok: true,
      value: {
        type: 'payment.succeeded',
        invoiceId: 'inv_w1',
        paymentExternalId: created.ok ? created.value.externalId : '',
        amountMinor: 125050,
        currency: 'USD',
        occurredAt: clock
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, '.000Z'),
      },
    });
    expect(second).toMatchObject({ ok: true, value: { type: 'payment.failed', invoiceId: 'inv_w2' } });
    expect(JSON.parse(received[0].body).request.idempotency_key).toBe('pay-w1');
  });

  it('a failed delivery stays queued and is delivered on the next flush', async () => {
    await start();
    const port = adapterFor('pm_card_visa');
    await port.createPayment(payment('inv_w3', await customer(port)), { idempotencyKey: 'pay-w3' });
    receiverStatus = 500;
    expect(await sim.flushWebhooks()).toBe(0);
    expect(sim.state.outbox).toHaveLength(1);
    receiverStatus = 200;
    expect(await sim.flushWebhooks()).toBe(1);
    expect(sim.state.outbox).toHaveLength(0);
    expect(sim.state.deliveries.map((d) => d.status)).toEqual([500, 200]);
  });

  it('wrong secret, tampered body or missing header: permanent 401', async () => {
    await start();
    const port = adapterFor('pm_card_visa');
    await port.createPayment(payment('inv_w4', await customer(port)), { idempotencyKey: 'pay-w4' });
    await sim.flushWebhooks();
    const { body, headers } = received[0];
    const other = createStripeAdapter({ apiKey: KEY, webhookSecret: 'whsec_wrong', now: () => clock.now() });
    expect(await other.parseWebhook(body, headers)).toMatchObject({ ok: false, kind: 'permanent', status: 401 });
    const tampered = body.replace('"amount": 125050', '"amount": 1');
    expect(tampered).not.toBe(body);
    expect(await port.parseWebhook(tampered, headers)).toMatchObject({ ok: false, kind: 'permanent', status: 401 });
    expect(await port.parseWebhook(body, new Headers())).toMatchObject({ ok: false, kind: 'permanent', status: 401 });
    expect(await port.parseWebhook(body, headers)).toMatchObject({ ok: true });
  });

  it('autoDeliver sends events after the write; an unreachable endpoint never breaks the API answer', async () => {
    await start({ autoDeliver: true });
    const port = adapterFor('pm_card_visa');
    await port.createPayment(payment('inv_w5', await customer(port)), { idempotencyKey: 'pay-w5' });
    expect(await sim.flushWebhooks()).toBe(0); // waits for the background delivery, which already sent it
    expect(received).toHaveLength(1);

    await server.close();
    await start({ autoDeliver: true, webhookUrl: 'http://127.0.0.1:1/unreachable' });
    const port2 = adapterFor('pm_card_visa');
    const created = await port2.createPayment(payment('inv_w6', await customer(port2)), { idempotencyKey: 'pay-w6' });
    expect(created).toMatchObject({ ok: true, value: { status: 'succeeded' } });
    await sim.flushWebhooks();
    expect(sim.state.outbox).toHaveLength(1);
    expect(sim.state.deliveries.every((d) => d.status === null && d.error)).toBe(true);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: tests read Stripe's loose JSON shapes directly
const json = (res: Response): Promise<any> => res.json();

describe('Stripe simulator HTTP details', () => {
  beforeEach(() => start());
  const post = (path: string, body: string, key?: string, auth = `Bearer ${KEY}`) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: auth,
        'content-type': 'application/x-www-form-urlencoded',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body,
    });

  it('marks replays with Idempotent-Replayed and answers errors in Stripe’s envelope', async () => {
    const first = await post('/v1/customers', 'name=A&metadata[hub_customer_id]=x', 'raw-1');
    const replay = await post('/v1/customers', 'metadata[hub_customer_id]=x&name=A', 'raw-1');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await json(replay)).id).toBe((await json(first)).id);

    const conflict = await post('/v1/customers', 'name=B', 'raw-1');
    expect(conflict.status).toBe(400);
    expect((await json(conflict)).error.type).toBe('idempotency_error');

    const missing = await post('/v1/payment_intents', 'currency=usd');
    expect(missing.status).toBe(400);
    expect((await json(missing)).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'amount',
      code: 'parameter_missing',
    });

    const unauthenticated = await post('/v1/customers', 'name=A', undefined, '');
    expect(unauthenticated.status).toBe(401);
    expect((await json(unauthenticated)).error.type).toBe('invalid_request_error');

    const unknown = await fetch(`${server.url}/v1/nothing`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(unknown.status).toBe(404);
  });

  it('expands latest_charge.balance_transaction and serves charges and balance transactions', async () => {
    const get = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
    const cus = await json(await post('/v1/customers', 'name=A'));
    const pi = await json(
      await post(
        '/v1/payment_intents',
        `amount=500&currency=usd&customer=${cus.id}&confirm=true&payment_method=pm_card_visa&automatic_payment_methods[enabled]=true&automatic_payment_methods[allow_redirects]=never`,
      ),
    );
    const expanded = await json(await get(`/v1/payment_intents/${pi.id}?expand[]=latest_charge.balance_transaction`));
    // 500 × 2.9% = 14.5, + 30 = 44.5 → 45 (half up, not half even)
    expect(expanded.latest_charge.balance_transaction).toMatchObject({ fee: 45, net: 455, currency: 'usd' });
    const charge = await json(await get(`/v1/charges/${expanded.latest_charge.id}`));
    expect(charge.payment_intent).toBe(pi.id);
    const txn = await json(await get(`/v1/balance_transactions/${expanded.latest_charge.balance_transaction.id}`));
    expect(txn.source).toBe(charge.id);
    expect((await get('/v1/payment_intents/pi_missing')).status).toBe(404);
  });

  it('requires a return_url when confirming with redirect-capable methods', async () => {
    const res = await post('/v1/payment_intents', 'amount=500&currency=usd&confirm=true&payment_method=pm_card_visa');
    expect(res.status).toBe(400);
    expect((await json(res)).error.param).toBe('return_url');
    expect(sim.state.paymentIntents.size).toBe(0);
  });
});

describe('simulator helpers', () => {
  it('parses bracket notation, indexed and [] arrays', () => {
    expect(parseStripeForm('metadata[a]=1&metadata[b]=x%20y&expand[0]=p&expand[1]=q&list[]=u&list[]=v&n=2')).toEqual({
      metadata: { a: '1', b: 'x y' },
      expand: ['p', 'q'],
      list: ['u', 'v'],
      n: '2',
    });
  });

  it('computes the simulated fee as 2.9% + 30 rounded half up', () => {
    expect(simulatedFee(500)).toBe(45);
    expect(simulatedFee(1000)).toBe(59);
    expect(simulatedFee(125050)).toBe(3656);
  });
});

describe("Stripe's currency special cases through the adapter (adapters/stripe/amounts.ts)", () => {
  beforeEach(() => start());

  it('ISK: 5 krónur go to Stripe as 500 and come back as 5, for the charge and its refund', async () => {
    const port = adapterFor('pm_card_visa');
    const cus = await customer(port, 'cust_isk');
    const paid = await port.createPayment(
      { ...payment('inv_isk', cus, 5), currency: 'ISK' },
      { idempotencyKey: 'p-isk' },
    );
    expect(paid).toMatchObject({ ok: true, value: { status: 'succeeded', amountMinor: 5, currency: 'ISK' } });
    const intent = [...sim.state.paymentIntents.values()].find((p) => p.currency === 'isk')!;
    expect(intent.amount).toBe(500);
    if (!paid.ok) throw new Error(paid.reason);
    const refund = await port.refundPayment(
      {
        paymentExternalId: paid.value.externalId,
        amountMinor: 2,
        currency: 'ISK',
        creditNoteId: 'cn_isk',
        reason: 'requested_by_customer',
      },
      { idempotencyKey: 'r-isk' },
    );
    expect(refund).toMatchObject({ ok: true, value: { amountMinor: 2, currency: 'ISK' } });
    expect([...sim.state.refunds.values()].map((r) => r.amount)).toEqual([200]);
  });

  it('KWD: a refund off the 10-fils step is refused before Stripe; the simulator refuses it too', async () => {
    const port = adapterFor('pm_card_visa');
    const cus = await customer(port, 'cust_kwd');
    const paid = await port.createPayment(
      { ...payment('inv_kwd', cus, 5130), currency: 'KWD' },
      { idempotencyKey: 'p-kwd' },
    );
    if (!paid.ok) throw new Error(paid.reason);
    const refund = (amountMinor: number) =>
      port.refundPayment(
        {
          paymentExternalId: paid.value.externalId,
          amountMinor,
          currency: 'KWD',
          creditNoteId: `cn_${amountMinor}`,
          reason: 'requested_by_customer',
        },
        { idempotencyKey: `r-${amountMinor}` },
      );
    expect(await refund(5125)).toMatchObject({ ok: false, kind: 'permanent', field: 'amountMinor' });
    expect(sim.state.refunds.size).toBe(0);
    expect(await refund(5120)).toMatchObject({ ok: true, value: { amountMinor: 5120 } });
    // Straight at the simulator, as Stripe answers it.
    const res = await fetch(`${server.url}/v1/refunds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `payment_intent=${paid.value.externalId}&amount=5`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_charge_amount');
  });

  it('HUF and ISK charges off the whole unit are refused by the simulator as Stripe does', async () => {
    for (const [currency, amount] of [
      ['huf', 123_456],
      ['isk', 4010],
    ] as const) {
      const res = await fetch(`${server.url}/v1/payment_intents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: `amount=${amount}&currency=${currency}`,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'invalid_charge_amount_no_decimal_compatible',
      );
    }
  });
});
