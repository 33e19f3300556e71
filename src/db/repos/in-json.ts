import { type SQL, sql } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * `column IN (the ids)`, with the ids as one JSON parameter: a list of any length binds one
 * parameter, so a query stays under D1's 100 bound parameters per statement.
 */
export const inJson = (column: AnySQLiteColumn, ids: readonly string[]): SQL =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
