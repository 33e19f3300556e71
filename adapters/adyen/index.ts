/**
 * The Adyen vendor module (adapters/vendor-module.ts): payments over the official SDK with a fetch
 * transport, and HMAC-signed standard webhooks coming in (verified by the adapter's parseWebhook).
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createAdyenAdapter } from './adapter.js';
import { API_HOSTS } from './client.js';
import { classifyAdyenError, needsReconnect } from './errors.js';

export * from './adapter.js';

const config = z.looseObject({
  merchantAccount: z.string({ error: 'required for adyen' }).min(1).optional(),
  environment: z.enum(['TEST', 'LIVE']).optional(),
  liveEndpointUrlPrefix: optionalKey,
  baseUrl: optionalKey,
  returnUrl: optionalKey,
  /** Sandbox: the test card stored for each new customer. */
  testCardNumber: optionalKey,
});

const secrets = z.looseObject({
  apiKey: requiredSecret('adyen'),
  hmacKey: requiredSecret('adyen'),
});

export const adyenVendor: VendorModule<'payment'> = {
  id: 'adyen',
  port: 'payment',
  config,
  secrets,
  accountConfigKey: 'merchantAccount',
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createAdyenAdapter({
      apiKey: s.apiKey!,
      hmacKey: s.hmacKey!,
      merchantAccount: c.merchantAccount ?? '',
      ...(c.environment === 'LIVE' || c.environment === 'TEST' ? { environment: c.environment } : {}),
      liveEndpointUrlPrefix: c.liveEndpointUrlPrefix,
      baseUrl: c.baseUrl,
      returnUrl: c.returnUrl,
      testCardNumber: c.testCardNumber,
      now: ctx.now,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
  hosts: API_HOSTS,
  errors: { classify: classifyAdyenError, needsReconnect },
  // One endpoint per connection: the HMAC key (and the org) is known before the body is trusted.
  webhooks: [
    { port: 'payment', name: 'standard', path: '/:connectionId', lookup: { by: 'id' }, acknowledge: '[accepted]' },
  ],
  simulator: () => import('./simulator/index.js').then((m) => m.createAdyenSimulator),
};
