/** The audit log: who changed a connection, a mapping, a key; rows are only ever added. */
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
