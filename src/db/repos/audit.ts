/** The audit log: who changed a connection, a mapping, a key; rows are only ever added. */
import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../client.js';
import { auditLog } from '../schema.js';
import { afterRow, type PageAfter, splitPage } from './page.js';

export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  /** Serialized as JSON; never secrets, only their names. */
  detail: unknown;
  at: string;
}

export function auditStatement(db: Db, orgId: string, entry: AuditEntry): Statement {
  return db.insert(auditLog).values({ id: newId('aud'), orgId, ...entry, detail: JSON.stringify(entry.detail) });
}

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditFilter {
  /** Actions starting with this ("mapping.", "api_key.revoked"). */
  actionPrefix?: string;
  /** Exactly this actor (an API key id or an invitation id). */
  actor?: string;
  /** Exactly this subject (the id of what changed). */
  subject?: string;
  /** ISO 8601 instants: at or after `since`, before `until`. */
  since?: string;
  until?: string;
}

/** One page of the org's audit log, newest first by (at, id), filtered. */
export async function listAuditPage(
  db: Db,
  orgId: string,
  filter: AuditFilter,
  page: { limit: number; after?: PageAfter },
): Promise<{ rows: AuditRow[]; next: PageAfter | null }> {
  const where: (SQL | undefined)[] = [eq(auditLog.orgId, orgId)];
  if (filter.actionPrefix) {
    where.push(
      sql`${auditLog.action} LIKE ${`${filter.actionPrefix.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`} ESCAPE '\\'`,
    );
  }
  if (filter.actor) where.push(eq(auditLog.actor, filter.actor));
  if (filter.subject) where.push(eq(auditLog.subject, filter.subject));
  if (filter.since) where.push(sql`${auditLog.at} >= ${filter.since}`);
  if (filter.until) where.push(sql`${auditLog.at} < ${filter.until}`);
  where.push(afterRow(auditLog.at, auditLog.id, page.after));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(page.limit + 1);
  return splitPage(rows, page.limit, (r) => ({ createdAt: r.at, id: r.id }));
}
