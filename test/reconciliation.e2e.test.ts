/**
 * Reconciliation on Node against the simulators (issue #13): the demo deal's invoice and payment
 * posted to QuickBooks and paid at Stripe reconcile clean; each change made to the simulated
 * QuickBooks copy (amount, void, delete) is listed as its disagreement; a repush puts a deleted
 * document back and the next run is clean; a resolution with a reason hides an item, is in the
 * audit log and holds for the next run; another org can neither see nor fix the items. Verdicts
 * come from the API and the simulated vendors' state.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { invoices, payments } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { addApiKey, createOrgWithKey } from '../src/db/seed.js';
import { SANDBOX_NETSUITE, SANDBOX_QBO, SANDBOX_XERO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type QboDoc = Record<string, unknown> & { Id: string; DocNumber?: string; PaymentRefNum?: string; TotalAmt: number };

function qbo(h: Harness) {
  const realm = h.sims.quickbooks.state.realms.get(SANDBOX_QBO.realmId) as unknown as {
    entities: { Invoice: Map<string, QboDoc>; Payment: Map<string, QboDoc> };
  };
  return realm.entities;
}

const post = (body?: unknown): RequestInit =>
  body === undefined
    ? { method: 'POST' }
    : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };

async function paidDemoDeal() {
  h = await startHarness();
  const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
  await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
  await h.settle();
  const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
  expect(invoice!.status).toBe('paid');
  const [payment] = await h.db.select().from(payments).where(eq(payments.orgId, h.orgId));
  return { invoice: invoice!, payment: payment!, period: invoice!.issueDate.slice(0, 7) };
}

async function reconcile(system: string, period: string) {
  const res = await h!.api(`/api/v1/reconciliation/run?system=${system}&period=${period}`, post());
  expect(res.status).toBe(200);
  return readJson(res);
}

const kinds = (report: { data: { kind: string; document_kind: string }[] }) =>
  report.data.map((d) => `${d.kind}:${d.document_kind}`).sort();

describe('reconciliation', () => {
  it('clean after the demo deal; each change to the QuickBooks copy is listed; repush fixes a missing one', async () => {
    const { invoice, payment, period } = await paidDemoDeal();
    const docs = qbo(h!);
    const erpInvoice = [...docs.Invoice.values()].find((i) => i.DocNumber === invoice.number)!;
    expect(erpInvoice).toBeDefined();

    const clean = await reconcile('quickbooks', period);
    expect(clean.run).toMatchObject({ system: 'quickbooks', period, state: 'succeeded', checked: 2, open_items: 0 });
    expect(clean.run.extra_checked).toBe(false);
    expect(clean.run.note).toMatch(/extra not checked/);
    expect(clean.data).toEqual([]);
    // The provider's side: the payment as Stripe holds it.
    const stripe = await reconcile('stripe', period);
    expect(stripe.run).toMatchObject({ state: 'succeeded', checked: 1 });
    expect(stripe.data).toEqual([]);
    // GET answers the newest kept run.
    const kept = await readJson(await h!.api(`/api/v1/reconciliation?system=quickbooks&period=${period}`));
    expect(kept.run.id).toBe(clean.run.id);

    // Amount: the ERP's copy is a dollar more.
    const original = erpInvoice.TotalAmt;
    erpInvoice.TotalAmt = original + 1;
    const amount = await reconcile('quickbooks', period);
    expect(kinds(amount)).toEqual(['amount_differs:invoice']);
    expect(amount.data[0]).toMatchObject({
      ref: invoice.number,
      local_id: invoice.id,
      external_id: erpInvoice.Id,
      hub_amount_minor: invoice.totalMinor,
      vendor_amount_minor: invoice.totalMinor + 100,
      fix: 'resolve',
    });
    // Not repushable: the port cannot change a posted document.
    expect((await h!.api(`/api/v1/reconciliation/items/${amount.data[0].id}/repush`, post())).status).toBe(409);
    erpInvoice.TotalAmt = original;

    // Void: voided in QuickBooks, paid in the hub.
    const note = erpInvoice.PrivateNote;
    erpInvoice.PrivateNote = 'Voided';
    const voided = await reconcile('quickbooks', period);
    expect(kinds(voided)).toEqual(['status_differs:invoice']);
    expect(voided.data[0]).toMatchObject({ hub_status: 'paid', vendor_status: 'voided' });
    erpInvoice.PrivateNote = note;

    // Delete: the payment is gone from QuickBooks.
    const erpPayment = [...docs.Payment.values()][0]!;
    docs.Payment.delete(erpPayment.Id);
    erpInvoice.Balance = erpInvoice.TotalAmt; // as QuickBooks reopens an invoice whose payment is deleted
    const missing = await reconcile('quickbooks', period);
    expect(kinds(missing)).toEqual(['missing:payment', 'status_differs:invoice']);
    const lost = missing.data.find((d: { kind: string }) => d.kind === 'missing');
    expect(lost).toMatchObject({ local_id: payment.id, fix: 'repush', vendor_status: null });

    const repushed = await h!.api(`/api/v1/reconciliation/items/${lost.id}/repush`, post());
    expect(repushed.status).toBe(202);
    const body = await readJson(repushed);
    expect(body.item.repushed_at).not.toBeNull();
    const repushAudit = await readJson(await h!.api('/api/v1/audit-log?action=reconciliation.item_repushed'));
    expect(repushAudit.data.map((a: { subject: string }) => a.subject)).toEqual([lost.id]);
    // Twice in a row: the job is queued now, so the second is refused and changes nothing.
    expect((await h!.api(`/api/v1/reconciliation/items/${lost.id}/repush`, post())).status).toBe(409);
    await h!.settle();
    // QuickBooks holds the payment again, applied to the invoice: one payment, not two.
    expect(docs.Payment.size).toBe(1);
    const again = [...docs.Payment.values()][0]!;
    expect(again.Id).not.toBe(erpPayment.Id);
    expect(again.PaymentRefNum).toBe(erpPayment.PaymentRefNum);
    expect(erpInvoice.Balance).toBe(0);
    const fixed = await reconcile('quickbooks', period);
    expect(fixed.data).toEqual([]);

    // The provider's copy: Stripe's PaymentIntent says another amount, then that it was cancelled.
    const [intent] = [...h!.sims.stripe.state.paymentIntents.values()] as unknown as {
      amount: number;
      status: string;
    }[];
    intent!.amount += 1;
    const short = await reconcile('stripe', period);
    expect(kinds(short)).toEqual(['amount_differs:payment']);
    expect(short.data[0]).toMatchObject({ ref: invoice.id, vendor_amount_minor: payment.amountMinor + 1 });
    intent!.amount -= 1;
    intent!.status = 'canceled';
    expect(kinds(await reconcile('stripe', period))).toEqual(['status_differs:payment']);
    intent!.status = 'succeeded';
    expect((await reconcile('stripe', period)).data).toEqual([]);

    // Delete the invoice's copy: missing, repushed, clean.
    docs.Invoice.delete(erpInvoice.Id);
    const gone = await reconcile('quickbooks', period);
    const lostInvoice = gone.data.find((d: { kind: string; document_kind: string }) => d.document_kind === 'invoice');
    expect(lostInvoice).toMatchObject({ kind: 'missing', local_id: invoice.id, fix: 'repush' });
    expect((await h!.api(`/api/v1/reconciliation/items/${lostInvoice.id}/repush`, post())).status).toBe(202);
    await h!.settle();
    const back = [...docs.Invoice.values()].filter((i) => i.DocNumber === invoice.number);
    expect(back).toHaveLength(1);
    expect(back[0]!.TotalAmt).toBe(original);
  });

  it('resolve with a reason hides the item, is audit-logged and holds for the next run; other orgs get 404', async () => {
    const { invoice, period } = await paidDemoDeal();
    const erpInvoice = [...qbo(h!).Invoice.values()].find((i) => i.DocNumber === invoice.number)!;
    erpInvoice.TotalAmt += 0.5;
    const report = await reconcile('quickbooks', period);
    expect(kinds(report)).toEqual(['amount_differs:invoice']);
    const item = report.data[0];

    // The OpenAPI document lists every route.
    const doc = await readJson(await h!.hub.app.request('/api/v1/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/reconciliation',
        '/reconciliation/run',
        '/reconciliation/items/{id}/repush',
        '/reconciliation/items/{id}/resolve',
      ]),
    );

    // Another org: cannot read the run, resolve or repush the item.
    const other = await createOrgWithKey(h!.db, h!.clock, await importEncryptionKey(generateEncryptionKey()), {
      name: 'Other',
      connections: h!.sims.connections.map(({ externalAccountId: _taken, ...rest }) => rest),
    });
    const asOther = { key: other.apiKey };
    expect((await h!.api(`/api/v1/reconciliation?system=quickbooks&period=${period}`, asOther)).status).toBe(404);
    const foreign = await h!.api(`/api/v1/reconciliation/items/${item.id}/resolve`, {
      ...post({ reason: 'not mine' }),
      ...asOther,
    });
    expect(foreign.status).toBe(404);
    expect((await h!.api(`/api/v1/reconciliation/items/${item.id}/repush`, { ...post(), ...asOther })).status).toBe(
      404,
    );

    // Bad input changes nothing.
    expect((await h!.api(`/api/v1/reconciliation/items/${item.id}/resolve`, post({ reason: ' ' }))).status).toBe(400);
    expect((await h!.api(`/api/v1/reconciliation/run?system=quickbooks&period=2026-13`, post())).status).toBe(400);
    expect((await h!.api(`/api/v1/reconciliation/run?system=sage&period=${period}`, post())).status).toBe(400);
    const notConnected = await h!.api(`/api/v1/reconciliation/run?system=netsuite&period=${period}`, post());
    expect(notConnected.status).toBe(404);
    // A viewer reads but does not run or fix.
    const viewer = await addApiKey(h!.db, h!.clock, h!.orgId, 'viewer');
    expect((await h!.api(`/api/v1/reconciliation?system=quickbooks&period=${period}`, { key: viewer })).status).toBe(
      200,
    );
    expect(
      (await h!.api(`/api/v1/reconciliation/run?system=quickbooks&period=${period}`, { ...post(), key: viewer }))
        .status,
    ).toBe(403);
    expect(
      (await h!.api(`/api/v1/reconciliation/items/${item.id}/resolve`, { ...post({ reason: 'x' }), key: viewer }))
        .status,
    ).toBe(403);

    const resolved = await h!.api(
      `/api/v1/reconciliation/items/${item.id}/resolve`,
      post({ reason: 'rounding agreed with the accountant' }),
    );
    expect(resolved.status).toBe(200);
    expect((await readJson(resolved)).resolved).toMatchObject({ reason: 'rounding agreed with the accountant' });
    expect((await h!.api(`/api/v1/reconciliation/items/${item.id}/resolve`, post({ reason: 'again' }))).status).toBe(
      409,
    );

    const hidden = await readJson(await h!.api(`/api/v1/reconciliation?system=quickbooks&period=${period}`));
    expect(hidden.data).toEqual([]);
    expect(hidden.run.open_items).toBe(0);
    const shown = await readJson(
      await h!.api(`/api/v1/reconciliation?system=quickbooks&period=${period}&include_resolved=true`),
    );
    expect(shown.data.map((d: { id: string }) => d.id)).toEqual([item.id]);

    const audit = await readJson(await h!.api('/api/v1/audit-log?action=reconciliation.'));
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({ action: 'reconciliation.item_resolved', subject: item.id });
    expect(audit.data[0].detail).toMatchObject({ reason: 'rounding agreed with the accountant', ref: invoice.number });

    // The next run finds the same disagreement and keeps it resolved.
    const next = await reconcile('quickbooks', period);
    expect(next.data).toEqual([]);
    expect(next.run.open_items).toBe(0);
  });

  it('NetSuite: clean after the demo deal; a changed total and a void are listed', async () => {
    h = await startHarness({ erp: 'netsuite' });
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    const period = invoice!.issueDate.slice(0, 7);
    const clean = await reconcile('netsuite', period);
    expect(clean.run).toMatchObject({ state: 'succeeded', checked: 2 });
    expect(clean.data).toEqual([]);

    const account = h.sims.netsuite.state.accounts.get(SANDBOX_NETSUITE.accountId)!;
    const stored = [...account.records.invoice.values()][0]! as Record<string, unknown>;
    const total = stored.total as number;
    stored.total = total - 1;
    const amount = await reconcile('netsuite', period);
    expect(kinds(amount)).toEqual(['amount_differs:invoice']);
    expect(amount.data[0]).toMatchObject({ vendor_amount_minor: invoice!.totalMinor - 100 });
    stored.total = total;
    stored.memo = 'Voided';
    expect(kinds(await reconcile('netsuite', period))).toEqual(['status_differs:invoice']);
  });

  it('Xero: clean after the demo deal; a changed total, a void and a deleted payment are listed', async () => {
    h = await startHarness({ erp: 'xero' });
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    const period = invoice!.issueDate.slice(0, 7);
    const clean = await reconcile('xero', period);
    expect(clean.run).toMatchObject({ state: 'succeeded', checked: 2 });
    expect(clean.data).toEqual([]);

    // The simulated organisation's own objects (all() answers copies).
    const held = (collection: 'Invoices' | 'Payments') =>
      h!.sims.xero.state.tenants.get(SANDBOX_XERO.tenantId)!.objects[collection].values().next().value!;
    const stored = held('Invoices');
    const total = stored!.Total;
    stored!.Total = Number(total) - 1;
    const amount = await reconcile('xero', period);
    expect(kinds(amount)).toEqual(['amount_differs:invoice']);
    expect(amount.data[0]).toMatchObject({ vendor_amount_minor: invoice!.totalMinor - 100 });
    stored!.Total = total;
    stored!.Status = 'VOIDED';
    held('Payments').Status = 'DELETED';
    expect(kinds(await reconcile('xero', period))).toEqual(['missing:payment', 'status_differs:invoice']);
  });

  it('CRM: every closed-won deal of the period has a contract', async () => {
    const { period } = await paidDemoDeal();
    const crm = await reconcile('crm', period);
    expect(crm.run.state).toBe('succeeded');
    expect(crm.run.checked).toBeGreaterThanOrEqual(1);
    expect(crm.data).toEqual([]);
    // A deal won in the CRM that never reached the hub (no webhook, no poll yet).
    const { opportunityId } = h!.sims.salesforce.seedClosedWonOpportunity();
    const gap = await reconcile('crm', period);
    expect(gap.data.map((d: { kind: string; ref: string }) => [d.kind, d.ref])).toEqual([['missing', opportunityId]]);
    // Its repush queues the deal's own deal-to-contract job; once it ran, the CRM side is clean.
    expect(gap.data[0].fix).toBe('repush');
    const repushed = await h!.api(`/api/v1/reconciliation/items/${gap.data[0].id}/repush`, post());
    expect(repushed.status).toBe(202);
    await h!.settle();
    expect((await reconcile('crm', period)).data).toEqual([]);
  });
});
