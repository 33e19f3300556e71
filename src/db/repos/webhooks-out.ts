/**
 * Outgoing webhooks (issue #14): an org's endpoints (the signing secret sealed, AES-GCM, since
 * signing needs it back) and their deliveries, one row per (endpoint, event), whose attempts run as
 * a job named by `job_key`. Every query is scoped by org id.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { WebhookEventType } from '../../domain/webhook-events.js';
import { atomic } from '../atomic.js';
import { type Db, newId, type Statement } from '../client.js';
import { jobs, webhookDeliveries, webhookEndpoints } from '../schema.js';
import { decryptSecret, encryptSecret, type SecretKey } from '../secrets.js';
import { auditStatement } from './audit.js';
import { afterRow, type PageAfter, splitPage } from './page.js';

type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export interface WebhookEndpoint {
  id: string;
  orgId: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
  createdAt: string;
  disabledAt: string | null;
}

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  const { secretSealed: _sealed, eventTypes, ...rest } = row;
  return { ...rest, eventTypes: JSON.parse(eventTypes) as WebhookEventType[] };
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64 (what the spec's libraries take). */
function generateSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export async function createEndpoint(
  db: Db,
  key: SecretKey,
  now: string,
  input: { orgId: string; url: string; description: string; eventTypes: WebhookEventType[]; actor: string },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = generateSigningSecret();
  const row: EndpointRow = {
    id: newId('whe'),
    orgId: input.orgId,
    url: input.url,
    description: input.description,
    eventTypes: JSON.stringify(input.eventTypes),
    secretSealed: await encryptSecret(key, secret),
    createdAt: now,
    disabledAt: null,
  };
  await atomic(db, [
    db.insert(webhookEndpoints).values(row),
    auditStatement(db, input.orgId, {
      actor: input.actor,
      action: 'webhook.endpoint_created',
      subject: row.id,
      detail: { url: input.url, eventTypes: input.eventTypes },
      at: now,
    }),
  ]);
  return { endpoint: toEndpoint(row), secret };
}

export async function listEndpoints(db: Db, orgId: string): Promise<WebhookEndpoint[]> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.orgId, orgId))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
    .limit(500);
  return rows.map(toEndpoint);
}

export async function findEndpoint(db: Db, orgId: string, id: string): Promise<WebhookEndpoint | undefined> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.id, id)))
    .limit(1);
  return row && toEndpoint(row);
}

/** The endpoint with its signing secret unsealed (the delivery job signs with it). */
export async function endpointWithSecret(
  db: Db,
  key: SecretKey,
  orgId: string,
  id: string,
): Promise<(WebhookEndpoint & { secret: string }) | undefined> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.id, id)))
    .limit(1);
  if (!row) return undefined;
  return { ...toEndpoint(row), secret: await decryptSecret<string>(key, row.secretSealed) };
}

/** Changes an endpoint's URL, description, events or whether it is enabled; audit-logged. */
export async function updateEndpoint(
  db: Db,
  now: string,
  orgId: string,
  id: string,
  change: { url?: string; description?: string; eventTypes?: WebhookEventType[]; enabled?: boolean; actor: string },
): Promise<WebhookEndpoint | undefined> {
  const { actor, enabled, eventTypes, ...plain } = change;
  const set: Partial<EndpointRow> = {
    ...plain,
    ...(eventTypes ? { eventTypes: JSON.stringify(eventTypes) } : {}),
    ...(enabled === undefined ? {} : { disabledAt: enabled ? null : now }),
  };
  const where = and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.id, id));
  const writes: Statement[] = [
    auditStatement(db, orgId, {
      actor,
      action: 'webhook.endpoint_updated',
      subject: id,
      detail: { ...plain, ...(eventTypes ? { eventTypes } : {}), ...(enabled === undefined ? {} : { enabled }) },
      at: now,
    }),
  ];
  if (Object.keys(set).length > 0) writes.unshift(db.update(webhookEndpoints).set(set).where(where));
  await atomic(db, writes);
  return findEndpoint(db, orgId, id);
}

/** The org's enabled endpoints that hear this event type. */
export async function endpointsFor(db: Db, orgId: string, type: WebhookEventType): Promise<WebhookEndpoint[]> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.orgId, orgId), isNull(webhookEndpoints.disabledAt)));
  return rows.map(toEndpoint).filter((e) => e.eventTypes.includes(type));
}

/** A delivery row; a second one for the same (endpoint, event) is dropped, as its job is. */
export function deliveryInsert(
  db: Db,
  row: Omit<DeliveryRow, 'attempts' | 'lastAttemptAt' | 'lastStatus' | 'lastError' | 'deliveredAt'>,
): Statement {
  return db.insert(webhookDeliveries).values(row).onConflictDoNothing();
}

export type DeliveryWithState = DeliveryRow & { state: string | null };

const withState = {
  delivery: webhookDeliveries,
  state: jobs.state,
};

/** One page of an endpoint's deliveries, newest first, each with its job's state. */
export async function listDeliveriesPage(
  db: Db,
  orgId: string,
  endpointId: string,
  page: { limit: number; after?: PageAfter },
): Promise<{ rows: DeliveryWithState[]; next: PageAfter | null }> {
  const rows = await db
    .select(withState)
    .from(webhookDeliveries)
    .leftJoin(jobs, and(eq(jobs.orgId, orgId), eq(jobs.dedupeKey, webhookDeliveries.jobKey)))
    .where(
      and(
        eq(webhookDeliveries.orgId, orgId),
        eq(webhookDeliveries.endpointId, endpointId),
        afterRow(webhookDeliveries.createdAt, webhookDeliveries.id, page.after),
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(page.limit + 1);
  return splitPage(
    rows.map((r) => ({ ...r.delivery, state: r.state })),
    page.limit,
    (r) => ({ createdAt: r.createdAt, id: r.id }),
  );
}

export async function findDelivery(db: Db, orgId: string, id: string): Promise<DeliveryWithState | undefined> {
  const [row] = await db
    .select(withState)
    .from(webhookDeliveries)
    .leftJoin(jobs, and(eq(jobs.orgId, orgId), eq(jobs.dedupeKey, webhookDeliveries.jobKey)))
    .where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.id, id)))
    .limit(1);
  return row && { ...row.delivery, state: row.state };
}

/** One attempt's outcome: counted, with the endpoint's status (or why there was none). */
export function deliveryAttemptStatement(
  db: Db,
  orgId: string,
  id: string,
  attempt: { at: string; status: number | null; error: string | null; delivered: boolean },
): Statement {
  return db
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      lastAttemptAt: attempt.at,
      lastStatus: attempt.status,
      lastError: attempt.error,
      ...(attempt.delivered ? { deliveredAt: attempt.at } : {}),
    })
    .where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.id, id)));
}

/** A resend: the delivery is carried by a new job from now on. */
export function deliveryJobStatement(db: Db, orgId: string, id: string, jobKey: string): Statement {
  return db
    .update(webhookDeliveries)
    .set({ jobKey })
    .where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.id, id)));
}
