/**
 * Chargebacks (issue #12): one row per provider dispute, keyed by (org, provider, external id);
 * every function takes the org id.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db, Statement } from '../client.js';
import { disputes, payments } from '../schema.js';

export type DisputeRow = typeof disputes.$inferSelect;

/** Our recorded payment with this provider id, if the record-payment flow has written it. */
export async function recordedPayment(db: Db, orgId: string, provider: string, externalId: string) {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.orgId, orgId), eq(payments.provider, provider), eq(payments.externalId, externalId)))
    .limit(1);
  return row;
}

export async function disputeByExternalId(
  db: Db,
  orgId: string,
  provider: string,
  externalId: string,
): Promise<DisputeRow | undefined> {
  const [row] = await db
    .select()
    .from(disputes)
    .where(and(eq(disputes.orgId, orgId), eq(disputes.provider, provider), eq(disputes.externalId, externalId)))
    .limit(1);
  return row;
}

/** Writes the dispute as the caller resolved it (a decided one never reopens: see record-dispute). */
export function disputeUpsert(db: Db, orgId: string, row: Omit<DisputeRow, 'orgId'>): Statement {
  const { id: _id, createdAt: _created, openedAt: _opened, ...changes } = row;
  return db
    .insert(disputes)
    .values({ ...row, orgId })
    .onConflictDoUpdate({ target: [disputes.orgId, disputes.provider, disputes.externalId], set: changes });
}

/** The disputes on one invoice, oldest first (the invoice detail's `disputes`). */
export function disputesOfInvoice(db: Db, orgId: string, invoiceId: string): Promise<DisputeRow[]> {
  return db
    .select()
    .from(disputes)
    .where(and(eq(disputes.orgId, orgId), eq(disputes.invoiceId, invoiceId)))
    .orderBy(asc(disputes.openedAt), asc(disputes.id));
}
