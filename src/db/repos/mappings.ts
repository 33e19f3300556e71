/** Versioned mapping sets per org: drafts, the published one, and the audit trail of changes. */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { CrmVendor } from '../../domain/vendors.js';
import { atomic } from '../atomic.js';
import { type Db, newId } from '../client.js';
import { auditLog, mappingSets } from '../schema.js';

export type MappingRow = typeof mappingSets.$inferSelect;

export async function listMappingVersions(db: Db, orgId: string, crm: CrmVendor) {
  return db
    .select()
    .from(mappingSets)
    .where(and(eq(mappingSets.orgId, orgId), eq(mappingSets.crm, crm)))
    .orderBy(desc(mappingSets.version));
}

export async function getMappingVersion(db: Db, orgId: string, id: string): Promise<MappingRow | undefined> {
  const [row] = await db
    .select()
    .from(mappingSets)
    .where(and(eq(mappingSets.orgId, orgId), eq(mappingSets.id, id)));
  return row;
}

export async function getPublishedMapping(db: Db, orgId: string, crm: CrmVendor) {
  const [row] = await db
    .select()
    .from(mappingSets)
    .where(and(eq(mappingSets.orgId, orgId), eq(mappingSets.crm, crm), eq(mappingSets.status, 'published')))
    .limit(1);
  return row;
}

/** A new draft, numbered after the highest version in one statement (the unique key catches a race). */
export async function createDraft(
  db: Db,
  now: string,
  input: {
    orgId: string;
    crm: CrmVendor /** Checked by mappings/definition.ts before it gets here; stored as JSON. */;
    definition: object;
    actor: string;
  },
): Promise<MappingRow> {
  const id = newId('map');
  const definition = JSON.stringify(input.definition);
  await atomic(db, [
    db.insert(mappingSets).values({
      id,
      orgId: input.orgId,
      crm: input.crm,
      version: sql`(SELECT coalesce(max(version), 0) + 1 FROM mapping_sets WHERE org_id = ${input.orgId} AND crm = ${input.crm})`,
      status: 'draft',
      definition,
      createdBy: input.actor,
      createdAt: now,
    }),
    db.insert(auditLog).values({
      id: newId('aud'),
      orgId: input.orgId,
      actor: input.actor,
      action: 'mapping.draft_created',
      subject: id,
      detail: definition,
      at: now,
    }),
  ]);
  return (await getMappingVersion(db, input.orgId, id))!;
}

/** Publishing retires the version published before; rolling back is publishing an older version. */
export async function publishVersion(db: Db, now: string, orgId: string, row: MappingRow, actor: string) {
  await atomic(db, [
    db
      .update(mappingSets)
      .set({ status: 'retired' })
      .where(and(eq(mappingSets.orgId, orgId), eq(mappingSets.crm, row.crm), eq(mappingSets.status, 'published'))),
    db
      .update(mappingSets)
      .set({ status: 'published', publishedAt: now })
      .where(and(eq(mappingSets.orgId, orgId), eq(mappingSets.id, row.id))),
    db.insert(auditLog).values({
      id: newId('aud'),
      orgId,
      actor,
      action: 'mapping.published',
      subject: row.id,
      detail: JSON.stringify({ crm: row.crm, version: row.version }),
      at: now,
    }),
  ]);
  return (await getMappingVersion(db, orgId, row.id))!;
}
