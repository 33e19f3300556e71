/**
 * All-or-nothing writes. D1 rejects interactive transactions, so a unit of work is a list of
 * prepared statements: a `batch()` on D1 (one implicit transaction), a synchronous
 * `transaction()` on better-sqlite3. Callers compute everything first, then write once; no
 * read-modify-write spans an await.
 */
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

export async function atomic(db: Db, statements: readonly Statement[]): Promise<void> {
  if (statements.length === 0) return;
  const candidate = db as unknown as Partial<BatchCapable>;
  if (typeof candidate.batch === 'function') {
    await candidate.batch(statements);
    return;
  }
  // better-sqlite3 is synchronous: the statements run back to back on one connection inside
  // BEGIN IMMEDIATE … COMMIT, so no other writer can interleave.
  (db as unknown as SyncTransactionCapable).transaction(
    () => {
      for (const statement of statements) (statement as unknown as SyncRunnable).run();
    },
    { behavior: 'immediate' },
  );
}
