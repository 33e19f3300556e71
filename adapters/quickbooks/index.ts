/**
 * The QuickBooks Online vendor module (adapters/vendor-module.ts): the ERP over Intuit's REST API,
 * called with plain fetch (README: why QuickBooks has no SDK here).
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createQuickBooksAdapter } from './adapter.js';
import { API_HOSTS } from './client.js';
import { classifyFailure, needsReconnect } from './errors.js';

export * from './adapter.js';

const config = z.looseObject({
  baseUrl: optionalKey,
  /** The company (realm) id: the connection's vendor account (unique across orgs). */
  realmId: optionalKey,
  minorVersion: optionalKey,
  /** Income account of the items the hub creates (default 1). */
  incomeAccountId: optionalKey,
  /** The company's home currency (default USD): journals in another currency carry ExchangeRate. */
  homeCurrency: optionalKey,
  /** Item named on RefundReceipt lines. */
  refundItemId: optionalKey,
});

const secrets = z.looseObject({ accessToken: requiredSecret('quickbooks') });

export const quickbooksVendor: VendorModule<'erp'> = {
  id: 'quickbooks',
  port: 'erp',
  config,
  secrets,
  accountConfigKey: 'realmId',
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createQuickBooksAdapter({
      baseUrl: c.baseUrl!,
      realmId: c.realmId!,
      accessToken: s.accessToken!,
      minorVersion: c.minorVersion,
      now: ctx.now,
      ...(c.homeCurrency ? { homeCurrency: c.homeCurrency } : {}),
      ...(c.refundItemId ? { refundItemId: c.refundItemId } : {}),
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
  hosts: API_HOSTS,
  errors: { classify: classifyFailure, needsReconnect },
  simulator: () => import('./simulator/index.js').then((m) => m.createQuickBooksSimulator),
};
