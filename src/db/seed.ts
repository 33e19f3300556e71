/** Creating an org with its first admin key and its vendor connections (sandbox seed, tests). */
import type { Clock } from '../domain/clock.js';
import { atomic } from './atomic.js';
import { type Db, newId } from './client.js';
import { connectionInsert, type NewConnection } from './repos/connections.js';
import { apiKeys, orgs } from './schema.js';
import { generateApiKey, type SecretKey, sha256Hex } from './secrets.js';

export interface SeededOrg {
  orgId: string;
  apiKey: string;
}

export async function createOrgWithKey(
  db: Db,
  clock: Clock,
  encryptionKey: SecretKey,
  input: {
    name: string;
    role?: 'admin' | 'finance' | 'sales_ops' | 'viewer';
    connections: Omit<NewConnection, 'orgId'>[];
  },
): Promise<SeededOrg> {
  const orgId = newId('org');
  const apiKey = generateApiKey();
  const now = clock.now().toISOString();
  const connectionRows = await Promise.all(
    input.connections.map((c) => connectionInsert(db, encryptionKey, now, { ...c, orgId })),
  );
  const keyHash = await sha256Hex(apiKey);
  await atomic(db, [
    db.insert(orgs).values({ id: orgId, name: input.name, createdAt: now }),
    db.insert(apiKeys).values({
      id: newId('key'),
      orgId,
      name: 'first admin key',
      role: input.role ?? 'admin',
      keyHash,
      prefix: apiKey.slice(0, 12),
      createdAt: now,
    }),
    ...connectionRows.map((row) => row.statement),
  ]);
  return { orgId, apiKey };
}

export async function addApiKey(
  db: Db,
  clock: Clock,
  orgId: string,
  role: 'admin' | 'finance' | 'sales_ops' | 'viewer',
) {
  const apiKey = generateApiKey();
  const keyHash = await sha256Hex(apiKey);
  await atomic(db, [
    db.insert(apiKeys).values({
      id: newId('key'),
      orgId,
      name: `${role} key`,
      role,
      keyHash,
      prefix: apiKey.slice(0, 12),
      createdAt: clock.now().toISOString(),
    }),
  ]);
  return apiKey;
}
