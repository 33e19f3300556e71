/**
 * The Razorpay vendor module (adapters/vendor-module.ts): payments over the official SDK with
 * axios's fetch adapter, and signed webhooks coming in (verified by the adapter's parseWebhook).
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createRazorpayAdapter } from './adapter.js';
import { API_HOSTS } from './client.js';
import { classifyRazorpayError, needsReconnect } from './errors.js';

export * from './adapter.js';

const config = z.looseObject({
  /** The key id (`rzp_live_…`/`rzp_test_…`) is not secret: it names the account's key. */
  keyId: optionalKey,
  baseUrl: optionalKey,
  /** Sandbox: the token every customer is charged with. */
  sandboxToken: optionalKey,
});

const secrets = z.looseObject({
  keySecret: requiredSecret('razorpay'),
  webhookSecret: requiredSecret('razorpay'),
});

export const razorpayVendor: VendorModule<'payment'> = {
  id: 'razorpay',
  port: 'payment',
  config,
  secrets,
  accountConfigKey: 'keyId',
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createRazorpayAdapter({
      keyId: c.keyId ?? '',
      keySecret: s.keySecret!,
      webhookSecret: s.webhookSecret!,
      baseUrl: c.baseUrl,
      sandboxToken: c.sandboxToken,
      now: ctx.now,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
  hosts: API_HOSTS,
  errors: { classify: classifyRazorpayError, needsReconnect },
  webhooks: [{ port: 'payment', name: 'events', path: '/:connectionId', lookup: { by: 'id' } }],
  simulator: () => import('./simulator/index.js').then((m) => m.createRazorpaySimulator),
};
