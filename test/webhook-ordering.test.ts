/**
 * Webhooks delivered twice, out of order, days late, or forged: the hub's effect stays exactly
 * once, judged by the database and the simulated vendors. Simulators are only read or driven
 * through their public helpers.
 */
import { and, count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_SIGNATURE_HEADER, signEventBody } from '../adapters/salesforce/events.js';
import { connections, contracts, flowRuns, flowSteps, jobs, webhookInbox } from '../src/db/schema.js';
import { decryptSecret, encryptSecret } from '../src/db/secrets.js';
import { type Harness, ONE_OF_EACH, readJson, startHarness, vendorCounts } from './support/harness.js';
import { opportunityWonChange } from './support/salesforce-cdc.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const DAY = 24 * 60 * 60 * 1000;

const rows = async (table: typeof jobs | typeof webhookInbox | typeof contracts) =>
  (await h.db.select({ n: count() }).from(table))[0]!.n;

const versionsOf = (dealId: string) =>
  h.db
    .select()
    .from(contracts)
    .where(and(eq(contracts.orgId, h.orgId), eq(contracts.sourceDealId, dealId)))
    .orderBy(contracts.version);

async function connectionOf(vendor: 'salesforce' | 'hubspot') {
  const [row] = await h.db
    .select()
    .from(connections)
    .where(and(eq(connections.orgId, h.orgId), eq(connections.vendor, vendor)));
  return row!;
}

async function amendOutputs() {
  const runs = await h.db.select().from(flowRuns).where(eq(flowRuns.flow, 'deal-amendment'));
  const steps = await h.db.select().from(flowSteps).where(eq(flowSteps.step, 'amend'));
  return runs.map((r) => JSON.parse(steps.find((s) => s.runId === r.id)?.output ?? 'null'));
}

describe('Salesforce Outbound Messages out of order and late', () => {
  it('an older notification after a newer one makes no second contract; the amendment has the latest state', async () => {
    const { opportunityId, lineItemIds } = h.sims.salesforce.seedClosedWonOpportunity();
    const closing = h.sims.salesforce.outboundMessageFor(opportunityId);
    expect((await h.deliverOutboundMessage(closing)).status).toBe(200);
    await h.settle();

    // Two edits: seats 25 → 30 (older message), then 30 → 35 (newer message).
    h.clock.set('2026-03-16T10:00:00Z');
    h.sims.salesforce.state.store.update('OpportunityLineItem', lineItemIds[1]!, { Quantity: 30 });
    const older = h.sims.salesforce.outboundMessageFor(opportunityId);
    h.clock.set('2026-03-16T11:00:00Z');
    h.sims.salesforce.state.store.update('OpportunityLineItem', lineItemIds[1]!, { Quantity: 35 });
    const newer = h.sims.salesforce.outboundMessageFor(opportunityId);

    // Delivered newest first, each twice.
    for (const xml of [newer, newer, older, older, closing]) {
      expect((await h.deliverOutboundMessage(xml)).status).toBe(200);
    }
    await h.settle();

    const versions = await versionsOf(opportunityId);
    expect(versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'active'],
    ]);
    // The active version has the latest seats (35), not the older message's 30.
    const terms = JSON.parse(versions[1]!.terms ?? '{}') as {
      phases: { items: { id: string; quantity: string }[] }[];
    };
    const seats = terms.phases.at(-1)?.items.find((i) => i.id === lineItemIds[1]);
    expect(seats?.quantity).toBe('35');
    // The older message's job fetched the deal fresh, found it already amended, and wrote nothing.
    const outputs = await amendOutputs();
    expect(outputs.filter((o) => o?.changed && !o.existing)).toHaveLength(1);
    expect(outputs).toHaveLength(2);
    expect(await rows(webhookInbox)).toBe(4); // 3 notifications + the Stripe payment event
  });

  it('a message 3 days late for a deal already processed changes nothing', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const xml = h.sims.salesforce.outboundMessageFor(opportunityId);
    await h.deliverOutboundMessage(xml);
    await h.settle();
    const before = { jobs: await rows(jobs), inbox: await rows(webhookInbox), vendors: vendorCounts(h.sims) };
    expect(before.vendors).toEqual(ONE_OF_EACH);

    h.clock.advance(3 * DAY);
    expect((await h.deliverOutboundMessage(xml)).status).toBe(200);
    await h.settle();
    expect({ jobs: await rows(jobs), inbox: await rows(webhookInbox), vendors: vendorCounts(h.sims) }).toEqual(before);
    expect(await versionsOf(opportunityId)).toHaveLength(1);
  });

  it('a message 3 days late for a deal never seen is processed normally', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const xml = h.sims.salesforce.outboundMessageFor(opportunityId);
    h.clock.advance(3 * DAY);
    expect((await h.deliverOutboundMessage(xml)).status).toBe(200);
    await h.settle();
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.contracts).toHaveLength(1);
    expect(trace.invoices[0].status).toBe('paid');
  });
});

describe('HubSpot events out of order and late', () => {
  let endpoint: string;
  beforeEach(async () => {
    endpoint = `${h.server.url}/webhooks/hubspot/${(await connectionOf('hubspot')).id}`;
  });

  async function deliver(events: unknown[], headers?: Record<string, string>) {
    const body = JSON.stringify(events);
    const signed = headers ?? (await h.sims.hubspot.signWebhook({ url: endpoint, body }));
    return fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body });
  }

  it('dedupes on (deal, stage, occurredAt), not on the event id', async () => {
    const { dealId } = h.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    const event = h.sims.hubspot.dealStageChangedEvent(dealId, 'closedwon');
    expect((await deliver([event])).status).toBe(200);
    await h.settle();
    const inbox = await rows(webhookInbox);
    const jobCount = await rows(jobs);

    // Another event id for the same change: deduplicated, nothing new.
    expect((await deliver([{ ...event, eventId: event.eventId + 1000 }])).status).toBe(200);
    await h.settle();
    expect(await rows(webhookInbox)).toBe(inbox);
    expect(await rows(jobs)).toBe(jobCount);

    // The same event id at another moment is another change: recorded, and (the deal has its
    // contract) checked for an amendment; still one contract and one of everything at the vendors.
    h.clock.advance(60_000);
    const later = { ...event, occurredAt: event.occurredAt + 60_000 };
    expect((await deliver([later])).status).toBe(200);
    await h.settle();
    expect(await rows(webhookInbox)).toBe(inbox + 1);
    const amendments = (await h.db.select().from(jobs)).filter((j) => j.dedupeKey.startsWith('deal-amendment:'));
    expect(amendments).toHaveLength(1);
    expect(amendments[0]!.state).toBe('succeeded');
    expect(await versionsOf(dealId)).toHaveLength(1);
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
  });

  it('rejects a signature more than 5 minutes old with 401, even if otherwise valid', async () => {
    const { dealId } = h.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    const event = h.sims.hubspot.dealStageChangedEvent(dealId, 'closedwon');
    const headers = await h.sims.hubspot.signWebhook({ url: endpoint, body: JSON.stringify([event]) });
    h.clock.advance(5 * 60_000 + 1_000);
    expect((await deliver([event], headers)).status).toBe(401);
    expect(await rows(jobs)).toBe(0);
    expect(await rows(webhookInbox)).toBe(0);
  });
});

describe('Salesforce Change Data Capture and Platform Events', () => {
  const SECRET = 'relay-secret-for-tests';
  let endpoint: string;
  beforeEach(async () => {
    const sf = await connectionOf('salesforce');
    // The connection's relay secret, as a person would set it (the seed has none).
    const key = h.hub.context.encryptionKey;
    const secrets = await decryptSecret<Record<string, string>>(key, sf.secretsEnc);
    await h.db
      .update(connections)
      .set({ secretsEnc: await encryptSecret(key, { ...secrets, eventSecret: SECRET }) })
      .where(eq(connections.id, sf.id));
    endpoint = `/webhooks/salesforce/events/${sf.id}`;
  });

  async function deliver(body: unknown, signature?: string | null) {
    const raw = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const sig = signature === undefined ? await signEventBody(raw, SECRET) : signature;
    if (sig !== null) headers[EVENT_SIGNATURE_HEADER] = sig;
    return h.hub.app.request(endpoint, { method: 'POST', headers, body: raw });
  }

  const changeEvent = (opportunityId: string, replayId = 101) =>
    opportunityWonChange(opportunityId, { at: h.clock.now(), replayId });

  it('carries a won deal to cash once, however often the event is replayed', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const event = changeEvent(opportunityId);
    const res = await deliver([event]);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ received: 1, started: 1 });
    await h.settle();
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    const inbox = await rows(webhookInbox);
    const jobCount = await rows(jobs);

    // The relay replays the same change (a resubscribe from an earlier replayId).
    expect((await deliver(event)).status).toBe(200);
    expect((await deliver({ data: event, channel: '/data/OpportunityChangeEvent' })).status).toBe(200);
    await h.settle();
    expect(await rows(webhookInbox)).toBe(inbox);
    expect(await rows(jobs)).toBe(jobCount);
    expect(await versionsOf(opportunityId)).toHaveLength(1);
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
  });

  it('accepts a deal platform event, deduplicated by replayId', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const event = {
      data: {
        schema: 'x',
        payload: { OpportunityId__c: opportunityId, StageName__c: 'Closed Won' },
        event: { replayId: 7 },
      },
      channel: '/event/Hub_Deal_Won__e',
    };
    expect(await readJson(await deliver(event))).toEqual({ received: 1, started: 1 });
    expect((await deliver(event)).status).toBe(200);
    await h.settle();
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    expect(await rows(webhookInbox)).toBe(2); // the platform event once, and the Stripe event
  });

  it('rejects a missing or wrong signature with 401 and stores nothing', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const event = changeEvent(opportunityId);
    const forged = await signEventBody(JSON.stringify(event), 'not-the-secret');
    for (const sig of [null, forged, 'sha256=zz', 'deadbeef']) {
      expect((await deliver(event, sig)).status).toBe(401);
    }
    expect(await rows(webhookInbox)).toBe(0);
    expect(await rows(jobs)).toBe(0);
  });

  it('rejects a malformed event with 400 naming the field, and stores nothing', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const good = changeEvent(opportunityId);
    const bad = {
      ...good,
      payload: { ...good.payload, ChangeEventHeader: { ...good.payload.ChangeEventHeader, recordIds: ['001abc'] } },
    };
    const res = await deliver([good, bad]);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await readJson(res))).toContain('recordIds');
    expect(await rows(webhookInbox)).toBe(0);
    expect(await rows(jobs)).toBe(0);
  });
});
