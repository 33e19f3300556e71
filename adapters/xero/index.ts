/**
 * The Xero vendor module (adapters/vendor-module.ts): the ERP over the Xero Accounting API 2.0,
 * called with fetch (client.ts says why not xero-node), OAuth 2.0 bearer tokens refreshed with the
 * connection's refresh token (oauth.ts) and stored again through BuildContext.onSecretsRefreshed.
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createXeroAdapter } from './adapter.js';
import { API_HOSTS } from './client.js';
import { classifyFailure, needsReconnect } from './errors.js';

export * from './adapter.js';
export { XERO_TOKEN_REJECTED } from './errors.js';

const positiveInteger = (name: string) =>
  z
    .string()
    .regex(/^[1-9]\d*$/, `${name} must be a positive integer`)
    .optional();

const config = z.looseObject({
  /** The organisation's tenant id (GET https://api.xero.com/connections): the connection's vendor account. */
  tenantId: optionalKey,
  /** Default https://api.xero.com/api.xro/2.0. */
  baseUrl: optionalKey,
  /** Default https://identity.xero.com/connect/token. */
  tokenUrl: optionalKey,
  /** Account code of the items' sales (income) account, e.g. 200. */
  incomeAccountId: optionalKey,
  /** Bank account (code or AccountID) payments are deposited to, e.g. 090. */
  paymentAccount: optionalKey,
  /** Tax rate type on lines carrying the tax engine's tax (default OUTPUT). */
  taxType: optionalKey,
  /** The organisation's base currency (default USD): manual journals are posted in it. */
  baseCurrency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'baseCurrency must be an ISO 4217 code')
    .optional(),
  /** Lower the per-tenant limits (another integration shares the tenant's quota). */
  callsPerMinute: positiveInteger('callsPerMinute'),
  callsPerDay: positiveInteger('callsPerDay'),
  concurrency: positiveInteger('concurrency'),
});

const secrets = z.looseObject({
  accessToken: requiredSecret('xero'),
  /** OAuth app: with these the 30-minute access token is refreshed (and the rotated refresh token stored). */
  refreshToken: optionalKey,
  clientId: optionalKey,
  clientSecret: optionalKey,
  accessTokenExpiresAt: optionalKey,
});

export const xeroVendor: VendorModule<'erp'> = {
  id: 'xero',
  port: 'erp',
  config,
  secrets,
  accountConfigKey: 'tenantId',
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createXeroAdapter({
      tenantId: c.tenantId!,
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
        ? { onTokenRefresh: (refreshed: Record<string, string>) => ctx.onSecretsRefreshed!('xero', refreshed) }
        : {}),
      ...(c.baseUrl ? { baseUrl: c.baseUrl } : {}),
      ...(c.tokenUrl ? { tokenUrl: c.tokenUrl } : {}),
      ...(c.paymentAccount ? { paymentAccount: c.paymentAccount } : {}),
      ...(c.taxType ? { taxType: c.taxType } : {}),
      ...(c.baseCurrency ? { baseCurrency: c.baseCurrency } : {}),
      limits: {
        ...(c.callsPerMinute ? { perMinute: Number(c.callsPerMinute) } : {}),
        ...(c.callsPerDay ? { perDay: Number(c.callsPerDay) } : {}),
        ...(c.concurrency ? { concurrent: Number(c.concurrency) } : {}),
      },
      now: ctx.now,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
  hosts: API_HOSTS,
  errors: { classify: classifyFailure, needsReconnect },
  simulator: () => import('./simulator/index.js').then((m) => m.createXeroSimulator),
};
