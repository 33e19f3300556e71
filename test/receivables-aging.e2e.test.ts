/**
 * GET /api/v1/receivables/aging on Node: a won deal whose payment never settles stays open, and
 * moves through the buckets as the report's day moves past its due date; paying part of it lowers
 * what is owed; CSV carries the same numbers with a TOTAL row; bad input is a 400 naming it.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { invoices } from '../src/db/schema.js';
import { addDays } from '../src/domain/dates.js';
import { configureConnection, type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function openInvoice(x: Harness) {
  // No test payment method: the payment waits for the customer, the invoice stays open.
  await configureConnection(x, 'stripe', 'testPaymentMethod', '');
  const seeded = x.sims.salesforce.seedClosedWonOpportunity();
  await x.deliverOutboundMessage(x.sims.salesforce.outboundMessageFor(seeded.opportunityId));
  await x.settle();
  const [invoice] = await x.db.select().from(invoices);
  expect(invoice!.status).toBe('finalized');
  return invoice!;
}

describe('receivables aging', () => {
  it('puts an open invoice in the bucket of its days past due, per customer and currency, with totals', async () => {
    h = await startHarness();
    const invoice = await openInvoice(h);
    const due = invoice.totalMinor - invoice.amountPaidMinor;
    const bucketOn = async (asOf: string) => {
      const body = await readJson(await h!.api(`/api/v1/receivables/aging?as_of=${asOf}`));
      expect(body.data).toHaveLength(1);
      expect(body.data[0]).toMatchObject({
        customer_id: invoice.customerId,
        currency: invoice.currency,
        total: due,
        invoices: 1,
      });
      expect(body.totals).toEqual([expect.objectContaining({ currency: invoice.currency, total: due })]);
      const [bucket] = Object.entries(body.data[0]).filter(
        ([k, v]) => (k === 'current' || k.startsWith('days_')) && v === due,
      );
      return bucket?.[0];
    };
    expect(await bucketOn(invoice.dueDate)).toBe('current');
    expect(await bucketOn(addDays(invoice.dueDate, 1))).toBe('days_1_30');
    expect(await bucketOn(addDays(invoice.dueDate, 45))).toBe('days_31_60');
    expect(await bucketOn(addDays(invoice.dueDate, 90))).toBe('days_61_90');
    expect(await bucketOn(addDays(invoice.dueDate, 91))).toBe('days_over_90');

    // Part paid: the rest is what is owed.
    await h.db
      .update(invoices)
      .set({ amountPaidMinor: 100, status: 'partially_paid' })
      .where(eq(invoices.id, invoice.id));
    const after = await readJson(await h.api(`/api/v1/receivables/aging?as_of=${invoice.dueDate}`));
    expect(after.data[0].current).toBe(invoice.totalMinor - 100);

    const csv = await h.api(`/api/v1/receivables/aging?as_of=${invoice.dueDate}`, { headers: { accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'customer_id,customer_name,currency,current,days_1_30,days_31_60,days_61_90,days_over_90,total,invoices',
    );
    expect(lines[1]).toContain(`${invoice.currency},${invoice.totalMinor - 100},0,0,0,0,${invoice.totalMinor - 100},1`);
    expect(lines[2]).toBe(
      `TOTAL,,${invoice.currency},${invoice.totalMinor - 100},0,0,0,0,${invoice.totalMinor - 100},1`,
    );

    const other = await readJson(await h.api(`/api/v1/receivables/aging?currency=JPY`));
    expect(other).toMatchObject({ data: [], totals: [], next_cursor: null });
  });

  it('answers a bad as_of, currency or an unknown parameter with a 400 naming it', async () => {
    h = await startHarness();
    for (const [query, field] of [
      ['as_of=2026-02-30', 'as_of'],
      ['currency=usd', 'currency'],
      ['bucket=1', 'bucket'],
    ]) {
      const res = await h.api(`/api/v1/receivables/aging?${query}`);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await readJson(res))).toContain(field);
    }
  });
});
