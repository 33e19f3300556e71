import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { externalRefs } from '../schema.js';

const externalIdOf = (db: Db) =>
  db
    .select({ externalId: externalRefs.externalId })
    .from(externalRefs)
    .where(
      and(
        eq(externalRefs.orgId, sql.placeholder('orgId')),
        eq(externalRefs.system, sql.placeholder('system')),
        eq(externalRefs.objectType, sql.placeholder('objectType')),
        eq(externalRefs.localId, sql.placeholder('localId')),
      ),
    )
    .limit(1)
    .prepare();

export async function findExternalId(
  db: Db,
  orgId: string,
  system: string,
  objectType: string,
  localId: string,
): Promise<string | undefined> {
  const prepared = preparedOnce(db, 'externalIdOf', externalIdOf);
  if (prepared) return (await prepared.all({ orgId, system, objectType, localId }))[0]?.externalId;
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
