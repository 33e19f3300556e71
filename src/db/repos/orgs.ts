/** The orgs themselves: the one table not scoped by an org id, read by the jobs that visit every org. */
import type { Db } from '../client.js';
import { orgs } from '../schema.js';

/** Every org's id, in id order (the daily billing run and the billing CLI go through them one by one). */
export async function listOrgIds(db: Db): Promise<string[]> {
  const rows = await db.select({ id: orgs.id }).from(orgs).orderBy(orgs.id);
  return rows.map((row) => row.id);
}
