/**
 * A published mapping that sets richer contract terms (a tiered price, an annual cadence): the
 * deal's first invoice is rated by the billing engine, and a later billing run does not bill the
 * annual line again.
 */
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBilling } from '../flows/billing-run/engine.js';
import { defaultMappings } from '../mappings/index.js';
import { invoiceLines, invoices } from '../src/db/schema.js';
import { addMonths } from '../src/domain/dates.js';
import { SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const post = (path: string, body: unknown) =>
  h.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const { id: _id, version: _v, crm: _crm, ...defaultDefinition } = defaultMappings.salesforce;

/**
 * The demo deal's lines: the platform fee (family Subscription, 1 × 1000) becomes a flat fee
 * billed annually in advance; the seats (25 × 40) a graduated price: the first 10 at the deal's
 * unit price, the rest at 30.00, billed monthly in advance (the draft's billingCadence).
 */
const lines = `[lineItems.{
  'sourceLineId': id,
  'sku': productCode ? productCode : productId,
  'productName': productName,
  'description': description ? description : productName,
  'quantity': quantity,
  'price': attributes.\`Product2.Family\` = 'Subscription'
    ? { 'model': 'flat_fee', 'amount': unitPrice }
    : { 'model': 'tiered', 'tiers': [{ 'up_to': 10, 'unit_amount': unitPrice }, { 'up_to': null, 'unit_amount': '30.00' }] },
  'cadence': attributes.\`Product2.Family\` = 'Subscription' ? 'annual' : undefined
}]`;

describe('a mapping with a tiered price and an annual cadence', () => {
  it('rates the first invoice with the billing engine and never bills the annual line twice', async () => {
    const created = await readJson(
      await post('/api/v1/mappings', {
        crm: 'salesforce',
        definition: { ...defaultDefinition, fields: { ...defaultDefinition.fields, lines, termMonths: '12' } },
      }),
    );
    expect(created.status).toBe('draft');
    expect((await post(`/api/v1/mappings/${created.id}/publish`, {})).status).toBe(200);

    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    // The dry run previews the same first invoice the flow will store.
    const dry = await readJson(await post(`/api/v1/mappings/${created.id}/dry-run`, { deal_id: opportunityId }));
    expect(dry.ok).toBe(true);

    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();

    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.contracts).toHaveLength(1);
    const contract = trace.contracts[0];
    expect(contract.mapping_version).toBe(`${created.id}@1`);
    expect(contract.lines.map((l: { price_spec: { model: string } }) => l.price_spec.model)).toEqual([
      'flat_fee',
      'tiered',
    ]);
    const terms = JSON.parse(contract.terms);
    expect(terms.endDate).toBe(addMonths(contract.start_date, 12));
    expect(terms.phases[0].items.map((i: { cadence: string }) => i.cadence)).toEqual(['annual', 'monthly']);

    // By hand: platform 1,000.00 for the year; seats 10 × 40.00 + 15 × 30.00 = 850.00 for the month.
    const expectedFirst = 100_000 + (10 * 4_000 + 15 * 3_000);
    expect(trace.invoices).toHaveLength(1);
    const [first] = trace.invoices;
    expect(first.kind).toBe('advance');
    expect(first.period_start).toBe(contract.start_date);
    expect(first.period_end).toBe(addMonths(contract.start_date, 1));
    expect(first.subtotal_minor).toBe(expectedFirst);
    expect(first.status).toBe('paid');
    expect(dry.invoicePreview.subtotalMinor).toBe(expectedFirst);
    const firstLines = await h.db
      .select()
      .from(invoiceLines)
      .where(eq(invoiceLines.invoiceId, first.id))
      .orderBy(asc(invoiceLines.lineNo));
    expect(firstLines.map((l) => [l.amountMinor, l.quantity])).toEqual([
      [100_000, '1'],
      [85_000, '25'],
    ]);

    // A month later the run bills the seats only: the annual platform fee is paid for the year.
    const nextMonth = addMonths(first.period_start, 1);
    const run = await runBilling({ db: h.db, clock: h.clock }, h.orgId, nextMonth);
    expect(run.failures).toEqual([]);
    expect(run.invoicesCreated).toBe(1);
    const all = await h.db
      .select()
      .from(invoices)
      .where(eq(invoices.orgId, h.orgId))
      .orderBy(asc(invoices.periodStart));
    expect(all.map((i) => `${i.kind} ${i.periodStart}`)).toEqual([
      `advance ${first.period_start}`,
      `advance ${nextMonth}`,
    ]);
    const second = all[1]!;
    expect(second.totalMinor).toBe(85_000);
    const secondLines = await h.db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, second.id));
    expect(secondLines.map((l) => l.sourceRef)).toEqual([firstLines[1]!.sourceRef]);
    // Rerunning through either date creates nothing: the first period is the deal's invoice.
    expect((await runBilling({ db: h.db, clock: h.clock }, h.orgId, first.period_start)).invoicesCreated).toBe(0);
    expect((await runBilling({ db: h.db, clock: h.clock }, h.orgId, nextMonth)).invoicesCreated).toBe(0);
  });

  it('carries an invoice-level discount through tax, collection and the ERP, every total tying out', async () => {
    const discounts = "[{ 'kind': 'percent', 'value': '10', 'label': 'Launch discount' }]";
    const created = await readJson(
      await post('/api/v1/mappings', {
        crm: 'salesforce',
        definition: { ...defaultDefinition, fields: { ...defaultDefinition.fields, discounts } },
      }),
    );
    expect((await post(`/api/v1/mappings/${created.id}/publish`, {})).status).toBe(200);
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    h.clock.advance(60_000); // the payment posting waits for the invoice to reach QuickBooks
    await h.settle();

    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.jobs.every((j: { state: string }) => j.state === 'succeeded')).toBe(true);
    const [invoice] = trace.invoices;
    // By hand: 1,000.00 + 25 × 40.00 = 2,000.00, less 10 % = 1,800.00 before tax.
    expect(invoice.subtotal_minor).toBe(180_000);
    expect(invoice.status).toBe('paid');
    expect(invoice.total_minor).toBe(invoice.subtotal_minor + invoice.tax_minor);
    // Stripe charged, and QuickBooks holds, exactly the hub's total.
    const [intent] = [...h.sims.stripe.state.paymentIntents.values()];
    expect(intent!.amount).toBe(invoice.total_minor);
    const realm = h.sims.quickbooks.state.realm(SANDBOX_QBO.realmId);
    const [qboInvoice] = [...realm.entities.Invoice.values()];
    expect(Math.round(Number(qboInvoice!.TotalAmt) * 100)).toBe(invoice.total_minor);
  });
});
