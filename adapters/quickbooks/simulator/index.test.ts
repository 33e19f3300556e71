/** The adapter against the QuickBooks simulator on loopback (no nock here). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErpInvoiceRequest, ErpPort } from '../../ports.js';
import type { RunningServer } from '../../sandbox/serve.js';
import { serveOnLoopback } from '../../sandbox/serve.js';
import { createQuickBooksAdapter } from '../index.js';
import { createQuickBooksSimulator, type QuickBooksSimulator } from './index.js';

const REALM = '4620816365000001';
const NOW = new Date('2026-11-23T12:00:00Z');

let sim: QuickBooksSimulator;
let server: RunningServer;
let qbo: ErpPort;

const adapterFor = (realmId: string, accessToken = 'token-1') =>
  createQuickBooksAdapter({ baseUrl: server.url, realmId, accessToken, now: () => NOW });

beforeEach(async () => {
  sim = createQuickBooksSimulator({ now: () => NOW, accessToken: 'token-1' });
  server = await serveOnLoopback(sim.app);
  qbo = adapterFor(REALM);
});
afterEach(async () => {
  await server.close();
});

function unwrap<T>(outcome: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!outcome.ok) throw new Error(`expected ok, got ${outcome.reason}`);
  return outcome.value;
}

/** A customer and an item, so invoices have something to point at. */
async function seed() {
  const customer = unwrap(
    await qbo.createCustomer(
      { localId: 'c1', displayName: "Acme O'Brien Ltd", email: 'ap@acme.example', currency: 'USD' },
      { idempotencyKey: 'cust-c1-v1' },
    ),
  );
  const item = unwrap(
    await qbo.createItem(
      { sku: 'SKU-PLAT', name: 'Platform', incomeAccountId: '79' },
      { idempotencyKey: 'item-sku-plat-v1' },
    ),
  );
  return { customer, item };
}

function invoiceFor(customerId: string, itemId: string, number = 'INV-0001'): ErpInvoiceRequest {
  return {
    invoiceNumber: number,
    customerExternalId: customerId,
    currency: 'USD',
    issueDate: '2026-11-23',
    dueDate: '2026-12-23',
    lines: [{ itemExternalId: itemId, description: 'Seats', quantity: '3', unitPrice: '400.10', amount: '1200.30' }],
    totalTax: '97.51',
    total: '1297.81',
  };
}

describe('round trip', () => {
  it('creates customer, item, invoice and payment; the payment reduces the invoice balance', async () => {
    const { customer, item } = await seed();
    const invoice = unwrap(
      await qbo.createInvoice(invoiceFor(customer.externalId, item.externalId), { idempotencyKey: 'inv-1' }),
    );
    expect(invoice.number).toBe('INV-0001');
    expect(sim.state.get(REALM, 'Invoice', invoice.externalId)).toMatchObject({ TotalAmt: 1297.81, Balance: 1297.81 });

    const payment = unwrap(
      await qbo.createPayment(
        {
          paymentRef: 'PAY-1',
          customerExternalId: customer.externalId,
          invoiceExternalId: invoice.externalId,
          amount: '1000.01',
          currency: 'USD',
          date: '2026-11-30',
        },
        { idempotencyKey: 'pay-1' },
      ),
    );
    expect(payment.number).toBe('PAY-1');
    const stored = sim.state.get(REALM, 'Invoice', invoice.externalId);
    expect(stored?.Balance).toBe(297.8);
    expect(stored?.LinkedTxn).toEqual([{ TxnId: payment.externalId, TxnType: 'Payment' }]);

    expect(await qbo.findCustomer("Acme O'Brien Ltd")).toEqual({ ok: true, value: customer });
    expect(await qbo.findItem('SKU-PLAT')).toEqual({ ok: true, value: item });
    expect(await qbo.findInvoice('INV-0001')).toEqual({ ok: true, value: invoice });
    expect(await qbo.findPayment('PAY-1')).toEqual({ ok: true, value: payment });
    expect(await qbo.findInvoice('INV-404')).toEqual({ ok: true, value: null });
    for (const entity of ['Customer', 'Item', 'Invoice', 'Payment'] as const) {
      expect(sim.state.count(REALM, entity)).toBe(1);
    }
  });

  it('keeps realms apart', async () => {
    await seed();
    expect(await adapterFor('other-realm').findCustomer("Acme O'Brien Ltd")).toEqual({ ok: true, value: null });
    expect(sim.state.count('other-realm', 'Customer')).toBe(0);
  });
});

describe('idempotency', () => {
  it('the same requestid returns the original object and creates nothing new', async () => {
    const { customer, item } = await seed();
    const request = invoiceFor(customer.externalId, item.externalId);
    const first = unwrap(await qbo.createInvoice(request, { idempotencyKey: 'inv-1' }));
    const second = unwrap(await qbo.createInvoice(request, { idempotencyKey: 'inv-1' }));
    expect(second).toEqual(first);
    expect(sim.state.count(REALM, 'Invoice')).toBe(1);
  });

  it('a new requestid for an existing customer name resolves the duplicate (6240) to the existing customer', async () => {
    const { customer } = await seed();
    const again = await qbo.createCustomer(
      { localId: 'c1', displayName: "Acme O'Brien Ltd", email: null, currency: 'USD' },
      { idempotencyKey: 'cust-c1-v2' },
    );
    expect(again).toEqual({ ok: true, value: customer });
    expect(sim.state.count(REALM, 'Customer')).toBe(1);
  });

  it('a new requestid for an existing item name resolves to the existing item', async () => {
    const { item } = await seed();
    const again = await qbo.createItem(
      { sku: 'SKU-PLAT', name: 'Platform', incomeAccountId: '79' },
      { idempotencyKey: 'item-sku-plat-v2' },
    );
    expect(again).toEqual({ ok: true, value: item });
    expect(sim.state.count(REALM, 'Item')).toBe(1);
  });
});

describe('faults', () => {
  it('429 then success: retryable with Retry-After, then the retry creates exactly one invoice', async () => {
    const { customer, item } = await seed();
    sim.faults.inject(`/v3/company/${REALM}/invoice`, { kind: 'status', status: 429, retryAfterSeconds: 3 });
    const request = invoiceFor(customer.externalId, item.externalId);
    const throttled = await qbo.createInvoice(request, { idempotencyKey: 'inv-1' });
    expect(throttled).toMatchObject({ ok: false, kind: 'retryable', retryAfterMs: 3000, status: 429 });
    expect(sim.state.count(REALM, 'Invoice')).toBe(0);
    expect(await qbo.createInvoice(request, { idempotencyKey: 'inv-1' })).toMatchObject({ ok: true });
    expect(sim.state.count(REALM, 'Invoice')).toBe(1);
  });

  it('500 → retryable with a readable reason', async () => {
    const { customer, item } = await seed();
    sim.faults.inject(`/v3/company/${REALM}/invoice`, { kind: 'status', status: 500 });
    const result = await qbo.createInvoice(invoiceFor(customer.externalId, item.externalId), {
      idempotencyKey: 'inv-1',
    });
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 500 });
    if (!result.ok) {
      expect(result.reason).toMatch(/500/);
      expect(result.reason).toContain('An application error has occurred while processing your request');
    }
  });

  it('timeout → indeterminate; findInvoice finds it; re-sending the same requestid creates nothing new', async () => {
    const { customer, item } = await seed();
    sim.faults.inject(`/v3/company/${REALM}/invoice`, { kind: 'timeout' }, 1, 'POST');
    const request = invoiceFor(customer.externalId, item.externalId);
    const dropped = await qbo.createInvoice(request, { idempotencyKey: 'inv-1' });
    expect(dropped).toMatchObject({ ok: false, kind: 'indeterminate' });
    expect(sim.state.count(REALM, 'Invoice')).toBe(1);

    const found = unwrap(await qbo.findInvoice('INV-0001'));
    expect(found).not.toBeNull();
    const resent = unwrap(await qbo.createInvoice(request, { idempotencyKey: 'inv-1' }));
    expect(resent).toEqual(found);
    expect(sim.state.count(REALM, 'Invoice')).toBe(1);
  });

  it('401 from an expired token → retryable "access token expired"', async () => {
    await seed();
    sim.state.expiredTokens.add('token-1');
    expect(await qbo.findCustomer('Acme')).toEqual({
      ok: false,
      kind: 'retryable',
      reason: 'access token expired',
      status: 401,
      reconnect: true,
    });
    const fresh = adapterFor(REALM, 'token-2');
    expect(await fresh.findItem('SKU-PLAT')).toMatchObject({ ok: false, status: 401 });
  });
});

describe('validation faults', () => {
  it('unknown ItemRef → permanent naming ItemRef, nothing stored', async () => {
    const { customer } = await seed();
    const result = await qbo.createInvoice(invoiceFor(customer.externalId, '999'), { idempotencyKey: 'inv-x' });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 400, field: 'ItemRef' });
    expect(sim.state.count(REALM, 'Invoice')).toBe(0);
  });

  it('missing CustomerRef → permanent naming CustomerRef', async () => {
    const { item } = await seed();
    const result = await qbo.createInvoice(invoiceFor('', item.externalId), { idempotencyKey: 'inv-y' });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'CustomerRef' });
  });

  it('unknown income account → permanent naming IncomeAccountRef', async () => {
    const result = await qbo.createItem(
      { sku: 'SKU-X', name: 'X', incomeAccountId: '4242' },
      { idempotencyKey: 'item-x' },
    );
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'IncomeAccountRef' });
  });

  it('a payment above the open balance is refused and the invoice balance is untouched', async () => {
    const { customer, item } = await seed();
    const invoice = unwrap(
      await qbo.createInvoice(invoiceFor(customer.externalId, item.externalId), { idempotencyKey: 'inv-1' }),
    );
    const result = await qbo.createPayment(
      {
        paymentRef: 'PAY-2',
        customerExternalId: customer.externalId,
        invoiceExternalId: invoice.externalId,
        amount: '1297.82',
        currency: 'USD',
        date: '2026-11-30',
      },
      { idempotencyKey: 'pay-2' },
    );
    expect(result).toMatchObject({ ok: false, kind: 'permanent' });
    expect(sim.state.get(REALM, 'Invoice', invoice.externalId)?.Balance).toBe(1297.81);
    expect(sim.state.count(REALM, 'Payment')).toBe(0);
  });
});
