/**
 * The sandbox deal to cash with Xero as the org's ERP (HUB_SANDBOX_ERP=xero), on Node against the
 * simulators: the demo deal's contact, items, invoice and payment reach the simulated Xero
 * organisation once each, amounts tying out with the hub's; a credit note follows it; a void of an
 * unpaid invoice sets it VOIDED; a crash after Xero accepted each write and before our commit
 * leaves no duplicate. Verdicts come from the simulated organisation.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Collection } from '../adapters/xero/simulator/index.js';
import { invoices } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { SANDBOX_QBO, SANDBOX_XERO } from '../src/runtime/simulators.js';
import { configureConnection, type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const xero = (x: Harness, collection: Collection) => x.sims.xero.all(SANDBOX_XERO.tenantId, collection);

const xeroCounts = (x: Harness) => ({
  contacts: xero(x, 'Contacts').length,
  items: xero(x, 'Items').length,
  invoices: xero(x, 'Invoices').length,
  payments: xero(x, 'Payments').length,
});

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

async function closeDeal(x: Harness): Promise<string> {
  const { opportunityId } = x.sims.salesforce.seedClosedWonOpportunity();
  const ack = await x.deliverOutboundMessage(x.sims.salesforce.outboundMessageFor(opportunityId));
  expect(ack.status).toBe(200);
  return opportunityId;
}

describe('deal to cash with Xero as the ERP', () => {
  it('posts contact, items, invoice and payment once to Xero, then a credit note; nothing goes to QuickBooks', async () => {
    h = await startHarness({ erp: 'xero' });
    const opportunityId = await closeDeal(h);
    await h.settle();

    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    const [invoice] = trace.invoices;
    expect(invoice.status).toBe('paid');
    expect(xeroCounts(h)).toEqual({ contacts: 1, items: 2, invoices: 1, payments: 1 });
    expect(h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(0);

    // The invoice Xero holds is ours: our number, our total (the engine's tax on the lines), paid in full.
    const [stored] = xero(h, 'Invoices');
    expect(stored).toMatchObject({ Type: 'ACCREC', InvoiceNumber: invoice.number, Status: 'PAID', AmountDue: 0 });
    expect(Math.round((stored!.Total as number) * 100)).toBe(invoice.total_minor);
    expect(xero(h, 'Payments')[0]).toMatchObject({ PaymentType: 'ACCRECPAYMENT', Amount: stored!.Total });
    expect(trace.jobs.every((j: { state: string }) => j.state === 'succeeded')).toBe(true);

    // A credit note on the paid invoice: one ACCRECCREDIT note in Xero with our number and total.
    const asked = await h.api(`/api/v1/invoices/${invoice.id}/credit-notes`, post({ reason: 'duplicate' }));
    expect(asked.status).toBe(202);
    const note = await readJson(asked);
    await h.settle();
    const notes = xero(h, 'CreditNotes');
    expect(notes).toHaveLength(1);
    const numbered = await readJson(await h.api(`/api/v1/invoices/${note.id}`));
    expect(notes[0]).toMatchObject({
      Type: 'ACCRECCREDIT',
      CreditNoteNumber: numbered.number,
      Status: expect.any(String),
    });
    expect(Math.round((notes[0]!.Total as number) * 100)).toBe(note.total_minor);
    expect(xeroCounts(h).invoices).toBe(1);
  });

  it('voids an unpaid invoice in Xero: VOIDED, nothing left due', async () => {
    h = await startHarness({ erp: 'xero' });
    // No test card: the PaymentIntent waits for the customer, so the invoice stays open.
    await configureConnection(h, 'stripe', 'testPaymentMethod', '');
    await closeDeal(h);
    await h.settle();
    const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    expect(invoice!.status).toBe('finalized');
    expect(xero(h, 'Invoices')[0]).toMatchObject({ Status: 'AUTHORISED' });

    expect((await h.api(`/api/v1/invoices/${invoice!.id}/void`, { method: 'POST' })).status).toBe(202);
    await h.settle();
    expect(xero(h, 'Invoices')).toHaveLength(1);
    expect(xero(h, 'Invoices')[0]).toMatchObject({ InvoiceNumber: invoice!.number, Status: 'VOIDED', AmountDue: 0 });
  });

  it.each([
    ['post-invoice-to-erp', 'erp-customer'],
    ['post-invoice-to-erp', 'erp-items'],
    ['post-invoice-to-erp', 'erp-invoice'],
    ['post-payment-to-erp', 'erp-payment'],
  ] as const)(
    'crash after Xero accepted %s › %s, before our commit: no duplicate after restart',
    async (flow, step) => {
      let crashed = false;
      h = await startHarness({
        erp: 'xero',
        hooks: {
          afterExternalWrite: (f, s) => {
            if (!crashed && f === flow && s === step) {
              crashed = true;
              throw new SimulatedCrash(`after ${f} › ${s}`);
            }
          },
        },
      });
      await closeDeal(h);
      await expect(h.settle()).rejects.toThrow(/simulated crash/);
      expect(crashed).toBe(true);
      await h.restart();
      h.clock.advance(6 * 60_000);
      await h.settle();
      expect(xeroCounts(h)).toEqual({ contacts: 1, items: 2, invoices: 1, payments: 1 });
    },
  );

  it('crash after Xero accepted the credit note, before our commit: one credit note after restart', async () => {
    let armed = false;
    let crashed = false;
    h = await startHarness({
      erp: 'xero',
      hooks: {
        afterExternalWrite: (f, s) => {
          if (armed && !crashed && f === 'issue-credit-note' && s === 'erp-credit-memo') {
            crashed = true;
            throw new SimulatedCrash(`after ${f} › ${s}`);
          }
        },
      },
    });
    await closeDeal(h);
    await h.settle();
    const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    armed = true;
    expect((await h.api(`/api/v1/invoices/${invoice!.id}/credit-notes`, post({ reason: 'duplicate' }))).status).toBe(
      202,
    );
    await expect(h.settle()).rejects.toThrow(/simulated crash/);
    expect(crashed).toBe(true);
    expect(xero(h, 'CreditNotes')).toHaveLength(1);
    await h.restart();
    h.clock.advance(6 * 60_000);
    await h.settle();
    expect(xero(h, 'CreditNotes')).toHaveLength(1);
    // The invoice was paid, so the note is refunded: the cash paid back is a payment on the credit note.
    expect(xeroCounts(h)).toEqual({ contacts: 1, items: 2, invoices: 1, payments: 2 });
    const refunds = xero(h, 'Payments').filter((p) => p.CreditNote !== undefined);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ CreditNote: { CreditNoteID: xero(h, 'CreditNotes')[0]!.CreditNoteID } });
  });
});
