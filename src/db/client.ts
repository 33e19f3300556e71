/**
 * The database handle every repository takes: drizzle over better-sqlite3 (Node) or D1 (Workers).
 * Both are driven through the async query API, so repositories are identical on both runtimes.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema.js';

export type Schema = typeof schema;
// biome-ignore lint/suspicious/noExplicitAny: the run-result type differs between better-sqlite3 and D1
export type Db = BaseSQLiteDatabase<'sync' | 'async', any, Schema>;
export type Statement = BatchItem<'sqlite'>;

/** Random ids with a readable prefix ("inv_…", "job_…"), from Web Crypto on both runtimes. */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`;
}
