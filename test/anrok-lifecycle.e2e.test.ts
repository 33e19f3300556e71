/**
 * An org that chose Anrok as its tax engine (PUT /api/v1/tax-settings), on Node against the
 * simulators: a finalized invoice is one Anrok transaction keyed by its number whose line taxes
 * the invoice keeps; a whole credit note is Anrok's negation of it; a void voids it; an Anrok
 * outage leaves the invoice tax_pending until Anrok answers again, with no one asking; an address
 * Anrok cannot resolve waits with Anrok's reason until PATCH /customers/{id} fixes it. Judged by
 * the API and by what the Anrok simulator holds.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { invoices } from '../src/db/schema.js';
import { configureConnection, type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const detail = async (id: string) => readJson(await h.api(`/api/v1/invoices/${id}`));
/** What these tests read of a listed invoice. */
interface ListedInvoice {
  id: string;
  status: string;
  number: string;
}
const listInvoices = async () => (await readJson(await h.api('/api/v1/invoices'))).data as ListedInvoice[];

async function withAnrok() {
  h = await startHarness();
  const res = await h.api('/api/v1/tax-settings', json('PUT', { engine: 'anrok' }));
  expect(res.status).toBe(200);
  expect(await readJson(res)).toEqual({ engine: 'anrok', effective_engine: 'anrok', manual: false });
}

async function closeDemoDeal(options: { pays?: boolean; approval?: boolean } = {}) {
  if (options.pays === false) await configureConnection(h, 'stripe', 'testPaymentMethod', '');
  if (options.approval) {
    expect((await h.api('/api/v1/billing-settings', json('PUT', { finalize_policy: 'approval' }))).status).toBe(200);
  }
  const seeded = h.sims.salesforce.seedClosedWonOpportunity();
  await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId));
  await h.settle();
  return (await listInvoices())[0]!;
}

describe('Anrok through the invoice lifecycle', () => {
  it('finalize commits one Anrok transaction; the invoice keeps its line taxes; a whole credit note negates it', async () => {
    await withAnrok();
    const invoice = await closeDemoDeal();
    const [taxed] = await h.db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(taxed!.taxPendingReason).toBeNull();
    expect(invoice.status).toBe('paid');
    const inv = await detail(invoice.id);
    expect(inv.tax).toMatchObject({ engine: 'anrok', manual: false });
    const tx = h.sims.anrok.state.find(invoice.number)!;
    expect(tx).toMatchObject({ type: 'normal', version: 1, currencyCode: 'USD' });
    // Invoice, engine and the books agree to the cent, line by line.
    const anrokLineTax = tx.lines.map((l) => l.tax);
    expect(inv.lines.map((l: { tax_minor: number }) => l.tax_minor)).toEqual(anrokLineTax);
    expect(inv.tax_minor).toBe(anrokLineTax.reduce((a, b) => a + b, 0));
    expect(tx.lines.map((l) => l.amount)).toEqual(inv.lines.map((l: { amount_minor: number }) => l.amount_minor));
    // The hub registered its products at Anrok with the connection's tax category.
    for (const l of tx.lines) expect(h.sims.anrok.state.products.get(l.productExternalId)?.taxCategoryId).toBe('saas');
    // Nothing went to Avalara.
    expect(h.sims.avalara.state.transactions('HUBDEMO')).toHaveLength(0);

    const asked = await h.api(`/api/v1/invoices/${invoice.id}/credit-notes`, json('POST', { reason: 'duplicate' }));
    expect(asked.status).toBe(202);
    const noteId = (await readJson(asked)).id;
    await h.settle();
    const note = await detail(noteId);
    expect(note).toMatchObject({ kind: 'credit_note', status: 'paid', tax_minor: inv.tax_minor });
    const negation = h.sims.anrok.state.find(`return-${note.number}`)!;
    expect(negation.negationOf).toBe(invoice.number);
    expect(negation.lines.map((l) => -l.tax)).toEqual(anrokLineTax);
    expect(h.sims.anrok.state.count()).toBe(2);
  });

  it('a void voids the Anrok transaction', async () => {
    await withAnrok();
    const invoice = await closeDemoDeal({ pays: false });
    expect(invoice.status).toBe('finalized');
    expect(h.sims.anrok.state.find(invoice.number)?.type).toBe('normal');
    const res = await h.api(`/api/v1/invoices/${invoice.id}/void`, { method: 'POST' });
    expect(res.status).toBeLessThan(300);
    await h.settle();
    expect((await detail(invoice.id)).status).toBe('void');
    expect(h.sims.anrok.state.find(invoice.number)?.type).toBe('void');
  });

  it('Anrok answering 503 leaves the invoice tax_pending; it finalizes by itself once Anrok is back', async () => {
    await withAnrok();
    h.sims.anrok.faults.always('/v1/seller/transactions/createOrUpdate', { kind: 'status', status: 503 });
    const invoice = await closeDemoDeal();
    expect(invoice.status).toBe('tax_pending');
    const [row] = await h.db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(row!.taxPendingReason).toMatch(/Anrok server error/);
    expect(h.sims.anrok.state.count()).toBe(0);

    h.sims.anrok.faults.clear();
    // Nobody asks: the finalize job's own retry, once its backoff has passed, finds Anrok back.
    h.clock.advance(31 * 60_000);
    await h.settle();
    const done = (await listInvoices())[0]!;
    expect(done.status).toBe('paid');
    expect(h.sims.anrok.state.find(done.number)?.type).toBe('normal');
    const [after] = await h.db.select().from(invoices).where(eq(invoices.id, invoice.id));
    expect(after!.taxPendingReason).toBeNull();
  });

  it('an address Anrok cannot resolve waits with its reason; PATCH /customers/{id} with a fixed one finalizes it', async () => {
    await withAnrok();
    const draft = await closeDemoDeal({ approval: true });
    const [row] = await h.db.select().from(invoices).where(eq(invoices.id, draft.id));
    const bad = { line1: '1 Main St', city: 'Austin', region: 'TX', postal_code: '7330', country: 'US' };
    const patched = await h.api(`/api/v1/customers/${row!.customerId}`, json('PATCH', { address: bad }));
    expect(patched.status).toBe(200);
    expect((await readJson(patched)).address_check).toEqual({
      valid: false,
      reason: 'Anrok could not resolve the customer address (customerAddressCouldNotResolve)',
    });
    await h.api(`/api/v1/invoices/${draft.id}/finalize`, { method: 'POST' });
    await h.settle();
    const pending = (await listInvoices())[0]!;
    expect(pending.status).toBe('tax_pending');
    const [stored] = await h.db.select().from(invoices).where(eq(invoices.id, draft.id));
    expect(stored!.taxPendingReason).toMatch(/could not resolve the customer address/);

    const fixed = await h.api(
      `/api/v1/customers/${row!.customerId}`,
      json('PATCH', { address: { ...bad, postal_code: '73301' } }),
    );
    const body = await readJson(fixed);
    expect(body.address_check).toEqual({ valid: true, reason: null });
    expect(body.retried_invoice_ids).toEqual([draft.id]);
    await h.settle();
    const done = (await listInvoices())[0]!;
    expect(done.status).toBe('paid');
    expect(h.sims.anrok.state.find(done.number)?.customerAddress.postalCode).toBe('73301');
  });
});
