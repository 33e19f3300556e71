/**
 * The Stripe vendor module (adapters/vendor-module.ts): payments over the official SDK, with
 * signed event webhooks coming in (verified by the adapter's parseWebhook, webhooks.ts).
 */
import { z } from 'zod';
import { optionalKey, requiredSecret, type VendorModule } from '../vendor-module.js';
import { createStripeAdapter } from './adapter.js';
import { API_HOSTS } from './client.js';
import { classifyStripeError, needsReconnect } from './errors.js';

export * from './adapter.js';

const config = z.looseObject({
  baseUrl: optionalKey,
  /** Sandbox: the test payment method confirmed with each payment (pm_card_visa, ...). */
  testPaymentMethod: optionalKey,
});

const secrets = z.looseObject({
  apiKey: requiredSecret('stripe'),
  webhookSecret: requiredSecret('stripe'),
});

export const stripeVendor: VendorModule<'payment'> = {
  id: 'stripe',
  port: 'payment',
  config,
  secrets,
  createAdapter: ({ config: c, secrets: s }, ctx) =>
    createStripeAdapter({
      apiKey: s.apiKey!,
      webhookSecret: s.webhookSecret!,
      baseUrl: c.baseUrl,
      testPaymentMethod: c.testPaymentMethod,
      now: ctx.now,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    }),
  hosts: API_HOSTS,
  errors: { classify: classifyStripeError, needsReconnect },
  // One endpoint per connection, so the signing secret (and the org) is known before the body is
  // trusted. https://docs.stripe.com/webhooks#verify-events
  webhooks: [{ port: 'payment', name: 'events', path: '/:connectionId', lookup: { by: 'id' } }],
  simulator: () => import('./simulator/index.js').then((m) => m.createStripeSimulator),
};
