/**
 * Workers: drizzle over a D1 binding, with the same schema (and the same SQL migrations) the
 * Node runtime uses. Also the small structural types of the Workers bindings this hub uses,
 * so the code type-checks without the Workers global types (the project compiles with Node's).
 */
import { drizzle } from 'drizzle-orm/d1';
import type { Db } from '../db/client.js';
// The one use of the schema outside src/db: drizzle needs it to open the database, and only
// the runtime knows which driver that is (DESIGN.md, rooms). Nothing here queries a table.
import * as schema from '../db/schema.js';
import { type D1LimitOptions, withD1Limits } from './d1-limits.js';

/** The part of a D1 binding drizzle and the migration helper use. */
export interface D1Binding {
  prepare(query: string): unknown;
  batch(statements: unknown[]): Promise<unknown[]>;
  exec(query: string): Promise<unknown>;
}

// The queue shapes belong to the jobs layer (its Cloudflare driver); re-exported for the worker.
export type { QueueBinding, QueueMessage, QueueMessageBatch, QueueSendOptions } from '../jobs/types.js';

export interface WorkerExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

export interface WorkerScheduledController {
  readonly scheduledTime: number;
  readonly cron: string;
}

/** Drizzle over the binding, with D1's query limits enforced before D1 sees a query (d1-limits.ts). */
export function openD1(binding: D1Binding, limits: D1LimitOptions = {}): Db {
  return drizzle(withD1Limits(binding, limits) as unknown as Parameters<typeof drizzle>[0], {
    schema,
  }) as unknown as Db;
}

/**
 * Splits a drizzle-kit migration file into statements (it marks them with
 * `--> statement-breakpoint`), for applying it through a D1 binding's batch().
 */
export function migrationStatements(sqlText: string): string[] {
  return sqlText
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
