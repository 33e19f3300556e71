/**
 * Salesforce's inbound endpoints (adapters/inbound.ts), mounted under /webhooks/salesforce:
 * - `/{connectionId}/{token}`: Outbound Messages, SOAP in, SOAP ack out. The message carries no
 *   signature, so the endpoint URL does: issued on connect, rotatable
 *   (POST /api/v1/connections/salesforce/outbound-message-url).
 *   https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
 * - `/`: the org-id-only Outbound Message endpoint of earlier versions, refused unless the
 *   connection opted in (config orgIdRoute=enabled, shown as a warning on its health).
 * - `/events/{connectionId}`: Change Data Capture and Platform Events forwarded by the customer's
 *   relay, body signed with the connection's eventSecret (events.ts).
 */
import type { CrmWebhookEndpoint, DealChange, DealChanges, InboundRefusal } from '../inbound.js';
import {
  EVENT_SIGNATURE_HEADER,
  type OpportunityChange,
  parseOpportunityEvents,
  salesforceTriggerStages,
  verifyEventSignature,
  wonState,
} from './events.js';
import {
  type OutboundMessage,
  type OutboundNotification,
  outboundMessageAck,
  parseOutboundMessage,
} from './webhooks.js';

/** The config switch that lets a Salesforce connection take Outbound Messages on the org-id-only route. */
export const ORG_ID_ROUTE_CONFIG = 'orgIdRoute';
export const orgIdRouteEnabled = (config: Record<string, string>) => config[ORG_ID_ROUTE_CONFIG] === 'enabled';

const invalidMessage = (detail: string): InboundRefusal => ({
  refuse: 'invalid',
  title: 'Invalid outbound message',
  detail,
});

/**
 * A notification of a deal not (yet) won is recorded but starts nothing: the one job per deal
 * must not be spent (and dead-lettered) on a deal that may still be won later. A message without
 * IsWon and StageName starts the flow, which reads the deal and checks the stage itself.
 */
function notificationChange(n: OutboundNotification, triggerStages: readonly string[]): DealChange {
  const isWon = n.fields.IsWon === undefined ? undefined : n.fields.IsWon === 'true';
  const mayBeWon = wonState({ isWon, stageName: n.fields.StageName }, triggerStages) !== 'not-won';
  return {
    inbox: { provider: 'salesforce', eventId: n.id, payload: JSON.stringify(n) },
    dealIds: [n.objectId],
    startContract: mayBeWon,
    // An edit of a deal with a contract, keyed by the modstamp the message carries (else its id).
    amendmentKey: mayBeWon ? (n.fields.SystemModstamp ?? n.fields.LastModifiedDate ?? n.id) : undefined,
  };
}

/** Salesforce retries until it gets the ack, so a message already recorded is acknowledged again. */
function outboundChanges(message: OutboundMessage, config: Record<string, string>): DealChanges {
  const triggerStages = salesforceTriggerStages(config);
  return {
    changes: message.notifications
      .filter((n) => n.objectType === 'Opportunity')
      .map((n) => notificationChange(n, triggerStages)),
    reply: () => ({ type: 'xml', body: outboundMessageAck() }),
  };
}

const outboundMessage: CrmWebhookEndpoint = {
  port: 'crm',
  name: 'outbound-message',
  // The id pattern keeps /events/{id} from matching here.
  path: '/:connectionId{con_[^/]+}/:token',
  lookup: { by: 'inbound-token' },
  async receive(request, connection) {
    const parsed = parseOutboundMessage(request.rawBody);
    if (!parsed.ok) return invalidMessage(parsed.reason);
    // The URL proves the sender knows this connection's secret; the message must also come from
    // the Salesforce org connected here, or another org's messages could be replayed into it.
    if (parsed.value.organizationId !== connection.externalAccountId) return { refuse: 'unauthenticated' };
    return outboundChanges(parsed.value, connection.config);
  },
};

/** Anyone who knows a Salesforce org id can call it: unknown org and not opted in get the same 401. */
const orgIdOutboundMessage: CrmWebhookEndpoint = {
  port: 'crm',
  name: 'org-id',
  path: '/',
  lookup: {
    by: 'account',
    accountOf(rawBody) {
      const parsed = parseOutboundMessage(rawBody);
      return parsed.ok ? { account: parsed.value.organizationId } : invalidMessage(parsed.reason);
    },
  },
  async receive(request, connection) {
    if (!orgIdRouteEnabled(connection.config)) return { refuse: 'unauthenticated' };
    const parsed = parseOutboundMessage(request.rawBody);
    if (!parsed.ok) return invalidMessage(parsed.reason);
    return outboundChanges(parsed.value, connection.config);
  },
};

/**
 * A won deal starts deal-to-contract; an edit after close (a won deal, or an UPDATE that does not
 * touch the stage) of a deal with a contract starts the amendment check, one job per commit.
 */
function eventChange(change: OpportunityChange, triggerStages: readonly string[]): DealChange {
  const won = wonState(change, triggerStages);
  const edit = won === 'won' || (won === 'unknown' && change.changeType === 'UPDATE');
  return {
    inbox: {
      provider: change.kind === 'cdc' ? 'salesforce-cdc' : 'salesforce-event',
      eventId: change.dedupeKey,
      payload: JSON.stringify(change.raw),
    },
    dealIds: change.opportunityIds,
    startContract: won === 'won',
    amendmentKey: edit ? change.changeKey : undefined,
  };
}

/**
 * Deduplicated by (transactionKey, sequenceNumber) or replayId. A connection without an
 * eventSecret refuses every event (401, as a bad signature) and says so on its health
 * (GET /api/v1/connections), rather than telling a caller what is missing.
 */
const changeEvents: CrmWebhookEndpoint = {
  port: 'crm',
  name: 'events',
  path: '/events/:connectionId',
  lookup: { by: 'id' },
  async receive(request, connection) {
    const eventSecret = (await connection.secrets())?.eventSecret;
    if (!eventSecret) return { refuse: 'unauthenticated' };
    const signature = request.headers.get(EVENT_SIGNATURE_HEADER) ?? undefined;
    const verified = await verifyEventSignature(request.rawBody, signature, eventSecret);
    if (!verified.ok) return { refuse: 'unauthenticated', why: verified.reason };
    const batch = parseOpportunityEvents(request.rawBody);
    if (!batch.ok) {
      const field = 'field' in batch ? batch.field : undefined;
      return { refuse: 'invalid', title: 'Invalid event body', detail: batch.reason, ...(field ? { field } : {}) };
    }
    const triggerStages = salesforceTriggerStages(connection.config);
    return {
      changes: batch.value.changes.map((change) => eventChange(change, triggerStages)),
      reply: (started) => ({ type: 'json', body: { received: batch.value.received, started } }),
    };
  },
};

export const salesforceWebhooks = [outboundMessage, orgIdOutboundMessage, changeEvents] as const;
