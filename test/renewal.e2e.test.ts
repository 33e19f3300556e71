/**
 * A renewal deal (linked to the deal it renews through a configurable CRM field) becomes a
 * contract that records the renewed contract; both deals' traces show the link.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureConnection, type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const configure = (vendor: 'salesforce' | 'hubspot', key: string, value: string) =>
  configureConnection(h, vendor, key, value);

async function closeOpportunity(id: string) {
  await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(id));
  await h.settle();
  return readJson(await h.api(`/api/v1/deals/salesforce/${id}/trace`));
}

describe('renewal deals', () => {
  it('links a Salesforce renewal to the contract of the opportunity it renews', async () => {
    await configure('salesforce', 'renewalOfField', 'Renewal_Of__c');
    const original = h.sims.salesforce.seedClosedWonOpportunity();
    const first = await closeOpportunity(original.opportunityId);
    expect(first.contracts).toHaveLength(1);
    const originalContractId = first.contracts[0].id;

    const renewal = h.sims.salesforce.seedClosedWonOpportunity({ name: 'Acme Robotics, Inc. - Renewal' });
    h.sims.salesforce.state.store.update('Opportunity', renewal.opportunityId, {
      Renewal_Of__c: original.opportunityId,
    });
    const second = await closeOpportunity(renewal.opportunityId);
    expect(second.contracts).toHaveLength(1);
    expect(second.contracts[0].renewal_of_contract_id).toBe(originalContractId);
    expect(second.renewal_of).toMatchObject({ contract_id: originalContractId, deal_id: original.opportunityId });
    expect(second.invoices[0].status).toBe('paid');

    const originalTrace = await readJson(await h.api(`/api/v1/deals/salesforce/${original.opportunityId}/trace`));
    expect(originalTrace.renewal_of).toBeNull();
    expect(originalTrace.renewed_by).toEqual([
      expect.objectContaining({ contract_id: second.contracts[0].id, deal_id: renewal.opportunityId }),
    ]);
    // The original is left as it was: it bills on until an amendment ends it.
    expect(originalTrace.contracts[0].status).toBe('active');
  });

  it('makes a renewal of an unknown deal an ordinary contract, without a link', async () => {
    await configure('salesforce', 'renewalOfField', 'Renewal_Of__c');
    const unknown = h.sims.salesforce.seedClosedWonOpportunity(); // never closed through the hub
    const renewal = h.sims.salesforce.seedClosedWonOpportunity();
    h.sims.salesforce.state.store.update('Opportunity', renewal.opportunityId, {
      Renewal_Of__c: unknown.opportunityId,
    });
    const trace = await closeOpportunity(renewal.opportunityId);
    expect(trace.contracts).toHaveLength(1);
    expect(trace.contracts[0].renewal_of_contract_id).toBeNull();
    expect(trace.renewal_of).toBeNull();
  });

  it('links a HubSpot renewal through the configured deal property', async () => {
    await configure('hubspot', 'renewalOfProperty', 'hub_renews_deal');
    const original = h.sims.hubspot.seedClosedWonDeal();
    await h.api(`/api/v1/sync/hubspot/deals/${original.dealId}`, { method: 'POST' });
    await h.settle();
    const renewal = h.sims.hubspot.seedClosedWonDeal({ name: 'Acme Robotics, Inc. - Renewal' });
    const { store } = h.sims.hubspot.state;
    store.update(store.get('deals', renewal.dealId)!, { hub_renews_deal: original.dealId });
    await h.api(`/api/v1/sync/hubspot/deals/${renewal.dealId}`, { method: 'POST' });
    await h.settle();

    const first = await readJson(await h.api(`/api/v1/deals/hubspot/${original.dealId}/trace`));
    const second = await readJson(await h.api(`/api/v1/deals/hubspot/${renewal.dealId}/trace`));
    expect(second.contracts[0].renewal_of_contract_id).toBe(first.contracts[0].id);
    expect(second.renewal_of).toMatchObject({ deal_id: original.dealId });
    expect(first.renewed_by.map((r: { deal_id: string }) => r.deal_id)).toEqual([renewal.dealId]);
  });
});
