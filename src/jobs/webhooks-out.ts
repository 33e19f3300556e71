/**
 * Outgoing webhooks as jobs (issue #14). An event becomes one delivery row and one job per endpoint
 * that hears it, written in the same atomic batch as what the event reports (so a rolled-back step
 * announces nothing, and a retried one announces once: the delivery's unique key and the job's
 * dedupe key are the event's). The job signs per the Standard Webhooks specification
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md) with
 * its reference library, posts, and retries any answer but a 2xx with the queue's backoff; every
 * attempt carries the same `webhook-id`, so the receiver can drop a repeat.
 */
import { Webhook } from 'standardwebhooks';
import { atomic } from '../db/atomic.js';
import { type Db, newId, type Statement } from '../db/client.js';
import {
  deliveryAttemptStatement,
  deliveryInsert,
  endpointsFor,
  endpointWithSecret,
  findDelivery,
} from '../db/repos/webhooks-out.js';
import type { SecretKey } from '../db/secrets.js';
import type { Clock } from '../domain/clock.js';
import { ok, parseRetryAfter, permanent, retryable } from '../domain/outcome.js';
import { type WebhookEvent, webhookBody } from '../domain/webhook-events.js';
import { enqueueStatement } from './queue.js';
import type { JobHandler, NewJob } from './types.js';

export const WEBHOOK_DELIVERY_JOB_KIND = 'webhook-delivery';
/** How long an endpoint has to answer one attempt. */
const ATTEMPT_TIMEOUT_MS = 15_000;
/** What of an endpoint's refusal is kept for the delivery log. */
const MAX_KEPT_ANSWER = 300;

export interface WebhookDeliveryPayload {
  deliveryId: string;
}

/** The job that carries one delivery; a resend is a new job for the same delivery (`resend` its number). */
export function webhookDeliveryJob(
  orgId: string,
  delivery: { id: string; endpointId: string; eventKey: string },
  correlationId: string,
  resend?: number,
): NewJob {
  return {
    orgId,
    kind: WEBHOOK_DELIVERY_JOB_KIND,
    payload: { deliveryId: delivery.id } satisfies WebhookDeliveryPayload,
    dedupeKey: deliveryJobKey(delivery, resend),
    correlationId,
    // One queue per endpoint: a slow receiver holds back only its own deliveries.
    connectionKey: `webhook:${delivery.endpointId}`,
  };
}

export const deliveryJobKey = (delivery: { endpointId: string; eventKey: string }, resend?: number) =>
  `webhook:${delivery.endpointId}:${delivery.eventKey}${resend === undefined ? '' : `:resend:${resend}`}`;

/**
 * The writes that announce an event: a delivery row and its job for each endpoint that hears it (none
 * when no endpoint does). A flow step adds `effects` and `enqueue` to its own commit.
 */
export async function webhookEventWrites(
  db: Db,
  orgId: string,
  event: WebhookEvent,
  correlationId: string,
): Promise<{ effects: Statement[]; enqueue: NewJob[] }> {
  const endpoints = await endpointsFor(db, orgId, event.type);
  const effects: Statement[] = [];
  const enqueue: NewJob[] = [];
  for (const endpoint of endpoints) {
    const delivery = { id: newId('msg'), endpointId: endpoint.id, eventKey: event.key };
    const job = webhookDeliveryJob(orgId, delivery, correlationId);
    effects.push(
      deliveryInsert(db, {
        ...delivery,
        orgId,
        eventType: event.type,
        payload: webhookBody(event),
        jobKey: job.dedupeKey,
        createdAt: event.at,
      }),
    );
    enqueue.push(job);
  }
  return { effects, enqueue };
}

/** The same, as statements with their job ids, for a writer outside a flow (the job queue itself). */
export async function webhookEventStatements(
  db: Db,
  clock: Clock,
  orgId: string,
  event: WebhookEvent,
  correlationId: string,
): Promise<{ statements: Statement[]; jobIds: string[] }> {
  const { effects, enqueue } = await webhookEventWrites(db, orgId, event, correlationId);
  const jobs = enqueue.map((job) => enqueueStatement(db, clock, job));
  return { statements: [...effects, ...jobs.map((j) => j.statement)], jobIds: jobs.map((j) => j.id) };
}

export interface WebhookDeliveryDeps {
  db: Db;
  clock: Clock;
  encryptionKey: SecretKey;
  fetch?: typeof fetch;
}

/** Signs and posts one delivery; records the attempt whatever comes back. */
export function webhookDeliveryHandler(deps: WebhookDeliveryDeps): JobHandler {
  const send = deps.fetch ?? ((input, init) => fetch(input, init));
  return async (job) => {
    const { deliveryId } = JSON.parse(job.payload) as WebhookDeliveryPayload;
    const delivery = await findDelivery(deps.db, job.orgId, deliveryId);
    if (!delivery) return permanent(`no webhook delivery ${deliveryId}`);
    const endpoint = await endpointWithSecret(deps.db, deps.encryptionKey, job.orgId, delivery.endpointId);
    if (!endpoint) return permanent(`the webhook endpoint ${delivery.endpointId} is gone`);
    if (endpoint.disabledAt) return permanent(`the webhook endpoint ${endpoint.id} is disabled`);
    const now = deps.clock.now();
    const record = (status: number | null, error: string | null) =>
      atomic(deps.db, [
        deliveryAttemptStatement(deps.db, job.orgId, delivery.id, {
          at: now.toISOString(),
          status,
          error,
          delivered: error === null,
        }),
      ]);
    const signature = new Webhook(endpoint.secret).sign(delivery.id, now, delivery.payload);
    let response: Response;
    try {
      response = await send(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'cpq-to-cash-hub-webhooks',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: delivery.payload,
        // A redirect is an answer, not a place to send the event to.
        redirect: 'manual',
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
    } catch (error) {
      const reason = `could not reach ${endpoint.url}: ${error instanceof Error ? error.message : String(error)}`;
      await record(null, reason);
      return retryable(reason);
    }
    const answer = (await response.text().catch(() => '')).slice(0, MAX_KEPT_ANSWER);
    if (response.status >= 200 && response.status < 300) {
      await record(response.status, null);
      return ok({ status: response.status });
    }
    const reason = `the endpoint answered HTTP ${response.status}${answer ? `: ${answer}` : ''}`;
    await record(response.status, reason);
    return retryable(reason, parseRetryAfter(response.headers.get('retry-after'), now));
  };
}
