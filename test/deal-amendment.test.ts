/**
 * A deal edited after close becomes one amendment of its contract (a new version with a credit
 * note and a prorated charge), not a second contract; its credit note is issued downstream (tax
 * return, QuickBooks CreditMemo); judged by the database and the vendors.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contracts, flowRuns, flowSteps, jobs } from '../src/db/schema.js';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function vendorCounts() {
  return {
    avalaraTransactions: h.sims.avalara.state.count(SANDBOX_AVALARA_COMPANY),
    stripePaymentIntents: h.sims.stripe.state.paymentIntents.size,
    qboInvoices: h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice'),
    qboCreditMemos: h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'CreditMemo'),
  };
}

const versionsOf = (dealId: string) =>
  h.db
    .select()
    .from(contracts)
    .where(and(eq(contracts.orgId, h.orgId), eq(contracts.sourceDealId, dealId)))
    .orderBy(contracts.version);

const amendmentJobs = async () =>
  (await h.db.select().from(jobs).where(eq(jobs.orgId, h.orgId))).filter((j) =>
    j.dedupeKey.startsWith('deal-amendment:'),
  );

async function amendOutputs() {
  const runs = await h.db.select().from(flowRuns).where(eq(flowRuns.flow, 'deal-amendment'));
  const steps = await h.db.select().from(flowSteps).where(eq(flowSteps.step, 'amend'));
  return runs.map((r) => JSON.parse(steps.find((s) => s.runId === r.id)?.output ?? 'null'));
}

async function closeAndSettle() {
  const seeded = h.sims.salesforce.seedClosedWonOpportunity();
  await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId));
  await h.settle();
  return seeded;
}

describe('a deal edited after close', () => {
  it('becomes one amendment, not a second contract', async () => {
    const { opportunityId, lineItemIds } = await closeAndSettle();
    expect(await versionsOf(opportunityId)).toHaveLength(1);
    const before = vendorCounts();

    // Two weeks in, the seats go from 25 to 30 (the opportunity's SystemModstamp moves with it).
    h.clock.set('2026-03-16T10:00:00Z');
    h.sims.salesforce.state.store.update('OpportunityLineItem', lineItemIds[1]!, { Quantity: 30 });
    const xml = h.sims.salesforce.outboundMessageFor(opportunityId);
    expect((await h.deliverOutboundMessage(xml)).status).toBe(200);
    await h.settle();

    const versions = await versionsOf(opportunityId);
    expect(versions.map((v) => [v.version, v.status, v.effectiveDate])).toEqual([
      [1, 'superseded', '2026-03-02'],
      [2, 'active', '2026-03-16'],
    ]);
    expect(versions[1]!.mappingVersion).toBe('salesforce-opportunity@2');

    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.contracts.map((c: { version: number }) => c.version)).toEqual([1, 2]);
    const byKind = (kind: string, status: string) =>
      trace.invoices.filter((i: { kind: string; status: string }) => i.kind === kind && i.status === status);
    // The credit note is issued downstream at once (settled: the invoice was paid, so as customer credit).
    const [credit] = byKind('credit_note', 'paid');
    const [charge] = byKind('advance', 'draft');
    // The credit note sits on version 1, the prorated charge (the 5 extra seats from 16 March) on version 2.
    expect(credit.contract_id).toBe(versions[0]!.id);
    // Credits are positive amounts on a credit note: the rest of the period (17 of 31 days) of
    // each 1000.00 line (platform fee, 25 seats), rounded per line.
    expect(credit.subtotal_minor).toBe(2 * Math.round((100_000 * 17) / 31));
    expect(credit.total_minor).toBe(credit.subtotal_minor + credit.tax_minor);
    expect(charge.contract_id).toBe(versions[1]!.id);
    expect(charge.period_start).toBe('2026-03-16');
    // Re-billed at 2200.00 for the same days: the net is the 5 extra seats (200.00) × 17/31.
    expect(Math.abs(charge.total_minor - credit.subtotal_minor - (20_000 * 17) / 31)).toBeLessThanOrEqual(1);
    expect(trace.invoices).toHaveLength(3);

    const [output] = (await amendOutputs()).filter((o) => o?.changed);
    expect(output.diff.changed).toEqual([{ id: lineItemIds[1], fields: ['quantity'] }]);
    expect(output.invoiceIds.sort()).toEqual([credit.id, charge.id].sort());

    // The credit note went downstream (a return at the tax engine, a CreditMemo in QuickBooks); the
    // prorated charge is a draft waiting for its grace period: no payment, no ERP invoice yet.
    const issued = {
      ...before,
      avalaraTransactions: before.avalaraTransactions + 1,
      qboCreditMemos: before.qboCreditMemos + 1,
    };
    expect(vendorCounts()).toEqual(issued);

    // The same message again changes nothing.
    const jobsBefore = (await amendmentJobs()).length;
    await h.deliverOutboundMessage(xml);
    await h.settle();
    expect(await amendmentJobs()).toHaveLength(jobsBefore);
    expect(await versionsOf(opportunityId)).toHaveLength(2);
    const again = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(again.invoices).toHaveLength(3);
    expect(vendorCounts()).toEqual(issued);
  });

  it('writes no version for a message about an unchanged deal', async () => {
    const { opportunityId } = await closeAndSettle();
    h.clock.set('2026-03-10T10:00:00Z');
    // The CRM write-back touched the opportunity, so this message carries a new modstamp.
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();

    const amendments = await amendmentJobs();
    expect(amendments).toHaveLength(1);
    expect(amendments[0]!.state).toBe('succeeded');
    expect(await amendOutputs()).toEqual([{ changed: false, contractId: expect.any(String) }]);
    const versions = await versionsOf(opportunityId);
    expect(versions.map((v) => [v.version, v.status])).toEqual([[1, 'active']]);
  });

  it('checks for an amendment on a manual pull of a deal with a contract', async () => {
    const { opportunityId, lineItemIds } = await closeAndSettle();
    h.clock.set('2026-03-20T10:00:00Z');
    h.sims.salesforce.state.store.update('OpportunityLineItem', lineItemIds[1]!, { Quantity: 20 });
    const res = await h.api(`/api/v1/sync/salesforce/opportunities/${opportunityId}`, { method: 'POST' });
    expect(res.status).toBe(202);
    await h.settle();
    const versions = await versionsOf(opportunityId);
    expect(versions.map((v) => [v.version, v.status, v.effectiveDate])).toEqual([
      [1, 'superseded', '2026-03-02'],
      [2, 'active', '2026-03-20'],
    ]);
  });
});
