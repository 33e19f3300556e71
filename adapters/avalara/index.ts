/**
 * The Avalara vendor module (adapters/vendor-module.ts): tax through AvaTax REST v2 (the official
 * SDK over our own transport, client.ts).
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createAvalaraAdapter } from './adapter.js';
import { API_HOSTS } from './client.js';
import { classifyAvalaraError, needsReconnect } from './errors.js';

export * from './adapter.js';

const config = z.looseObject({ baseUrl: optionalKey, companyCode: optionalKey });

const secrets = z.looseObject({
  accountId: requiredSecret('avalara'),
  licenseKey: requiredSecret('avalara'),
});

export const avalaraVendor: VendorModule<'tax'> = {
  id: 'avalara',
  port: 'tax',
  config,
  secrets,
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createAvalaraAdapter({
      baseUrl: c.baseUrl!,
      companyCode: c.companyCode!,
      accountId: s.accountId!,
      licenseKey: s.licenseKey!,
      now: ctx.now,
    }),
  hosts: API_HOSTS,
  errors: { classify: classifyAvalaraError, needsReconnect },
  simulator: () => import('./simulator/index.js').then((m) => m.createAvalaraSimulator),
};
