/**
 * Xero runs the ErpPort contract suite against its simulator on loopback, then what the shared
 * suite does not have yet: credit notes allocated to their invoice, refunds out of a credit note,
 * manual journals (an unbalanced one refused before any call), a void refused after a payment,
 * the per-tenant limits (concurrency, minute, day parked), a currency other than the base.
 * Verdicts come from the simulated organisation's objects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runErpPortContract } from '../contract/erp-port.contract.js';
import { failureOf, unwrap } from '../contract/failures.contract.js';
import type { ErpInvoiceRequest, ErpPort, ExternalObject } from '../ports.js';
import { type RunningServer, serveOnLoopback } from '../sandbox/serve.js';
import { XERO_TOKEN_REJECTED } from './errors.js';
import { createXeroAdapter, type XeroConfig } from './index.js';
import {
  createXeroSimulator,
  DEFAULT_ACCESS_TOKEN,
  SIM_BANK_ACCOUNT,
  SIM_DEFERRED_REVENUE_ACCOUNT,
  SIM_RECEIVABLE_ACCOUNT,
  SIM_SALES_ACCOUNT,
  type XeroSimulator,
} from './simulator/index.js';

/** A fake clock the adapter's limiter and the simulator share; waiting moves it, never wall time. */
function fakeClock(start = '2026-11-23T12:00:00Z') {
  let at = new Date(start).getTime();
  return {
    now: () => new Date(at),
    advance: (ms: number) => {
      at += ms;
    },
    sleep: async (ms: number) => {
      at += ms;
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

const yieldTurns = async (turns = 3) => {
  for (let i = 0; i < turns; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

let tenantSeq = 0;
/** A fresh tenant per setup, so each has its own limiter pool in the adapter. */
const nextTenant = () => `contract-tenant-${++tenantSeq}-${Date.now()}`;

const COLLECTION = {
  customer: 'Contacts',
  item: 'Items',
  invoice: 'Invoices',
  payment: 'Payments',
  credit_memo: 'CreditNotes',
} as const;

function adapterFor(
  server: RunningServer,
  tenantId: string,
  clock: ReturnType<typeof fakeClock>,
  extra: Partial<XeroConfig> = {},
): ErpPort {
  return createXeroAdapter({
    tenantId,
    baseUrl: `${server.url}/api.xro/2.0`,
    tokenUrl: `${server.url}/connect/token`,
    accessToken: DEFAULT_ACCESS_TOKEN,
    paymentAccount: SIM_BANK_ACCOUNT,
    now: clock.now,
    sleep: clock.sleep,
    ...extra,
  });
}

runErpPortContract('xero', async () => {
  const clock = fakeClock();
  const sim = createXeroSimulator({ now: clock.now });
  const server = await serveOnLoopback(sim.app);
  const tenant = nextTenant();
  return {
    port: adapterFor(server, tenant, clock),
    count: (object) => sim.count(tenant, COLLECTION[object]),
    isVoided: (id) => sim.object(tenant, 'Invoices', id)?.Status === 'VOIDED',
    incomeAccountId: SIM_SALES_ACCOUNT,
    books: {
      // A refund is a payment out of a credit note; a journal is a manual journal.
      count: (object) =>
        object === 'refund'
          ? sim.all(tenant, 'Payments').filter((p) => p.CreditNote !== undefined).length
          : sim.count(tenant, 'ManualJournals'),
      accounts: { receivable: SIM_RECEIVABLE_ACCOUNT, revenue: SIM_SALES_ACCOUNT, bank: SIM_BANK_ACCOUNT },
      unknownAccountId: '999',
      homeCurrency: 'USD',
      foreignCurrency: 'EUR',
    },
    inject: (fault, times) => sim.faults.inject('/api.xro/2.0', fault, times),
    revokeCredentials: () => sim.revokeCredentials(),
    unauthorized: { expect: 'reconnect', reason: XERO_TOKEN_REJECTED },
    close: () => server.close(),
  };
});

describe('Xero beyond the shared contract', () => {
  let sim: XeroSimulator;
  let server: RunningServer;
  let tenant: string;
  let port: ErpPort;
  let clock: ReturnType<typeof fakeClock>;

  async function start(options: Parameters<typeof createXeroSimulator>[0] = {}, extra: Partial<XeroConfig> = {}) {
    await server?.close();
    clock = fakeClock();
    sim = createXeroSimulator({ now: clock.now, ...options });
    server = await serveOnLoopback(sim.app);
    tenant = nextTenant();
    port = adapterFor(server, tenant, clock, extra);
  }
  beforeEach(() => start());
  afterEach(() => server.close());

  async function seed(currency = 'USD') {
    const c = unwrap(
      await port.createCustomer(
        { localId: `c-${currency}`, displayName: `Acme ${currency}`, email: null, currency },
        { idempotencyKey: `cust-${currency}` },
      ),
    );
    const i = unwrap(
      await port.createItem(
        { sku: 'SKU-PLAT', name: 'Platform', incomeAccountId: SIM_SALES_ACCOUNT },
        { idempotencyKey: 'item' },
      ),
    );
    return { c, i };
  }
  const invoice = (c: ExternalObject, i: ExternalObject, number = 'INV-0001', currency = 'USD'): ErpInvoiceRequest => ({
    invoiceNumber: number,
    customerExternalId: c.externalId,
    currency,
    issueDate: '2026-11-23',
    dueDate: '2026-12-23',
    lines: [
      { itemExternalId: i.externalId, description: 'Seats', quantity: '3', unitPrice: '400.10', amount: '1200.30' },
      { itemExternalId: i.externalId, description: 'Setup', quantity: '1', unitPrice: '99.70', amount: '99.70' },
    ],
    totalTax: '97.51',
    total: '1397.51',
  });
  const memo = (c: ExternalObject, i: ExternalObject, number = 'CN-0001') => ({
    creditNoteNumber: number,
    invoiceNumber: 'INV-0001',
    customerExternalId: c.externalId,
    currency: 'USD',
    issueDate: '2026-11-25',
    lines: [
      { itemExternalId: i.externalId, description: 'Seats', quantity: '1', unitPrice: '400.10', amount: '400.10' },
    ],
    totalTax: '32.50',
    total: '432.60',
  });

  it('an invoice keeps our number, our tax to the cent (spread over the lines) and our total', async () => {
    const { c, i } = await seed();
    const inv = unwrap(await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
    expect(inv.number).toBe('INV-0001');
    const stored = sim.object(tenant, 'Invoices', inv.externalId)!;
    expect(stored).toMatchObject({
      Type: 'ACCREC',
      InvoiceNumber: 'INV-0001',
      Status: 'AUTHORISED',
      TotalTax: 97.51,
      Total: 1397.51,
    });
    const lineTax = (stored.LineItems as { TaxAmount: number }[]).map((l) => l.TaxAmount);
    // 97.51 split 1200.30 : 99.70 by largest remainder: 90.03 + 7.48.
    expect(lineTax).toEqual([90.03, 7.48]);
  });

  it('a credit note is allocated to its invoice: the amount due falls by it, and a resend allocates nothing more', async () => {
    const { c, i } = await seed();
    const inv = unwrap(await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
    const note = unwrap(await port.createCreditMemo(memo(c, i), { idempotencyKey: 'cm-1' }));
    unwrap(await port.createCreditMemo(memo(c, i), { idempotencyKey: 'cm-1' }));
    expect(sim.count(tenant, 'CreditNotes')).toBe(1);
    expect(sim.object(tenant, 'Invoices', inv.externalId)).toMatchObject({ AmountDue: 964.91, AmountCredited: 432.6 });
    expect(sim.object(tenant, 'CreditNotes', note.externalId)).toMatchObject({ RemainingCredit: 0, Status: 'PAID' });
    // Credit applied: the invoice can no longer be voided.
    expect(failureOf(await port.voidInvoice(inv.externalId, { idempotencyKey: 'void-1' })).kind).toBe('permanent');
  });

  it('an allocation that failed after the credit note was created: the lookup says not posted, the retry allocates, one note', async () => {
    const { c, i } = await seed();
    const inv = unwrap(await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
    sim.faults.inject('/api.xro/2.0/CreditNotes/', { kind: 'status', status: 503 }, 1, 'PUT');
    expect(failureOf(await port.createCreditMemo(memo(c, i), { idempotencyKey: 'cm-1' })).kind).toBe('retryable');
    expect(sim.count(tenant, 'CreditNotes')).toBe(1);
    // Reconcile-before-retry: a note whose allocation is pending is not posted yet.
    expect(unwrap(await port.findCreditMemo('CN-0001'))).toBeNull();
    const note = unwrap(await port.createCreditMemo(memo(c, i), { idempotencyKey: 'cm-1' }));
    expect(sim.count(tenant, 'CreditNotes')).toBe(1);
    expect(sim.object(tenant, 'Invoices', inv.externalId)).toMatchObject({ AmountCredited: 432.6 });
    expect(unwrap(await port.findCreditMemo('CN-0001'))?.externalId).toBe(note.externalId);
  });

  it('the same Idempotency-Key on a different request is refused, nothing written', async () => {
    const { c, i } = await seed();
    unwrap(await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
    const other = failureOf(await port.createInvoice(invoice(c, i, 'INV-0002'), { idempotencyKey: 'inv-1' }));
    expect(other.kind).toBe('permanent');
    expect(sim.count(tenant, 'Invoices')).toBe(1);
  });

  it('the access token expiring mid-sync is refreshed at the identity server and the rotated pair stored', async () => {
    const consent = sim.connect();
    const stored: Record<string, string>[] = [];
    port = adapterFor(server, tenant, clock, {
      accessToken: consent.accessToken,
      oauth: {
        refreshToken: consent.refreshToken,
        clientId: 'xero-sandbox-client',
        clientSecret: 'xero-sandbox-secret',
        accessTokenExpiresAt: consent.expiresAt,
      },
      onTokenRefresh: (s) => stored.push(s),
    });
    const { c } = await seed();
    sim.expireAccessTokens();
    expect(unwrap(await port.findCustomer('Acme USD'))?.externalId).toBe(c.externalId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.refreshToken).not.toBe(consent.refreshToken);
    // The old refresh token is spent (rotation): revoking everything leaves only a reconnect.
    sim.revokeCredentials();
    expect(failureOf(await port.findCustomer('Acme USD'))).toMatchObject({
      reconnect: true,
      reason: XERO_TOKEN_REJECTED,
    });
  });

  it('after a payment in full the credit stays on the account and is refunded in cash, once', async () => {
    const { c, i } = await seed();
    const inv = unwrap(await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
    const payment = {
      paymentRef: 'PAY-1',
      customerExternalId: c.externalId,
      invoiceExternalId: inv.externalId,
      amount: '1397.51',
      currency: 'USD',
      date: '2026-11-24',
    };
    unwrap(await port.createPayment(payment, { idempotencyKey: 'pay-1' }));
    expect(sim.object(tenant, 'Invoices', inv.externalId)).toMatchObject({ Status: 'PAID', AmountDue: 0 });
    const void1 = failureOf(await port.voidInvoice(inv.externalId, { idempotencyKey: 'void-1' }));
    expect(void1).toMatchObject({ kind: 'permanent' });
    expect(sim.object(tenant, 'Invoices', inv.externalId)?.Status).toBe('PAID');

    const note = unwrap(await port.createCreditMemo(memo(c, i), { idempotencyKey: 'cm-1' }));
    expect(sim.object(tenant, 'CreditNotes', note.externalId)).toMatchObject({
      RemainingCredit: 432.6,
      Allocations: [],
    });
    const refund = {
      refundRef: 'RF-1',
      customerExternalId: c.externalId,
      creditMemoExternalId: note.externalId,
      amount: '432.60',
      currency: 'USD',
      date: '2026-11-26',
      depositAccountId: SIM_BANK_ACCOUNT,
    };
    const paid = unwrap(await port.createRefund!(refund, { idempotencyKey: 'rf-1' }));
    unwrap(await port.createRefund!(refund, { idempotencyKey: 'rf-1' }));
    expect(unwrap(await port.findRefund!('RF-1'))?.externalId).toBe(paid.externalId);
    expect(sim.all(tenant, 'Payments').filter((p) => p.PaymentType === 'ARCREDITPAYMENT')).toHaveLength(1);
    expect(sim.object(tenant, 'CreditNotes', note.externalId)).toMatchObject({ RemainingCredit: 0, Status: 'PAID' });
    // A second refund of the same credit (another key) is refused by Xero: nothing left.
    expect(failureOf(await port.createRefund!({ ...refund, refundRef: 'RF-2' }, { idempotencyKey: 'rf-2' })).kind).toBe(
      'permanent',
    );
  });

  describe('manual journals', () => {
    const entry = (lines: { side: 'debit' | 'credit'; amount: string; account: string }[], currency = 'USD') => ({
      entryRef: 'le_123',
      date: '2026-11-30',
      currency,
      memo: 'Revenue recognized November',
      lines: lines.map((l) => ({
        accountExternalId: l.account,
        side: l.side,
        amount: l.amount,
        description: 'rev rec',
      })),
    });

    it('posts a balanced journal once and finds it by our entry id', async () => {
      const request = entry([
        { side: 'debit', amount: '1000.00', account: SIM_DEFERRED_REVENUE_ACCOUNT },
        { side: 'credit', amount: '1000.00', account: SIM_SALES_ACCOUNT },
      ]);
      const posted = unwrap(await port.postJournalEntry!(request, { idempotencyKey: 'je-1' }));
      unwrap(await port.postJournalEntry!(request, { idempotencyKey: 'je-1' }));
      expect(sim.count(tenant, 'ManualJournals')).toBe(1);
      expect(sim.object(tenant, 'ManualJournals', posted.externalId)).toMatchObject({
        Status: 'POSTED',
        Narration: 'le_123: Revenue recognized November',
        JournalLines: [{ LineAmount: 1000 }, { LineAmount: -1000 }],
      });
      expect(unwrap(await port.findJournalEntry!('le_123'))?.externalId).toBe(posted.externalId);
      expect(unwrap(await port.findJournalEntry!('le_999'))).toBeNull();
    });

    it('refuses an unbalanced journal before any call', async () => {
      const seen = sim.faults.seen.length;
      const refused = failureOf(
        await port.postJournalEntry!(
          entry([
            { side: 'debit', amount: '1000.00', account: SIM_RECEIVABLE_ACCOUNT },
            { side: 'credit', amount: '999.99', account: SIM_SALES_ACCOUNT },
          ]),
          { idempotencyKey: 'je-bad' },
        ),
      );
      expect(refused).toMatchObject({ kind: 'permanent', field: 'lines' });
      expect(sim.faults.seen.length).toBe(seen);
    });

    it("an unknown account is Xero's validation error, permanent", async () => {
      const refused = failureOf(
        await port.postJournalEntry!(
          entry([
            { side: 'debit', amount: '5.00', account: '999' },
            { side: 'credit', amount: '5.00', account: SIM_SALES_ACCOUNT },
          ]),
          { idempotencyKey: 'je-unknown' },
        ),
      );
      expect(refused.kind).toBe('permanent');
      expect(refused.reason).toMatch(/Account code '999'/);
    });

    it('a journal in another currency is converted to the base at its rate and still balances', async () => {
      const request = {
        ...entry(
          [
            { side: 'debit', amount: '0.10', account: SIM_RECEIVABLE_ACCOUNT },
            { side: 'debit', amount: '0.10', account: SIM_RECEIVABLE_ACCOUNT },
            { side: 'debit', amount: '0.10', account: SIM_RECEIVABLE_ACCOUNT },
            { side: 'credit', amount: '0.30', account: SIM_SALES_ACCOUNT },
          ],
          'EUR',
        ),
        exchangeRate: '1.0833',
      };
      const { exchangeRate: _omitted, ...withoutRate } = request;
      expect(failureOf(await port.postJournalEntry!(withoutRate, { idempotencyKey: 'je-x' }))).toMatchObject({
        field: 'exchangeRate',
      });
      const posted = unwrap(await port.postJournalEntry!(request, { idempotencyKey: 'je-eur' }));
      const lines = sim.object(tenant, 'ManualJournals', posted.externalId)!.JournalLines as { LineAmount: number }[];
      // 0.30 EUR × 1.0833 = 0.32 USD, split back over the three debits by largest remainder.
      expect(lines.map((l) => l.LineAmount)).toEqual([0.11, 0.11, 0.1, -0.32]);
    });
  });

  it('an invoice in a currency other than the base keeps its currency', async () => {
    const { c, i } = await seed('EUR');
    const inv = unwrap(await port.createInvoice(invoice(c, i, 'INV-EUR', 'EUR'), { idempotencyKey: 'inv-eur' }));
    expect(sim.object(tenant, 'Invoices', inv.externalId)).toMatchObject({ CurrencyCode: 'EUR', Total: 1397.51 });
  });

  describe('per-tenant limits', () => {
    it('never has more than 5 calls in flight at Xero, however many the hub starts', async () => {
      await start({ latency: () => yieldTurns(3) });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          port.createCustomer(
            { localId: `c${n}`, displayName: `Acme ${n}`, email: null, currency: 'USD' },
            { idempotencyKey: `c${n}` },
          ),
        ),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(sim.state.tenants.get(tenant)!.peakInFlight).toBeLessThanOrEqual(5);
      expect(sim.state.rejections.get('concurrent') ?? 0).toBe(0);
      expect(sim.count(tenant, 'Contacts')).toBe(12);
    });

    it('keeps under 60 calls a minute by waiting the window out (on the fake clock), never a 429', async () => {
      const started = clock.now().getTime();
      for (let n = 0; n < 75; n += 1) unwrap(await port.findItem(`SKU-${n}`));
      expect(sim.state.rejections.size).toBe(0);
      expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(60_000);
    });

    it('a spent day is parked until the window reopens, without another call', async () => {
      await start({ limits: { perDay: 3 } }, { limits: { perDay: 1_000 } });
      for (let n = 0; n < 3; n += 1) unwrap(await port.findItem(`SKU-${n}`));
      const refused = failureOf(await port.findItem('SKU-x'));
      expect(refused).toMatchObject({ kind: 'retryable', status: 429, parked: true });
      expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(23 * 3_600_000);
      const calls = sim.faults.seen.length;
      expect(failureOf(await port.findItem('SKU-y'))).toMatchObject({ parked: true });
      expect(sim.faults.seen.length).toBe(calls); // parked locally, not sent
    });

    it('a minute-limit 429 is retryable with the wait Xero named', async () => {
      sim.faults.inject('/api.xro/2.0', { kind: 'status', status: 429, retryAfterSeconds: 42 });
      expect(failureOf(await port.findItem('SKU-1'))).toMatchObject({
        kind: 'retryable',
        status: 429,
        retryAfterMs: 42_000,
      });
      expect(unwrap(await port.findItem('SKU-1'))).toBeNull();
    });
  });
});
