/** Creating an org with its first admin key and its vendor connections (sandbox seed, tests). */
import type { Clock } from '../domain/clock.js';
import { atomic } from './atomic.js';
import { type Db, newId } from './client.js';
import { connectionInsert, type NewConnection, vendorAccountOwner } from './repos/connections.js';
import { apiKeys, orgs } from './schema.js';
import { generateApiKey, generateUrlToken, type SecretKey, sha256Hex } from './secrets.js';

export interface SeededOrg {
  orgId: string;
  apiKey: string;
  /** The Salesforce connection's Outbound Message endpoint path (with its secret), when it has one. */
  salesforceOutboundPath?: string;
}

/** A vendor account the seed was asked to connect already belongs to another org. */
export class VendorAccountTakenError extends Error {
  constructor(
    readonly vendor: string,
    readonly externalAccountId: string,
  ) {
    super(`the ${vendor} account ${externalAccountId} is already connected to another org`);
  }
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
  for (const c of input.connections) {
    if (c.externalAccountId && (await vendorAccountOwner(db, c.vendor, c.externalAccountId))) {
      throw new VendorAccountTakenError(c.vendor, c.externalAccountId);
    }
  }
  // Salesforce Outbound Messages are authenticated by a secret in their endpoint URL.
  const outboundToken = generateUrlToken();
  const outboundTokenHash = await sha256Hex(outboundToken);
  const connectionRows = await Promise.all(
    input.connections.map((c) =>
      connectionInsert(db, encryptionKey, now, {
        ...c,
        orgId,
        ...(c.vendor === 'salesforce' ? { inboundTokenHash: outboundTokenHash } : {}),
      }),
    ),
  );
  const salesforceRow = connectionRows.find((_, i) => input.connections[i]!.vendor === 'salesforce');
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
  return {
    orgId,
    apiKey,
    ...(salesforceRow ? { salesforceOutboundPath: outboundMessagePath(salesforceRow.id, outboundToken) } : {}),
  };
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

/** Where Salesforce sends a connection's Outbound Messages (src/http/routes/webhooks.ts). */
export function outboundMessagePath(connectionId: string, token: string): string {
  return `/webhooks/salesforce/${connectionId}/${token}`;
}
