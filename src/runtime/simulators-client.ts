/**
 * The hub's side of the simulators' control port (src/runtime/simulators-control.ts): the same
 * calls whether the simulators run in `npm start`'s own process or in `npm run simulators`.
 */
import type { NewConnection } from '../db/repos/connections.js';
import type { SimulatorCounts } from './simulators-control.js';

export type SimulatorConnection = Omit<NewConnection, 'orgId'>;

export interface SimulatorsClient {
  readonly url: string;
  connections(): Promise<SimulatorConnection[]>;
  setStripeWebhookEndpoint(url: string): Promise<void>;
  /** Where the payment provider's simulator (stripe, adyen or razorpay) sends its webhooks. */
  setPaymentWebhookEndpoint(vendor: string, url: string): Promise<void>;
  setSalesforceOutboundEndpoint(url: string): Promise<void>;
  /** Seeds a closed-won opportunity and sends its Outbound Message; answers the hub's HTTP status. */
  closeDemoDeal(): Promise<{ opportunityId: string; outboundMessageStatus: number }>;
  counts(): Promise<SimulatorCounts>;
}

export function simulatorsClient(baseUrl: string, fetchImpl: typeof fetch = fetch): SimulatorsClient {
  const url = baseUrl.replace(/\/+$/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetchImpl(`${url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulators ${method} ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    url,
    connections: async () => (await call<{ connections: SimulatorConnection[] }>('GET', '/connections')).connections,
    setStripeWebhookEndpoint: async (endpoint) => {
      await call('PUT', '/stripe/webhook-endpoint', { url: endpoint });
    },
    setPaymentWebhookEndpoint: async (vendor, endpoint) => {
      await call('PUT', `/${vendor}/webhook-endpoint`, { url: endpoint });
    },
    setSalesforceOutboundEndpoint: async (endpoint) => {
      await call('PUT', '/salesforce/outbound-endpoint', { url: endpoint });
    },
    closeDemoDeal: async () => {
      const deal = await call<{ opportunity_id: string; outbound_message_status: number }>(
        'POST',
        '/salesforce/demo-deal',
      );
      return { opportunityId: deal.opportunity_id, outboundMessageStatus: deal.outbound_message_status };
    },
    counts: () => call<SimulatorCounts>('GET', '/counts'),
  };
}

/** Waits until the simulators answer (a process just started), at most `attempts` tries 100 ms apart. */
export async function waitForSimulators(client: SimulatorsClient, attempts = 100): Promise<void> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(`${client.url}/health`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no simulators at ${client.url}: ${String(last)}`);
}
