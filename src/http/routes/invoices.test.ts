/**
 * The invoice read API over the real app on an in-memory hub: invoices from two real billing runs,
 * plus rows written directly for what no flow writes yet here (payments, refs, ledger, credit notes,
 * other currencies).
 */
import { eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBillingOrg } from '../../../test/support/billing-fixtures.js';
import { atomic } from '../../db/atomic.js';
import {
  externalRefs,
  flowRuns,
  flowSteps,
  invoiceLines,
  invoices,
  jobs,
  ledgerEntries,
  ledgerLines,
  payments,
} from '../../db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../db/secrets.js';
import { createOrgWithKey } from '../../db/seed.js';
import { ManualClock } from '../../domain/clock.js';
import { createHub, type Hub } from '../../hub.js';
import { NodeJobDriver } from '../../jobs/node-driver.js';
import { openSqlite } from '../../runtime/sqlite.js';

// biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
type Json = any;

let hub: Hub;
let close: () => void;
const keys = { acme: '', other: '' };
const runs = { feb: '', mar: '' };
let orgId = '';

const JAN = 'inv_monthly_20260101_advance';
const FEB = 'inv_monthly_20260201_advance';
const MAR = 'inv_monthly_20260301_advance';
const QUARTER = 'inv_quarterly_20260101_advance';
const USAGE_JAN = 'inv_usage_20260101_arrears';
const USAGE_FEB = 'inv_usage_20260201_arrears';

const request = (path: string, key: string, accept?: string) =>
  hub.app.request(`/api/v1${path}`, {
    headers: { authorization: `Bearer ${key}`, ...(accept ? { accept } : {}) },
  });
const get = async (path: string, key = keys.acme): Promise<{ status: number; body: Json; type: string }> => {
  const res = await request(path, key);
  return { status: res.status, body: await res.json(), type: res.headers.get('content-type') ?? '' };
};
const ids = (body: Json) => body.data.map((i: { id: string }) => i.id);

/** An invoice row written by hand (for kinds and states no flow produces in this test). */
function invoiceRow(id: string, over: Partial<typeof invoices.$inferInsert>): typeof invoices.$inferInsert {
  return {
    id,
    orgId,
    number: `MAN-${id}`,
    contractId: 'ctr_manual',
    customerId: 'cus_manual',
    kind: 'advance',
    periodStart: '2026-03-01',
    periodEnd: '2026-04-01',
    status: 'finalized',
    currency: 'USD',
    subtotalMinor: 0,
    taxMinor: 0,
    totalMinor: 0,
    amountPaidMinor: 0,
    issueDate: '2026-03-05',
    dueDate: '2026-04-04',
    rounding: JSON.stringify({ mode: 'half_up', level: 'line' }),
    createdAt: '2026-03-05T10:00:00.000Z',
    documentKind: 'manual',
    ...over,
  };
}

async function startRun(at: string): Promise<string> {
  const res = await hub.app.request('/api/v1/billing-runs', {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.acme}`, 'content-type': 'application/json' },
    body: JSON.stringify({ at }),
  });
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  const sqlite = openSqlite(':memory:');
  close = sqlite.close;
  const { db } = sqlite;
  const clock = new ManualClock('2026-02-01T06:00:00Z');
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db, clock, encryptionKey });
  const driver = new NodeJobDriver({ db, clock, process: hub.processDeps });
  hub.attachDriver(driver);
  const acme = await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme', connections: [] });
  orgId = acme.orgId;
  keys.acme = acme.apiKey;
  keys.other = (await createOrgWithKey(db, clock, encryptionKey, { name: 'Globex', connections: [] })).apiKey;
  await seedBillingOrg(db, clock, orgId);

  // Two real runs: February's writes 4 invoices at 06:00 on Feb 1, March's 2 more a month later.
  runs.feb = await startRun('2026-02-01');
  await driver.drain();
  clock.set('2026-03-01T06:00:00Z');
  runs.mar = await startRun('2026-03-01');
  await driver.drain();
  // The runs' drafts have no number (finalizing gives one); number them in the order they were
  // written, as finalizing them in that order would: this file tests reading, not the lifecycle.
  await atomic(db, [
    db.update(invoices).set({ number: sql`printf('INV-%06d', rowid)` }).where(isNull(invoices.number)),
  ]);

  // January's invoice: finalized with tax, partly paid, posted to QuickBooks, one credit note
  // issued and one still a draft, a ledger entry and the flow job that finalized it.
  await atomic(db, [
    db
      .update(invoices)
      .set({ status: 'partially_paid', taxMinor: 825, totalMinor: 10825, amountPaidMinor: 4000 })
      .where(eq(invoices.id, JAN)),
    db.update(invoiceLines).set({ taxMinor: 825 }).where(eq(invoiceLines.invoiceId, JAN)),
  ]);
  await atomic(db, [
    db.insert(payments).values({
      id: 'pay_1',
      orgId,
      invoiceId: JAN,
      provider: 'stripe',
      externalId: 'pi_123',
      status: 'succeeded',
      amountMinor: 4000,
      feeMinor: 146,
      currency: 'USD',
      receivedAt: '2026-02-03T12:00:00.000Z',
      createdAt: '2026-02-03T12:00:00.000Z',
    }),
    db.insert(externalRefs).values([
      {
        id: 'ref_1',
        orgId,
        system: 'quickbooks',
        objectType: 'invoice',
        localId: JAN,
        externalId: '130',
        createdAt: '2026-02-02T00:00:00.000Z',
      },
      {
        id: 'ref_2',
        orgId,
        system: 'avalara',
        objectType: 'tax_transaction',
        localId: JAN,
        externalId: 'INV-000001',
        createdAt: '2026-02-02T00:00:00.000Z',
      },
      // A vendor id with a comma and quotes: the CSV must quote it.
      {
        id: 'ref_3',
        orgId,
        system: 'quickbooks',
        objectType: 'invoice',
        localId: QUARTER,
        externalId: 'QB,"7"',
        createdAt: '2026-02-02T00:00:00.000Z',
      },
      {
        id: 'ref_4',
        orgId,
        system: 'stripe',
        objectType: 'payment_intent',
        localId: JAN,
        externalId: 'pi_123',
        createdAt: '2026-02-02T00:00:00.000Z',
      },
    ]),
    db.insert(ledgerEntries).values({
      id: 'jnl_1',
      orgId,
      sourceType: 'invoice',
      sourceId: JAN,
      kind: 'invoice_finalized',
      memo: 'Invoice INV-000001',
      occurredAt: '2026-02-02T00:00:00.000Z',
      createdAt: '2026-02-02T00:00:00.000Z',
    }),
    db.insert(ledgerLines).values([
      {
        id: 'jln_1',
        orgId,
        entryId: 'jnl_1',
        account: 'accounts_receivable',
        currency: 'USD',
        debitMinor: 10825,
        creditMinor: 0,
      },
      { id: 'jln_2', orgId, entryId: 'jnl_1', account: 'revenue', currency: 'USD', debitMinor: 0, creditMinor: 10000 },
      {
        id: 'jln_3',
        orgId,
        entryId: 'jnl_1',
        account: 'tax_payable',
        currency: 'USD',
        debitMinor: 0,
        creditMinor: 825,
      },
    ]),
    db.insert(jobs).values({
      id: 'job_fin',
      orgId,
      kind: 'flow',
      payload: JSON.stringify({ flow: 'finalize-invoice', subjectId: JAN, input: { invoiceId: JAN } }),
      dedupeKey: `finalize-invoice:${JAN}`,
      correlationId: 'test:deal:1',
      connectionKey: 'avalara',
      state: 'succeeded',
      attempts: 1,
      maxAttempts: 8,
      nextAttemptAt: Date.parse('2026-02-02T00:00:00.000Z'),
      createdAt: '2026-02-02T00:00:00.000Z',
      updatedAt: '2026-02-02T00:00:01.000Z',
    }),
    db.insert(flowRuns).values({
      id: 'run_fin',
      orgId,
      flow: 'finalize-invoice',
      subjectId: JAN,
      jobId: 'job_fin',
      state: 'succeeded',
      createdAt: '2026-02-02T00:00:00.000Z',
      updatedAt: '2026-02-02T00:00:01.000Z',
    }),
    db.insert(flowSteps).values({
      id: 'stp_1',
      orgId,
      runId: 'run_fin',
      step: 'commit-tax',
      status: 'done',
      output: null,
      error: null,
      attempts: 1,
      updatedAt: '2026-02-02T00:00:01.000Z',
    }),
    db.insert(invoices).values([
      invoiceRow('cn_issued', {
        kind: 'credit_note',
        documentKind: 'credit_note',
        contractId: 'ctr_monthly',
        customerId: 'cus_ctr_monthly',
        periodStart: '2026-01-16',
        periodEnd: '2026-02-01',
        totalMinor: 1500,
        subtotalMinor: 1500,
        creditedInvoiceId: JAN,
        createdAt: '2026-03-02T10:00:00.000Z',
      }),
      invoiceRow('cn_draft', {
        kind: 'credit_note',
        documentKind: 'credit_note',
        status: 'draft',
        contractId: 'ctr_monthly',
        customerId: 'cus_ctr_monthly',
        periodStart: '2026-01-20',
        periodEnd: '2026-02-01',
        totalMinor: 999,
        creditedInvoiceId: JAN,
        createdAt: '2026-03-03T10:00:00.000Z',
      }),
      invoiceRow('inv_kwd', {
        contractId: 'ctr_kw',
        currency: 'KWD',
        totalMinor: 12345,
        customerId: 'cus_kw',
        createdAt: '2026-03-05T10:00:00.000Z',
      }),
      invoiceRow('inv_jpy', {
        contractId: 'ctr_jp',
        currency: 'JPY',
        totalMinor: 500,
        amountPaidMinor: 500,
        status: 'paid',
        customerId: 'cus_jp',
        createdAt: '2026-03-05T11:00:00.000Z',
      }),
    ]),
  ]);
});
afterAll(() => close());

describe('GET /api/v1/invoices', () => {
  it('lists every invoice but credit notes, newest first, with kind, amounts due and ERP refs', async () => {
    const { status, body } = await get('/invoices');
    expect(status).toBe(200);
    // Same created_at (one run) → id descending breaks the tie.
    expect(ids(body)).toEqual(['inv_jpy', 'inv_kwd', USAGE_FEB, MAR, USAGE_JAN, QUARTER, FEB, JAN]);
    expect(body.next_cursor).toBeNull();
    expect(body.data.at(-1)).toEqual({
      id: JAN,
      number: 'INV-000001',
      kind: 'recurring',
      status: 'partially_paid',
      currency: 'USD',
      total_minor: 10825,
      // 10,825 less 4,000 paid less the issued 1,500 credit note (the 999 draft takes nothing).
      amount_due_minor: 5325,
      erp_refs: [{ system: 'quickbooks', external_id: '130' }],
      customer_id: 'cus_ctr_monthly',
      contract_id: 'ctr_monthly',
      billing_run_id: runs.feb,
      period_start: '2026-01-01',
      period_end: '2026-02-01',
      issue_date: '2026-01-01',
      due_date: '2026-01-31',
      created_at: '2026-02-01T06:00:00.000Z',
    });
    const byId = new Map(body.data.map((i: Json) => [i.id, i]));
    expect(byId.get('inv_jpy')).toMatchObject({
      status: 'paid',
      total_minor: 500,
      amount_due_minor: 0,
      kind: 'manual',
    });
    expect(byId.get(QUARTER)).toMatchObject({ total_minor: 30000, amount_due_minor: 30000, kind: 'recurring' });
    expect(byId.get(USAGE_JAN)).toMatchObject({ total_minor: 1250, kind: 'usage', billing_run_id: runs.feb });
    expect(byId.get(MAR)).toMatchObject({ total_minor: 10000, kind: 'recurring', billing_run_id: runs.mar });
  });

  it('walks every page exactly once, across the id tie-break and at the page boundaries', async () => {
    const all = ids((await get('/invoices')).body);
    for (const limit of [1, 2, 3, 7, 8, 9]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const { status, body }: { status: number; body: Json } = await get(
          `/invoices?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(status).toBe(200);
        expect(body.data.length).toBeLessThanOrEqual(limit);
        seen.push(...ids(body));
        cursor = body.next_cursor;
        pages++;
      } while (cursor !== null);
      expect(seen).toEqual(all);
      // A page exactly as long as what is left is the last one: no empty page after it.
      expect(pages).toBe(Math.ceil(all.length / limit));
    }
  });

  it('filters by status, kind, customer, contract, billing run and period, alone and together', async () => {
    const cases: [string, string[]][] = [
      ['status=partially_paid', [JAN]],
      ['status=paid', ['inv_jpy']],
      ['status=overdue', []],
      ['kind=usage', [USAGE_FEB, USAGE_JAN]],
      ['kind=manual', ['inv_jpy', 'inv_kwd']],
      ['kind=proration', []],
      ['customer_id=cus_ctr_monthly', [MAR, FEB, JAN]],
      ['contract_id=ctr_quarterly', [QUARTER]],
      [`billing_run_id=${runs.mar}`, [USAGE_FEB, MAR]],
      [`billing_run_id=${runs.feb}&kind=recurring`, [QUARTER, FEB, JAN]],
      ['period=2026-01', [USAGE_JAN, QUARTER, JAN]],
      // A day: every period containing it (the quarter holds February 15).
      ['period=2026-02-15', [USAGE_FEB, QUARTER, FEB]],
      ['period=2026-02-15&customer_id=cus_ctr_quarterly', [QUARTER]],
      ['customer_id=cus_nobody', []],
    ];
    for (const [query, expected] of cases) {
      const { status, body } = await get(`/invoices?${query}`);
      expect({ query, status, ids: ids(body) }).toEqual({ query, status: 200, ids: expected });
    }
  });

  it('answers 400 problem+json naming the field for a bad filter, limit or cursor', async () => {
    const forged = btoa(JSON.stringify({ createdAt: 'x' })).replaceAll('=', '');
    const cases: [string, string][] = [
      ['status=open', 'status'],
      ['kind=credit_note', 'kind'],
      ['period=2026-13', 'period'],
      ['period=2026-02-30', 'period'],
      ['period=march', 'period'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=not!a!cursor', 'cursor'],
      [`cursor=${forged}`, 'cursor'],
      // An unknown filter is refused by name, not ignored.
      ['state=paid', 'state'],
    ];
    for (const [query, field] of cases) {
      const { status, body, type } = await get(`/invoices?${query}`);
      expect({ query, status, type }).toEqual({ query, status: 400, type: 'application/problem+json' });
      expect(body).toMatchObject({ status: 400, title: 'Invalid request' });
      expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('keeps orgs apart: another org sees none of them', async () => {
    expect((await get('/invoices', keys.other)).body).toEqual({ data: [], next_cursor: null });
    expect((await get('/credit-notes', keys.other)).body).toEqual({ data: [], next_cursor: null });
    // Not even through a cursor made from Acme's rows.
    const cursor = (await get('/invoices?limit=1')).body.next_cursor;
    expect((await get(`/invoices?cursor=${cursor}`, keys.other)).body.data).toEqual([]);
  });

  it('answers CSV for Accept: text/csv: quoted fields, money by the currency exponent and in minor units', async () => {
    const res = await request('/invoices', keys.acme, 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="invoices.csv"');
    expect(res.headers.get('link')).toBeNull();
    const lines = (await res.text()).split('\r\n');
    expect(lines).toHaveLength(10); // header, 8 rows, and the empty string after the last CRLF
    expect(lines[0]).toBe(
      'id,number,kind,status,currency,total,total_minor,amount_due,amount_due_minor,customer_id,contract_id,billing_run_id,period_start,period_end,issue_date,due_date,created_at,erp_refs',
    );
    expect(lines[1]).toBe(
      'inv_jpy,MAN-inv_jpy,manual,paid,JPY,500,500,0,0,cus_jp,ctr_jp,,2026-03-01,2026-04-01,2026-03-05,2026-04-04,2026-03-05T11:00:00.000Z,',
    );
    expect(lines[2]).toBe(
      'inv_kwd,MAN-inv_kwd,manual,finalized,KWD,12.345,12345,12.345,12345,cus_kw,ctr_kw,,2026-03-01,2026-04-01,2026-03-05,2026-04-04,2026-03-05T10:00:00.000Z,',
    );
    expect(lines[6]).toBe(
      `${QUARTER},INV-000003,recurring,draft,USD,300.00,30000,300.00,30000,cus_ctr_quarterly,ctr_quarterly,${runs.feb},2026-01-01,2026-04-01,2026-01-01,2026-01-31,2026-02-01T06:00:00.000Z,"quickbooks:QB,""7"""`,
    );
    expect(lines[8]).toBe(
      `${JAN},INV-000001,recurring,partially_paid,USD,108.25,10825,53.25,5325,cus_ctr_monthly,ctr_monthly,${runs.feb},2026-01-01,2026-02-01,2026-01-01,2026-01-31,2026-02-01T06:00:00.000Z,quickbooks:130`,
    );
    expect(lines[9]).toBe('');
  });

  it('pages CSV too, with the next page in a Link header', async () => {
    const first = await request('/invoices?kind=recurring&limit=2', keys.acme, 'text/csv');
    const link = first.headers.get('link');
    expect(link).toMatch(/^<\/api\/v1\/invoices\?kind=recurring&limit=2&cursor=[A-Za-z0-9_-]+>; rel="next"$/);
    expect(
      (await first.text())
        .split('\r\n')
        .slice(1, -1)
        .map((l) => l.split(',')[0]),
    ).toEqual([MAR, QUARTER]);
    const next = await request(link!.slice(1, link!.indexOf('>')).replace('/api/v1', ''), keys.acme, 'text/csv');
    expect(next.headers.get('link')).toBeNull();
    expect(
      (await next.text())
        .split('\r\n')
        .slice(1, -1)
        .map((l) => l.split(',')[0]),
    ).toEqual([FEB, JAN]);
  });
});

describe('GET /api/v1/invoices/{id}', () => {
  it('shows lines, tax, payments, credit notes, ERP refs, ledger entries and the job timeline', async () => {
    const { status, body } = await get(`/invoices/${JAN}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: JAN,
      kind: 'recurring',
      period_kind: 'advance',
      status: 'partially_paid',
      total_minor: 10825,
      tax_minor: 825,
      amount_paid_minor: 4000,
      credited_minor: 1500,
      amount_due_minor: 5325,
      credited_invoice_id: null,
      rounding: { mode: 'half_up', level: 'line' },
      tax: {
        tax_minor: 825,
        engine_refs: [{ system: 'avalara', object_type: 'tax_transaction', external_id: 'INV-000001' }],
      },
      // Stripe's payment intent is not an ERP ref.
      erp_refs: [{ system: 'quickbooks', object_type: 'invoice', external_id: '130' }],
      payments: [
        {
          id: 'pay_1',
          provider: 'stripe',
          external_id: 'pi_123',
          status: 'succeeded',
          amount_minor: 4000,
          fee_minor: 146,
          currency: 'USD',
          received_at: '2026-02-03T12:00:00.000Z',
        },
      ],
      credit_notes: [
        {
          id: 'cn_issued',
          number: 'MAN-cn_issued',
          status: 'finalized',
          total_minor: 1500,
          created_at: '2026-03-02T10:00:00.000Z',
        },
        {
          id: 'cn_draft',
          number: 'MAN-cn_draft',
          status: 'draft',
          total_minor: 999,
          created_at: '2026-03-03T10:00:00.000Z',
        },
      ],
      ledger_entries: [
        {
          id: 'jnl_1',
          kind: 'invoice_finalized',
          source_type: 'invoice',
          source_id: JAN,
          memo: 'Invoice INV-000001',
          occurred_at: '2026-02-02T00:00:00.000Z',
          lines: [
            { account: 'accounts_receivable', currency: 'USD', debit_minor: 10825, credit_minor: 0 },
            { account: 'revenue', currency: 'USD', debit_minor: 0, credit_minor: 10000 },
            { account: 'tax_payable', currency: 'USD', debit_minor: 0, credit_minor: 825 },
          ],
        },
      ],
      timeline: [
        {
          job_id: 'job_fin',
          flow: 'finalize-invoice',
          subject_id: JAN,
          state: 'succeeded',
          attempts: 1,
          max_attempts: 8,
          last_error: null,
          next_attempt_at: '2026-02-02T00:00:00.000Z',
          steps: [
            { step: 'commit-tax', status: 'done', attempts: 1, error: null, updated_at: '2026-02-02T00:00:01.000Z' },
          ],
        },
      ],
    });
    expect(body.lines).toEqual([
      {
        line_no: 1,
        product_id: expect.stringMatching(/^prd_/),
        description: expect.any(String),
        quantity: '1',
        unit_amount: '100.00',
        amount_minor: 10000,
        tax_minor: 825,
        line_kind: 'charge',
        source_ref: 'platform',
        detail: expect.any(Object),
        // An ordinary invoice's line bills its invoice's contract and period.
        contract_id: 'ctr_monthly',
        period_start: '2026-01-01',
        period_end: '2026-02-01',
      },
    ]);
  });

  it('shows a credit note with the invoice it credits', async () => {
    const { status, body } = await get('/invoices/cn_issued');
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: 'credit_note', credited_invoice_id: JAN, total_minor: 1500, credit_notes: [] });
  });

  it("answers 404 problem+json for another org's invoice and for an unknown id", async () => {
    for (const [id, key] of [
      [JAN, keys.other],
      ['inv_nope', keys.acme],
    ] as const) {
      const { status, body, type } = await get(`/invoices/${id}`, key);
      expect({ status, type }).toEqual({ status: 404, type: 'application/problem+json' });
      expect(body).toMatchObject({ status: 404, title: 'Not found', detail: `no invoice ${id} in this org` });
    }
  });
});

describe('GET /api/v1/credit-notes', () => {
  it('lists credit notes newest first, filters by the invoice they credit, and pages', async () => {
    const { body } = await get('/credit-notes');
    expect(ids(body)).toEqual(['cn_draft', 'cn_issued']);
    expect(body.data[1]).toEqual({
      id: 'cn_issued',
      number: 'MAN-cn_issued',
      status: 'finalized',
      currency: 'USD',
      total_minor: 1500,
      invoice_id: JAN,
      erp_refs: [],
      customer_id: 'cus_ctr_monthly',
      contract_id: 'ctr_monthly',
      period_start: '2026-01-16',
      period_end: '2026-02-01',
      issue_date: '2026-03-05',
      created_at: '2026-03-02T10:00:00.000Z',
    });
    expect(ids((await get('/credit-notes?status=finalized')).body)).toEqual(['cn_issued']);
    expect(ids((await get(`/credit-notes?invoice_id=${FEB}`)).body)).toEqual([]);
    const first = (await get('/credit-notes?limit=1')).body;
    expect(ids(first)).toEqual(['cn_draft']);
    const second = (await get(`/credit-notes?limit=1&cursor=${first.next_cursor}`)).body;
    expect(second).toMatchObject({ next_cursor: null });
    expect(ids(second)).toEqual(['cn_issued']);
    expect((await get('/credit-notes?kind=usage')).status).toBe(400);
  });

  it('answers CSV', async () => {
    const res = await request(`/credit-notes?invoice_id=${JAN}&status=finalized`, keys.acme, 'text/csv');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="credit-notes.csv"');
    expect(await res.text()).toBe(
      'id,number,status,currency,total,total_minor,invoice_id,customer_id,contract_id,period_start,period_end,issue_date,created_at,erp_refs\r\n' +
        `cn_issued,MAN-cn_issued,finalized,USD,15.00,1500,${JAN},cus_ctr_monthly,ctr_monthly,2026-01-16,2026-02-01,2026-03-05,2026-03-02T10:00:00.000Z,\r\n`,
    );
  });
});

describe('OpenAPI document', () => {
  it('declares the invoice routes, the servers and the bearer scheme', async () => {
    const doc: Json = await (await hub.app.request('/api/v1/openapi.json')).json();
    expect(doc.servers).toEqual([{ url: '/api/v1', description: 'This hub' }]);
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.paths['/invoices'].get.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(doc.paths['/invoices/{id}'].get.responses['404']).toBeDefined();
    expect(doc.paths['/credit-notes'].get.parameters.map((p: { name: string }) => p.name)).toContain('invoice_id');
  });
});
