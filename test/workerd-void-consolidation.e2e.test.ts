/**
 * Issue #10 under workerd (D1, Queues, Cron), as test/invoice-void.e2e.test.ts and
 * test/consolidation.e2e.test.ts do on Node: a finalized, unpaid invoice voided through
 * POST /api/v1/invoices/{id}/void ends with its Avalara document voided, its ledger entry reversed,
 * its QuickBooks invoice voided and its Stripe PaymentIntent cancelled; with the org's `consolidate`
 * setting, a billing run gives a customer with two contracts one invoice per billing date holding
 * both contracts' lines, each taxed and posted to QuickBooks once. (Credit notes under workerd:
 * test/workerd-lifecycle.e2e.test.ts.) Stripe has no test card here, so invoices stay open.
 * Waiting is a bounded loop of polls; no sleep decides an assertion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO } from '../src/runtime/simulators.js';
import { readJson } from './support/harness.js';
import { startWorkerdSandbox, type WorkerdSandbox } from './support/workerd-sandbox.js';

let w: WorkerdSandbox;

beforeAll(async () => {
  w = await startWorkerdSandbox({
    name: 'Acme (workerd void)',
    // No test card: the PaymentIntent waits for the customer, so a finalized invoice stays unpaid.
    connections: (sims) =>
      sims.connections.map((c) =>
        c.vendor === 'stripe' ? { ...c, config: { ...c.config, testPaymentMethod: '' } } : c,
      ),
  });
}, 120_000);

afterAll(async () => {
  await w?.close();
});

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Polls (running the cron handler between rounds) until `done` holds; answers the last value. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let round = 0; round < 300 && !done(value); round++) {
    if (w.sims.stripe.state.outbox.length > 0) await w.sims.stripe.flushWebhooks();
    await w.hub.sweep();
    await new Promise((r) => setTimeout(r, 100)); // pacing between polls, not an assertion
    value = await read();
  }
  return value;
}

const detail = async (id: string) => readJson(await w.api(`/api/v1/invoices/${id}`));

interface Listed {
  id: string;
  kind: string;
  number: string | null;
  status: string;
  erp_refs: { system: string }[];
}
const listInvoices = async () =>
  ((await readJson(await w.api('/api/v1/invoices?limit=100'))) as { data: Listed[] }).data;

/** Settled: every job of the org finished (the trace of no deal says it, so ask the table). */
const openJobs = () =>
  w.hub.countRows('jobs', { column: 'org_id', value: w.orgId }).then(async (all) => {
    const d1 = await w.hub.mf.getD1Database('DB');
    const row = await d1
      .prepare("SELECT count(*) AS n FROM jobs WHERE org_id = ? AND state NOT IN ('succeeded', 'dead')")
      .bind(w.orgId)
      .first<{ n: number }>();
    return { all, open: row?.n ?? 0 };
  });

describe('void and consolidation on workerd', () => {
  it('voids a finalized, unpaid invoice: tax voided, ledger reversed, QuickBooks voided, PaymentIntent cancelled', async () => {
    const opportunityId = await w.closeSalesforceDeal();
    const erpPosted = (list: Listed[]) =>
      list.length === 1 && list[0]!.status === 'finalized' && list[0]!.erp_refs.some((r) => r.system === 'quickbooks');
    const [invoice] = await until(listInvoices, erpPosted);
    expect(erpPosted([invoice!])).toBe(true);
    await until(openJobs, (j) => j.open === 0);
    const number = invoice!.number!;
    expect(w.sims.avalara.state.find(SANDBOX_AVALARA_COMPANY, number)?.status).toBe('Committed');
    expect([...w.sims.stripe.state.paymentIntents.values()].map((i) => i.status)).toEqual(['requires_payment_method']);

    const res = await w.api(`/api/v1/invoices/${invoice!.id}/void`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await readJson(res)).toMatchObject({ id: invoice!.id, status: 'void' });
    const body = await until(
      () => detail(invoice!.id),
      (d) => d.void?.state === 'succeeded',
    );

    expect(body.status).toBe('void');
    expect(body.amount_due_minor).toBe(0);
    expect(body.void.effects.map((e: { effect: string; state: string }) => [e.effect, e.state])).toEqual([
      ['payment_attempt_cancelled', 'done'],
      ['erp_invoice_voided', 'done'],
      ['tax_document_voided', 'done'],
      ['ledger_entry_reversed', 'done'],
      ['crm_write_back', 'done'],
    ]);
    expect(body.ledger_entries.map((e: { kind: string }) => e.kind).sort()).toEqual([
      'invoice_issued',
      'invoice_voided',
    ]);
    const net: Record<string, number> = {};
    for (const e of body.ledger_entries as {
      lines: { account: string; debit_minor: number; credit_minor: number }[];
    }[])
      for (const l of e.lines) net[l.account] = (net[l.account] ?? 0) + l.debit_minor - l.credit_minor;
    expect(Object.keys(net).length).toBeGreaterThan(1);
    expect(Object.values(net).every((n) => n === 0)).toBe(true);

    // What the vendors hold: the documents voided in place, nothing created twice.
    expect(w.sims.avalara.state.find(SANDBOX_AVALARA_COMPANY, number)?.status).toBe('Cancelled');
    expect(w.sims.avalara.state.count(SANDBOX_AVALARA_COMPANY)).toBe(1);
    expect([...w.sims.stripe.state.paymentIntents.values()].map((i) => i.status)).toEqual(['canceled']);
    const realm = w.sims.quickbooks.state.realms.get(SANDBOX_QBO.realmId) as unknown as {
      entities: { Invoice: Map<string, { DocNumber?: string; TotalAmt: number; PrivateNote?: string }> };
    };
    const erp = [...realm.entities.Invoice.values()];
    expect(erp).toHaveLength(1);
    expect(erp[0]).toMatchObject({ DocNumber: number, TotalAmt: 0 });
    expect(erp[0]!.PrivateNote).toMatch(/^Voided/);

    // The trace shows the void job; voiding again is a 409 naming the state.
    const trace = await w.readTrace('salesforce', opportunityId);
    expect(trace.jobs.find((j) => j.dedupe_key === `void-invoice:${invoice!.id}`)?.state).toBe('succeeded');
    const again = await w.api(`/api/v1/invoices/${invoice!.id}/void`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await readJson(again)).detail).toMatch(/that is void/);
  }, 180_000);

  it('consolidates: one invoice per billing date holding both contracts, taxed and at QuickBooks once', async () => {
    const settings = await w.api('/api/v1/billing-settings', json('PUT', { grace_seconds: 0, consolidate: true }));
    expect(settings.status).toBe(200);
    expect((await readJson(settings)).consolidate).toBe(true);
    // A second contract of the same customer with the same terms (no CRM deal), sorted after the demo's.
    const d1 = await w.hub.mf.getD1Database('DB');
    const { results: columns } = await d1.prepare('PRAGMA table_info(contracts)').all<{ name: string }>();
    const names = columns.map((c) => c.name);
    const picked = names.map((n) =>
      n === 'id' ? "'ctr_zz_second'" : n === 'source_system' ? "'test'" : n === 'source_deal_id' ? "'second-deal'" : n,
    );
    const inserted = await d1
      .prepare(
        `INSERT INTO contracts (${names.join(', ')}) SELECT ${picked.join(', ')} FROM contracts WHERE org_id = ? LIMIT 1`,
      )
      .bind(w.orgId)
      .run();
    expect(inserted.meta.changes).toBe(1);

    const at = new Date(Date.now() + 62 * 86_400_000).toISOString().slice(0, 10);
    expect((await w.api('/api/v1/billing-runs', json('POST', { at }))).status).toBe(202);
    const atErp = (list: Listed[]) =>
      list.length > 2 && list.every((i) => i.status === 'void' || i.erp_refs.some((r) => r.system === 'quickbooks'));
    const all = await until(listInvoices, atErp);
    expect(atErp(all)).toBe(true);
    await until(openJobs, (j) => j.open === 0);

    const run = await Promise.all(all.filter((i) => i.kind !== 'first').map((i) => detail(i.id)));
    type Line = { contract_id: string; period_start: string; amount_minor: number; tax_minor: number };
    // One invoice per billing date; after the second contract's first month, each holds both contracts.
    const dates = run.map((d) => [...new Set((d.lines as Line[]).map((l) => l.period_start))]);
    expect(dates.every((starts) => starts.length === 1)).toBe(true);
    expect(new Set(dates.flat()).size).toBe(run.length);
    const both = run.filter((d) => new Set((d.lines as Line[]).map((l) => l.contract_id)).size === 2);
    expect(both.length).toBeGreaterThanOrEqual(1);
    expect(both.length).toBe(run.length - 1);
    for (const d of both) {
      expect(d.status).toBe('finalized');
      expect(d.number).toMatch(/^INV-/);
      expect(d.lines.some((l: Line) => l.contract_id === 'ctr_zz_second')).toBe(true);
      expect(d.total_minor).toBe((d.lines as Line[]).reduce((n, l) => n + l.amount_minor + l.tax_minor, 0));
      expect(w.sims.avalara.state.find(SANDBOX_AVALARA_COMPANY, d.number)?.status).toBe('Committed');
    }
    // QuickBooks and Avalara hold each of our invoices once (the voided first one included).
    expect(w.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(all.length);
    expect(w.sims.avalara.state.count(SANDBOX_AVALARA_COMPANY)).toBe(all.length);

    // A rerun of the same date writes nothing.
    expect((await w.api('/api/v1/billing-runs', json('POST', { at }))).status).toBe(202);
    await until(openJobs, (j) => j.open === 0);
    expect((await listInvoices()).length).toBe(all.length);
  }, 180_000);
});
