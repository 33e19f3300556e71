/**
 * Salesforce runs the CrmPort contract suite against its simulator on loopback, with refresh
 * credentials as a real connection has them. Webhooks: the event relay's HMAC (events.ts);
 * outbound messages carry no signature at all, so they are not part of this check.
 */
import { runCrmPortContract } from '../contract/crm-port.contract.js';
import { serveOnLoopback } from '../sandbox/serve.js';
import { SESSION_EXPIRED } from './errors.js';
import { EVENT_SIGNATURE_HEADER, signEventBody, verifyEventSignature } from './events.js';
import { makeId } from './ids.js';
import { createSalesforceAdapter } from './index.js';
import { createSalesforceSimulator } from './simulator/index.js';

const NOW = new Date('2026-01-15T10:00:00.000Z');
const EVENT_SECRET = 'contract-event-secret';
const TYPE = { deal: 'Opportunity', account: 'Account' } as const;

runCrmPortContract('salesforce', async () => {
  const sim = createSalesforceSimulator({ now: () => NOW });
  const server = await serveOnLoopback(sim.app);
  return {
    port: createSalesforceAdapter({
      instanceUrl: server.url,
      loginUrl: server.url,
      ...sim.credentials,
      now: () => NOW,
    }),
    seedWonDeal() {
      const seeded = sim.seedClosedWonOpportunity();
      return { dealId: seeded.opportunityId, accountId: seeded.accountId };
    },
    read: (object, id, field) => sim.state.store.get(TYPE[object], id)?.[field] ?? null,
    writes: () => sim.state.updates.length,
    fields: { deal: 'Hub_Billing_Status__c', account: 'Hub_Billing_Status__c', unknown: 'Colour__c' },
    missingDealId: makeId('006', 999_999),
    now: NOW.toISOString(),
    inject: (fault, times) => sim.faults.inject('/services/data', fault, times),
    revokeCredentials() {
      sim.expireAccessToken();
      sim.revokeRefreshToken();
    },
    unauthorized: { expect: 'reconnect', reason: SESSION_EXPIRED },
    webhook: {
      // The relay signs the body only: a replayed delivery cannot be told by its age.
      timestamped: false,
      sign: async (rawBody) => new Headers({ [EVENT_SIGNATURE_HEADER]: await signEventBody(rawBody, EVENT_SECRET) }),
      verify: (rawBody, headers) => verifyEventSignature(rawBody, headers.get(EVENT_SIGNATURE_HEADER), EVENT_SECRET),
    },
    close: () => server.close(),
  };
});
