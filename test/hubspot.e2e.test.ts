/**
 * A HubSpot deal moved into the trigger stage, carried to cash on Node against the simulators:
 * signed webhooks v3, stage-transition filter, dedupe of repeated deliveries.
 */
import { and, count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connections, jobs, webhookInbox } from '../src/db/schema.js';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
let endpoint: string;
beforeEach(async () => {
  h = await startHarness();
  const [hubspot] = await h.db
    .select()
    .from(connections)
    .where(and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'hubspot')));
  endpoint = `${h.server.url}/webhooks/hubspot/${hubspot!.id}`;
});
afterEach(async () => {
  await h.close();
});

async function deliver(events: unknown[], headers?: Record<string, string>) {
  const body = JSON.stringify(events);
  const signed = headers ?? (await h.sims.hubspot.signWebhook({ url: endpoint, body }));
  return fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body });
}

const rows = async (table: typeof jobs | typeof webhookInbox) => (await h.db.select({ n: count() }).from(table))[0]!.n;

describe('HubSpot deal to cash', () => {
  it('carries a deal moved to closed-won through the whole path once, however often the webhook arrives', async () => {
    const { dealId } = h.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    const event = h.sims.hubspot.dealStageChangedEvent(dealId, 'closedwon');
    const first = await deliver([event]);
    expect(first.status).toBe(200);
    expect(await readJson(first)).toEqual({ received: 1, started: 1 });
    expect((await deliver([event])).status).toBe(200); // HubSpot retries the same event
    await h.settle();

    const realm = SANDBOX_QBO.realmId;
    expect(h.sims.avalara.state.count(SANDBOX_AVALARA_COMPANY)).toBe(1);
    expect(h.sims.stripe.state.paymentIntents.size).toBe(1);
    expect(h.sims.quickbooks.state.count(realm, 'Invoice')).toBe(1);
    expect(h.sims.quickbooks.state.count(realm, 'Payment')).toBe(1);
    const trace = await readJson(await h.api(`/api/v1/deals/hubspot/${dealId}/trace`));
    expect(trace.contracts).toHaveLength(1);
    expect(trace.contracts[0].mapping_version).toBe('hubspot-deal@2');
    expect(trace.invoices[0].status).toBe('paid');
    // Six flows, plus a CRM write-back after the invoice was finalized and after it was paid.
    expect(trace.jobs).toHaveLength(8);
    expect(trace.jobs.every((j: { state: string }) => j.state === 'succeeded')).toBe(true);
    expect(await rows(webhookInbox)).toBe(2); // the HubSpot event once, and the Stripe event
  });

  it('writes the billing state back to the deal, once per state however often Stripe delivers', async () => {
    const { dealId, companyId } = h.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    expect((await deliver([h.sims.hubspot.dealStageChangedEvent(dealId, 'closedwon')])).status).toBe(200);
    await h.settle();
    const { state } = h.sims.stripe;
    const succeeded = state.events.filter((e) => e.type === 'payment_intent.succeeded');
    expect(succeeded).toHaveLength(1);
    state.outbox.push(...succeeded); // Stripe delivers the event again
    await h.settle();
    expect(state.outbox).toHaveLength(0);

    const trace = await readJson(await h.api(`/api/v1/deals/hubspot/${dealId}/trace`));
    const [invoice] = trace.invoices;
    expect(invoice.status).toBe('paid');
    const total = (invoice.total_minor / 100).toFixed(2);
    // Read off the simulated HubSpot portal, not our logs.
    expect(h.sims.hubspot.state.store.get('deals', dealId)?.properties).toMatchObject({
      hub_billing_status: 'paid',
      hub_contract_id: trace.contracts[0].id,
      hub_contract_url: `/api/v1/deals/hubspot/${dealId}/trace`,
      hub_last_invoice: invoice.number,
      hub_amount_paid: total,
      hub_outstanding: '0.00',
    });
    const writes = h.sims.hubspot.state.updates.filter((u) => u.type === 'deals' && u.id === dealId);
    expect(writes.map((w) => [w.properties.hub_billing_status, w.properties.hub_amount_paid])).toEqual([
      ['finalized', '0.00'],
      ['paid', total],
    ]);
    // The company holds the customer's totals across its deals (here one invoice).
    expect(h.sims.hubspot.state.store.get('companies', companyId!)?.properties).toMatchObject({
      hub_amount_paid: total,
      hub_outstanding: '0.00',
    });
    const companyWrites = h.sims.hubspot.state.updates.filter((u) => u.type === 'companies' && u.id === companyId);
    expect(companyWrites.map((w) => [w.properties.hub_amount_paid, w.properties.hub_outstanding])).toEqual([
      ['0.00', total],
      [total, '0.00'],
    ]);
    expect(await rows(webhookInbox)).toBe(2);
  });

  it('makes no company call when writeBackAccountFields skips every field', async () => {
    const where = and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'hubspot'));
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
    const { dealId } = h.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    expect((await deliver([h.sims.hubspot.dealStageChangedEvent(dealId, 'closedwon')])).status).toBe(200);
    await h.settle();
    const types = h.sims.hubspot.state.updates.map((u) => u.type);
    expect(types.filter((t) => t === 'deals')).toHaveLength(2);
    expect(types.filter((t) => t === 'companies')).toEqual([]);
  });

  it('ignores a property change that is not a move into the trigger stage', async () => {
    const { dealId } = h.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    const other = { ...h.sims.hubspot.dealStageChangedEvent(dealId, 'contractsent'), eventId: 99 };
    const amount = { ...other, propertyName: 'amount', propertyValue: '5000' };
    const res = await deliver([other, amount]);
    expect(await readJson(res)).toEqual({ received: 2, started: 0 });
    expect(await rows(jobs)).toBe(0);
    expect(await rows(webhookInbox)).toBe(0);
  });

  it('rejects a missing, wrong or stale signature with 401 and stores nothing', async () => {
    const { dealId } = h.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    const event = h.sims.hubspot.dealStageChangedEvent(dealId, 'closedwon');
    const body = JSON.stringify([event]);
    const stale = await h.sims.hubspot.signWebhook({
      url: endpoint,
      body,
      timestamp: h.clock.now().getTime() - 6 * 60_000,
    });
    const wrong = { ...(await h.sims.hubspot.signWebhook({ url: endpoint, body })), 'X-HubSpot-Signature-v3': 'AAAA' };
    for (const headers of [{}, wrong, stale]) {
      expect((await deliver([event], headers)).status).toBe(401);
    }
    expect(await rows(jobs)).toBe(0);
    expect(await rows(webhookInbox)).toBe(0);
  });

  it('pulls a HubSpot deal on demand and validates its id', async () => {
    const { dealId } = h.sims.hubspot.seedClosedWonDeal();
    expect((await h.api(`/api/v1/sync/hubspot/deals/${dealId}`, { method: 'POST' })).status).toBe(202);
    expect((await h.api('/api/v1/sync/hubspot/deals/abc', { method: 'POST' })).status).toBe(400);
    await h.settle();
    expect(h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(1);
  });
});
