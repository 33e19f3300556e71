/**
 * A flow step's announcement to the org's webhook endpoints (issue #14): delivery rows and jobs that
 * commit with the step's own writes, so an event is sent once, and only when it happened.
 */
import type { Db } from '../src/db/client.js';
import type { WebhookEvent } from '../src/domain/webhook-events.js';
import { webhookEventWrites } from '../src/jobs/webhooks-out.js';

export function announce(db: Db, orgId: string, event: WebhookEvent, correlationId: string) {
  return webhookEventWrites(db, orgId, event, correlationId);
}
