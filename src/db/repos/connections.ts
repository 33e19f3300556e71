/** Vendor connections: config in clear, credentials sealed with AES-GCM. */
import { and, eq } from 'drizzle-orm';
import type { ConnectionMaterial, Vendor } from '../../../adapters/registry.js';
import type { Db } from '../client.js';
import { newId } from '../client.js';
import { connections } from '../schema.js';
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
    })
    .from(connections)
    .where(eq(connections.orgId, orgId));
}
