/**
 * HubSpot's inbound endpoint (adapters/inbound.ts), mounted at /webhooks/hubspot/{connectionId}:
 * webhooks v3, signed with the connection's app client secret (webhooks.ts).
 * https://developers.hubspot.com/docs/api/webhooks/validating-requests
 *
 * HubSpot fires on any property change and its event ids are not unique, so only a transition
 * into a trigger stage counts, deduplicated by (deal, stage, change time).
 */
import type { CrmWebhookEndpoint, DealChange } from '../inbound.js';
import {
  dealEventDedupeKey,
  type HubSpotDealEvent,
  isStageTransition,
  parseDealEvents,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookV3,
} from './webhooks.js';

/** A transition into a trigger stage starts the flow, and an amendment check once the deal has a contract. */
function stageChange(event: HubSpotDealEvent): DealChange {
  return {
    inbox: { provider: 'hubspot', eventId: dealEventDedupeKey(event), payload: JSON.stringify(event) },
    dealIds: [event.objectId],
    startContract: true,
    amendmentKey: String(event.occurredAt),
  };
}

const webhooksV3: CrmWebhookEndpoint = {
  port: 'crm',
  name: 'v3',
  path: '/:connectionId',
  lookup: { by: 'id' },
  async receive(request, connection) {
    const clientSecret = (await connection.secrets())?.clientSecret;
    // Shown on the connection's health; a caller only learns it could not be authenticated.
    if (!clientSecret) return { refuse: 'unauthenticated' };
    const verified = await verifyWebhookV3({
      method: request.method,
      url: request.url,
      rawBody: request.rawBody,
      signature: request.headers.get(SIGNATURE_HEADER),
      timestamp: request.headers.get(TIMESTAMP_HEADER),
      clientSecret,
      now: request.now,
    });
    if (!verified.ok) return { refuse: 'unauthenticated', why: verified.reason };
    const events = parseDealEvents(request.rawBody);
    if (!events.ok) return { refuse: 'invalid', title: 'Invalid webhook body', detail: events.reason };
    const triggerStages = (connection.config.triggerStageIds ?? 'closedwon').split(',').map((s) => s.trim());
    return {
      changes: events.value.filter((event) => isStageTransition(event, triggerStages)).map(stageChange),
      reply: (started) => ({ type: 'json', body: { received: events.value.length, started } }),
    };
  },
};

export const hubspotWebhooks = [webhooksV3] as const;
