/**
 * Vendor webhooks: one route for every vendor. Each vendor module declares its endpoints
 * (adapters/inbound.ts); they are mounted here under /webhooks/<vendor>, so the paths customers
 * have configured stay as they were (/webhooks/salesforce/{connectionId}/{token},
 * /webhooks/salesforce/events/{connectionId}, /webhooks/hubspot/{connectionId},
 * /webhooks/stripe/{connectionId}, the opt-in /webhooks/salesforce).
 *
 * Each request is bounded (body size, a budget per connection), verified by its vendor before
 * anything in it is trusted, recorded in the inbox (deduplicated by the provider's event id) and
 * acted on in the same atomic write, then acknowledged. Handlers never call vendors.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { VENDOR_MODULES } from '../../../adapters/registry.js';
import type { CrmVendor, PaymentVendor } from '../../domain/vendors.js';
import type { HubContext } from '../context.js';
import { problem } from '../problem.js';
import { crmWebhookHandler } from './crm-webhook.js';
import { paymentWebhookHandler } from './payment-webhook.js';
import { inboundLimit, inboundRefusalBudget } from './webhook-answers.js';

export { ORG_ID_ROUTE_CONFIG, orgIdRouteEnabled } from '../../../adapters/salesforce/index.js';
export { hasContract } from './deal-changes.js';

/**
 * The largest webhook body the hub reads: Salesforce's 100 notifications, HubSpot's batches and
 * Stripe's events are each far below it; a bigger body is refused before it is buffered.
 */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export function webhookRoutes(hub: HubContext): Hono {
  const app = new Hono();
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_WEBHOOK_BODY_BYTES,
      onError: (c) =>
        problem(c, 413, 'Payload too large', `webhook bodies are limited to ${MAX_WEBHOOK_BODY_BYTES} bytes`),
    }),
  );
  const limit = inboundLimit(hub);
  const refusals = inboundRefusalBudget(hub);
  for (const module of VENDOR_MODULES) {
    for (const endpoint of module.webhooks ?? []) {
      const path = `/${module.id}${endpoint.path === '/' ? '' : endpoint.path}`;
      const handler =
        endpoint.port === 'crm'
          ? crmWebhookHandler(hub, module.id as CrmVendor, endpoint, limit)
          : paymentWebhookHandler(hub, module.id as PaymentVendor, endpoint.name, refusals, endpoint.acknowledge);
      app.post(path, handler);
    }
  }
  return app;
}
