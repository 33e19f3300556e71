/**
 * Sandbox mode on Node: every vendor simulator on its own loopback port, and the connection
 * settings that point the real SDKs at them. Used by `npm start`, `npm run simulators` and the
 * end-to-end tests. With a state folder the simulated accounts outlive the process: each
 * simulator's state is written after every request that may change it (before the answer
 * leaves), and read back at the next start, account ids included.
 */

import { createAdyenSimulator } from '../../adapters/adyen/simulator/index.js';
import { SIMULATOR_API_KEY as ANROK_API_KEY, createAnrokSimulator } from '../../adapters/anrok/simulator/index.js';
import { createAvalaraSimulator, SIMULATOR_CREDENTIALS } from '../../adapters/avalara/simulator/index.js';
import {
  createHubSpotSimulator,
  DEFAULT_CLIENT_SECRET as HUBSPOT_CLIENT_SECRET,
  DEFAULT_ACCESS_TOKEN as HUBSPOT_TOKEN,
} from '../../adapters/hubspot/simulator/index.js';
import {
  createNetSuiteSimulator,
  SIM_BANK_ACCOUNT_ID as NETSUITE_BANK_ACCOUNT_ID,
  SIM_INCOME_ACCOUNT_ID as NETSUITE_INCOME_ACCOUNT_ID,
  SIM_TAX_ITEM_ID as NETSUITE_TAX_ITEM_ID,
} from '../../adapters/netsuite/simulator/index.js';
import { createQuickBooksSimulator } from '../../adapters/quickbooks/simulator/index.js';
import { createRazorpaySimulator } from '../../adapters/razorpay/simulator/index.js';
import { createSalesforceSimulator } from '../../adapters/salesforce/simulator/index.js';
import { type PersistentSimulator, restoreInto } from '../../adapters/sandbox/persist.js';
import { type RunningServer, serveOnLoopback } from '../../adapters/sandbox/serve.js';
import { createStripeSimulator } from '../../adapters/stripe/simulator/index.js';
import {
  createXeroSimulator,
  SIM_BANK_ACCOUNT as XERO_BANK_ACCOUNT,
  DEFAULT_CLIENT as XERO_CLIENT,
  SIM_SALES_ACCOUNT as XERO_SALES_ACCOUNT,
} from '../../adapters/xero/simulator/index.js';
import type { NewConnection } from '../db/repos/connections.js';
import { SimulatorFiles } from './simulator-files.js';

export const SANDBOX_STRIPE = { apiKey: 'sk_test_sandbox_hub', webhookSecret: 'whsec_sandbox_hub' };
export const SANDBOX_QBO = {
  realmId: '9341453050000001',
  accessToken: 'qbo-sandbox-access-token',
  incomeAccountId: '79',
  /** Checking, in a fresh sandbox company: where refunds leave from. */
  bankAccountId: '35',
};
export const SANDBOX_AVALARA_COMPANY = 'HUBDEMO';
/** The simulated NetSuite account and its TBA credentials (consumer and token). */
export const SANDBOX_NETSUITE = {
  accountId: '9876543_SB1',
  consumerKey: 'ns-sandbox-consumer-key',
  consumerSecret: 'ns-sandbox-consumer-secret',
  tokenId: 'ns-sandbox-token-id',
  tokenSecret: 'ns-sandbox-token-secret',
};
/** The simulated Xero organisation (tenant) and its long-lived sandbox access token. */
export const SANDBOX_XERO = {
  tenantId: '6f3c2a8e-0b1d-4c5e-9a7f-5a1e2d3c4b5a',
  accessToken: 'xero-sandbox-access-token',
  incomeAccountId: XERO_SALES_ACCOUNT,
  paymentAccount: XERO_BANK_ACCOUNT,
  ...XERO_CLIENT,
};

/** Anrok tax category of products the hub registers at the Anrok simulator itself. */
export const SANDBOX_ANROK_TAX_CATEGORY = 'saas';
export const SANDBOX_ADYEN = {
  apiKey: 'AQE_sandbox_hub_key',
  merchantAccount: 'HubSandboxECOM',
  hmacKey: '8A1F3C5E7B9D2F4A6C8E0B2D4F6A8C0E1B3D5F7A9C2E4B6D8F0A1C3E5B7D9F2A',
  // Adyen's test Visa: https://docs.adyen.com/development-resources/testing/test-card-numbers
  testCardNumber: '4111111145551142',
};
export const SANDBOX_RAZORPAY = {
  keyId: 'rzp_test_SandboxHub0001',
  keySecret: 'sandbox_key_secret',
  webhookSecret: 'sandbox_webhook_secret',
  sandboxToken: 'token_SandboxCard001',
};

export const SIMULATOR_VENDORS = [
  'salesforce',
  'hubspot',
  'avalara',
  'anrok',
  'stripe',
  'adyen',
  'razorpay',
  'quickbooks',
  'netsuite',
  // Last, so the fixed ports of the simulators before it (npm run simulators) stay as they were.
  'xero',
] as const;

/** The ERPs a sandbox org can post to (HUB_SANDBOX_ERP). */
export const SANDBOX_ERPS = ['quickbooks', 'xero', 'netsuite'] as const;
export type SandboxErp = (typeof SANDBOX_ERPS)[number];

/** The ERP named by the environment, QuickBooks by default; another name is refused at start. */
export function erpFromEnv(value: string | undefined): SandboxErp {
  if (value === undefined || value === '') return 'quickbooks';
  if ((SANDBOX_ERPS as readonly string[]).includes(value)) return value as SandboxErp;
  throw new Error(`HUB_SANDBOX_ERP must be one of ${SANDBOX_ERPS.join(', ')}; got "${value}"`);
}

/** The payment providers a sandbox org can be set to collect through (SANDBOX_PAYMENT_PROVIDER). */
export const SANDBOX_PAYMENT_PROVIDERS = ['stripe', 'adyen', 'razorpay'] as const;
export type SandboxPaymentProvider = (typeof SANDBOX_PAYMENT_PROVIDERS)[number];

/** The provider named by the environment, Stripe by default; another name is refused at start. */
export function paymentProviderFromEnv(value: string | undefined): SandboxPaymentProvider {
  if (value === undefined || value === '') return 'stripe';
  if ((SANDBOX_PAYMENT_PROVIDERS as readonly string[]).includes(value)) return value as SandboxPaymentProvider;
  throw new Error(`SANDBOX_PAYMENT_PROVIDER must be one of ${SANDBOX_PAYMENT_PROVIDERS.join(', ')}; got "${value}"`);
}
export type SimulatorVendor = (typeof SIMULATOR_VENDORS)[number];

/** The simulated accounts' ids, fixed when a state folder is first used. */
interface Accounts {
  salesforceOrganizationId?: string;
  quickbooksRealmId?: string;
}

export interface SimulatorOptions {
  now: () => Date;
  /** Deliver payment webhooks (every provider's) right after each write. */
  autoDeliverStripe?: boolean;
  /** The payment provider the org's connections name (one per org); default Stripe. */
  paymentProvider?: SandboxPaymentProvider;
  /** The ERP the org's connections name (one per org); default QuickBooks. */
  erp?: SandboxErp;
  /**
   * The simulated Salesforce org id and QuickBooks realm. A vendor account belongs to one org
   * (unique in the database), so a sandbox seeding a new demo org beside an old one names new
   * accounts; tests, each on a database of their own, keep the fixed defaults.
   */
  salesforceOrganizationId?: string;
  quickbooksRealmId?: string;
  /** A fixed loopback port per simulator (default: any free port). */
  ports?: Partial<Record<SimulatorVendor, number>>;
  /**
   * Folder the simulated accounts are kept in. When it holds an earlier run's state, that state
   * (and its account ids, over the two options above) is what the simulators start with.
   */
  stateDir?: string;
}

export async function startSimulators(options: SimulatorOptions) {
  const files = options.stateDir ? new SimulatorFiles(options.stateDir) : undefined;
  const accounts: Accounts = (files?.read('accounts') as Accounts | undefined) ?? {
    salesforceOrganizationId: options.salesforceOrganizationId,
    quickbooksRealmId: options.quickbooksRealmId,
  };
  files?.write('accounts', accounts);
  const salesforce = createSalesforceSimulator({
    now: options.now,
    ...(accounts.salesforceOrganizationId ? { organizationId: accounts.salesforceOrganizationId } : {}),
  });
  const realmId = accounts.quickbooksRealmId ?? SANDBOX_QBO.realmId;
  const hubspot = createHubSpotSimulator({ now: options.now });
  const avalara = createAvalaraSimulator({ now: options.now });
  const anrok = createAnrokSimulator({ now: options.now });
  const stripe = createStripeSimulator({
    webhookSecret: SANDBOX_STRIPE.webhookSecret,
    now: options.now,
    autoDeliver: options.autoDeliverStripe ?? false,
  });
  const adyen = createAdyenSimulator({
    ...SANDBOX_ADYEN,
    now: options.now,
    autoDeliver: options.autoDeliverStripe ?? false,
  });
  const razorpay = createRazorpaySimulator({
    ...SANDBOX_RAZORPAY,
    now: options.now,
    autoDeliver: options.autoDeliverStripe ?? false,
  });
  const quickbooks = createQuickBooksSimulator({ now: options.now, accessToken: SANDBOX_QBO.accessToken });
  const netsuite = createNetSuiteSimulator({
    consumerKey: SANDBOX_NETSUITE.consumerKey,
    tokenId: SANDBOX_NETSUITE.tokenId,
  });
  const xero = createXeroSimulator({
    now: options.now,
    accessToken: SANDBOX_XERO.accessToken,
    clientId: SANDBOX_XERO.clientId,
    clientSecret: SANDBOX_XERO.clientSecret,
  });
  const simulators: Record<
    SimulatorVendor,
    PersistentSimulator & { app: { fetch(r: Request): Response | Promise<Response> } }
  > = { salesforce, hubspot, avalara, anrok, stripe, adyen, razorpay, quickbooks, xero, netsuite };
  for (const vendor of SIMULATOR_VENDORS) {
    const saved = files?.read(vendor);
    if (saved !== undefined) simulators[vendor].restore(saved);
  }
  /** What the control port was told (src/runtime/simulators-control.ts), kept with the state. */
  const settings = { salesforceOutboundUrl: null as string | null };
  restoreInto(settings, files?.read('settings') ?? {});
  const save = (vendor: SimulatorVendor) => files?.write(vendor, simulators[vendor].snapshot());
  const saveAll = () => {
    for (const vendor of SIMULATOR_VENDORS) save(vendor);
    files?.write('settings', settings);
  };
  // Written before the answer leaves: whatever the hub was told exists is on disk.
  const persisted = (vendor: SimulatorVendor) => ({
    fetch: async (request: Request) => {
      const response = await simulators[vendor].app.fetch(request);
      if (request.method !== 'GET' && request.method !== 'HEAD') save(vendor);
      return response;
    },
  });
  const servers = {} as Record<SimulatorVendor, RunningServer>;
  try {
    for (const vendor of SIMULATOR_VENDORS) {
      servers[vendor] = await serveOnLoopback(persisted(vendor), options.ports?.[vendor] ?? 0);
    }
  } catch (error) {
    await Promise.all(Object.values(servers).map((s) => s.close()));
    throw error;
  }

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
    // Both tax engines are connected; the org's tax setting (TAX_ENGINE at `npm start`) picks one, Avalara by default.
    {
      vendor: 'anrok',
      mode: 'sandbox',
      config: { baseUrl: servers.anrok!.url, defaultTaxCategoryId: SANDBOX_ANROK_TAX_CATEGORY },
      secrets: { apiKey: ANROK_API_KEY },
    },
    paymentConnection(options.paymentProvider ?? 'stripe', servers),
    erpConnection(options.erp ?? 'quickbooks', servers, realmId),
  ];

  return {
    salesforce,
    hubspot,
    avalara,
    anrok,
    stripe,
    adyen,
    razorpay,
    quickbooks,
    xero,
    netsuite,
    paymentProvider: options.paymentProvider ?? 'stripe',
    erp: options.erp ?? 'quickbooks',
    /** The chosen provider's simulator, as the payment webhooks' sender. */
    payments: { stripe, adyen, razorpay }[options.paymentProvider ?? 'stripe'] as {
      flushWebhooks(): Promise<number>;
      setWebhookUrl(url: string | undefined): void;
      state: { outbox: unknown[] };
    },
    servers,
    connections,
    /** Where the state is kept, if anywhere. */
    stateDir: options.stateDir,
    settings,
    /** Writes every simulator's state now (after changes made in-process: seeding, deliveries). */
    save: saveAll,
    async close() {
      await Promise.all(Object.values(servers).map((s) => s.close()));
      saveAll();
    },
  };
}

export type Simulators = Awaited<ReturnType<typeof startSimulators>>;

/**
 * Stripe retries a webhook delivery that failed (the hub down or restarting); so does the
 * simulator, every `everyMs`, while events wait. Saved after each round that delivered.
 */
export function keepDeliveringStripeEvents(sims: Simulators, everyMs = 2_000): () => void {
  const timer = setInterval(() => {
    if (sims.payments.state.outbox.length === 0) return;
    void sims.payments.flushWebhooks().then((delivered) => {
      if (delivered > 0) sims.save();
    });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The org's one payment connection, to the chosen provider's simulator. */
function paymentConnection(
  provider: SandboxPaymentProvider,
  servers: Record<SimulatorVendor, RunningServer>,
): Omit<NewConnection, 'orgId'> {
  switch (provider) {
    case 'adyen': {
      const { apiKey, hmacKey, merchantAccount, testCardNumber } = SANDBOX_ADYEN;
      return {
        vendor: 'adyen',
        mode: 'sandbox',
        externalAccountId: merchantAccount,
        config: { baseUrl: servers.adyen.url, merchantAccount, testCardNumber },
        secrets: { apiKey, hmacKey },
      };
    }
    case 'razorpay': {
      const { keyId, keySecret, webhookSecret, sandboxToken } = SANDBOX_RAZORPAY;
      return {
        vendor: 'razorpay',
        mode: 'sandbox',
        externalAccountId: keyId,
        config: { baseUrl: servers.razorpay.url, keyId, sandboxToken },
        secrets: { keySecret, webhookSecret },
      };
    }
    default:
      return {
        vendor: 'stripe',
        mode: 'sandbox',
        config: { baseUrl: servers.stripe.url, testPaymentMethod: 'pm_card_visa' },
        secrets: { ...SANDBOX_STRIPE },
      };
  }
}

/** The org's one ERP connection, to the chosen ERP's simulator. */
function erpConnection(
  erp: SandboxErp,
  servers: Record<SimulatorVendor, RunningServer>,
  realmId: string,
): Omit<NewConnection, 'orgId'> {
  if (erp === 'xero') {
    const { tenantId, accessToken, incomeAccountId, paymentAccount } = SANDBOX_XERO;
    return {
      vendor: 'xero',
      mode: 'sandbox',
      externalAccountId: tenantId,
      config: {
        baseUrl: `${servers.xero.url}/api.xro/2.0`,
        tokenUrl: `${servers.xero.url}/connect/token`,
        tenantId,
        incomeAccountId,
        paymentAccount,
        // Refunds leave from the simulated bank account, as payments arrive there (ERP posting settings).
        accountMap: JSON.stringify({ cash: paymentAccount }),
      },
      secrets: { accessToken },
    };
  }
  if (erp === 'netsuite') {
    const { accountId, ...secrets } = SANDBOX_NETSUITE;
    return {
      vendor: 'netsuite',
      mode: 'sandbox',
      externalAccountId: accountId,
      config: {
        baseUrl: servers.netsuite.url,
        accountId,
        incomeAccountId: NETSUITE_INCOME_ACCOUNT_ID,
        taxItemId: NETSUITE_TAX_ITEM_ID,
        // Refunds leave from the simulated bank account (ERP posting settings, src/domain/books/erp-settings.ts).
        accountMap: JSON.stringify({ cash: NETSUITE_BANK_ACCOUNT_ID }),
      },
      secrets,
    };
  }
  return {
    vendor: 'quickbooks',
    mode: 'sandbox',
    externalAccountId: realmId,
    config: {
      baseUrl: servers.quickbooks.url,
      realmId,
      incomeAccountId: SANDBOX_QBO.incomeAccountId,
      // Refunds leave from the sandbox company's Checking account (ERP posting settings).
      accountMap: JSON.stringify({ cash: SANDBOX_QBO.bankAccountId }),
    },
    secrets: { accessToken: SANDBOX_QBO.accessToken },
  };
}
