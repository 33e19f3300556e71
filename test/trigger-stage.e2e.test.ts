/**
 * The stage that starts billing is the org's choice (Salesforce `triggerStages`, HubSpot
 * `triggerStageIds`): a deal reaching it is carried to cash from every trigger (Outbound
 * Message, HubSpot webhook, poller); a deal short of it starts nothing. And the people on the
 * deal (contact roles, associated contacts) decide the customer's billing email.
 */
import { and, count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollCrms } from '../flows/crm-poll/index.js';
import { connections, jobs } from '../src/db/schema.js';
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

const flowJobs = async () => (await h.db.select({ n: count() }).from(jobs).where(eq(jobs.kind, 'flow')))[0]!.n;
const stripeEmails = () => [...h.sims.stripe.state.customers.values()].map((c) => c.email);

describe('Salesforce trigger stages', () => {
  it('bills a deal that reaches the configured stage before it is won, and not one short of it', async () => {
    await configureConnection(h, 'salesforce', 'triggerStages', 'Contract Signed');
    const signed = h.sims.salesforce.seedClosedWonOpportunity({ stageName: 'Contract Signed' });
    const open = h.sims.salesforce.seedClosedWonOpportunity({ stageName: 'Negotiation/Review', accountName: 'Open' });

    const ack = await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(open.opportunityId));
    expect(ack.status).toBe(200);
    expect(await flowJobs()).toBe(0); // recorded, but the deal's one job is not spent

    expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(signed.opportunityId))).status).toBe(
      200,
    );
    await h.settle();
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${signed.opportunityId}/trace`));
    expect(trace.contracts).toHaveLength(1);
    expect(trace.invoices[0].status).toBe('paid');
    // The demo deal's Billing Contact, not its primary Decision Maker, gets the invoices.
    expect(stripeEmails()).toEqual(['ap@acme-robotics.example']);
  });

  it('without the setting, IsWon decides: a Contract Signed deal starts nothing', async () => {
    const signed = h.sims.salesforce.seedClosedWonOpportunity({ stageName: 'Contract Signed' });
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(signed.opportunityId));
    await h.settle();
    expect(await flowJobs()).toBe(0);
    expect(h.sims.stripe.state.customers.size).toBe(0);
  });

  it('the poller finds deals in a trigger stage as well as won ones', async () => {
    await configureConnection(h, 'salesforce', 'triggerStages', "Contract Signed, Partner's Sign-off");
    const won = h.sims.salesforce.seedClosedWonOpportunity();
    const signed = h.sims.salesforce.seedClosedWonOpportunity({ stageName: "Partner's Sign-off", accountName: 'P' });
    h.sims.salesforce.seedClosedWonOpportunity({ stageName: 'Prospecting', accountName: 'Open' });
    const results = await pollCrms(h.hub.context);
    const salesforce = results.find((r) => r.vendor === 'salesforce')!;
    expect(salesforce).toMatchObject({ found: 2, enqueued: 2 });
    await h.settle();
    for (const id of [won.opportunityId, signed.opportunityId]) {
      const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${id}/trace`));
      expect(trace.contracts, id).toHaveLength(1);
    }
  });

  it('a deal without contacts is billed with no customer email', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity({ contacts: [] });
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
    await h.settle();
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    expect(stripeEmails()).toEqual([null]);
  });
});

describe('HubSpot trigger stages', () => {
  it('bills a deal moved into a configured stage that is not closed-won', async () => {
    await configureConnection(h, 'hubspot', 'triggerStageIds', 'contractsent');
    const [hubspot] = await h.db
      .select()
      .from(connections)
      .where(and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'hubspot')));
    const endpoint = `${h.server.url}/webhooks/hubspot/${hubspot!.id}`;
    const { dealId } = h.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    const body = JSON.stringify([h.sims.hubspot.dealStageChangedEvent(dealId, 'contractsent')]);
    const headers = await h.sims.hubspot.signWebhook({ url: endpoint, body });
    const res = await fetch(endpoint, { method: 'POST', headers, body });
    expect(await readJson(res)).toEqual({ received: 1, started: 1 });
    await h.settle();
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    const trace = await readJson(await h.api(`/api/v1/deals/hubspot/${dealId}/trace`));
    expect(trace.contracts).toHaveLength(1);
    // The contact labelled "Billing contact" on the deal.
    expect(stripeEmails()).toEqual(['ap@acme-robotics.example']);
  });
});
