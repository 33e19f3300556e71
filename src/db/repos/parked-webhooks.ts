/**
 * Parked payment webhooks: verified events that name a payment the hub cannot tie to an invoice
 * yet. Parking is keyed by the provider's event id (a second delivery parks nothing new).
 */
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../client.js';
import { externalRefs, parkedWebhooks } from '../schema.js';
import { afterRow, type PageAfter, splitPage } from './page.js';

export type ParkedWebhook = typeof parkedWebhooks.$inferSelect;

export function parkWebhookStatement(
  db: Db,
  orgId: string,
  parked: { provider: string; eventId: string; paymentExternalId: string; event: unknown; parkedAt: string },
): Statement {
  return (
    db
      .insert(parkedWebhooks)
      .values({
        id: newId('pwh'),
        orgId,
        provider: parked.provider,
        eventId: parked.eventId,
        paymentExternalId: parked.paymentExternalId,
        event: JSON.stringify(parked.event),
        parkedAt: parked.parkedAt,
      })
      // A second delivery parks nothing new; it only counts (while the event still waits).
      .onConflictDoUpdate({
        target: [parkedWebhooks.orgId, parkedWebhooks.provider, parkedWebhooks.eventId],
        set: { attempts: sql`${parkedWebhooks.attempts} + 1` },
        setWhere: isNull(parkedWebhooks.appliedAt),
      })
  );
}

/** Marks a parked event applied, once: the guard makes a second apply change nothing. */
export function parkedAppliedStatement(db: Db, orgId: string, id: string, invoiceId: string, now: string): Statement {
  return db
    .update(parkedWebhooks)
    .set({ appliedAt: now, invoiceId })
    .where(and(eq(parkedWebhooks.orgId, orgId), eq(parkedWebhooks.id, id), isNull(parkedWebhooks.appliedAt)));
}

/** The org's events still parked on one payment of one provider, oldest first. */
export function parkedOnPayment(db: Db, orgId: string, provider: string, paymentExternalId: string) {
  return db
    .select()
    .from(parkedWebhooks)
    .where(
      and(
        eq(parkedWebhooks.orgId, orgId),
        eq(parkedWebhooks.provider, provider),
        eq(parkedWebhooks.paymentExternalId, paymentExternalId),
        isNull(parkedWebhooks.appliedAt),
      ),
    )
    .orderBy(asc(parkedWebhooks.parkedAt), asc(parkedWebhooks.id));
}

/** Events still parked, across orgs, oldest first (the sweep's work list). */
export function parkedWaiting(db: Db, limit: number) {
  return db
    .select()
    .from(parkedWebhooks)
    .where(isNull(parkedWebhooks.appliedAt))
    .orderBy(asc(parkedWebhooks.parkedAt), asc(parkedWebhooks.id))
    .limit(limit);
}

/** Our invoice whose payment attempt at `system` has this external id, once the attempt has committed. */
export async function invoiceOfPaymentAttempt(
  db: Db,
  orgId: string,
  system: string,
  paymentExternalId: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ localId: externalRefs.localId })
    .from(externalRefs)
    .where(
      and(
        eq(externalRefs.orgId, orgId),
        eq(externalRefs.system, system),
        eq(externalRefs.objectType, 'payment_intent'),
        eq(externalRefs.externalId, paymentExternalId),
      ),
    )
    .limit(1);
  return row?.localId;
}

/** One page of the org's events still parked, newest first by (parkedAt, id): what the API lists. */
export async function parkedPage(
  db: Db,
  orgId: string,
  page: { limit: number; after?: PageAfter },
): Promise<{ rows: ParkedWebhook[]; next: PageAfter | null }> {
  const rows = await db
    .select()
    .from(parkedWebhooks)
    .where(
      and(
        eq(parkedWebhooks.orgId, orgId),
        isNull(parkedWebhooks.appliedAt),
        afterRow(parkedWebhooks.parkedAt, parkedWebhooks.id, page.after),
      ),
    )
    .orderBy(desc(parkedWebhooks.parkedAt), desc(parkedWebhooks.id))
    .limit(page.limit + 1);
  return splitPage(rows, page.limit, (r) => ({ createdAt: r.parkedAt, id: r.id }));
}
