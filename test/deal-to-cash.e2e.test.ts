/**
 * The whole path on Node against the simulators, judged by what the simulated vendors hold.
 */

import { and, count, eq } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBilling } from '../flows/billing-run/engine.js';
import { connections, contracts, customers, invoices, ledgerLines, webhookInbox } from '../src/db/schema.js';
import { addMonths } from '../src/domain/dates.js';
import { SANDBOX_QBO } from '../src/runtime/simulators.js';
import {
  configureConnection,
  type Harness,
  ONE_OF_EACH,
  readJson,
  startHarness,
  vendorCounts,
} from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const rows = async (table: SQLiteTable) => (await h.db.select({ n: count() }).from(table))[0]!.n;

describe('deal to cash on Node', () => {
  it('carries a closed-won opportunity to a paid invoice, tax, ledger and QuickBooks', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const ack = await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    expect(ack.status).toBe(200);
    expect(await ack.text()).toContain('<Ack>true</Ack>');
    await h.settle();

    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    const res = await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`);
    expect(res.status).toBe(200);
    const trace = await readJson(res);
    expect(trace.contracts).toHaveLength(1);
    expect(trace.contracts[0].mapping_version).toBe('salesforce-opportunity@2');
    expect(trace.contracts[0].lines.map((l: { price_spec: { model: string } }) => l.price_spec.model)).toEqual([
      'flat_fee',
      'per_unit',
    ]);
    const [invoice] = trace.invoices;
    // Demo deal: platform fee 1000.00 + 25 seats × 40.00 = 2000.00, shipped to CA at 7.25%.
    expect(invoice.subtotal_minor).toBe(200_000);
    expect(invoice.tax_minor).toBe(14_500);
    expect(invoice.total_minor).toBe(214_500);
    expect(invoice.status).toBe('paid');
    expect(invoice.amount_paid_minor).toBe(214_500);

    // The amounts the vendors hold tie out with ours.
    const qboInvoice = [...h.sims.quickbooks.state.realm(SANDBOX_QBO.realmId).entities.Invoice.values()][0] as {
      TotalAmt: number;
      Balance: number;
    };
    expect(qboInvoice.TotalAmt).toBe(2145);
    expect(qboInvoice.Balance).toBe(0);
    const intent = [...h.sims.stripe.state.paymentIntents.values()][0]!;
    expect(intent.amount).toBe(214_500);
    expect(intent.status).toBe('succeeded');

    expect(trace.payments).toHaveLength(1);
    const fee = trace.payments[0].fee_minor;
    expect(fee).toBeGreaterThan(0);
    const ledger = trace.ledger as {
      kind: string;
      lines: { account: string; debit_minor: number; credit_minor: number }[];
    }[];
    expect(ledger.map((e) => e.kind).sort()).toEqual(['invoice_issued', 'payment_received']);
    for (const entry of ledger) {
      const debits = entry.lines.reduce((s, l) => s + l.debit_minor, 0);
      const credits = entry.lines.reduce((s, l) => s + l.credit_minor, 0);
      expect(debits).toBe(credits);
    }
    const payment = ledger.find((e) => e.kind === 'payment_received')!;
    expect(payment.lines).toContainEqual({
      account: 'payment_fees',
      currency: 'USD',
      debit_minor: fee,
      credit_minor: 0,
    });
    expect(payment.lines).toContainEqual({
      account: 'cash',
      currency: 'USD',
      debit_minor: 214_500 - fee,
      credit_minor: 0,
    });

    // Six flows, plus a CRM write-back after the invoice was finalized and after it was paid.
    expect(trace.jobs).toHaveLength(8);
    expect(trace.jobs.every((j: { state: string }) => j.state === 'succeeded')).toBe(true);
    expect(
      trace.jobs
        .map((j: { dedupe_key: string }) => j.dedupe_key)
        .filter((k: string) => k.startsWith('crm-write-back:'))
        .map((k: string) => k.split(':')[4])
        .sort(),
    ).toEqual(['finalized', 'paid']);
    expect(
      trace.external_refs.map((r: { system: string; object_type: string }) => `${r.system}:${r.object_type}`).sort(),
    ).toEqual(
      [
        'avalara:tax_transaction',
        'quickbooks:customer',
        'quickbooks:invoice',
        'quickbooks:item',
        'quickbooks:item',
        'quickbooks:payment',
        'stripe:customer',
        'stripe:payment_intent',
      ].sort(),
    );
  });

  it('writes the billing state back to the Opportunity, once per state however often Stripe delivers', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    // Stripe delivers the payment event again (at-least-once).
    const { state } = h.sims.stripe;
    const succeeded = state.events.filter((e) => e.type === 'payment_intent.succeeded');
    expect(succeeded).toHaveLength(1);
    state.outbox.push(...succeeded);
    await h.settle();
    expect(state.outbox).toHaveLength(0);

    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    const [invoice] = trace.invoices;
    // Read off the simulated Salesforce org, not our logs.
    const opportunity = h.sims.salesforce.state.store.get('Opportunity', opportunityId)!;
    expect(opportunity).toMatchObject({
      Hub_Billing_Status__c: 'paid',
      Hub_Contract_Id__c: trace.contracts[0].id,
      Hub_Contract_Url__c: `/api/v1/deals/salesforce/${opportunityId}/trace`,
      Hub_Last_Invoice__c: invoice.number,
      Hub_Amount_Paid__c: 2145,
      Hub_Outstanding__c: 0,
    });
    // One write when the invoice went out, one when it was paid; the second delivery wrote nothing.
    const writes = h.sims.salesforce.state.updates.filter((u) => u.type === 'Opportunity');
    expect(
      writes.map((w) => [w.values.Hub_Billing_Status__c, w.values.Hub_Amount_Paid__c, w.values.Hub_Outstanding__c]),
    ).toEqual([
      ['finalized', 0, 2145],
      ['paid', 2145, 0],
    ]);
    // The Account holds the customer's totals across its deals (here one invoice).
    const accountId = String(opportunity.AccountId);
    expect(h.sims.salesforce.state.store.get('Account', accountId)).toMatchObject({
      Hub_Amount_Paid__c: invoice.total_minor / 100,
      Hub_Outstanding__c: 0,
    });
    const accountWrites = h.sims.salesforce.state.updates.filter((u) => u.type === 'Account' && u.id === accountId);
    expect(accountWrites.map((w) => [w.values.Hub_Amount_Paid__c, w.values.Hub_Outstanding__c])).toEqual([
      [0, 2145],
      [2145, 0],
    ]);
    expect(await rows(webhookInbox)).toBe(2);
  });

  it('makes no Account call when writeBackAccountFields skips every field', async () => {
    const where = and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'salesforce'));
    const [row] = await h.db.select().from(connections).where(where);
    const config = {
      ...(JSON.parse(row!.config) as Record<string, string>),
      writeBackAccountFields: JSON.stringify({ amountPaid: '', outstanding: '' }),
    };
    await h.db
      .update(connections)
      .set({ config: JSON.stringify(config) })
      .where(where);
    h.hub.invalidateAdapters();
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    const types = h.sims.salesforce.state.updates.map((u) => u.type);
    expect(types.filter((t) => t === 'Opportunity')).toHaveLength(2);
    expect(types.filter((t) => t === 'Account')).toEqual([]);
  });

  it('turns 3 deliveries of one Outbound Message, 2 of them concurrent, into one of everything', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const xml = h.sims.salesforce.outboundMessageFor(opportunityId);
    expect((await h.deliverOutboundMessage(xml)).status).toBe(200);
    const concurrent = await Promise.all([h.deliverOutboundMessage(xml), h.deliverOutboundMessage(xml)]);
    expect(concurrent.map((r) => r.status)).toEqual([200, 200]);
    await h.settle();
    // A manual pull of the same deal afterwards changes nothing either.
    expect((await h.api(`/api/v1/sync/salesforce/opportunities/${opportunityId}`, { method: 'POST' })).status).toBe(
      202,
    );
    await h.settle();

    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    expect(await rows(customers)).toBe(1);
    expect(await rows(contracts)).toBe(1);
    expect(await rows(invoices)).toBe(1);
    expect(await rows(webhookInbox)).toBe(2); // one Salesforce notification + one Stripe event
  });

  it('carries the deal on: the billing run invoices the next month and never the first one again', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    const [first] = (await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`))).invoices;
    const nextMonth = addMonths(first.period_start, 1);

    const run = await runBilling({ db: h.db, clock: h.clock }, h.orgId, nextMonth);
    expect(run.failures).toEqual([]);
    expect(run.invoicesCreated).toBe(1);
    const invoicesNow = (await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`))).invoices;
    expect(invoicesNow.map((i: { period_start: string; kind: string }) => `${i.kind} ${i.period_start}`)).toEqual([
      `advance ${first.period_start}`,
      `advance ${nextMonth}`,
    ]);
    expect(invoicesNow[1].subtotal_minor).toBe(first.subtotal_minor);
    expect((await runBilling({ db: h.db, clock: h.clock }, h.orgId, nextMonth)).invoicesCreated).toBe(0);
  });

  it('pulls a deal on demand through the API', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const res = await h.api(`/api/v1/sync/salesforce/opportunities/${opportunityId}`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect((await readJson(res)).state).toBe('queued');
    await h.settle();
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    expect(await rows(ledgerLines)).toBeGreaterThan(0);
  });

  describe('with Salesforce CPQ', () => {
    /** Turns `cpq` on in the stored Salesforce connection, as an admin would. */
    const enableCpq = () => configureConnection(h, 'salesforce', 'cpq', 'true');

    it("invoices at the primary quote's net prices, not the opportunity's", async () => {
      await enableCpq();
      const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
      const { quoteLineIds } = h.sims.salesforce.seedCpqQuote(opportunityId, [
        { name: 'Platform fee', productCode: 'PLATFORM', family: 'Subscription', quantity: 1, netPrice: 900 },
        { name: 'Seat licence', productCode: 'SEAT', family: 'Seat', quantity: 25, netPrice: 36 },
      ]);
      await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
      await h.settle();

      const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
      expect(trace.contracts).toHaveLength(1);
      const lines = trace.contracts[0].lines as { source_line_id: string; price_spec: { model: string } }[];
      expect(lines.map((l) => l.source_line_id)).toEqual(quoteLineIds);
      expect(lines.map((l) => l.price_spec.model)).toEqual(['flat_fee', 'per_unit']);
      // Quote: 900.00 + 25 × 36.00 = 1800.00 (the opportunity's lines say 2000.00).
      expect(trace.invoices[0].subtotal_minor).toBe(180_000);
      expect(trace.invoices[0].status).toBe('paid');
    });

    it('falls back to the opportunity line items when there is no primary quote', async () => {
      await enableCpq();
      const { opportunityId, lineItemIds } = h.sims.salesforce.seedClosedWonOpportunity();
      h.sims.salesforce.seedCpqQuote(
        opportunityId,
        [{ name: 'Platform fee', productCode: 'PLATFORM', family: 'Subscription', quantity: 1, netPrice: 1 }],
        { primary: false },
      );
      await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
      await h.settle();

      const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
      expect(trace.contracts[0].lines.map((l: { source_line_id: string }) => l.source_line_id)).toEqual(lineItemIds);
      expect(trace.invoices[0].subtotal_minor).toBe(200_000);
    });
  });
});
