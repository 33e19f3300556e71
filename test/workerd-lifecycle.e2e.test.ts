/**
 * Issue #10 under workerd (D1, Queues, Cron): after the demo deal, a billing run two months
 * ahead ends with every invoice of the run paid and at QuickBooks, on queue delivery and the cron
 * sweep alone. Waiting is a bounded loop of polls; no sleep decides an assertion.
 */
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerdSandbox, type WorkerdSandbox } from './support/workerd-sandbox.js';

let w: WorkerdSandbox;

beforeAll(async () => {
  w = await startWorkerdSandbox();
}, 120_000);

afterAll(async () => {
  await w?.close();
});

interface ListedInvoice {
  id: string;
  number: string | null;
  status: string;
  erp_refs: { system: string }[];
}

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('every invoice goes the whole way on workerd', () => {
  it('a billing run two months ahead ends with every invoice paid and carrying a quickbooks ref', async () => {
    const before = w.cash();
    const opportunityId = await w.closeSalesforceDeal();
    await w.expectPaid('salesforce', opportunityId, { before, sweep: true });
    expect((await w.api('/api/v1/billing-settings', json('PUT', { grace_seconds: 0 }))).status).toBe(200);

    const at = new Date(Date.now() + 62 * 86_400_000).toISOString().slice(0, 10);
    const started = await w.api('/api/v1/billing-runs', json('POST', { at }));
    expect(started.status).toBe(202);

    let listed: ListedInvoice[] = [];
    const done = (list: ListedInvoice[]) =>
      list.length > 1 && list.every((i) => i.status === 'paid' && i.erp_refs.some((r) => r.system === 'quickbooks'));
    for (let round = 0; round < 300 && !done(listed); round++) {
      if (w.sims.stripe.state.outbox.length > 0) await w.sims.stripe.flushWebhooks();
      listed = ((await (await w.api('/api/v1/invoices?limit=100')).json()) as { data: ListedInvoice[] }).data;
      if (!done(listed)) {
        await w.hub.sweep();
        await new Promise((r) => setTimeout(r, 100)); // pacing between polls, not an assertion
      }
    }
    expect(listed.length).toBeGreaterThan(1);
    expect(listed.filter((i) => i.status !== 'paid')).toEqual([]);
    expect(listed.filter((i) => !i.erp_refs.some((r) => r.system === 'quickbooks'))).toEqual([]);
    const numbers = listed.map((i) => Number(i.number!.slice(4))).sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  }, 120_000);

  it('prints an invoice as HTML and as a pdf-lib PDF under workerd', async () => {
    const listed = ((await (await w.api('/api/v1/invoices?limit=1')).json()) as { data: ListedInvoice[] }).data;
    const invoice = listed[0]!;
    expect(invoice.number).toMatch(/^INV-/);
    const page = await w.api(`/api/v1/invoices/${invoice.id}/document`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain(`Invoice ${invoice.number}`);
    const res = await w.api(`/api/v1/invoices/${invoice.id}/document`, { headers: { accept: 'application/pdf' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = await PDFDocument.load(new Uint8Array(await res.arrayBuffer()));
    expect(pdf.getPageCount()).toBeGreaterThanOrEqual(1);
    expect(pdf.getTitle()).toBe(`Invoice ${invoice.number}`);
  }, 60_000);

  it('a credit note of the first invoice goes the whole way: tax return, QuickBooks credit memo, refund', async () => {
    const [first] = ((await (await w.api('/api/v1/invoices?kind=first')).json()) as { data: ListedInvoice[] }).data;
    const asked = await w.api(`/api/v1/invoices/${first!.id}/credit-notes`, json('POST', { reason: 'duplicate' }));
    expect(asked.status).toBe(202);
    const { id } = (await asked.json()) as { id: string };
    type Note = ListedInvoice & { credit_note: { settlement: string }; tax: { engine_refs: unknown[] } };
    let note: Note | undefined;
    const done = (n?: Note) => n?.status === 'paid' && n.erp_refs.some((r) => r.system === 'quickbooks');
    for (let round = 0; round < 300 && !done(note); round++) {
      note = (await (await w.api(`/api/v1/invoices/${id}`)).json()) as Note;
      if (!done(note)) await new Promise((r) => setTimeout(r, 100)); // pacing between polls, not an assertion
    }
    expect(note).toMatchObject({ status: 'paid', credit_note: { settlement: 'refund' } });
    expect(note!.number).toMatch(/^CN-/);
    expect(note!.tax.engine_refs).toHaveLength(1);
    expect([...w.sims.stripe.state.refunds.values()].map((r) => r.metadata.hub_credit_note_id)).toEqual([id]);
  }, 120_000);
});
