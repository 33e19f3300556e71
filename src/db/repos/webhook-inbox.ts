/** The inbox of webhook events: at-least-once in, deduplicated by the provider's event id (per org). */
import { and, eq } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../client.js';
import { webhookInbox } from '../schema.js';

/** Records an event; a second delivery of it does nothing, so it can join the unit that acts on it. */
export function recordInboxEvent(
  db: Db,
  orgId: string,
  event: { provider: string; eventId: string; payload: string; receivedAt: string },
): Statement {
  return db
    .insert(webhookInbox)
    .values({ id: newId('evt'), orgId, ...event })
    .onConflictDoNothing();
}

export async function inboxHasEvent(db: Db, orgId: string, provider: string, eventId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: webhookInbox.id })
    .from(webhookInbox)
    .where(and(eq(webhookInbox.orgId, orgId), eq(webhookInbox.provider, provider), eq(webhookInbox.eventId, eventId)))
    .limit(1);
  return row !== undefined;
}
