/**
 * The HubSpot vendor module (adapters/vendor-module.ts): a CRM over the CRM v3/v4 APIs, with
 * webhooks v3 coming in. A connection holds a private-app token, or OAuth app credentials the
 * adapter refreshes itself (oauth.ts).
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createHubSpotAdapter } from './adapter.js';
import { API_HOSTS } from './client.js';
import { classifyHubSpotError, needsReconnect } from './errors.js';
import { hubspotWebhooks } from './webhook-endpoints.js';

export * from './adapter.js';

/** The connection's `triggerStageIds` config: comma-separated stage ids (default closedwon). */
export function parseTriggerStageIds(value: string | undefined): string[] {
  const ids = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return ids.length > 0 ? ids : ['closedwon'];
}

const config = z.looseObject({
  baseUrl: optionalKey,
  /** The HubSpot account id: the connection's vendor account (unique across orgs). */
  portalId: optionalKey,
  triggerStageIds: optionalKey,
  renewalOfProperty: optionalKey,
  writeBackFields: optionalKey,
  writeBackAccountFields: optionalKey,
  publicUrl: optionalKey,
});

const secrets = z.looseObject({
  accessToken: requiredSecret('hubspot'),
  /** OAuth app: refresh with these; the client secret also verifies webhooks and CRM cards. */
  refreshToken: optionalKey,
  clientId: optionalKey,
  clientSecret: optionalKey,
  accessTokenExpiresAt: optionalKey,
});

export const hubspotVendor: VendorModule<'crm'> = {
  id: 'hubspot',
  port: 'crm',
  config,
  secrets,
  /** The connection config key naming the vendor account, checked unique on reconnect. */
  accountConfigKey: 'portalId',
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createHubSpotAdapter(
      {
        accessToken: s.accessToken!,
        ...(s.refreshToken && s.clientId && s.clientSecret
          ? {
              oauth: {
                refreshToken: s.refreshToken,
                clientId: s.clientId,
                clientSecret: s.clientSecret,
                ...(s.accessTokenExpiresAt ? { accessTokenExpiresAt: s.accessTokenExpiresAt } : {}),
              },
            }
          : {}),
        ...(ctx.onSecretsRefreshed
          ? { onTokenRefresh: (refreshed: Record<string, string>) => ctx.onSecretsRefreshed!('hubspot', refreshed) }
          : {}),
        baseUrl: c.baseUrl,
        now: ctx.now,
        ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
        ...(c.triggerStageIds ? { triggerStageIds: parseTriggerStageIds(c.triggerStageIds) } : {}),
      },
      c.renewalOfProperty?.trim() ? { renewalOfProperty: c.renewalOfProperty.trim() } : {},
    ),
  hosts: API_HOSTS,
  errors: { classify: classifyHubSpotError, needsReconnect },
  webhooks: hubspotWebhooks,
  simulator: () => import('./simulator/index.js').then((m) => m.createHubSpotSimulator),
};
