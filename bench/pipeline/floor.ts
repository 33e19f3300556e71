/**
 * The floor of the invoice-pipeline bench: the simulator calls the hub makes for each invoice
 * (AvaTax CreateOrAdjustTransaction committed; Stripe customer, PaymentIntent created and
 * confirmed, PaymentIntent read with its balance transaction; QuickBooks customer, item, invoice
 * and payment), sent with the global fetch over loopback HTTP like the hub's adapters, from a
 * plain loop: no database, no jobs, no webhooks. Each vendor takes at most `concurrency` units of
 * work at once, a unit being what one hub job sends (so the hub and the floor have as many calls
 * in flight per vendor), and the dependencies are the hub's: tax first, then collection and the
 * ERP invoice side by side, the ERP payment once both are done. The invoices are the same (a
 * billing run on a fresh database of the same seed, numbered in id order, not timed).
 */
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { SIMULATOR_CREDENTIALS } from '../../adapters/avalara/simulator/index.js';
import { runBilling } from '../../flows/billing-run/engine.js';
import type { Db } from '../../src/db/client.js';
import { generateEncryptionKey, importEncryptionKey } from '../../src/db/secrets.js';
import { systemClock } from '../../src/domain/clock.js';
import { majorToMinor, minorToMajor } from '../../src/domain/money.js';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO, SANDBOX_STRIPE, type Simulators } from '../../src/runtime/simulators.js';
import { openSqlite } from '../../src/runtime/sqlite.js';
import {
  callsSince,
  cpuSince,
  type PipelineOptions,
  type PipelineResult,
  seenMarks,
  vendorHoldings,
} from './hub-run.js';
import { BILLING_DATE, benchSimulators, seedOrg } from './seed.js';

interface FloorLine {
  lineNo: number;
  sku: string;
  productName: string;
  description: string;
  quantity: string;
  unitAmount: string;
  amountMinor: number;
}

interface FloorInvoice {
  id: string;
  number: string;
  customerId: string;
  customerName: string;
  currency: string;
  issueDate: string;
  dueDate: string;
  subtotalMinor: number;
  lines: FloorLine[];
}

/** At most `limit` holders at once, first come first served. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.free = limit;
  }
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

const raw = (db: Db) => (db as unknown as { $client: BetterSqlite3.Database }).$client;

/** The drafts a billing run writes for the bench seed, with the numbers finalizing would give them. */
async function billedInvoices(db: Db, orgId: string): Promise<FloorInvoice[]> {
  const billed = await runBilling({ db, clock: systemClock }, orgId, BILLING_DATE);
  if (billed.failures.length > 0) throw new Error(`billing run failures: ${JSON.stringify(billed.failures)}`);
  const sql = raw(db);
  const heads = sql
    .prepare(
      `SELECT i.id, i.customer_id AS customerId, c.name AS customerName, i.currency, i.issue_date AS issueDate,
         i.due_date AS dueDate, i.subtotal_minor AS subtotalMinor
       FROM invoices i JOIN customers c ON c.org_id = i.org_id AND c.id = i.customer_id
       WHERE i.org_id = ? ORDER BY i.id`,
    )
    .all(orgId) as Omit<FloorInvoice, 'number' | 'lines'>[];
  const lines = sql
    .prepare(
      `SELECT l.invoice_id AS invoiceId, l.line_no AS lineNo, p.sku, p.name AS productName, l.description, l.quantity,
         l.unit_amount AS unitAmount, l.amount_minor AS amountMinor
       FROM invoice_lines l JOIN products p ON p.org_id = l.org_id AND p.id = l.product_id
       WHERE l.org_id = ? ORDER BY l.invoice_id, l.line_no`,
    )
    .all(orgId) as (FloorLine & { invoiceId: string })[];
  const byInvoice = new Map<string, FloorLine[]>();
  for (const { invoiceId, ...line } of lines) {
    const list = byInvoice.get(invoiceId) ?? [];
    list.push(line);
    byInvoice.set(invoiceId, list);
  }
  return heads.map((head, i) => ({
    ...head,
    number: `INV-${String(i + 1).padStart(6, '0')}`,
    lines: byInvoice.get(head.id) ?? [],
  }));
}

/** The vendors' requests, built as the adapters build them (adapters/<vendor>/map.ts). */
function vendorCalls(sims: Simulators) {
  const url = (vendor: 'avalara' | 'stripe' | 'quickbooks') => sims.servers[vendor]!.url;
  const avalaraAuth = `Basic ${Buffer.from(`${SIMULATOR_CREDENTIALS.accountId}:${SIMULATOR_CREDENTIALS.licenseKey}`).toString('base64')}`;
  const qbo = `${url('quickbooks')}/v3/company/${SANDBOX_QBO.realmId}`;
  const json = async (res: Response, what: string) => {
    const text = await res.text();
    if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const stripe = async (method: 'GET' | 'POST', path: string, form: Record<string, string>, key?: string) => {
    const body = new URLSearchParams(form).toString();
    const res = await fetch(`${url('stripe')}${path}${method === 'GET' ? `?${body}` : ''}`, {
      method,
      headers: {
        authorization: `Bearer ${SANDBOX_STRIPE.apiKey}`,
        'stripe-version': '2026-10-28.endive',
        ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(method === 'POST' ? { body } : {}),
    });
    return json(res, `stripe ${path}`);
  };
  const quickbooks = async (entity: string, body: unknown, requestId: string) => {
    const res = await fetch(`${qbo}/${entity}?requestid=${encodeURIComponent(requestId)}&minorversion=75`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${SANDBOX_QBO.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const answer = await json(res, `quickbooks ${entity}`);
    const [name] = Object.keys(answer).filter((k) => k !== 'time');
    return (answer[name!] as { Id: string }).Id;
  };
  return {
    async commitTax(invoice: FloorInvoice): Promise<number> {
      const res = await fetch(`${url('avalara')}/api/v2/transactions/createoradjust`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', authorization: avalaraAuth },
        body: JSON.stringify({
          createTransactionModel: {
            type: 'SalesInvoice',
            code: invoice.number,
            companyCode: SANDBOX_AVALARA_COMPANY,
            date: invoice.issueDate,
            customerCode: invoice.customerId,
            currencyCode: invoice.currency,
            commit: true,
            addresses: {
              shipTo: {
                line1: '100 Market St',
                city: 'San Francisco',
                region: 'CA',
                postalCode: '94105',
                country: 'US',
              },
            },
            lines: invoice.lines.map((line) => ({
              number: String(line.lineNo),
              quantity: Number(line.quantity),
              amount: Number(minorToMajor(line.amountMinor, invoice.currency)),
              itemCode: line.sku,
              description: line.description,
            })),
          },
        }),
      });
      const tx = await json(res, 'avalara createoradjust');
      return majorToMinor(String(tx.totalTax), invoice.currency);
    },
    async collect(invoice: FloorInvoice, totalMinor: number): Promise<string> {
      const customer = await stripe(
        'POST',
        '/v1/customers',
        { name: invoice.customerName, 'metadata[hub_customer_id]': invoice.customerId },
        `floor-cus-${invoice.customerId}`,
      );
      const intent = await stripe(
        'POST',
        '/v1/payment_intents',
        {
          amount: String(totalMinor),
          currency: invoice.currency.toLowerCase(),
          customer: String(customer.id),
          description: `Invoice ${invoice.number}`,
          'metadata[hub_invoice_id]': invoice.id,
          'metadata[hub_invoice_number]': invoice.number,
          confirm: 'true',
          payment_method: 'pm_card_visa',
          off_session: 'true',
          'automatic_payment_methods[enabled]': 'true',
          'automatic_payment_methods[allow_redirects]': 'never',
        },
        `floor-pi-${invoice.id}`,
      );
      if (intent.status !== 'succeeded')
        throw new Error(`payment intent ${String(intent.id)} is ${String(intent.status)}`);
      return String(intent.id);
    },
    async paymentFee(intentId: string): Promise<void> {
      const intent = await stripe('GET', `/v1/payment_intents/${intentId}`, {
        'expand[0]': 'latest_charge.balance_transaction',
      });
      const charge = intent.latest_charge as { balance_transaction?: { fee?: number } } | null;
      if (typeof charge?.balance_transaction?.fee !== 'number') throw new Error(`no fee on ${intentId}`);
    },
    erpCustomer: (invoice: FloorInvoice) =>
      quickbooks(
        'customer',
        { DisplayName: invoice.customerName, CurrencyRef: { value: invoice.currency } },
        `floor-cus-${invoice.customerId}`,
      ),
    erpItem: (line: FloorLine) =>
      quickbooks(
        'item',
        {
          Name: line.sku,
          Description: line.productName,
          Type: 'Service',
          IncomeAccountRef: { value: SANDBOX_QBO.incomeAccountId },
        },
        `floor-item-${line.sku}`,
      ),
    erpInvoice: (invoice: FloorInvoice, customerId: string, items: Map<string, string>, taxMinor: number) =>
      quickbooks(
        'invoice',
        {
          DocNumber: invoice.number,
          TxnDate: invoice.issueDate,
          DueDate: invoice.dueDate,
          CustomerRef: { value: customerId },
          CurrencyRef: { value: invoice.currency },
          Line: invoice.lines.map((line) => ({
            DetailType: 'SalesItemLineDetail',
            Amount: Number(minorToMajor(line.amountMinor, invoice.currency)),
            Description: line.description,
            SalesItemLineDetail: {
              ItemRef: { value: items.get(line.sku)! },
              Qty: Number(line.quantity),
              UnitPrice: Number(line.unitAmount),
            },
          })),
          TxnTaxDetail: { TotalTax: Number(minorToMajor(taxMinor, invoice.currency)) },
        },
        `floor-inv-${invoice.id}`,
      ),
    erpPayment: (invoice: FloorInvoice, customerId: string, erpInvoiceId: string, totalMinor: number) => {
      const amount = Number(minorToMajor(totalMinor, invoice.currency));
      return quickbooks(
        'payment',
        {
          TotalAmt: amount,
          CustomerRef: { value: customerId },
          CurrencyRef: { value: invoice.currency },
          PaymentRefNum: invoice.id.slice(-21),
          TxnDate: invoice.issueDate,
          Line: [{ Amount: amount, LinkedTxn: [{ TxnId: erpInvoiceId, TxnType: 'Invoice' }] }],
        },
        `floor-pay-${invoice.id}`,
      );
    },
  };
}

/** `name` names its database file, so the floor can run more than once in one directory. */
export async function runFloorPipeline(options: PipelineOptions, name = 'floor'): Promise<PipelineResult> {
  const sqlite = openSqlite(join(options.dir, `${name}.db`));
  const sims = await benchSimulators(systemClock);
  try {
    const encryptionKey = await importEncryptionKey(generateEncryptionKey());
    const org = await seedOrg(sqlite.db, systemClock, encryptionKey, sims, options.invoices);
    const invoices = await billedInvoices(sqlite.db, org.orgId);
    if (invoices.length !== options.invoices) throw new Error(`billing run wrote ${invoices.length} drafts`);
    const calls = vendorCalls(sims);
    const tax = new Slots(options.concurrency);
    const payments = new Slots(options.concurrency);
    const erp = new Slots(options.concurrency);
    // One item per product, as the hub records it once and reuses it.
    const items = new Map<string, Promise<string>>();
    const itemFor = (line: FloorLine) => {
      let item = items.get(line.sku);
      if (!item) {
        item = calls.erpItem(line);
        items.set(line.sku, item);
      }
      return item;
    };
    const timer = setInterval(() => options.onPoll?.(), 20);
    const marks = seenMarks(sims);
    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(
      invoices.map(async (invoice) => {
        const taxMinor = await tax.run(() => calls.commitTax(invoice));
        const totalMinor = invoice.subtotalMinor + taxMinor;
        const [, posted] = await Promise.all([
          payments
            .run(() => calls.collect(invoice, totalMinor))
            .then((intentId) => payments.run(() => calls.paymentFee(intentId))),
          erp.run(async () => {
            const customerId = await calls.erpCustomer(invoice);
            const ids = new Map<string, string>();
            for (const line of invoice.lines) ids.set(line.sku, await itemFor(line));
            return { customerId, invoiceId: await calls.erpInvoice(invoice, customerId, ids, taxMinor) };
          }),
        ]);
        await erp.run(() => calls.erpPayment(invoice, posted.customerId, posted.invoiceId, totalMinor));
      }),
    );
    const ms = performance.now() - started;
    const cpuMs = cpuSince(cpu);
    clearInterval(timer);
    return {
      ms,
      cpuMs,
      invoices: options.invoices,
      calls: callsSince(sims, marks),
      counts: vendorHoldings(sims),
      jobs: {},
      deliveries: {},
    };
  } finally {
    await sims.close();
    sqlite.close();
  }
}
