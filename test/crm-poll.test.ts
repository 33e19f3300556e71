/**
 * The CRM pollers on Node against the simulators: the safety net that finds won deals no
 * webhook delivered, judged by what the simulated vendors hold and by the job table.
 */
import { and, count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextCursor, pollCrms } from '../flows/crm-poll/index.js';
import { connections, jobs } from '../src/db/schema.js';
import { addApiKey } from '../src/db/seed.js';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function cursorOf(vendor: 'salesforce' | 'hubspot') {
  const [row] = await h.db
    .select({ cursor: connections.pollCursor })
    .from(connections)
    .where(and(eq(connections.orgId, h.orgId), eq(connections.vendor, vendor)));
  return row!.cursor;
}

const dealJobs = async () => (await h.db.select({ n: count() }).from(jobs).where(eq(jobs.kind, 'flow')))[0]!.n;

function vendorCounts() {
  const realm = SANDBOX_QBO.realmId;
  return {
    avalaraTransactions: h.sims.avalara.state.count(SANDBOX_AVALARA_COMPANY),
    stripePaymentIntents: h.sims.stripe.state.paymentIntents.size,
    qboInvoices: h.sims.quickbooks.state.count(realm, 'Invoice'),
    qboPayments: h.sims.quickbooks.state.count(realm, 'Payment'),
  };
}

const ONE_OF_EACH = { avalaraTransactions: 1, stripePaymentIntents: 1, qboInvoices: 1, qboPayments: 1 };

const byVendor = (results: Awaited<ReturnType<typeof pollCrms>>, vendor: string) =>
  results.find((r) => r.vendor === vendor)!;

describe('CRM pollers', () => {
  it('picks up a Salesforce deal won without any webhook and carries it to cash, once', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    // An open opportunity is not picked up.
    h.sims.salesforce.seedClosedWonOpportunity({ stageName: 'Negotiation/Review', accountName: 'Open Co' });
    expect(await cursorOf('salesforce')).toBeNull();

    const first = byVendor(await pollCrms(h.hub.context), 'salesforce');
    expect(first).toMatchObject({ found: 1, enqueued: 1, since: '2026-03-01T09:00:00.000Z' });
    expect(first.error).toBeUndefined();
    expect(await cursorOf('salesforce')).toBe('2026-03-02T09:00:00.000Z');
    await h.settle();
    expect(vendorCounts()).toEqual(ONE_OF_EACH);
    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.contracts).toHaveLength(1);
    expect(trace.invoices[0].status).toBe('paid');

    // Later polls: the write-backs touched the opportunity (a newer SystemModstamp), so it is
    // found again, but the job table already has its one job.
    h.clock.advance(5 * 60_000);
    const jobsBefore = await dealJobs();
    const second = byVendor(await pollCrms(h.hub.context), 'salesforce');
    expect(second.enqueued).toBe(0);
    expect(second.since).toBe('2026-03-02T09:00:00.000Z');
    expect(await dealJobs()).toBe(jobsBefore);
    const third = byVendor(await pollCrms(h.hub.context), 'salesforce');
    expect(third).toMatchObject({ found: 0, enqueued: 0 });
    expect(await cursorOf('salesforce')).toBe(second.cursor);
    await h.settle();
    expect(vendorCounts()).toEqual(ONE_OF_EACH);
  });

  it('does not duplicate a deal whose webhook already ran', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId))).status).toBe(200);
    await h.settle();
    const jobsBefore = await dealJobs();

    const res = await h.api('/api/v1/crm/poll', { method: 'POST' });
    expect(res.status).toBe(200);
    const body = await readJson(res);
    const sf = body.connections.find((c: { vendor: string }) => c.vendor === 'salesforce');
    expect(sf).toMatchObject({ found: 1, enqueued: 0 });
    expect(await dealJobs()).toBe(jobsBefore);
    await h.settle();
    expect(vendorCounts()).toEqual(ONE_OF_EACH);
  });

  it('finds a HubSpot deal in the trigger stage through the search API', async () => {
    const { dealId } = h.sims.hubspot.seedClosedWonDeal();
    h.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent', name: 'Still open' });

    const hs = byVendor(await pollCrms(h.hub.context), 'hubspot');
    expect(hs).toMatchObject({ found: 1, enqueued: 1, cursor: '2026-03-02T09:00:00.000Z' });
    expect(await cursorOf('hubspot')).toBe('2026-03-02T09:00:00.000Z');
    await h.settle();
    expect(vendorCounts()).toEqual(ONE_OF_EACH);
    const trace = await readJson(await h.api(`/api/v1/deals/hubspot/${dealId}/trace`));
    expect(trace.invoices[0].status).toBe('paid');
  });

  it('leaves the cursor unchanged when the CRM fails, and catches up on the next poll', async () => {
    h.sims.salesforce.seedClosedWonOpportunity();
    h.sims.salesforce.faults.inject('/services/data/', { kind: 'status', status: 500 }, 1, 'GET');

    const failed = byVendor(await pollCrms(h.hub.context), 'salesforce');
    expect(failed.error).toMatch(/UNKNOWN_EXCEPTION/);
    expect(failed).toMatchObject({ found: 0, enqueued: 0, cursor: null });
    expect(await cursorOf('salesforce')).toBeNull();
    expect(await dealJobs()).toBe(0);

    const retried = byVendor(await pollCrms(h.hub.context), 'salesforce');
    expect(retried).toMatchObject({ found: 1, enqueued: 1 });
    expect(await cursorOf('salesforce')).toBe('2026-03-02T09:00:00.000Z');
  });

  it('is admin-only over the API: a finance key gets 403 and no poll runs', async () => {
    h.sims.salesforce.seedClosedWonOpportunity();
    const finance = await addApiKey(h.db, h.clock, h.orgId, 'finance');
    const res = await h.api('/api/v1/crm/poll', { method: 'POST', key: finance });
    expect(res.status).toBe(403);
    expect(await dealJobs()).toBe(0);
    expect(await cursorOf('salesforce')).toBeNull();
  });

  it('stops one change time short after a full page, so deals sharing the last stamp are not skipped', () => {
    const a = '2026-03-02T09:00:00.000Z';
    const b = '2026-03-02T09:01:00.000Z';
    expect(nextCursor([a, b], 3)).toBe(b);
    expect(nextCursor([a, b, b], 3)).toBe(a);
    expect(nextCursor([b, b, b], 3)).toBe(b);
  });
});
