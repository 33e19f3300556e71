/** The hub's own API keys, stored hashed (DESIGN.md, secrets). */
import { and, desc, eq, isNull } from 'drizzle-orm';
import { atomic, rowsChanged } from '../atomic.js';
import { type Db, newId } from '../client.js';
import { apiKeys } from '../schema.js';
import { generateApiKey, sha256Hex } from '../secrets.js';
import { auditStatement } from './audit.js';
import { afterRow, type PageAfter, splitPage } from './page.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * The unrevoked key with this hash. Takes no org id: the key is what tells which org a request
 * acts for, and its row's org then scopes everything the request does.
 */
export async function findActiveApiKey(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return key;
}

/** The org's key with this id while it is unrevoked: a console session started with a key ends when it is revoked. */
export async function findActiveApiKeyById(db: Db, orgId: string, id: string): Promise<ApiKeyRow | undefined> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .limit(1);
  return key;
}

/** The org's keys, newest first (hashes stay here: callers show the prefix only). */
export async function listApiKeys(db: Db, orgId: string): Promise<Omit<ApiKeyRow, 'keyHash'>[]> {
  return (await listApiKeysPage(db, orgId, { limit: 500 })).rows;
}

export type ApiKeyListing = Omit<ApiKeyRow, 'keyHash'>;

/** One page of the org's keys, newest first (never the hash). */
export async function listApiKeysPage(
  db: Db,
  orgId: string,
  page: { limit: number; after?: PageAfter },
): Promise<{ rows: ApiKeyListing[]; next: PageAfter | null }> {
  const rows = await db
    .select({
      id: apiKeys.id,
      orgId: apiKeys.orgId,
      name: apiKeys.name,
      role: apiKeys.role,
      prefix: apiKeys.prefix,
      revokedAt: apiKeys.revokedAt,
      createdAt: apiKeys.createdAt,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), afterRow(apiKeys.createdAt, apiKeys.id, page.after)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(page.limit + 1);
  return splitPage(rows, page.limit, (r) => ({ createdAt: r.createdAt, id: r.id }));
}

/** The org's key with this id, revoked or not (never the hash). */
export async function findApiKey(db: Db, orgId: string, id: string): Promise<ApiKeyListing | undefined> {
  const [row] = await db
    .select({
      id: apiKeys.id,
      orgId: apiKeys.orgId,
      name: apiKeys.name,
      role: apiKeys.role,
      prefix: apiKeys.prefix,
      revokedAt: apiKeys.revokedAt,
      createdAt: apiKeys.createdAt,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id)))
    .limit(1);
  return row;
}

/** A new key with a role: returned once, stored as its SHA-256, audit-logged. */
export async function createApiKey(
  db: Db,
  now: string,
  input: { orgId: string; name: string; role: ApiKeyRow['role']; actor: string },
): Promise<{ id: string; key: string }> {
  const key = generateApiKey();
  const id = newId('key');
  await atomic(db, [
    db.insert(apiKeys).values({
      id,
      orgId: input.orgId,
      name: input.name,
      role: input.role,
      keyHash: await sha256Hex(key),
      prefix: key.slice(0, 12),
      createdAt: now,
    }),
    auditStatement(db, input.orgId, {
      actor: input.actor,
      action: 'api_key.created',
      subject: id,
      detail: { name: input.name, role: input.role },
      at: now,
    }),
  ]);
  return { id, key };
}

/** Revokes the org's key (once; a revoked key stays revoked). Returns whether this call revoked it. */
export async function revokeApiKey(db: Db, now: string, orgId: string, id: string, actor: string): Promise<boolean> {
  const key = await findActiveApiKeyById(db, orgId, id);
  if (!key) return false;
  const [result] = await atomic(db, [
    db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt))),
    auditStatement(db, orgId, { actor, action: 'api_key.revoked', subject: id, detail: { name: key.name }, at: now }),
  ]);
  return rowsChanged(result) === 1;
}
