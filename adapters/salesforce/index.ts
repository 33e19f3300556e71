/**
 * The Salesforce vendor module (adapters/vendor-module.ts): a CRM over the REST API (jsforce),
 * with Outbound Messages and Change Data Capture coming in, and OAuth (web-server and JWT bearer
 * flows) to connect.
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createSalesforceAdapter } from './adapter.js';
import {
  API_HOSTS,
  DEFAULT_SESSION_TIMEOUT_MINUTES,
  parseSessionTimeoutMinutes,
  type RefreshedToken,
} from './client.js';
import { salesforceOAuth } from './connect.js';
import { classifySalesforceError, needsReconnect } from './errors.js';
import { salesforceTriggerStages } from './events.js';
import { salesforceWebhooks } from './webhook-endpoints.js';

export * from './adapter.js';
export { connectionFromToken } from './connect.js';
export { exchangeJwt, tokenIssuedAt } from './oauth.js';
export { ORG_ID_ROUTE_CONFIG, orgIdRouteEnabled } from './webhook-endpoints.js';

/**
 * The connection's `sessionTimeoutMinutes` config (integer 15..1440, default 120). A value outside
 * that range falls back to the default rather than failing the org's adapters: the refresh on 401
 * still covers a session that ends sooner than expected. Checked where config is set (config schema).
 */
export function sessionTimeoutMinutes(value: string | undefined): number {
  const parsed = parseSessionTimeoutMinutes(value);
  return parsed.ok ? parsed.value : DEFAULT_SESSION_TIMEOUT_MINUTES;
}

const sessionTimeout = optionalKey.superRefine((value, ctx) => {
  const parsed = parseSessionTimeoutMinutes(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});

const config = z.looseObject({
  instanceUrl: optionalKey,
  loginUrl: optionalKey,
  apiVersion: optionalKey,
  sessionTimeoutMinutes: sessionTimeout,
  /** 'true': lines come from the primary Salesforce CPQ quote. */
  cpq: optionalKey,
  renewalOfField: optionalKey,
  /** Comma-separated stage names that start billing besides a won stage. */
  triggerStages: optionalKey,
  /** Canvas: profiles allowed to press "Sync now"; the stylesheet override. */
  syncProfileIds: optionalKey,
  sldsCssUrl: optionalKey,
  /** 'enabled': take Outbound Messages on the org-id-only route (webhook-endpoints.ts). */
  orgIdRoute: optionalKey,
  writeBackFields: optionalKey,
  writeBackAccountFields: optionalKey,
  publicUrl: optionalKey,
});

const secrets = z.looseObject({
  accessToken: requiredSecret('salesforce'),
  accessTokenIssuedAt: optionalKey,
  /** Web-server flow: refresh with these. */
  refreshToken: optionalKey,
  clientId: optionalKey,
  clientSecret: optionalKey,
  /** JWT bearer flow: mint new tokens with these (and clientId). */
  username: optionalKey,
  privateKeyPem: optionalKey,
  /** Signs the change events the customer's relay forwards. */
  eventSecret: optionalKey,
});

export const salesforceVendor: VendorModule<'crm'> = {
  id: 'salesforce',
  port: 'crm',
  config,
  secrets,
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createSalesforceAdapter(
      {
        instanceUrl: c.instanceUrl!,
        apiVersion: c.apiVersion,
        loginUrl: c.loginUrl,
        accessToken: s.accessToken!,
        ...(s.accessTokenIssuedAt ? { accessTokenIssuedAt: s.accessTokenIssuedAt } : {}),
        sessionTimeoutMinutes: sessionTimeoutMinutes(c.sessionTimeoutMinutes),
        refreshToken: s.refreshToken,
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        ...(s.privateKeyPem && s.username && s.clientId
          ? { jwt: { clientId: s.clientId, username: s.username, privateKeyPem: s.privateKeyPem } }
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
        cpq: c.cpq === 'true',
        ...(c.renewalOfField?.trim() ? { renewalOfField: c.renewalOfField.trim() } : {}),
        triggerStages: salesforceTriggerStages(c),
      },
    ),
  hosts: API_HOSTS,
  errors: { classify: classifySalesforceError, needsReconnect },
  webhooks: salesforceWebhooks,
  oauth: salesforceOAuth,
  simulator: () => import('./simulator/index.js').then((m) => m.createSalesforceSimulator),
};
