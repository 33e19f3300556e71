/**
 * Sandbox mode on Node: every vendor simulator on its own loopback port, and the connection
 * settings that point the real SDKs at them. Used by `npm start` and the end-to-end tests.
 */

import { createAvalaraSimulator, SIMULATOR_CREDENTIALS } from '../../adapters/avalara/simulator/index.js';
import {
  createHubSpotSimulator,
  DEFAULT_CLIENT_SECRET as HUBSPOT_CLIENT_SECRET,
  DEFAULT_ACCESS_TOKEN as HUBSPOT_TOKEN,
} from '../../adapters/hubspot/simulator/index.js';
import { createQuickBooksSimulator } from '../../adapters/quickbooks/simulator/index.js';
import { createSalesforceSimulator } from '../../adapters/salesforce/simulator/index.js';
import { type RunningServer, serveOnLoopback } from '../../adapters/sandbox/serve.js';
import { createStripeSimulator } from '../../adapters/stripe/simulator/index.js';
import type { NewConnection } from '../db/repos/connections.js';

export const SANDBOX_STRIPE = { apiKey: 'sk_test_sandbox_hub', webhookSecret: 'whsec_sandbox_hub' };
export const SANDBOX_QBO = {
  realmId: '9341453050000001',
  accessToken: 'qbo-sandbox-access-token',
  incomeAccountId: '79',
};
export const SANDBOX_AVALARA_COMPANY = 'HUBDEMO';

export interface SimulatorOptions {
  now: () => Date;
  autoDeliverStripe?: boolean;
  /**
   * The simulated Salesforce org id and QuickBooks realm. A vendor account belongs to one org
   * (unique in the database), so a sandbox seeding a new demo org beside an old one names new
   * accounts; tests, each on a database of their own, keep the fixed defaults.
   */
  salesforceOrganizationId?: string;
  quickbooksRealmId?: string;
}

export async function startSimulators(options: SimulatorOptions) {
  const salesforce = createSalesforceSimulator({
    now: options.now,
    ...(options.salesforceOrganizationId ? { organizationId: options.salesforceOrganizationId } : {}),
  });
  const realmId = options.quickbooksRealmId ?? SANDBOX_QBO.realmId;
  const hubspot = createHubSpotSimulator({ now: options.now });
  const avalara = createAvalaraSimulator({ now: options.now });
  const stripe = createStripeSimulator({
    webhookSecret: SANDBOX_STRIPE.webhookSecret,
    now: options.now,
    autoDeliver: options.autoDeliverStripe ?? false,
  });
  const quickbooks = createQuickBooksSimulator({ now: options.now, accessToken: SANDBOX_QBO.accessToken });
  const servers: Record<string, RunningServer> = {
    salesforce: await serveOnLoopback(salesforce.app),
    hubspot: await serveOnLoopback(hubspot.app),
    avalara: await serveOnLoopback(avalara.app),
    stripe: await serveOnLoopback(stripe.app),
    quickbooks: await serveOnLoopback(quickbooks.app),
  };

  const connections: Omit<NewConnection, 'orgId'>[] = [
    {
      vendor: 'salesforce',
      mode: 'sandbox',
      externalAccountId: salesforce.state.organizationId,
      config: { instanceUrl: servers.salesforce!.url, loginUrl: servers.salesforce!.url },
      secrets: { ...salesforce.credentials },
    },
    {
      vendor: 'hubspot',
      mode: 'sandbox',
      config: { baseUrl: servers.hubspot!.url, triggerStageIds: 'closedwon' },
      secrets: { accessToken: HUBSPOT_TOKEN, clientSecret: HUBSPOT_CLIENT_SECRET },
    },
    {
      vendor: 'avalara',
      mode: 'sandbox',
      config: { baseUrl: servers.avalara!.url, companyCode: SANDBOX_AVALARA_COMPANY },
      secrets: { ...SIMULATOR_CREDENTIALS },
    },
    {
      vendor: 'stripe',
      mode: 'sandbox',
      config: { baseUrl: servers.stripe!.url, testPaymentMethod: 'pm_card_visa' },
      secrets: { ...SANDBOX_STRIPE },
    },
    {
      vendor: 'quickbooks',
      mode: 'sandbox',
      externalAccountId: realmId,
      config: {
        baseUrl: servers.quickbooks!.url,
        realmId,
        incomeAccountId: SANDBOX_QBO.incomeAccountId,
      },
      secrets: { accessToken: SANDBOX_QBO.accessToken },
    },
  ];

  return {
    salesforce,
    hubspot,
    avalara,
    stripe,
    quickbooks,
    servers,
    connections,
    async close() {
      await Promise.all(Object.values(servers).map((s) => s.close()));
    },
  };
}

export type Simulators = Awaited<ReturnType<typeof startSimulators>>;
