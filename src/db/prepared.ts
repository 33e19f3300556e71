/**
 * Hot reads prepared once per better-sqlite3 connection, with drizzle placeholders: the lookups
 * every job step makes (its invoice, lines, customer, external ids) were built from scratch by
 * drizzle on every call, and building was most of drizzle's share of the invoice pipeline's CPU
 * (bench/invoice-pipeline.ts). On D1 (a Db per request) the query is built per call as before.
 */
import { isBatchDb } from './atomic.js';
import type { Db, Statement } from './client.js';

const kept = new WeakMap<object, Map<string, unknown>>();

/** `build(db)` once per connection and `name`, on better-sqlite3; undefined on D1. */
export function preparedOnce<T>(db: Db, name: string, build: (db: Db) => T): T | undefined {
  if (isBatchDb(db)) return undefined;
  let byName = kept.get(db);
  if (!byName) {
    byName = new Map();
    kept.set(db, byName);
  }
  let prepared = byName.get(name) as T | undefined;
  if (prepared === undefined) {
    prepared = build(db);
    byName.set(name, prepared);
  }
  return prepared;
}

interface PreparedWrite {
  run(values: Record<string, unknown>): unknown;
}

/**
 * A write prepared with preparedOnce() and its values, as a statement for atomic(): it runs when
 * atomic() runs it, inside its transaction. better-sqlite3 only (on D1 callers build the query).
 */
export function deferredRun(prepared: PreparedWrite, values: Record<string, unknown>): Statement {
  return { run: () => prepared.run(values) } as unknown as Statement;
}
