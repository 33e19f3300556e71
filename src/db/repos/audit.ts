/** The audit log: who changed a connection, a mapping, a key; rows are only ever added. */
import { and, desc, eq, sql } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../client.js';
import { auditLog } from '../schema.js';

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

/** The org's audit log, newest first, optionally only actions starting with a prefix ("mapping."). */
export async function listAudit(db: Db, orgId: string, filter: { actionPrefix?: string; limit: number }) {
  const where = filter.actionPrefix
    ? and(
        eq(auditLog.orgId, orgId),
        // `%`, `_` and the escape are literal in the prefix the user typed.
        sql`${auditLog.action} LIKE ${`${filter.actionPrefix.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`} ESCAPE '\\'`,
      )
    : eq(auditLog.orgId, orgId);
  return db.select().from(auditLog).where(where).orderBy(desc(auditLog.at), desc(auditLog.id)).limit(filter.limit);
}
