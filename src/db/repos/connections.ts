/** Vendor connections: config in clear, credentials sealed with AES-GCM. */
import { and, eq, sql } from 'drizzle-orm';
import type { ConnectionMaterial, Vendor } from '../../domain/vendors.js';
import type { Db } from '../client.js';
import { newId } from '../client.js';
import { auditLog, connections } from '../schema.js';
import { decryptSecret, encryptSecret, type SecretKey } from '../secrets.js';

export interface NewConnection {
  orgId: string;
  vendor: Vendor;
  mode: 'sandbox' | 'live';
  externalAccountId?: string;
  config: Record<string, string>;
  secrets: Record<string, string>;
}

/**
 * Returns the insert wrapped in an object: drizzle builders are thenables, and returning one
 * from an async function would run it on the spot, outside the caller's atomic unit.
 */
export async function connectionInsert(db: Db, key: SecretKey, now: string, input: NewConnection) {
  const secretsEnc = await encryptSecret(key, input.secrets);
  const statement = db
    .insert(connections)
    .values({
      id: newId('con'),
      orgId: input.orgId,
      vendor: input.vendor,
      mode: input.mode,
      externalAccountId: input.externalAccountId ?? null,
      config: JSON.stringify(input.config),
      secretsEnc,
      status: 'healthy',
      createdAt: now,
    })
    .onConflictDoNothing();
  return { statement };
}

export async function loadConnectionMaterial(db: Db, key: SecretKey, orgId: string): Promise<ConnectionMaterial[]> {
  const rows = await db.select().from(connections).where(eq(connections.orgId, orgId));
  return Promise.all(
    rows.map(async (row) => ({
      vendor: row.vendor as Vendor,
      config: JSON.parse(row.config) as Record<string, string>,
      secrets: await decryptSecret<Record<string, string>>(key, row.secretsEnc),
    })),
  );
}

/**
 * A cheap stamp of everything an org's adapters are built from: each connection's config and
 * sealed secrets (a reconnect or a stored token refresh seals anew, with a fresh IV, so the
 * ciphertext always changes). Compared, not decrypted: a cache of built adapters checks it to
 * notice a change another process or Workers isolate made.
 */
export async function connectionFingerprint(db: Db, orgId: string): Promise<string> {
  const rows = await db
    .select({ id: connections.id, config: connections.config, secretsEnc: connections.secretsEnc })
    .from(connections)
    .where(eq(connections.orgId, orgId))
    .orderBy(connections.id);
  return rows.map((r) => `${r.id}\u0000${r.config}\u0000${r.secretsEnc}`).join('\u0001');
}

/** Which org a vendor account belongs to (e.g. the Salesforce org id in an Outbound Message). */
export async function findConnectionByExternalAccount(db: Db, vendor: Vendor, externalAccountId: string) {
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.vendor, vendor), eq(connections.externalAccountId, externalAccountId)))
    .limit(1);
  return row;
}

export async function findConnectionById(db: Db, connectionId: string) {
  const [row] = await db.select().from(connections).where(eq(connections.id, connectionId)).limit(1);
  return row;
}

export async function listConnections(db: Db, orgId: string) {
  return db
    .select({
      id: connections.id,
      vendor: connections.vendor,
      mode: connections.mode,
      status: connections.status,
      statusReason: connections.statusReason,
      statusChangedAt: connections.statusChangedAt,
    })
    .from(connections)
    .where(eq(connections.orgId, orgId));
}

/** The org's unhealthy connections: vendor → status reason. */
export async function unhealthyConnectionReasons(db: Db, orgId: string): Promise<Map<string, string>> {
  const rows = await db
    .select({ vendor: connections.vendor, reason: connections.statusReason })
    .from(connections)
    .where(and(eq(connections.orgId, orgId), eq(connections.status, 'unhealthy')));
  return new Map(rows.map((r) => [r.vendor, r.reason ?? 'unhealthy']));
}

export type ConnectionRow = typeof connections.$inferSelect;

/** The org's connection to one vendor (at most one: unique on org and vendor). */
export async function findConnection(db: Db, orgId: string, vendor: string): Promise<ConnectionRow | undefined> {
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.orgId, orgId), eq(connections.vendor, vendor)))
    .limit(1);
  return row;
}

/**
 * Marks the org's connection to `vendor` unhealthy: its credentials stopped working and only a
 * reconnect helps. The job queue skips its jobs meanwhile (src/jobs/queue.ts). Keeps the time
 * of the first failure when it is already unhealthy.
 */
export function markConnectionUnhealthyStatement(db: Db, orgId: string, vendor: string, reason: string, now: string) {
  return db
    .update(connections)
    .set({
      status: 'unhealthy',
      statusReason: reason,
      statusChangedAt: sql`CASE WHEN ${connections.status} = 'unhealthy' THEN ${connections.statusChangedAt} ELSE ${now} END`,
    })
    .where(and(eq(connections.orgId, orgId), eq(connections.vendor, vendor)));
}

export interface ConnectionReconnect {
  orgId: string;
  connection: Pick<ConnectionRow, 'id' | 'vendor' | 'config'>;
  /** Merged over the stored config (keys not given are kept). */
  config?: Record<string, string>;
  /** Replace the stored credentials entirely. */
  secrets: Record<string, string>;
  actor: string;
  /** The vendor account now connected (e.g. the Salesforce org id of an OAuth grant). */
  externalAccountId?: string;
  /** Audit action (default connection.reconnected). */
  action?: string;
}

/**
 * Reconnecting: new credentials (sealed like connectionInsert's), config merged, status healthy
 * and the reason cleared, plus an audit row naming the keys that changed (never their values).
 * Returns the statements wrapped in an object, for one atomic unit (see connectionInsert).
 */
export async function connectionReconnectStatements(db: Db, key: SecretKey, now: string, input: ConnectionReconnect) {
  const secretsEnc = await encryptSecret(key, input.secrets);
  const config = { ...(JSON.parse(input.connection.config) as Record<string, string>), ...input.config };
  const statements = [
    db
      .update(connections)
      .set({
        config: JSON.stringify(config),
        secretsEnc,
        status: 'healthy',
        statusReason: null,
        statusChangedAt: now,
        ...(input.externalAccountId ? { externalAccountId: input.externalAccountId } : {}),
      })
      .where(and(eq(connections.orgId, input.orgId), eq(connections.id, input.connection.id))),
    db.insert(auditLog).values({
      id: newId('aud'),
      orgId: input.orgId,
      actor: input.actor,
      action: input.action ?? 'connection.reconnected',
      subject: input.connection.id,
      detail: JSON.stringify({
        vendor: input.connection.vendor,
        secretKeys: Object.keys(input.secrets).sort(),
        configKeys: Object.keys(input.config ?? {}).sort(),
      }),
      at: now,
    }),
  ] as const;
  return { statements };
}

/**
 * Merges `patch` over the stored credentials of the org's connection to `vendor` and seals them
 * again (a token refreshed by an adapter). Read, merge and write are separate statements: two
 * refreshes racing may each write, and the later one wins, which is harmless because both tokens
 * are valid. Returns false when the org has no such connection.
 */
export async function updateConnectionSecrets(
  db: Db,
  key: SecretKey,
  orgId: string,
  vendor: Vendor,
  patch: Record<string, string>,
): Promise<boolean> {
  const row = await findConnection(db, orgId, vendor);
  if (!row) return false;
  const secrets = { ...(await decryptSecret<Record<string, string>>(key, row.secretsEnc)), ...patch };
  const secretsEnc = await encryptSecret(key, secrets);
  await db
    .update(connections)
    .set({ secretsEnc })
    .where(and(eq(connections.orgId, orgId), eq(connections.id, row.id)));
  return true;
}
