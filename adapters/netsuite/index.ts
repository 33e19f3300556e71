/**
 * The NetSuite vendor module (adapters/vendor-module.ts): the ERP over SuiteTalk REST web services,
 * signed with Token-Based Authentication (OAuth 1.0a, HMAC-SHA256).
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createNetSuiteAdapter } from './adapter.js';
import { API_HOSTS } from './client.js';
import { classifyFailure, needsReconnect } from './errors.js';

export * from './adapter.js';

/** A JSON object of ISO currency code → NetSuite currency internal id, e.g. {"USD":"1","EUR":"4"}. */
const currencyIds = z
  .string()
  .refine((text) => parseCurrencyIds(text) !== null, 'currencyIds must be a JSON object of currency code → id')
  .optional();

const config = z.looseObject({
  /** The account id (1234567, or 1234567_SB1 for a sandbox): the OAuth realm and the vendor account. */
  // Letters, digits, `_` and `-` only: the id becomes the API host name (client.ts accountHost).
  accountId: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'accountId must be a NetSuite account id like 1234567_SB1')
    .optional(),
  /** Default https://<account>.suitetalk.api.netsuite.com. */
  baseUrl: optionalKey,
  /** Requests in flight at once for this account (default 5, the shared tier's limit). */
  concurrency: z
    .string()
    .regex(/^[1-9]\d*$/, 'concurrency must be a positive integer')
    .optional(),
  /** Income account of the service items the hub creates. */
  incomeAccountId: optionalKey,
  /** Item the tax engine's totals are posted on. */
  taxItemId: optionalKey,
  /** OneWorld: the subsidiary customers, items and journals belong to. */
  subsidiaryId: optionalKey,
  currencyIds,
});

const secrets = z.looseObject({
  consumerKey: requiredSecret('netsuite'),
  consumerSecret: requiredSecret('netsuite'),
  tokenId: requiredSecret('netsuite'),
  tokenSecret: requiredSecret('netsuite'),
});

function parseCurrencyIds(text: string): Record<string, string> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const entries = Object.entries(parsed as Record<string, unknown>);
    if (!entries.every(([, id]) => typeof id === 'string' || typeof id === 'number')) return null;
    return Object.fromEntries(entries.map(([code, id]) => [code.toUpperCase(), String(id)]));
  } catch {
    return null;
  }
}

export const netsuiteVendor: VendorModule<'erp'> = {
  id: 'netsuite',
  port: 'erp',
  config,
  secrets,
  accountConfigKey: 'accountId',
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createNetSuiteAdapter({
      accountId: c.accountId!,
      ...(c.baseUrl ? { baseUrl: c.baseUrl } : {}),
      consumerKey: s.consumerKey!,
      consumerSecret: s.consumerSecret!,
      tokenId: s.tokenId!,
      tokenSecret: s.tokenSecret!,
      ...(c.concurrency ? { concurrency: Number(c.concurrency) } : {}),
      ...(c.taxItemId ? { taxItemId: c.taxItemId } : {}),
      ...(c.subsidiaryId ? { subsidiaryId: c.subsidiaryId } : {}),
      ...(c.currencyIds ? { currencyIds: parseCurrencyIds(c.currencyIds) ?? {} } : {}),
      now: ctx.now,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
  hosts: API_HOSTS,
  errors: { classify: classifyFailure, needsReconnect },
  simulator: () => import('./simulator/index.js').then((m) => m.createNetSuiteSimulator),
};
