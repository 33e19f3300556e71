import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { externalRefs } from '../schema.js';

export async function findExternalId(
  db: Db,
  orgId: string,
  system: string,
  objectType: string,
  localId: string,
): Promise<string | undefined> {
  const rows = await db
    .select({ externalId: externalRefs.externalId })
    .from(externalRefs)
    .where(
      and(
        eq(externalRefs.orgId, orgId),
        eq(externalRefs.system, system),
        eq(externalRefs.objectType, objectType),
        eq(externalRefs.localId, localId),
      ),
    )
    .limit(1);
  return rows[0]?.externalId;
}

export async function listExternalRefs(db: Db, orgId: string, localIds: readonly string[]) {
  if (localIds.length === 0) return [];
  return db
    .select()
    .from(externalRefs)
    .where(and(eq(externalRefs.orgId, orgId), inArray(externalRefs.localId, [...localIds])));
}
