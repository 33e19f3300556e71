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
  const client = (db as unknown as { $client?: Partial<NativeClient> }).$client;
  if (typeof client?.transaction === 'function') return groupCommit(client as NativeClient, statements);
  // better-sqlite3 is synchronous: the statements run back to back on one connection inside
  // BEGIN IMMEDIATE … COMMIT, so no other writer can interleave.
  return (db as unknown as SyncTransactionCapable).transaction(
    () => statements.map((statement) => (statement as unknown as SyncRunnable).run()),
    { behavior: 'immediate' },
  );
}

/** better-sqlite3's Database, as far as group commit uses it. */
interface NativeClient {
  readonly inTransaction: boolean;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) & { immediate(...args: A): R };
}

interface Unit {
  statements: readonly Statement[];
  resolve(results: unknown[]): void;
  reject(error: unknown): void;
}

interface Group {
  waiting: Unit[];
  /** One unit: its statements in a savepoint of the group's transaction (alone, in a transaction of its own). */
  unit: (statements: readonly Statement[]) => unknown[];
  /** The group: every waiting unit, each all-or-nothing, under one BEGIN IMMEDIATE … COMMIT. */
  all: ((units: Unit[]) => Array<{ ok: true; results: unknown[] } | { ok: false; error: unknown }>) & {
    immediate(units: Unit[]): Array<{ ok: true; results: unknown[] } | { ok: false; error: unknown }>;
  };
}

const groups = new WeakMap<object, Group>();

/**
 * Group commit on better-sqlite3. With the database in WAL mode and synchronous=FULL, every
 * COMMIT waits for the disk (an fsync), and that wait was the largest single cost of the invoice
 * pipeline (bench/invoice-pipeline.ts: a few hundred microseconds a commit on a busy disk, some
 * fifteen commits per invoice). The units that callers ask for while the event loop finishes
 * its current turn are written in one transaction instead, each in a savepoint of its own: a
 * unit that fails (a guard, a constraint) is rolled back alone and its caller gets the error;
 * the others commit. No caller is answered before the COMMIT, so every unit is exactly as
 * durable, and as all-or-nothing, as with a transaction of its own.
 */
function groupCommit(client: NativeClient, statements: readonly Statement[]): Promise<unknown[]> {
  let group = groups.get(client);
  if (!group) {
    const unit = client.transaction((list: readonly Statement[]) =>
      list.map((statement) => (statement as unknown as SyncRunnable).run()),
    );
    const all = client.transaction((units: Unit[]) =>
      units.map((u) => {
        try {
          return { ok: true as const, results: unit(u.statements) };
        } catch (error) {
          // An error that ended the whole transaction (SQLite aborts it on a full disk, an I/O
          // error) takes the group with it: every unit is refused, none half-written.
          if (!client.inTransaction) throw error;
          return { ok: false as const, error };
        }
      }),
    );
    group = { waiting: [], unit, all };
    groups.set(client, group);
  }
  const g = group;
  return new Promise<unknown[]>((resolve, reject) => {
    g.waiting.push({ statements, resolve, reject });
    if (g.waiting.length === 1) setImmediate(() => flush(g));
  });
}

function flush(group: Group): void {
  const units = group.waiting.splice(0);
  if (units.length === 1) {
    const [only] = units as [Unit];
    try {
      only.resolve(
        (group.unit as unknown as { immediate(list: readonly Statement[]): unknown[] }).immediate(only.statements),
      );
    } catch (error) {
      only.reject(error);
    }
    return;
  }
  let outcomes: ReturnType<Group['all']>;
  try {
    outcomes = group.all.immediate(units);
  } catch (error) {
    // BEGIN or COMMIT failed: nothing of the group was written.
    for (const u of units) u.reject(error);
    return;
  }
  outcomes.forEach((outcome, i) => {
    if (outcome.ok) units[i]!.resolve(outcome.results);
    else units[i]!.reject(outcome.error);
  });
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
