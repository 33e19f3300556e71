/** HubSpot runs the CrmPort contract suite against its simulator on loopback. */
import { runCrmPortContract } from '../contract/crm-port.contract.js';
import { serveOnLoopback } from '../sandbox/serve.js';
import { TOKEN_REJECTED } from './errors.js';
import { createHubSpotAdapter } from './index.js';
import { createHubSpotSimulator, DEFAULT_ACCESS_TOKEN, DEFAULT_CLIENT_SECRET } from './simulator/index.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookV3 } from './webhooks.js';

const NOW = new Date('2026-01-15T10:00:00.000Z');
const WEBHOOK_URL = 'https://hub.example/webhooks/hubspot';
const TYPE = { deal: 'deals', account: 'companies' } as const;

runCrmPortContract('hubspot', async () => {
  const sim = createHubSpotSimulator({ now: () => NOW });
  const server = await serveOnLoopback(sim.app);
  return {
    port: createHubSpotAdapter({ accessToken: DEFAULT_ACCESS_TOKEN, baseUrl: server.url, now: () => NOW }),
    seedWonDeal() {
      const seeded = sim.seedClosedWonDeal();
      return { dealId: seeded.dealId, accountId: seeded.companyId ?? '' };
    },
    read: (object, id, field) => sim.state.store.get(TYPE[object], id)?.properties[field] ?? null,
    writes: () => sim.state.updates.length,
    fields: { deal: 'hub_billing_status', account: 'hub_billing_status', unknown: 'colour_of_deal' },
    missingDealId: '999999999',
    now: NOW.toISOString(),
    inject: (fault, times) => sim.faults.inject('/crm', fault, times),
    revokeCredentials: () => sim.state.accessTokens.clear(),
    unauthorized: { expect: 'reconnect', reason: TOKEN_REJECTED },
    webhook: {
      timestamped: true,
      async sign(rawBody, ageSeconds = 0) {
        const timestamp = NOW.getTime() - ageSeconds * 1000;
        return new Headers(await sim.signWebhook({ url: WEBHOOK_URL, body: rawBody, timestamp }));
      },
      verify: (rawBody, headers) =>
        verifyWebhookV3({
          method: 'POST',
          url: WEBHOOK_URL,
          rawBody,
          signature: headers.get(SIGNATURE_HEADER),
          timestamp: headers.get(TIMESTAMP_HEADER),
          clientSecret: DEFAULT_CLIENT_SECRET,
          now: () => NOW,
        }),
    },
    close: () => server.close(),
  };
});
