/**
 * All-or-nothing writes. D1 rejects interactive transactions, so a unit of work is a list of
 * prepared statements: a `batch()` on D1 (one implicit transaction), a synchronous
 * `transaction()` on better-sqlite3. Callers compute everything first, then write once; no
 * read-modify-write spans an await.
 */
import { type Query, SQL } from 'drizzle-orm';
import type { Db, Statement } from './client.js';

interface BatchCapable {
  batch(statements: readonly Statement[]): Promise<unknown>;
}
interface SyncTransactionCapable {
  transaction<T>(fn: () => T, config?: { behavior?: 'deferred' | 'immediate' | 'exclusive' }): T;
}
interface SyncRunnable {
  run(): unknown;
}

/**
 * Runs the statements as one unit and resolves to the driver's result of each, in order
 * (read rows changed with rowsChanged()).
 */
export async function atomic(db: Db, statements: readonly Statement[]): Promise<unknown[]> {
  if (statements.length === 0) return [];
  if (isBatchDb(db)) return (await (db as unknown as BatchCapable).batch(statements)) as unknown[];
  // better-sqlite3 is synchronous: the statements run back to back on one connection inside
  // BEGIN IMMEDIATE … COMMIT, so no other writer can interleave.
  return (db as unknown as SyncTransactionCapable).transaction(
    () => statements.map((statement) => (statement as unknown as SyncRunnable).run()),
    { behavior: 'immediate' },
  );
}

/** True on D1 (writes go through batch()), false on better-sqlite3. */
export function isBatchDb(db: Db): boolean {
  return typeof (db as unknown as Partial<BatchCapable>).batch === 'function';
}

/**
 * Bound parameters one statement may carry: D1 allows 100 per query; the SQLite that
 * better-sqlite3 bundles allows 32,766 (SQLITE_MAX_VARIABLE_NUMBER). Multi-row inserts are
 * chunked to stay within it.
 */
export function maxBoundParameters(db: Db): number {
  return isBatchDb(db) ? 100 : 32_766;
}

/** Rows a write statement changed, from either driver's run result (better-sqlite3 `changes`, D1 `meta.changes`). */
export function rowsChanged(result: unknown): number {
  const r = result as { changes?: number; meta?: { changes?: number } } | null | undefined;
  return r?.changes ?? r?.meta?.changes ?? 0;
}

/**
 * SQL whose text and bound values are already built. drizzle renders an `SQL` chunk by chunk
 * (a few tenths of a microsecond per chunk, and a 10,000-row insert has 160,000 of them), so
 * bulk writes on better-sqlite3 build their text once and hand it over as is.
 */
class BoundSql extends SQL {
  constructor(private readonly query: Query) {
    super([]);
  }
  override toQuery(): Query {
    return this.query;
  }
}

/**
 * A prebuilt write (fixed text with `?` placeholders, and its values) for atomic() on
 * better-sqlite3, where `db.run()` would run on the spot: it is deferred until atomic() runs it
 * inside its transaction. Not for D1: drizzle's D1 batch() cannot bind a raw query's values,
 * so callers use the query builder there (see usageEventInserts). Never put input in `text`.
 */
export function syncRawWrite(db: Db, text: string, params: unknown[]): Statement {
  if (isBatchDb(db)) throw new Error('syncRawWrite is for better-sqlite3; use the query builder on D1');
  const query = new BoundSql({ sql: text, params });
  return { run: () => db.run(query) } as unknown as Statement;
}

interface SyncPreparable {
  $client: {
    prepare(text: string): { run(...params: unknown[]): { changes: number }; get(...params: unknown[]): unknown };
  };
}
type PreparedWrite = ReturnType<SyncPreparable['$client']['prepare']>;

/** Prepared statements of syncPreparedWrite(), per connection and text. */
const preparedWrites = new WeakMap<object, Map<string, PreparedWrite>>();

/**
 * syncRawWrite() for a hot, fixed text: the statement is prepared once per connection and kept
 * (so call it with a small, bounded set of texts, e.g. a few chunk sizes), and the values are
 * bound as they are (strings, numbers, null; booleans as 0/1 by the caller) without drizzle's
 * per-value mapping. Parsing a 4,000-row INSERT costs about as much as running it.
 */
export function syncPreparedWrite(db: Db, text: string, params: unknown[]): Statement {
  if (isBatchDb(db)) throw new Error('syncPreparedWrite is for better-sqlite3; use the query builder on D1');
  const statement = syncPrepared(db, text);
  return { run: () => statement.run(params) } as unknown as Statement;
}

/**
 * The better-sqlite3 statement of a fixed text (placeholders only, never input), prepared once per
 * connection; for writes that run row by row inside syncUnit(). Not for D1.
 */
export function syncPrepared(db: Db, text: string): PreparedWrite {
  if (isBatchDb(db)) throw new Error('syncPrepared is for better-sqlite3; use the query builder on D1');
  const client = (db as unknown as SyncPreparable).$client;
  let cache = preparedWrites.get(client);
  if (!cache) {
    cache = new Map();
    preparedWrites.set(client, cache);
  }
  let prepared = cache.get(text);
  if (!prepared) {
    prepared = client.prepare(text);
    cache.set(text, prepared);
  }
  return prepared;
}

/**
 * A write for atomic() on better-sqlite3 that is code, not one statement: `write` runs inside the
 * unit's BEGIN IMMEDIATE transaction (so what it reads cannot change before it writes) and returns
 * the rows it created, read back with rowsChanged(). Not for D1, whose units are batches.
 */
export function syncUnit(db: Db, write: () => number): Statement {
  if (isBatchDb(db)) throw new Error('syncUnit is for better-sqlite3; D1 writes are batches of statements');
  return { run: () => ({ changes: write() }) } as unknown as Statement;
}
