/**
 * The events an org's own webhook endpoints may hear (issue #14, webhooks out). Each is sent as the
 * Standard Webhooks payload shape `{type, timestamp, data}` (https://www.standardwebhooks.com/),
 * `data` in the API's snake_case.
 */
export const WEBHOOK_EVENT_TYPES = [
  'contract.created',
  'invoice.finalized',
  'payment.succeeded',
  'sync.dead_lettered',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEvent {
  type: WebhookEventType;
  /** What happened, once: an endpoint hears one event of one key once (`invoice.finalized:inv_…`). */
  key: string;
  /** ISO 8601: when it happened (the payload's `timestamp`). */
  at: string;
  data: Record<string, unknown>;
}

export const isWebhookEventType = (value: string): value is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);

/** The body every attempt of one delivery sends, byte for byte (it is what is signed). */
export function webhookBody(event: Pick<WebhookEvent, 'type' | 'at' | 'data'>): string {
  return JSON.stringify({ type: event.type, timestamp: event.at, data: event.data });
}
