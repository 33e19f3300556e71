/**
 * Issue #10 on Node against the simulators: credit notes go the whole way downstream. A note
 * asked for through the API (whole invoice or part of a line) ends with a return document at the
 * tax engine, a CreditMemo in QuickBooks, a balanced ledger and its settlement: what is due goes
 * down, customer credit spent once by the next invoice, or a Stripe refund. A credit larger than
 * what is left is a 409 that writes nothing, also when two requests race; a crash after the tax
 * return or after the refund makes no second one. Judged by the API and the simulated vendors.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowHooks } from '../flows/index.js';
import { atomic } from '../src/db/atomic.js';
import { getInvoiceWithLines } from '../src/db/repos/billing.js';
import { creditNoteStatements, isGuardFailure } from '../src/db/repos/credit-notes.js';
import { creditNotes, invoiceLines, invoices, jobs, ledgerEntries, ledgerLines } from '../src/db/schema.js';
import { planCreditNote } from '../src/domain/credit-notes.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { SANDBOX_AVALARA_COMPANY } from '../src/runtime/simulators.js';
import { configureConnection, type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The demo deal closed and carried to cash (or left open, when Stripe confirms no payment method). */
async function closeDemoDeal(options: { pays?: boolean } = {}) {
  if (options.pays === false) await configureConnection(h, 'stripe', 'testPaymentMethod', '');
  const seeded = h.sims.salesforce.seedClosedWonOpportunity();
  expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(200);
  await h.settle();
  const list = await readJson(await h.api('/api/v1/invoices'));
  return { ...seeded, invoice: list.data[0] as { id: string; status: string; total_minor: number; number: string } };
}

const detail = async (id: string) => readJson(await h.api(`/api/v1/invoices/${id}`));

async function creditNote(invoiceId: string, body: unknown) {
  const res = await h.api(`/api/v1/invoices/${invoiceId}/credit-notes`, post(body));
  return { status: res.status, body: await readJson(res) };
}

const returnDoc = (code: string) => h.sims.avalara.state.find(SANDBOX_AVALARA_COMPANY, code, 'ReturnInvoice');
const creditMemos = () =>
  [
    ...(
      [...h.sims.quickbooks.state.realms.values()][0] as { entities: { CreditMemo?: Map<string, unknown> } }
    ).entities.CreditMemo!.values(),
  ] as { DocNumber: string; TotalAmt: number }[];
const refunds = () => [...h.sims.stripe.state.refunds.values()];

/** Every entry balances, and the receivable each account nets to, over the whole org. */
async function ledger() {
  const entries = await h.db.select().from(ledgerEntries).where(eq(ledgerEntries.orgId, h.orgId));
  const lines = await h.db.select().from(ledgerLines).where(eq(ledgerLines.orgId, h.orgId));
  for (const e of entries) {
    const own = lines.filter((l) => l.entryId === e.id);
    expect(own.reduce((s, l) => s + l.debitMinor - l.creditMinor, 0)).toBe(0);
  }
  const net = (account: string) =>
    lines.filter((l) => l.account === account).reduce((s, l) => s + l.debitMinor - l.creditMinor, 0);
  return { kinds: entries.map((e) => e.kind).sort(), net };
}

async function rowCounts() {
  const count = async (table: typeof invoices | typeof invoiceLines | typeof creditNotes | typeof jobs) =>
    (await h.db.select().from(table)).length;
  return {
    invoices: await count(invoices),
    lines: await count(invoiceLines),
    creditNotes: await count(creditNotes),
    jobs: await count(jobs),
  };
}

describe('credit notes from the API go the whole way', () => {
  it('a whole credit note of a paid invoice is refunded: tax return, QuickBooks credit memo, refund, ledger at zero', async () => {
    h = await startHarness();
    const { invoice } = await closeDemoDeal();
    expect(invoice.status).toBe('paid');
    const asked = await creditNote(invoice.id, { reason: 'duplicate', memo: 'billed twice' });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({
      status: 'draft',
      number: null,
      invoice_id: invoice.id,
      settlement: 'refund',
      total_minor: invoice.total_minor,
      memo: 'billed twice',
    });
    await h.settle();

    const note = await detail(asked.body.id);
    expect(note).toMatchObject({ kind: 'credit_note', status: 'paid', number: 'CN-INV-000001' });
    expect(note.credit_note).toEqual({
      reason: 'duplicate',
      settlement: 'refund',
      memo: 'billed twice',
      // USD has no step at Stripe: all of it refunded.
      settled_split: { refund_minor: 214_500, customer_credit_minor: 0 },
    });
    // The engine holds a return for the note's number, referencing the sale, giving back its whole tax.
    const ret = returnDoc('CN-INV-000001')!;
    expect(ret.status).toBe('Committed');
    expect([ret.referenceCode, ret.taxDate]).toEqual([invoice.number, '2026-03-02']);
    expect(note.tax_minor).toBe((await detail(invoice.id)).tax_minor);
    expect(creditMemos()).toEqual([expect.objectContaining({ DocNumber: 'CN-INV-000001', TotalAmt: 2145 })]);
    expect(refunds().map((r) => [r.amount, r.payment_intent, r.reason])).toEqual([
      [invoice.total_minor, expect.any(String), 'duplicate'],
    ]);
    const books = await ledger();
    expect(books.kinds).toEqual(['credit_note_issued', 'invoice_issued', 'payment_received', 'refund_issued']);
    // Issued, paid, credited, refunded: the customer owes nothing and is owed nothing.
    expect(books.net('accounts_receivable')).toBe(0);
    expect(books.net('revenue')).toBe(0);
    expect(books.net('tax_payable')).toBe(0);

    // The invoice shows the note with its jobs; nothing is left to credit.
    const inv = await detail(invoice.id);
    expect(inv.credit_notes).toEqual([
      expect.objectContaining({ id: asked.body.id, status: 'paid', settlement: 'refund', reason: 'duplicate' }),
    ]);
    const issue = inv.timeline.find((t: { flow: string }) => t.flow === 'issue-credit-note');
    expect(issue.state).toBe('succeeded');
    expect(issue.steps.map((s: { step: string }) => s.step).sort()).toEqual(
      ['erp-credit-memo', 'erp-customer', 'erp-items', 'finalize', 'number', 'settle', 'tax-return'].sort(),
    );
    const again = await creditNote(invoice.id, { reason: 'other' });
    expect(again.status).toBe(409);
  });

  it('part of a line kept as customer credit is spent once, by the next invoice only', async () => {
    h = await startHarness();
    const { invoice, opportunityId } = await closeDemoDeal();
    const asked = await creditNote(invoice.id, {
      reason: 'product_unsatisfactory',
      lines: [{ line_no: 2, amount_minor: 25_000 }],
      settlement: 'customer_credit',
    });
    expect(asked.status).toBe(202);
    // 250.00 of a 1000.00 line taxed 72.50: a quarter of its tax, 18.13 (half up).
    expect(asked.body).toMatchObject({ subtotal_minor: 25_000, tax_minor: 1813, total_minor: 26_813 });
    await h.settle();
    // The engine gave back exactly the planned share of tax.
    expect(await detail(asked.body.id)).toMatchObject({ status: 'paid', tax_minor: 1813, total_minor: 26_813 });
    expect(returnDoc((await detail(asked.body.id)).number)!.status).toBe('Committed');
    expect(creditMemos()).toHaveLength(1);
    expect(refunds()).toHaveLength(0);
    expect((await ledger()).net('customer_credit')).toBe(-26_813);

    // The next two months: the first of them spends the credit, the second pays in full.
    await h.api('/api/v1/billing-settings', { ...post({ grace_seconds: 0 }), method: 'PUT' });
    expect((await h.api('/api/v1/billing-runs', post({ at: '2026-05-02' }))).status).toBe(202);
    await h.settle();
    // Collections that read the same balance at once: the one whose draw lost the race retries.
    const retried = (await h.db.select().from(jobs)).filter((j) => j.state === 'queued');
    for (const j of retried)
      expect([j.dedupeKey.split(':')[0], j.lastError]).toEqual([
        'collect-payment',
        expect.stringMatching(/lost a race/),
      ]);
    h.clock.advance(60_000);
    await h.settle();
    const all = (await readJson(await h.api('/api/v1/invoices?limit=100'))).data as {
      id: string;
      number: string;
      status: string;
      total_minor: number;
      amount_due_minor: number;
    }[];
    const later = all.filter((i) => i.id !== invoice.id).sort((a, b) => a.number.localeCompare(b.number));
    expect(later.length).toBeGreaterThanOrEqual(2);
    expect(all.map((i) => [i.number, i.status, i.amount_due_minor])).toEqual(all.map((i) => [i.number, 'paid', 0]));
    const charged = new Map(
      [...h.sims.stripe.state.paymentIntents.values()].map((p) => [p.metadata.hub_invoice_id, p.amount]),
    );
    // Exactly one later invoice spent the credit (whichever collected first: the job driver runs
    // invoices of one billing run side by side); every other one was charged in full.
    const spenders = later.filter((i) => charged.get(i.id) === i.total_minor - 26_813);
    expect(spenders).toHaveLength(1);
    const first = spenders[0]!;
    for (const other of later.filter((i) => i.id !== first.id && i.total_minor > 0)) {
      expect(charged.get(other.id)).toBe(other.total_minor);
    }
    const firstDetail = await detail(first.id);
    expect(firstDetail.credited_minor).toBe(26_813);
    expect(firstDetail.ledger_entries.map((e: { kind: string }) => e.kind)).toContain('customer_credit_applied');
    const books = await ledger();
    expect(books.net('customer_credit')).toBe(0);
    expect(books.net('accounts_receivable')).toBe(0);
    // What the credit paid of that invoice can be credited back as credit, not refunded in cash.
    const refund = await creditNote(first.id, { reason: 'other' });
    expect(refund.status).toBe(409);
    expect(refund.body.detail).toMatch(/cash paid/);
    expect((await creditNote(first.id, { reason: 'other', settlement: 'customer_credit' })).status).toBe(202);
    // The deal's trace shows the note, its jobs and its vendor refs.
    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.invoices.map((i: { id: string }) => i.id)).toContain(asked.body.id);
    expect(
      trace.jobs.find((j: { dedupe_key: string }) => j.dedupe_key === `issue-credit-note:${asked.body.id}`).state,
    ).toBe('succeeded');
    expect(
      trace.external_refs
        .filter((r: { local_id: string }) => r.local_id === asked.body.id)
        .map((r: { object_type: string }) => r.object_type)
        .sort(),
    ).toEqual(['credit_memo', 'tax_return']);
  });

  it('on an open invoice a whole credit lowers what is due to zero: paid without a payment, the open attempt cancelled', async () => {
    h = await startHarness();
    const { invoice } = await closeDemoDeal({ pays: false });
    expect(invoice.status).toBe('finalized');
    const asked = await creditNote(invoice.id, { reason: 'order_change' });
    expect(asked.body.settlement).toBe('reduce_due');
    await h.settle();
    const inv = await detail(invoice.id);
    expect(inv).toMatchObject({ status: 'paid', amount_due_minor: 0, amount_paid_minor: 0 });
    expect(inv.credited_minor).toBe(invoice.total_minor);
    const [intent] = [...h.sims.stripe.state.paymentIntents.values()];
    expect(intent!.status).toBe('canceled');
    expect(creditMemos()).toHaveLength(1);
    const books = await ledger();
    expect(books.net('accounts_receivable')).toBe(0);
    expect(books.net('cash')).toBe(0);
  });

  it('a partial credit of an open invoice lowers its amount due; a later collection charges only that', async () => {
    h = await startHarness();
    await h.api('/api/v1/billing-settings', { ...post({ finalize_policy: 'approval' }), method: 'PUT' });
    const { invoice } = await closeDemoDeal({ pays: false });
    // Finalized by hand without collection yet: the invoice waits for approval.
    expect(invoice.status).toBe('draft');
    await h.api(`/api/v1/invoices/${invoice.id}/approve`, { method: 'POST' });
    await h.settle();
    const open = await detail(invoice.id);
    expect(open.status).toBe('finalized');
    const asked = await creditNote(invoice.id, { reason: 'other', lines: [{ line_no: 1, amount_minor: 10_000 }] });
    expect(asked.status).toBe(202);
    await h.settle();
    const after = await detail(invoice.id);
    expect(after.status).toBe('finalized');
    expect(after.amount_due_minor).toBe(open.total_minor - asked.body.total_minor);
    expect((await ledger()).net('accounts_receivable')).toBe(after.amount_due_minor);
    const note = await detail(asked.body.id);
    expect(returnDoc(note.number)!.referenceCode).toBe(open.number);
    expect(creditMemos()).toEqual([expect.objectContaining({ DocNumber: note.number })]);
  });
});

describe('credit limits', () => {
  it('a credit larger than what is left is a 409 with nothing written; bad input a 400', async () => {
    h = await startHarness();
    const { invoice } = await closeDemoDeal();
    const first = await creditNote(invoice.id, { reason: 'other', lines: [{ line_no: 1 }] });
    expect(first.status).toBe(202);
    await h.settle();
    const before = await rowCounts();
    const tooMuch = await creditNote(invoice.id, { reason: 'other', lines: [{ line_no: 1, amount_minor: 1 }] });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.detail).toMatch(/left to credit/);
    const unknownField = await creditNote(invoice.id, { reason: 'other', amount: 5 });
    expect(unknownField.status).toBe(400);
    // The unknown field is named (the shared strict-body rule of src/http/problem.ts).
    expect(unknownField.body.errors[0].field).toBe('amount');
    const badLine = await creditNote(invoice.id, { reason: 'other', lines: [{ line_no: 9 }] });
    expect(badLine.status).toBe(400);
    expect(badLine.body.errors).toEqual([expect.objectContaining({ field: 'lines.0.line_no' })]);
    const badReason = await creditNote(invoice.id, { reason: 'because' });
    expect(badReason.status).toBe(400);
    const missing = await creditNote('inv_nope', { reason: 'other' });
    expect(missing.status).toBe(404);
    expect(await rowCounts()).toEqual(before);
    // A viewer key may not credit.
    const viewer = await h.api(`/api/v1/invoices/${invoice.id}/credit-notes`, {
      ...post({ reason: 'other' }),
      key: 'x',
    });
    expect([401, 403]).toContain(viewer.status);
  });

  it('two credit notes that together exceed the invoice: one is written, the other is a 409', async () => {
    h = await startHarness();
    const { invoice } = await closeDemoDeal();
    const before = await rowCounts();
    const [a, b] = await Promise.all([
      creditNote(invoice.id, { reason: 'other', lines: [{ line_no: 1 }, { line_no: 2, amount_minor: 60_000 }] }),
      creditNote(invoice.id, { reason: 'other', lines: [{ line_no: 2, amount_minor: 60_000 }] }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const after = await rowCounts();
    expect(after.creditNotes - before.creditNotes).toBe(1);
    expect(after.jobs - before.jobs).toBe(1);
  });

  it("the write's guard refuses a note planned on a stale read (the race the route can lose)", async () => {
    h = await startHarness();
    const { invoice } = await closeDemoDeal();
    const found = (await getInvoiceWithLines(h.db, h.orgId, invoice.id))!;
    const planned = planCreditNote(
      {
        status: found.invoice.status,
        totalMinor: found.invoice.totalMinor,
        amountPaidMinor: found.invoice.amountPaidMinor,
        lines: found.lines.map((l) => ({ lineNo: l.lineNo, amountMinor: l.amountMinor, taxMinor: l.taxMinor })),
      },
      [],
      { lines: [{ lineNo: 1 }, { lineNo: 2, amountMinor: 60_000 }] },
    );
    if (!planned.ok) throw new Error(planned.detail);
    const write = (id: string) =>
      creditNoteStatements(h.db, h.orgId, {
        id,
        invoice: found.invoice,
        invoiceLines: found.lines,
        plan: planned.plan,
        reason: 'other',
        memo: null,
        issueDate: '2026-03-02',
        now: '2026-03-02T09:00:00Z',
      });
    await atomic(h.db, await write('cn_one'));
    const second = await atomic(h.db, await write('cn_two')).catch((error: unknown) => error);
    expect(isGuardFailure(second)).toBe(true);
    const stored = await h.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.orgId, h.orgId), eq(invoices.creditedInvoiceId, invoice.id)));
    expect(stored.map((n) => n.id)).toEqual(['cn_one']);
  });
});

/** Crashes once, right after the given flow step's vendor write and before its commit. */
function crashAfter(flow: string, step: string) {
  const hooks = {
    fired: false,
    afterExternalWrite: (f: string, s: string) => {
      if (!hooks.fired && f === flow && s === step) {
        hooks.fired = true;
        throw new SimulatedCrash(`after ${f} › ${s}`);
      }
    },
  };
  const typed: FlowHooks = hooks;
  void typed;
  return hooks;
}

async function settleThroughCrash() {
  await h.settle().catch((error) => {
    if (!/simulated crash/i.test(String(error))) throw error;
  });
  await h.restart();
  // The dead process's lease runs out, then the job runs again.
  h.clock.advance(6 * 60_000);
  await h.settle();
}

describe('crashes after a vendor write', () => {
  it('after the tax return: the retry finds it, no second return document', async () => {
    const crash = crashAfter('issue-credit-note', 'tax-return');
    h = await startHarness({ hooks: crash });
    const { invoice } = await closeDemoDeal();
    const asked = await creditNote(invoice.id, { reason: 'duplicate' });
    await settleThroughCrash();
    expect(crash.fired).toBe(true);
    const note = await detail(asked.body.id);
    expect(note.status).toBe('paid');
    const returns = h.sims.avalara.state
      .transactions(SANDBOX_AVALARA_COMPANY)
      .filter((t) => t.type === 'ReturnInvoice');
    expect(returns.map((t) => [t.code, t.version])).toEqual([[note.number, 1]]);
    expect(refunds()).toHaveLength(1);
    expect(creditMemos()).toHaveLength(1);
  });

  it('after the refund: the retry finds it, no second refund', async () => {
    const crash = crashAfter('issue-credit-note', 'settle');
    h = await startHarness({ hooks: crash });
    const { invoice } = await closeDemoDeal();
    const asked = await creditNote(invoice.id, { reason: 'duplicate', lines: [{ line_no: 1 }] });
    await settleThroughCrash();
    expect(crash.fired).toBe(true);
    expect((await detail(asked.body.id)).status).toBe('paid');
    expect(refunds().map((r) => r.amount)).toEqual([asked.body.total_minor]);
    const books = await ledger();
    expect(books.kinds.filter((k) => k === 'refund_issued')).toHaveLength(1);
    const notDone = (await h.db.select().from(jobs)).filter((j) => j.state !== 'succeeded');
    expect(notDone.map((j) => `${j.dedupeKey}: ${j.lastError}`)).toEqual([]);
  });
});

describe('an amendment credit note', () => {
  it('is issued downstream: tax return, QuickBooks, settled as customer credit the prorated charge spends', async () => {
    h = await startHarness();
    const { opportunityId, lineItemIds, invoice } = await closeDemoDeal();
    h.clock.set('2026-03-16T10:00:00Z');
    h.sims.salesforce.state.store.update('OpportunityLineItem', lineItemIds[1]!, { Quantity: 30 });
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();

    const notes = (await readJson(await h.api(`/api/v1/credit-notes?invoice_id=${invoice.id}`))).data;
    expect(notes).toHaveLength(1);
    const note = await detail(notes[0].id);
    // The invoice was paid: the note is kept as customer credit (defaultSettlement).
    expect(note).toMatchObject({
      status: 'paid',
      credit_note: { reason: 'order_change', settlement: 'customer_credit' },
    });
    expect(note.number).toBe('CN-INV-000001');
    expect(note.tax_minor).toBeGreaterThan(0);
    expect(returnDoc(note.number)!.status).toBe('Committed');
    expect(creditMemos().map((m) => m.DocNumber)).toEqual([note.number]);
    expect(note.erp_refs).toEqual([expect.objectContaining({ system: 'quickbooks', object_type: 'credit_memo' })]);

    // The prorated charge finalizes after its grace period and spends the credit first.
    const { runFinalizeSweep } = await import('../flows/finalize-sweep.js');
    h.clock.advance(2 * 3600_000);
    await runFinalizeSweep(h.hub.context);
    await h.settle();
    const charge = (await readJson(await h.api('/api/v1/invoices?kind=proration'))).data[0];
    expect(charge).toMatchObject({ status: 'paid', amount_due_minor: 0 });
    const intent = [...h.sims.stripe.state.paymentIntents.values()].find(
      (p) => p.metadata.hub_invoice_id === charge.id,
    );
    expect(intent!.amount).toBe(charge.total_minor - note.total_minor);
    const books = await ledger();
    expect(books.net('customer_credit')).toBe(0);
    expect(books.net('accounts_receivable')).toBe(0);
  });
});
