/**
 * Issue #10 on Node against the simulators: every invoice kind goes the whole way (number, tax,
 * ledger, collect, payment, QuickBooks), drafts wait for approval where the org says so, numbers
 * are gap-free under concurrent finalizes, and a refused address leaves the invoice tax_pending
 * until the customer's address is fixed. Judged by the API and by what the simulated vendors hold.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invoices, jobs } from '../src/db/schema.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

async function closeDemoDeal() {
  const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
  const ack = await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
  expect(ack.status).toBe(200);
  await h.settle();
}

async function listInvoices(): Promise<
  {
    id: string;
    number: string | null;
    kind: string;
    status: string;
    total_minor: number;
    amount_due_minor: number;
    erp_refs: { system: string }[];
  }[]
> {
  const res = await h.api('/api/v1/invoices?limit=100');
  expect(res.status).toBe(200);
  return (await readJson(res)).data;
}

async function setSettings(body: Record<string, unknown>) {
  const res = await h.api('/api/v1/billing-settings', json('PUT', body));
  expect(res.status).toBe(200);
}

describe('every invoice goes the whole way', () => {
  it('a billing run two months ahead ends with every invoice paid and at QuickBooks, with no other call', async () => {
    await closeDemoDeal();
    await setSettings({ grace_seconds: 0 });
    const run = await h.api('/api/v1/billing-runs', json('POST', { at: '2026-05-02' }));
    expect(run.status).toBe(202);
    await h.settle();

    const all = await listInvoices();
    // The first invoice plus the run's (in-advance periods, and usage periods in arrears).
    expect(all.length).toBeGreaterThan(1);
    expect(new Set(all.map((i) => i.kind))).toContain('recurring');
    for (const invoice of all) {
      expect({ id: invoice.id, status: invoice.status }).toEqual({ id: invoice.id, status: 'paid' });
      expect(invoice.amount_due_minor).toBe(0);
      expect(invoice.erp_refs.map((r) => r.system)).toContain('quickbooks');
    }
    // Numbers: one each, gap-free from 1, in the order they finalized.
    const numbers = all.map((i) => Number(i.number!.replace('INV-', ''))).sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    // QuickBooks holds one invoice per invoice of ours; Stripe one payment per invoice with something to pay.
    const realm = [...h.sims.quickbooks.state.realms.values()][0] as { entities: { Invoice: Map<string, unknown> } };
    expect(realm.entities.Invoice.size).toBe(all.length);
    const intents = [...h.sims.stripe.state.paymentIntents.values()].filter((p) => p.status === 'succeeded');
    expect(intents.length).toBe(all.filter((i) => i.total_minor > 0).length);
  });

  it('drafts wait out their grace period, then the sweep finalizes them', async () => {
    await closeDemoDeal();
    const run = await h.api('/api/v1/billing-runs', json('POST', { at: '2026-04-02' }));
    expect(run.status).toBe(202);
    await h.settle();
    const drafts = (await listInvoices()).filter((i) => i.status === 'draft');
    expect(drafts.length).toBeGreaterThan(0);
    expect(drafts.every((d) => d.number === null)).toBe(true);

    const { runFinalizeSweep } = await import('../flows/finalize-sweep.js');
    h.clock.advance(59 * 60_000);
    await runFinalizeSweep(h.hub.context);
    await h.settle();
    expect((await listInvoices()).filter((i) => i.status === 'draft')).toHaveLength(drafts.length);

    h.clock.advance(2 * 60_000);
    await runFinalizeSweep(h.hub.context);
    await h.settle();
    expect((await listInvoices()).every((i) => i.status === 'paid')).toBe(true);
  });

  it('approval: drafts wait for a finance key; a billing run is approved in one call', async () => {
    await setSettings({ finalize_policy: 'approval', number_prefix: 'AC-' });
    await closeDemoDeal();
    // Even the deal's first invoice waits.
    let all = await listInvoices();
    expect(all.map((i) => i.status)).toEqual(['draft']);
    const first = all[0]!;

    const approved = await h.api(`/api/v1/invoices/${first.id}/approve`, { method: 'POST' });
    expect(approved.status).toBe(202);
    await h.settle();
    all = await listInvoices();
    expect(all[0]).toMatchObject({ status: 'paid', number: 'AC-000001' });

    const again = await h.api(`/api/v1/invoices/${first.id}/finalize`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await readJson(again)).detail).toContain('paid');

    const run = await readJson(await h.api('/api/v1/billing-runs', json('POST', { at: '2026-05-02' })));
    await h.settle();
    const { runFinalizeSweep } = await import('../flows/finalize-sweep.js');
    h.clock.advance(24 * 3600_000);
    await runFinalizeSweep(h.hub.context);
    await h.settle();
    expect((await listInvoices()).filter((i) => i.status === 'draft').length).toBeGreaterThan(0);

    const approveRun = await h.api(`/api/v1/billing-runs/${run.id}/approve`, { method: 'POST' });
    expect(approveRun.status).toBe(202);
    expect((await readJson(approveRun)).approved).toBeGreaterThan(0);
    await h.settle();
    all = await listInvoices();
    expect(all.every((i) => i.status === 'paid')).toBe(true);
    expect(all.every((i) => i.number?.startsWith('AC-'))).toBe(true);
  });

  it('numbers stay gap-free when many finalizes run at once over one SQLite file', async () => {
    await setSettings({ finalize_policy: 'approval' });
    await closeDemoDeal();
    const run = await readJson(await h.api('/api/v1/billing-runs', json('POST', { at: '2026-08-02' })));
    await h.settle();
    const ids = (await listInvoices()).map((i) => i.id);
    expect(ids.length).toBeGreaterThan(5);
    // Every finalize at once: the driver runs jobs concurrently (4 per connection).
    await Promise.all([
      ...ids.map((id) => h.api(`/api/v1/invoices/${id}/finalize`, { method: 'POST' })),
      h.api(`/api/v1/billing-runs/${run.id}/approve`, { method: 'POST' }),
    ]);
    await h.settle();
    const rows = await h.db.select({ number: invoices.number }).from(invoices).where(eq(invoices.orgId, h.orgId));
    const numbers = rows.map((r) => Number(r.number!.slice(4))).sort((a, b) => a - b);
    expect(numbers).toEqual(ids.map((_, i) => i + 1));
  });

  it('illegal actions answer 409 naming the state, and change nothing', async () => {
    await closeDemoDeal();
    const [paid] = await listInvoices();
    const res = await h.api(`/api/v1/invoices/${paid!.id}/mark-uncollectible`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect((await readJson(res)).detail).toMatch(/that is paid/);
    expect((await listInvoices())[0]!.status).toBe('paid');
    const missing = await h.api('/api/v1/invoices/inv_nope/finalize', { method: 'POST' });
    expect(missing.status).toBe(404);
  });

  it('a refused address leaves the invoice tax_pending with the reason; fixing the address retries at once', async () => {
    await setSettings({ finalize_policy: 'approval' });
    await closeDemoDeal();
    const [draft] = await listInvoices();
    const [row] = await h.db.select().from(invoices).where(eq(invoices.id, draft!.id));
    // The engine refuses a US address without a region.
    const bad = { line1: '1 Main St', city: 'Austin', region: '', postal_code: '73301', country: 'US' };
    const patched = await h.api(`/api/v1/customers/${row!.customerId}`, json('PATCH', { address: bad }));
    expect(patched.status).toBe(200);
    await h.api(`/api/v1/invoices/${draft!.id}/finalize`, { method: 'POST' });
    await h.settle();

    const pending = (await listInvoices())[0]!;
    expect(pending.status).toBe('tax_pending');
    expect(pending.number).toBe('INV-000001');
    const [stored] = await h.db.select().from(invoices).where(eq(invoices.id, draft!.id));
    expect(stored!.taxPendingReason).toMatch(/region/i);
    const [job] = await h.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.orgId, h.orgId), eq(jobs.dedupeKey, `finalize-invoice:${draft!.id}`)));
    expect(job!.state).toBe('queued');

    const badBody = await h.api(`/api/v1/customers/${row!.customerId}`, json('PATCH', { address: { city: 'x' } }));
    expect(badBody.status).toBe(400);

    const fixed = { ...bad, region: 'TX' };
    const res = await h.api(`/api/v1/customers/${row!.customerId}`, json('PATCH', { address: fixed }));
    expect(res.status).toBe(200);
    expect((await readJson(res)).retried_invoice_ids).toEqual([draft!.id]);
    await h.settle();
    const done = (await listInvoices())[0]!;
    expect(done.status).toBe('paid');
    expect(done.number).toBe('INV-000001');
  });
});
