/** The hub's own API keys, stored hashed (DESIGN.md, secrets). */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apiKeys } from '../schema.js';

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
