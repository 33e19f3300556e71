/**
 * The vendor registry: one entry per vendor, keyed exhaustively, each turning a stored
 * connection (config + decrypted secrets) into the port it implements.
 */
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import { type ConnectionMaterial, VENDORS, type Vendor } from '../src/domain/vendors.js';
import { createAvalaraAdapter } from './avalara/index.js';
import { createHubSpotAdapter } from './hubspot/index.js';
import type { CrmPort, CrmWriteBackConfig, ErpPort, OrgSettings, PaymentPort, TaxPort } from './ports.js';
import { createQuickBooksAdapter } from './quickbooks/index.js';
import {
  DEFAULT_SESSION_TIMEOUT_MINUTES,
  parseSessionTimeoutMinutes,
  type RefreshedToken,
} from './salesforce/client.js';
import { salesforceTriggerStages } from './salesforce/events.js';
import { createSalesforceAdapter } from './salesforce/index.js';
import { createStripeAdapter } from './stripe/index.js';

/** Re-exported for existing importers; the unions are defined in src/domain/vendors.ts. */
export { type ConnectionMaterial, VENDORS, type Vendor };

/** Vendors every org needs; a CRM (Salesforce or HubSpot, or both) is needed too. */
const REQUIRED: readonly Vendor[] = ['avalara', 'stripe', 'quickbooks'];

export interface BuildContext {
  now: () => Date;
  fetch?: typeof fetch;
  /**
   * Called when an adapter obtained new credentials (a refreshed access token) so they can be
   * stored, encrypted, for the next run. Fire-and-forget: the adapter goes on with the token in
   * memory whatever happens to the write; the caller logs failures.
   */
  onSecretsRefreshed?: (vendor: Vendor, secrets: Record<string, string>) => void;
}

/** The HubSpot connection's `triggerStageIds` config: comma-separated stage ids (default closedwon). */
export function parseTriggerStageIds(value: string | undefined): string[] {
  const ids = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return ids.length > 0 ? ids : ['closedwon'];
}

/**
 * The Salesforce connection's `sessionTimeoutMinutes` config (integer 15..1440, default 120). A
 * value outside that range falls back to the default rather than failing the org's adapters: the
 * refresh on 401 still covers a session that ends sooner than expected.
 */
export function sessionTimeoutMinutes(value: string | undefined): number {
  const parsed = parseSessionTimeoutMinutes(value);
  return parsed.ok ? parsed.value : DEFAULT_SESSION_TIMEOUT_MINUTES;
}

type PortOf = { salesforce: CrmPort; hubspot: CrmPort; avalara: TaxPort; stripe: PaymentPort; quickbooks: ErpPort };

const factories: { [V in Vendor]: (c: ConnectionMaterial, ctx: BuildContext) => PortOf[V] } = {
  salesforce: (c, ctx) =>
    createSalesforceAdapter(
      {
        instanceUrl: c.config.instanceUrl!,
        apiVersion: c.config.apiVersion,
        loginUrl: c.config.loginUrl,
        accessToken: c.secrets.accessToken!,
        ...(c.secrets.accessTokenIssuedAt ? { accessTokenIssuedAt: c.secrets.accessTokenIssuedAt } : {}),
        sessionTimeoutMinutes: sessionTimeoutMinutes(c.config.sessionTimeoutMinutes),
        refreshToken: c.secrets.refreshToken,
        clientId: c.secrets.clientId,
        clientSecret: c.secrets.clientSecret,
        ...(c.secrets.privateKeyPem && c.secrets.username && c.secrets.clientId
          ? {
              jwt: {
                clientId: c.secrets.clientId,
                username: c.secrets.username,
                privateKeyPem: c.secrets.privateKeyPem,
              },
            }
          : {}),
        now: ctx.now,
        ...(ctx.onSecretsRefreshed
          ? {
              onTokenRefresh: (accessToken: string, token: RefreshedToken) =>
                ctx.onSecretsRefreshed!('salesforce', {
                  accessToken,
                  accessTokenIssuedAt: token.issuedAt,
                  ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}),
                }),
            }
          : {}),
      },
      {
        cpq: c.config.cpq === 'true',
        ...(c.config.renewalOfField?.trim() ? { renewalOfField: c.config.renewalOfField.trim() } : {}),
        triggerStages: salesforceTriggerStages(c.config),
      },
    ),
  hubspot: (c, ctx) =>
    createHubSpotAdapter(
      {
        accessToken: c.secrets.accessToken!,
        ...(c.secrets.refreshToken && c.secrets.clientId && c.secrets.clientSecret
          ? {
              oauth: {
                refreshToken: c.secrets.refreshToken,
                clientId: c.secrets.clientId,
                clientSecret: c.secrets.clientSecret,
                ...(c.secrets.accessTokenExpiresAt ? { accessTokenExpiresAt: c.secrets.accessTokenExpiresAt } : {}),
              },
            }
          : {}),
        ...(ctx.onSecretsRefreshed
          ? { onTokenRefresh: (secrets: Record<string, string>) => ctx.onSecretsRefreshed!('hubspot', secrets) }
          : {}),
        baseUrl: c.config.baseUrl,
        now: ctx.now,
        ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
        ...(c.config.triggerStageIds ? { triggerStageIds: parseTriggerStageIds(c.config.triggerStageIds) } : {}),
      },
      c.config.renewalOfProperty?.trim() ? { renewalOfProperty: c.config.renewalOfProperty.trim() } : {},
    ),
  avalara: (c, ctx) =>
    createAvalaraAdapter({
      baseUrl: c.config.baseUrl!,
      companyCode: c.config.companyCode!,
      accountId: c.secrets.accountId!,
      licenseKey: c.secrets.licenseKey!,
      now: ctx.now,
    }),
  stripe: (c, ctx) =>
    createStripeAdapter({
      apiKey: c.secrets.apiKey!,
      webhookSecret: c.secrets.webhookSecret!,
      baseUrl: c.config.baseUrl,
      testPaymentMethod: c.config.testPaymentMethod,
      now: ctx.now,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
  quickbooks: (c, ctx) =>
    createQuickBooksAdapter({
      baseUrl: c.config.baseUrl!,
      realmId: c.config.realmId!,
      accessToken: c.secrets.accessToken!,
      minorVersion: c.config.minorVersion,
      now: ctx.now,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
};

export function buildPort<V extends Vendor>(
  material: ConnectionMaterial & { vendor: V },
  ctx: BuildContext,
): PortOf[V] {
  return factories[material.vendor](material, ctx) as PortOf[V];
}

const DEFAULT_SHIP_TO: OrgSettings['defaultShipTo'] = {
  line1: '100 Market St',
  city: 'San Francisco',
  region: 'CA',
  postalCode: '94105',
  country: 'US',
};

/** Builds the org's full adapter set; a missing connection is a permanent, readable failure. */
export function buildAdapterSet(connections: ConnectionMaterial[], ctx: BuildContext) {
  const byVendor = new Map(connections.map((c) => [c.vendor, c]));
  const missing: string[] = REQUIRED.filter((v) => !byVendor.has(v));
  if (!byVendor.has('salesforce') && !byVendor.has('hubspot')) missing.unshift('a CRM (salesforce or hubspot)');
  if (missing.length > 0) return permanent(`no connection configured for ${missing.join(', ')}`) as Outcome<never>;
  const get = <V extends Vendor>(v: V) => byVendor.get(v)! as ConnectionMaterial & { vendor: V };
  const qbo = get('quickbooks');
  return ok({
    crm: {
      ...(byVendor.has('salesforce') ? { salesforce: buildPort(get('salesforce'), ctx) } : {}),
      ...(byVendor.has('hubspot') ? { hubspot: buildPort(get('hubspot'), ctx) } : {}),
    },
    tax: buildPort(get('avalara'), ctx),
    payment: buildPort(get('stripe'), ctx),
    erp: buildPort(qbo, ctx),
    settings: {
      erpIncomeAccountId: qbo.config.incomeAccountId ?? '1',
      defaultShipTo: DEFAULT_SHIP_TO,
      crmWriteBack: {
        ...(byVendor.has('salesforce') ? { salesforce: writeBackConfig(get('salesforce')) } : {}),
        ...(byVendor.has('hubspot') ? { hubspot: writeBackConfig(get('hubspot')) } : {}),
      },
    },
  });
}

/** The write-back keys of a CRM connection's config (parsed and checked by the write-back flow). */
function writeBackConfig(c: ConnectionMaterial): CrmWriteBackConfig {
  return {
    ...(c.config.writeBackFields ? { writeBackFields: c.config.writeBackFields } : {}),
    ...(c.config.writeBackAccountFields ? { writeBackAccountFields: c.config.writeBackAccountFields } : {}),
    ...(c.config.publicUrl ? { publicUrl: c.config.publicUrl } : {}),
  };
}
