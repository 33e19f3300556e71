/** Row counts of every table: a request that did not succeed must leave all of them as they were. */
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';

export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = (await db.all(
    sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'`,
  )) as { name: string }[];
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = (await db.all(sql.raw(`select count(*) as n from "${name}"`))) as { n: number }[];
    out[name] = row!.n;
  }
  return out;
}

/** Tables whose count differs between two snapshots. */
export function changedTables(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}
