/**
 * NetSuite runs the ErpPort contract suite against its simulator on loopback, then the cases the
 * shared suite does not have yet: refunds and journal entries, a crash after NetSuite accepted a
 * write, a concurrency-limit storm, a currency other than the account's base, voids after
 * posting. Verdicts come from the simulated account's records.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runErpPortContract } from '../contract/erp-port.contract.js';
import { failureOf, unwrap } from '../contract/failures.contract.js';
import type { ErpInvoiceRequest, ErpPort, ExternalObject } from '../ports.js';
import { type RunningServer, serveOnLoopback } from '../sandbox/serve.js';
import { NETSUITE_TOKEN_REJECTED } from './errors.js';
import { createNetSuiteAdapter, type NetSuiteConfig } from './index.js';
import {
  createNetSuiteSimulator,
  type NetSuiteSimulator,
  SIM_BANK_ACCOUNT_ID,
  SIM_INCOME_ACCOUNT_ID,
  SIM_TAX_ITEM_ID,
} from './simulator/index.js';

const CREDENTIALS = {
  consumerKey: 'ck-contract',
  consumerSecret: 'cs-contract',
  tokenId: 'tk-contract',
  tokenSecret: 'ts-contract',
};
const NOW = new Date('2026-11-23T12:00:00Z');
/** Yields to the event loop a few times: requests overlap at the simulator without wall time. */
const yieldTurns = async (turns = 3) => {
  for (let i = 0; i < turns; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

let accountSeq = 0;
/** A fresh account per setup, so each has its own concurrency pool in the adapter. */
const nextAccount = () => `777000${++accountSeq}_SB1`;

const ENTITY = {
  customer: 'customer',
  item: 'servicesaleitem',
  invoice: 'invoice',
  payment: 'customerpayment',
  credit_memo: 'creditmemo',
} as const;

function adapterFor(server: RunningServer, accountId: string, extra: Partial<NetSuiteConfig> = {}): ErpPort {
  return createNetSuiteAdapter({
    accountId,
    baseUrl: server.url,
    ...CREDENTIALS,
    taxItemId: SIM_TAX_ITEM_ID,
    now: () => NOW,
    sleep: () => yieldTurns(1),
    ...extra,
  });
}

runErpPortContract('netsuite', async () => {
  const sim = createNetSuiteSimulator({ consumerKey: CREDENTIALS.consumerKey });
  const server = await serveOnLoopback(sim.app);
  const account = nextAccount();
  return {
    port: adapterFor(server, account),
    count: (object) => sim.count(account, ENTITY[object]),
    isVoided: (id) => {
      const invoice = sim.record(account, 'invoice', id);
      return String(invoice?.memo ?? '').startsWith('Voided') && invoice?.total === 0;
    },
    incomeAccountId: SIM_INCOME_ACCOUNT_ID,
    inject: (fault, times) => sim.faults.inject('/services/rest', fault, times),
    revokeCredentials: () => sim.state.revokedTokens.add(CREDENTIALS.tokenId),
    unauthorized: { expect: 'reconnect', reason: NETSUITE_TOKEN_REJECTED },
    close: () => server.close(),
  };
});

describe('NetSuite beyond the shared contract', () => {
  let sim: NetSuiteSimulator;
  let server: RunningServer;
  let account: string;
  let port: ErpPort;

  async function start(options: { simLimit?: number; latency?: boolean } = {}, extra: Partial<NetSuiteConfig> = {}) {
    await server?.close();
    sim = createNetSuiteSimulator({
      concurrencyLimit: options.simLimit ?? 5,
      ...(options.latency ? { latency: () => yieldTurns(3) } : {}),
    });
    server = await serveOnLoopback(sim.app);
    account = nextAccount();
    port = adapterFor(server, account, extra);
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
        { sku: 'SKU-PLAT', name: 'Platform', incomeAccountId: SIM_INCOME_ACCOUNT_ID },
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
    ],
    totalTax: '97.51',
    total: '1297.81',
  });

  it('posts the tax engine total as a line on the tax item; the invoice totals as ours', async () => {
    const { c, i } = await seed();
    const inv = unwrap(await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
    expect(inv.number).toBe('INV-0001');
    const stored = sim.record(account, 'invoice', inv.externalId)!;
    expect(stored.total).toBe(1297.81);
    expect(stored.externalId).toBe('hub-inv-INV-0001');
    const lines = (stored.item as { items: { item: { id: string }; amount: number }[] }).items;
    expect(lines.map((l) => [l.item.id, l.amount])).toEqual([
      [i.externalId, 1200.3],
      [SIM_TAX_ITEM_ID, 97.51],
    ]);
  });

  it('crash after NetSuite accepted the invoice, before our commit: the retry by external id adds nothing', async () => {
    const { c, i } = await seed();
    sim.faults.inject('/services/rest/record/v1/invoice', { kind: 'timeout' });
    const lost = await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' });
    expect(failureOf(lost).kind).toBe('indeterminate');
    expect(sim.count(account, 'invoice')).toBe(1);
    // No lookup first: the same upsert again lands on the record the external id already names.
    const retried = unwrap(await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
    expect(sim.count(account, 'invoice')).toBe(1);
    expect(unwrap(await port.findInvoice('INV-0001'))?.externalId).toBe(retried.externalId);
    // The same for a payment: applied once, the invoice paid once.
    const pay = {
      paymentRef: 'PAY-1',
      customerExternalId: c.externalId,
      invoiceExternalId: retried.externalId,
      amount: '1297.81',
      currency: 'USD',
      date: '2026-11-30',
    };
    sim.faults.inject('/services/rest/record/v1/customerPayment', { kind: 'timeout' });
    expect(failureOf(await port.createPayment(pay, { idempotencyKey: 'pay-1' })).kind).toBe('indeterminate');
    unwrap(await port.createPayment(pay, { idempotencyKey: 'pay-1' }));
    expect(sim.count(account, 'customerpayment')).toBe(1);
    const paid = sim.record(account, 'invoice', retried.externalId)!;
    expect([paid.amountPaid, paid.amountRemaining, paid.status]).toEqual([1297.81, 0, 'Paid In Full']);
  });

  it('a concurrency storm stays within the account limit: every write lands once', async () => {
    await start({ simLimit: 5, latency: true }, { concurrency: 5 });
    const { c, i } = await seed();
    const numbers = Array.from({ length: 30 }, (_, n) => `INV-${String(n + 1).padStart(4, '0')}`);
    const results = await Promise.all(numbers.map((n) => port.createInvoice(invoice(c, i, n), { idempotencyKey: n })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sim.count(account, 'invoice')).toBe(30);
    expect(sim.state.peakInFlight.get(account)).toBeLessThanOrEqual(5);
    expect(sim.state.concurrencyRejections).toBe(0);
  });

  it('when other integrations hold slots, CONCURRENCY_LIMIT_EXCEEDED waits and retries; no duplicates', async () => {
    const waits: number[] = [];
    await start(
      { simLimit: 3, latency: true },
      {
        concurrency: 8,
        concurrencyRetries: 100,
        sleep: (ms) => {
          waits.push(ms);
          return yieldTurns(2);
        },
      },
    );
    const { c, i } = await seed();
    const numbers = Array.from({ length: 24 }, (_, n) => `INV-${String(n + 1).padStart(4, '0')}`);
    // Each invoice sent twice at once, as two workers racing on the same job would.
    const results = await Promise.all(
      [...numbers, ...numbers].map((n) => port.createInvoice(invoice(c, i, n), { idempotencyKey: n })),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(sim.state.concurrencyRejections).toBeGreaterThan(0);
    expect(waits.length).toBe(sim.state.concurrencyRejections);
    expect(sim.count(account, 'invoice')).toBe(24);
  });

  it('a limit that never frees is a retryable failure after the retries', async () => {
    await start({}, { concurrencyRetries: 2 });
    sim.state.concurrencyLimit = 0;
    const failure = failureOf(await port.findItem('SKU-PLAT'));
    expect(failure).toMatchObject({ kind: 'retryable', status: 429 });
    expect(sim.state.concurrencyRejections).toBe(3);
  });

  it('an invoice in a currency other than the account base: sent with its currency id, booked at the account rate', async () => {
    const { c, i } = await seed('EUR');
    const inv = unwrap(await port.createInvoice(invoice(c, i, 'INV-0001', 'EUR'), { idempotencyKey: 'inv-eur' }));
    const stored = sim.record(account, 'invoice', inv.externalId)!;
    expect(stored.currency).toEqual({ id: '4' });
    expect(stored.exchangeRate).toBe(1.08);
    // Not the customer's currency: NetSuite refuses it, naming the field.
    const wrong = failureOf(await port.createInvoice(invoice(c, i, 'INV-0002', 'USD'), { idempotencyKey: 'inv-usd' }));
    expect(wrong).toMatchObject({ kind: 'permanent', field: 'currency' });
    // A currency the connection has no id for is refused before any call.
    const before = sim.faults.seen.length;
    const unknown = failureOf(
      await port.createInvoice(invoice(c, i, 'INV-0003', 'JPY'), { idempotencyKey: 'inv-jpy' }),
    );
    expect(unknown).toMatchObject({ kind: 'permanent', field: 'currencyIds' });
    expect(sim.faults.seen.length).toBe(before);
  });

  it('a journal entry in a foreign currency carries our exchange rate; once per entry; unbalanced is refused before any call', async () => {
    const { c } = await seed('EUR');
    const entry = {
      entryRef: 'je-001',
      date: '2026-11-30',
      currency: 'EUR',
      memo: 'Revenue recognized for November',
      exchangeRate: '1.0825',
      lines: [
        {
          accountExternalId: '220',
          side: 'debit' as const,
          amount: '100.00',
          description: 'Deferred revenue',
          customerExternalId: c.externalId,
        },
        { accountExternalId: SIM_INCOME_ACCOUNT_ID, side: 'credit' as const, amount: '100.00', description: 'Revenue' },
      ],
    };
    const first = unwrap(await port.postJournalEntry!(entry, { idempotencyKey: 'je-001' }));
    const again = unwrap(await port.postJournalEntry!(entry, { idempotencyKey: 'je-001' }));
    expect(again.externalId).toBe(first.externalId);
    expect(sim.count(account, 'journalentry')).toBe(1);
    const stored = sim.record(account, 'journalentry', first.externalId)!;
    expect([stored.currency, stored.exchangeRate]).toEqual([{ id: '4' }, 1.0825]);
    expect((stored.line as { items: unknown[] }).items).toEqual([
      { account: { id: '220' }, debit: 100, memo: 'Deferred revenue', entity: { id: c.externalId } },
      { account: { id: SIM_INCOME_ACCOUNT_ID }, credit: 100, memo: 'Revenue' },
    ]);
    expect(unwrap(await port.findJournalEntry!('je-001'))?.externalId).toBe(first.externalId);
    expect(unwrap(await port.findJournalEntry!('je-none'))).toBeNull();

    const before = sim.faults.seen.length;
    const unbalanced = {
      ...entry,
      entryRef: 'je-002',
      lines: [entry.lines[0]!, { ...entry.lines[1]!, amount: '99.99' }],
    };
    expect(failureOf(await port.postJournalEntry!(unbalanced, { idempotencyKey: 'je-002' })).kind).toBe('permanent');
    expect(sim.faults.seen.length).toBe(before);
    // An account the mapping points at that NetSuite does not have: NetSuite's error, permanent, naming the line.
    const ghost = {
      ...entry,
      entryRef: 'je-003',
      lines: [entry.lines[0]!, { ...entry.lines[1]!, accountExternalId: '999' }],
    };
    expect(failureOf(await port.postJournalEntry!(ghost, { idempotencyKey: 'je-003' }))).toMatchObject({
      kind: 'permanent',
      field: 'line.items[1].account',
    });
  });

  it('credit memo and refund: the refund pays out the memo once; more than the credit is refused', async () => {
    const { c, i } = await seed();
    unwrap(await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
    const memo = unwrap(
      await port.createCreditMemo(
        {
          creditNoteNumber: 'CN-0001',
          invoiceNumber: 'INV-0001',
          customerExternalId: c.externalId,
          currency: 'USD',
          issueDate: '2026-11-25',
          lines: [
            {
              itemExternalId: i.externalId,
              description: 'Seats',
              quantity: '1',
              unitPrice: '400.10',
              amount: '400.10',
            },
          ],
          totalTax: '32.50',
          total: '432.60',
        },
        { idempotencyKey: 'cm-1' },
      ),
    );
    expect(sim.record(account, 'creditmemo', memo.externalId)?.memo).toBe('Credit note CN-0001 for invoice INV-0001');
    const refund = {
      refundRef: 'RF-1',
      customerExternalId: c.externalId,
      creditMemoExternalId: memo.externalId,
      amount: '432.60',
      currency: 'USD',
      date: '2026-11-26',
      depositAccountId: SIM_BANK_ACCOUNT_ID,
    };
    const first = unwrap(await port.createRefund!(refund, { idempotencyKey: 'rf-1' }));
    const again = unwrap(await port.createRefund!(refund, { idempotencyKey: 'rf-1' }));
    expect(again.externalId).toBe(first.externalId);
    expect(sim.count(account, 'customerrefund')).toBe(1);
    expect(sim.record(account, 'creditmemo', memo.externalId)?.unapplied).toBe(0);
    expect(unwrap(await port.findRefund!('RF-1'))?.externalId).toBe(first.externalId);
    expect(unwrap(await port.findRefund!('RF-NONE'))).toBeNull();
    const tooMuch = failureOf(
      await port.createRefund!({ ...refund, refundRef: 'RF-2', amount: '0.01' }, { idempotencyKey: 'rf-2' }),
    );
    expect(tooMuch.kind).toBe('permanent');
    expect(sim.count(account, 'customerrefund')).toBe(1);
  });

  it('void after posting: lines zeroed and the record kept; an invoice with a payment applied is refused', async () => {
    const { c, i } = await seed();
    const inv = unwrap(await port.createInvoice(invoice(c, i), { idempotencyKey: 'inv-1' }));
    unwrap(await port.voidInvoice(inv.externalId, { idempotencyKey: 'void-1' }));
    const voided = sim.record(account, 'invoice', inv.externalId)!;
    expect([voided.total, voided.amountRemaining, String(voided.memo)]).toEqual([0, 0, 'Voided']);
    expect((voided.item as { items: { amount: number }[] }).items.map((l) => l.amount)).toEqual([0, 0]);
    unwrap(await port.voidInvoice(inv.externalId, { idempotencyKey: 'void-1' }));
    expect(sim.count(account, 'invoice')).toBe(1);

    const paidInv = unwrap(await port.createInvoice(invoice(c, i, 'INV-0002'), { idempotencyKey: 'inv-2' }));
    const pay = {
      paymentRef: 'PAY-2',
      customerExternalId: c.externalId,
      invoiceExternalId: paidInv.externalId,
      amount: '100.00',
      currency: 'USD',
      date: '2026-11-30',
    };
    unwrap(await port.createPayment(pay, { idempotencyKey: 'pay-2' }));
    expect(failureOf(await port.voidInvoice(paidInv.externalId, { idempotencyKey: 'void-2' }))).toMatchObject({
      kind: 'permanent',
      field: 'amountPaid',
    });
    expect(sim.record(account, 'invoice', paidInv.externalId)?.total).toBe(1297.81);
  });

  it('the simulator refuses a request without a TBA header (realm, HMAC-SHA256, signature)', async () => {
    const url = `${server.url}/services/rest/record/v1/customer/1`;
    const header = (h: string) => fetch(url, { headers: { Authorization: h } });
    const good =
      'OAuth realm="1_SB1", oauth_consumer_key="a", oauth_token="b", oauth_nonce="n", oauth_timestamp="1", oauth_signature_method="HMAC-SHA256", oauth_version="1.0", oauth_signature="x"';
    for (const bad of [
      'Bearer abc',
      good.replace('HMAC-SHA256', 'HMAC-SHA1'),
      good.replace('realm="1_SB1", ', ''),
      good.replace(', oauth_signature="x"', ''),
    ]) {
      const res = await header(bad);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { 'o:errorDetails': { 'o:errorCode': string }[] };
      expect(body['o:errorDetails'][0]?.['o:errorCode']).toBe('INVALID_LOGIN_ATTEMPT');
    }
    expect((await header(good)).status).toBe(404);
  });
});
