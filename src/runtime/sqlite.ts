/** Node: a better-sqlite3 file (WAL) with the same drizzle migrations D1 gets. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Db } from '../db/client.js';
// The one use of the schema outside src/db: drizzle needs it to open the database, and only
// the runtime knows which driver that is (DESIGN.md, rooms). Nothing here queries a table.
import * as schema from '../db/schema.js';

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../db/migrations');

/** Distinct SQL texts whose prepared statements are kept per connection. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Keeps the prepared statement of each SQL text (the most recent 1,000) and hands it out again:
 * drizzle prepares every query it runs, and parsing the SQL was a tenth of the hub's CPU time in
 * the invoice pipeline (bench/invoice-pipeline.ts). A kept statement is given back as a fresh one
 * would be (raw mode off; drizzle turns it on for the queries that read rows as arrays), and one
 * still busy (an open iterator) is not shared: that caller gets a new one.
 */
function keepPreparedStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const kept = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const hit = kept.get(source);
    if (hit && !hit.busy) {
      if (hit.reader) hit.raw(false);
      kept.delete(source);
      kept.set(source, hit);
      return hit;
    }
    const statement = prepare(source);
    if (!hit) {
      kept.set(source, statement);
      if (kept.size > STATEMENT_CACHE_SIZE) kept.delete(kept.keys().next().value!);
    }
    return statement;
  }) as typeof sqlite.prepare;
}

export function openSqlite(path: string): { db: Db; close(): void } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  keepPreparedStatements(sqlite);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return { db: db as unknown as Db, close: () => sqlite.close() };
}
