/**
 * The Anrok vendor module (adapters/vendor-module.ts): tax through Anrok's seller API (REST over
 * fetch, client.ts; Anrok has no SDK).
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createAnrokAdapter } from './adapter.js';
import { API_HOSTS } from './client.js';
import { classifyAnrokError, needsReconnect } from './errors.js';

export * from './adapter.js';

const config = z.looseObject({ baseUrl: optionalKey, defaultTaxCategoryId: optionalKey });
const secrets = z.looseObject({ apiKey: requiredSecret('anrok') });

export const anrokVendor: VendorModule<'tax'> = {
  id: 'anrok',
  port: 'tax',
  config,
  secrets,
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createAnrokAdapter({
      baseUrl: c.baseUrl ?? 'https://api.anrok.com',
      apiKey: s.apiKey!,
      ...(c.defaultTaxCategoryId ? { defaultTaxCategoryId: c.defaultTaxCategoryId } : {}),
      now: ctx.now,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
  hosts: API_HOSTS,
  errors: { classify: classifyAnrokError, needsReconnect },
  simulator: () => import('./simulator/index.js').then((m) => m.createAnrokSimulator),
};
