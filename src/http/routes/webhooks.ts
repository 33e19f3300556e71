/**
 * Vendor webhooks: verify, record in the inbox (deduplicated by the provider's event id) and
 * enqueue the flow in the same atomic write, then acknowledge. Handlers never call vendors.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  dealEventDedupeKey,
  isStageTransition,
  parseDealEvents,
  verifyWebhookV3,
} from '../../../adapters/hubspot/index.js';
import {
  EVENT_SIGNATURE_HEADER,
  parseOpportunityEvents,
  salesforceTriggerStages,
  verifyEventSignature,
  wonState,
} from '../../../adapters/salesforce/events.js';
import { outboundMessageAck, parseOutboundMessage } from '../../../adapters/salesforce/index.js';
import type { OutboundMessage } from '../../../adapters/salesforce/webhooks.js';
import { dealAmendmentJob, dealCorrelationId, dealToContractJob, flowJob } from '../../../flows/index.js';
import { atomic } from '../../db/atomic.js';
import type { Statement } from '../../db/client.js';
import { getContract, getInvoiceWithLines } from '../../db/repos/billing.js';
import {
  type ConnectionRow,
  connectionByInboundToken,
  findConnectionByExternalAccount,
  findConnectionById,
  loadConnectionMaterial,
} from '../../db/repos/connections.js';
import { contractVersionId, findContract } from '../../db/repos/contracts.js';
import { inboxHasEvent, recordInboxEvent } from '../../db/repos/webhook-inbox.js';
import { enqueueStatement } from '../../jobs/queue.js';
import type { HubContext } from '../context.js';
import { problem } from '../problem.js';
import { RateLimiter } from '../rate-limit.js';

function inboxStatement(hub: HubContext, orgId: string, provider: string, eventId: string, payload: string): Statement {
  return recordInboxEvent(hub.db, orgId, { provider, eventId, payload, receivedAt: hub.clock.now().toISOString() });
}

/**
 * Whether the inbox already holds this event: a redelivery (however late, or after the deal got
 * its contract) then starts nothing. The jobs' own dedupe keys still cover concurrent duplicates.
 */
async function inInbox(hub: HubContext, orgId: string, provider: string, eventId: string): Promise<boolean> {
  return inboxHasEvent(hub.db, orgId, provider, eventId);
}

/**
 * Whether the deal already has its contract (deal-to-contract succeeded): then a new
 * notification is an edit after close, and also starts the amendment check (flows/deal-amendment.ts).
 */
export async function hasContract(
  hub: Pick<HubContext, 'db'>,
  orgId: string,
  system: 'salesforce' | 'hubspot',
  dealId: string,
): Promise<boolean> {
  return (await findContract(hub.db, orgId, await contractVersionId(orgId, system, dealId, 1))) !== undefined;
}

/** The config switch that lets a Salesforce connection take Outbound Messages on the org-id-only route. */
export const ORG_ID_ROUTE_CONFIG = 'orgIdRoute';
export const orgIdRouteEnabled = (config: Record<string, string>) => config[ORG_ID_ROUTE_CONFIG] === 'enabled';

const connectionConfig = (row: ConnectionRow) => JSON.parse(row.config) as Record<string, string>;

/**
 * One answer for every caller the hub cannot authenticate: unknown endpoint, unknown account,
 * a connection missing its secret, a wrong secret or signature. Which one it was is logged, never
 * told, so the route does not reveal which ids or accounts exist.
 */
function unauthenticated(c: Context, why?: string): Response {
  if (why) console.warn(`[webhooks] ${c.req.method} ${c.req.path.replace(/\/[^/]{32,}$/, '/…')}: ${why}`);
  return problem(c, 401, 'Unauthorized', 'the request could not be authenticated');
}

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
  const limiter = new RateLimiter(hub.clock);
  /** A 429 once the key has spent its budget for the window, with Retry-After. */
  const limit = (c: Context, key: string): Response | undefined => {
    const decision = limiter.take(key);
    if (decision.ok) return undefined;
    c.header('retry-after', String(decision.retryAfterSeconds));
    return problem(c, 429, 'Too many requests', `retry after ${decision.retryAfterSeconds} s`);
  };

  // Salesforce Outbound Messages: SOAP in, SOAP ack out. Salesforce retries until it gets the
  // ack, so a message we already have is acknowledged again and changes nothing. The message
  // carries no signature, so the endpoint URL does: /webhooks/salesforce/{connectionId}/{token},
  // issued on connect and rotatable (POST /api/v1/connections/salesforce/outbound-message-url).
  // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
  // (The id pattern keeps /salesforce/events/{id} below from matching here.)
  app.post('/salesforce/:connectionId{con_[^/]+}/:token', async (c) => {
    const limited = limit(c, `salesforce:${c.req.param('connectionId')}`);
    if (limited) return limited;
    const connection = await connectionByInboundToken(hub.db, c.req.param('connectionId'), c.req.param('token'));
    if (connection?.vendor !== 'salesforce') return unauthenticated(c);
    const parsed = parseOutboundMessage(await c.req.text());
    if (!parsed.ok) return problem(c, 400, 'Invalid outbound message', parsed.reason);
    // The URL proves the sender knows this connection's secret; the message must also come from
    // the Salesforce org connected here, or another org's messages could be replayed into it.
    if (parsed.value.organizationId !== connection.externalAccountId) return unauthenticated(c);
    return acceptOutboundMessage(c, connection, parsed.value);
  });

  // The org-id-only endpoint of earlier versions: anyone who knows a Salesforce org id can call
  // it, so it answers 401 unless the connection opted in (config orgIdRoute=enabled, shown as a
  // warning on the connection's health). Unknown org and not opted in get the same answer.
  app.post('/salesforce', async (c) => {
    const parsed = parseOutboundMessage(await c.req.text());
    if (!parsed.ok) return problem(c, 400, 'Invalid outbound message', parsed.reason);
    const limited = limit(c, `salesforce-org:${parsed.value.organizationId}`);
    if (limited) return limited;
    const connection = await findConnectionByExternalAccount(hub.db, 'salesforce', parsed.value.organizationId);
    if (!connection || !orgIdRouteEnabled(connectionConfig(connection))) return unauthenticated(c);
    return acceptOutboundMessage(c, connection, parsed.value);
  });

  async function acceptOutboundMessage(c: Context, connection: ConnectionRow, message: OutboundMessage) {
    const orgId = connection.orgId;
    const triggerStages = salesforceTriggerStages(connectionConfig(connection));
    const statements: Statement[] = [];
    const jobIds: string[] = [];
    for (const n of message.notifications) {
      if (n.objectType !== 'Opportunity') continue;
      if (await inInbox(hub, orgId, 'salesforce', n.id)) continue;
      statements.push(inboxStatement(hub, orgId, 'salesforce', n.id, JSON.stringify(n)));
      // A rule that fires before the deal is won (or in a trigger stage) is recorded but starts
      // nothing: the one job per deal must not be spent (and dead-lettered) on a deal that may
      // still be won later. A message without IsWon and StageName starts the flow, which reads
      // the deal and checks the stage itself.
      const isWon = n.fields.IsWon === undefined ? undefined : n.fields.IsWon === 'true';
      if (wonState({ isWon, stageName: n.fields.StageName }, triggerStages) === 'not-won') continue;
      const job = enqueueStatement(hub.db, hub.clock, dealToContractJob(orgId, 'salesforce', n.objectId));
      statements.push(job.statement);
      jobIds.push(job.id);
      // A deal that already has its contract was edited: check it for an amendment, one job per
      // change (keyed by the modstamp the message carries, else by the notification id).
      if (await hasContract(hub, orgId, 'salesforce', n.objectId)) {
        const changeKey = n.fields.SystemModstamp ?? n.fields.LastModifiedDate ?? n.id;
        const amend = enqueueStatement(hub.db, hub.clock, dealAmendmentJob(orgId, 'salesforce', n.objectId, changeKey));
        statements.push(amend.statement);
        jobIds.push(amend.id);
      }
    }
    await atomic(hub.db, statements);
    await hub.driver.notify(jobIds);
    return c.body(outboundMessageAck(), 200, { 'content-type': 'text/xml; charset=utf-8' });
  }

  // Salesforce Change Data Capture / Platform Events, forwarded by the customer's relay (a
  // Pub/Sub API subscriber): one endpoint per connection, body signed with its eventSecret.
  // Deduplicated by (transactionKey, sequenceNumber) or replayId; see adapters/salesforce/events.ts.
  // A connection without an eventSecret refuses every event (401, as a bad signature) and says
  // so on its health (GET /api/v1/connections), rather than telling a caller what is missing.
  app.post('/salesforce/events/:connectionId', async (c) => {
    const limited = limit(c, `salesforce-events:${c.req.param('connectionId')}`);
    if (limited) return limited;
    const connection = await findConnectionById(hub.db, c.req.param('connectionId'));
    if (connection?.vendor !== 'salesforce') return unauthenticated(c);
    const orgId = connection.orgId;
    const material = (await loadConnectionMaterial(hub.db, hub.encryptionKey, orgId)).find(
      (m) => m.vendor === 'salesforce',
    );
    const eventSecret = material?.secrets.eventSecret;
    if (!eventSecret) return unauthenticated(c);
    const raw = await c.req.text();
    const verified = await verifyEventSignature(raw, c.req.header(EVENT_SIGNATURE_HEADER), eventSecret);
    if (!verified.ok) return unauthenticated(c, verified.reason);
    const batch = parseOpportunityEvents(raw);
    if (!batch.ok) {
      const field = 'field' in batch ? batch.field : undefined;
      const fields = field ? [{ field, message: batch.reason }] : undefined;
      return problem(c, 400, 'Invalid event body', batch.reason, fields);
    }
    const triggerStages = salesforceTriggerStages(material?.config ?? {});
    const statements: Statement[] = [];
    const jobIds: string[] = [];
    for (const change of batch.value.changes) {
      const provider = change.kind === 'cdc' ? 'salesforce-cdc' : 'salesforce-event';
      if (await inInbox(hub, orgId, provider, change.dedupeKey)) continue;
      statements.push(inboxStatement(hub, orgId, provider, change.dedupeKey, JSON.stringify(change.raw)));
      const won = wonState(change, triggerStages);
      for (const dealId of change.opportunityIds) {
        // As with Outbound Messages, a deal not (yet) won must not spend its one job.
        if (won === 'won') {
          const job = enqueueStatement(hub.db, hub.clock, dealToContractJob(orgId, 'salesforce', dealId));
          statements.push(job.statement);
          jobIds.push(job.id);
        }
        // An edit after close (a won deal, or an UPDATE that does not touch the stage) of a deal
        // with a contract starts the amendment check, one job per commit.
        const edit = won === 'won' || (won === 'unknown' && change.changeType === 'UPDATE');
        if (edit && (await hasContract(hub, orgId, 'salesforce', dealId))) {
          const amend = enqueueStatement(
            hub.db,
            hub.clock,
            dealAmendmentJob(orgId, 'salesforce', dealId, change.changeKey),
          );
          statements.push(amend.statement);
          jobIds.push(amend.id);
        }
      }
    }
    await atomic(hub.db, statements);
    await hub.driver.notify(jobIds);
    return c.json({ received: batch.value.received, started: jobIds.length });
  });

  // Stripe: one endpoint per connection, so the signing secret (and the org) is known before
  // the body is trusted. https://docs.stripe.com/webhooks#verify-events
  app.post('/stripe/:connectionId', async (c) => {
    const limited = limit(c, `stripe:${c.req.param('connectionId')}`);
    if (limited) return limited;
    const connection = await findConnectionById(hub.db, c.req.param('connectionId'));
    if (connection?.vendor !== 'stripe') return unauthenticated(c);
    const orgId = connection.orgId;
    const adapters = await hub.adaptersFor(orgId);
    if (!adapters.ok) {
      // Nothing can verify the event; Stripe retries any non-2xx for three days.
      console.warn(`[webhooks] stripe event for org ${orgId} refused: ${adapters.reason}`);
      return unauthenticated(c);
    }
    const raw = await c.req.text();
    const event = await adapters.value.payment.parseWebhook(raw, c.req.raw.headers);
    if (!event.ok) return unauthenticated(c, event.reason);
    const e = event.value;
    if (e.type === 'ignored' || !e.paymentExternalId || !e.invoiceId) {
      await atomic(hub.db, [inboxStatement(hub, orgId, 'stripe', e.eventId, raw)]);
      return c.json({ received: true, handled: false });
    }
    const invoice = await getInvoiceWithLines(hub.db, orgId, e.invoiceId);
    if (!invoice)
      return problem(c, 422, 'Unknown invoice', `event ${e.eventId} names invoice ${e.invoiceId}, not in this org`);
    const contract = await getContract(hub.db, orgId, invoice.invoice.contractId);
    const job = enqueueStatement(
      hub.db,
      hub.clock,
      flowJob({
        orgId,
        flow: 'record-payment',
        subjectId: `stripe:${e.paymentExternalId}:${e.type}`,
        input: {
          provider: 'stripe',
          paymentExternalId: e.paymentExternalId,
          invoiceId: e.invoiceId,
          status: e.type === 'payment.succeeded' ? 'succeeded' : 'failed',
          amountMinor: e.amountMinor,
          currency: e.currency,
          occurredAt: e.occurredAt,
        },
        correlationId: contract
          ? dealCorrelationId(contract.sourceSystem, contract.sourceDealId)
          : `invoice:${e.invoiceId}`,
        connectionKey: 'stripe',
      }),
    );
    await atomic(hub.db, [inboxStatement(hub, orgId, 'stripe', e.eventId, raw), job.statement]);
    await hub.driver.notify([job.id]);
    return c.json({ received: true, handled: true });
  });

  // HubSpot webhooks v3: one endpoint per connection, whose app client secret verifies the
  // signature. HubSpot fires on any property change and its event ids are not unique, so only a
  // transition into a trigger stage counts, deduplicated by (deal, stage, change time).
  // https://developers.hubspot.com/docs/api/webhooks/validating-requests
  app.post('/hubspot/:connectionId', async (c) => {
    const limited = limit(c, `hubspot:${c.req.param('connectionId')}`);
    if (limited) return limited;
    const connection = await findConnectionById(hub.db, c.req.param('connectionId'));
    if (connection?.vendor !== 'hubspot') return unauthenticated(c);
    const orgId = connection.orgId;
    const material = (await loadConnectionMaterial(hub.db, hub.encryptionKey, orgId)).find(
      (m) => m.vendor === 'hubspot',
    );
    const clientSecret = material?.secrets.clientSecret;
    // Shown on the connection's health; a caller only learns it could not be authenticated.
    if (!clientSecret) return unauthenticated(c);
    const raw = await c.req.text();
    const verified = await verifyWebhookV3({
      method: c.req.method,
      url: c.req.url,
      rawBody: raw,
      signature: c.req.header('x-hubspot-signature-v3'),
      timestamp: c.req.header('x-hubspot-request-timestamp'),
      clientSecret,
      now: () => hub.clock.now(),
    });
    if (!verified.ok) return unauthenticated(c, verified.reason);
    const events = parseDealEvents(raw);
    if (!events.ok) return problem(c, 400, 'Invalid webhook body', events.reason);
    const triggerStages = (material?.config.triggerStageIds ?? 'closedwon').split(',').map((s) => s.trim());
    const statements: Statement[] = [];
    const jobIds: string[] = [];
    for (const event of events.value) {
      if (!isStageTransition(event, triggerStages)) continue;
      const eventKey = dealEventDedupeKey(event);
      if (await inInbox(hub, orgId, 'hubspot', eventKey)) continue;
      statements.push(inboxStatement(hub, orgId, 'hubspot', eventKey, JSON.stringify(event)));
      const job = enqueueStatement(hub.db, hub.clock, dealToContractJob(orgId, 'hubspot', event.objectId));
      statements.push(job.statement);
      jobIds.push(job.id);
      if (await hasContract(hub, orgId, 'hubspot', event.objectId)) {
        const changeKey = String(event.occurredAt);
        const amend = enqueueStatement(
          hub.db,
          hub.clock,
          dealAmendmentJob(orgId, 'hubspot', event.objectId, changeKey),
        );
        statements.push(amend.statement);
        jobIds.push(amend.id);
      }
    }
    await atomic(hub.db, statements);
    await hub.driver.notify(jobIds);
    return c.json({ received: events.value.length, started: jobIds.length });
  });

  return app;
}
