/** Vendor connections: config in clear, credentials sealed with AES-GCM. */
import { and, eq, sql } from 'drizzle-orm';
import type { ConnectionMaterial, Vendor } from '../../domain/vendors.js';
import { atomic } from '../atomic.js';
import type { Db } from '../client.js';
import { newId } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { auditLog, connections } from '../schema.js';
import {
  constantTimeEqual,
  decryptSecret,
  encryptSecret,
  generateUrlToken,
  type SecretKey,
  sha256Hex,
} from '../secrets.js';

export interface NewConnection {
  orgId: string;
  vendor: Vendor;
  mode: 'sandbox' | 'live';
  externalAccountId?: string;
  config: Record<string, string>;
  secrets: Record<string, string>;
  /** SHA-256 of the secret in the connection's inbound URL (see issueInboundToken). */
  inboundTokenHash?: string;
}

/**
 * Returns the insert wrapped in an object: drizzle builders are thenables, and returning one
 * from an async function would run it on the spot, outside the caller's atomic unit.
 */
export async function connectionInsert(db: Db, key: SecretKey, now: string, input: NewConnection) {
  const secretsEnc = await encryptSecret(key, input.secrets);
  const id = newId('con');
  const statement = db
    .insert(connections)
    .values({
      id,
      orgId: input.orgId,
      vendor: input.vendor,
      mode: input.mode,
      externalAccountId: input.externalAccountId ?? null,
      config: JSON.stringify(input.config),
      secretsEnc,
      status: 'healthy',
      inboundTokenHash: input.inboundTokenHash ?? null,
      createdAt: now,
    })
    // Only a second connection of the org to the vendor is skipped; another org's vendor account
    // (connections_vendor_account_uq) fails the write: callers check vendorAccountOwner first.
    .onConflictDoNothing({ target: [connections.orgId, connections.vendor] });
  return { statement, id };
}

/** The org whose connection holds this vendor account, if any (at most one: a unique index). */
export async function vendorAccountOwner(db: Db, vendor: string, externalAccountId: string) {
  const [row] = await db
    .select({ orgId: connections.orgId, connectionId: connections.id })
    .from(connections)
    .where(and(eq(connections.vendor, vendor), eq(connections.externalAccountId, externalAccountId)));
  return row;
}

/** Whether a write failed on the one-org-per-vendor-account index (a race the pre-check lost). */
export function isVendorAccountConflict(error: unknown): boolean {
  const text = String((error as { message?: unknown })?.message ?? error);
  return (
    text.includes('connections_vendor_account_uq') ||
    text.includes('connections.vendor, connections.external_account_id')
  );
}

/**
 * A new secret for the connection's inbound URL, replacing any earlier one (which stops working
 * at once). Returns the token, the only time it is seen; the row keeps its SHA-256.
 */
export async function issueInboundToken(db: Db, orgId: string, connectionId: string, now: string, actor: string) {
  const token = generateUrlToken();
  await atomic(db, [
    db
      .update(connections)
      .set({ inboundTokenHash: await sha256Hex(token) })
      .where(and(eq(connections.orgId, orgId), eq(connections.id, connectionId))),
    db.insert(auditLog).values({
      id: newId('aud'),
      orgId,
      actor,
      action: 'connection.inbound_url_rotated',
      subject: connectionId,
      detail: JSON.stringify({}),
      at: now,
    }),
  ]);
  return token;
}

/**
 * The connection an inbound URL names, when its token is right; undefined for an unknown id, a
 * connection without a token and a wrong token alike, so a caller answers them the same way.
 */
export async function connectionByInboundToken(db: Db, connectionId: string, token: string) {
  const row = await findConnectionById(db, connectionId);
  const presented = await sha256Hex(token);
  // Compared even when there is no row, so an unknown id takes as long as a wrong token.
  const expected = row?.inboundTokenHash ?? '0'.repeat(presented.length);
  const same = constantTimeEqual(presented, expected);
  return row?.inboundTokenHash && same ? row : undefined;
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
  // Read on every job (the adapter cache's check): prepared once per connection where it can be.
  const prepared = preparedOnce(db, 'connectionFingerprint', (d) =>
    fingerprintRows(d, sql.placeholder('orgId')).prepare(),
  );
  const rows = prepared ? await prepared.all({ orgId }) : await fingerprintRows(db, orgId);
  return rows.map((r) => `${r.id}\u0000${r.config}\u0000${r.secretsEnc}`).join('\u0001');
}

function fingerprintRows(db: Db, orgId: string | ReturnType<typeof sql.placeholder>) {
  return db
    .select({ id: connections.id, config: connections.config, secretsEnc: connections.secretsEnc })
    .from(connections)
    .where(eq(connections.orgId, orgId))
    .orderBy(connections.id);
}

/**
 * Which org a vendor account belongs to (e.g. the Salesforce org id in an Outbound Message): an
 * exact match on an account id that is unique across orgs (connections_vendor_account_uq).
 */
export async function findConnectionByExternalAccount(db: Db, vendor: Vendor, externalAccountId: string) {
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.vendor, vendor), eq(connections.externalAccountId, externalAccountId)));
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
      externalAccountId: connections.externalAccountId,
      inboundTokenHash: connections.inboundTokenHash,
      config: connections.config,
      secretsEnc: connections.secretsEnc,
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
