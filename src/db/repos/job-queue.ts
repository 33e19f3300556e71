/**
 * The job table's writes, for the durable queue in src/jobs/queue.ts, which decides what they
 * are (defaults, retry and dead-letter policy) and passes the time in. Claims are one
 * UPDATE … RETURNING, atomic on SQLite and D1. A claim takes no org id: the queue runs every
 * org's jobs, and each claimed row's org scopes what its handler does. Every other write names
 * the job's org too.
 */
import { and, eq, inArray, isNotNull, lte, or, sql } from 'drizzle-orm';
import { atomic, isBatchDb } from '../atomic.js';
import type { Db, Statement } from '../client.js';
import { deferredRun, preparedOnce } from '../prepared.js';
import { connections, jobs } from '../schema.js';
import type { JobRow } from './jobs.js';

export type JobInsertRow = typeof jobs.$inferInsert;

/** An insert that does nothing when (org, dedupeKey) exists, so it can join any atomic batch. */
export function jobInsert(db: Db, row: JobInsertRow): Statement {
  // Every step that enqueues the next one writes this: prepared once per connection (src/db/prepared.ts).
  const prepared = preparedOnce(db, 'jobInsert', jobInsertPrepared);
  if (prepared) return deferredRun(prepared, jobInsertValues(row));
  return db.insert(jobs).values(row).onConflictDoNothing();
}

const JOB_COLUMNS = [
  'id',
  'orgId',
  'kind',
  'payload',
  'dedupeKey',
  'correlationId',
  'connectionKey',
  'state',
  'attempts',
  'maxAttempts',
  'nextAttemptAt',
  'leaseUntil',
  'leaseOwner',
  'lastError',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof JobInsertRow)[];

/** The row as the prepared insert's values: every column named, an absent one as null. */
function jobInsertValues(row: JobInsertRow): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const column of JOB_COLUMNS) values[column] = row[column] ?? null;
  return values;
}

const jobInsertPrepared = (db: Db) =>
  db
    .insert(jobs)
    .values(
      Object.fromEntries(JOB_COLUMNS.map((column) => [column, sql.placeholder(column)])) as unknown as JobInsertRow,
    )
    .onConflictDoNothing()
    .prepare();

/** Due: queued with its next attempt time reached, or running under a lease that expired (its worker died). */
function isDue(nowMs: number) {
  return or(
    and(eq(jobs.state, 'queued'), lte(jobs.nextAttemptAt, nowMs)),
    and(eq(jobs.state, 'running'), lte(jobs.leaseUntil, nowMs)),
  );
}

/**
 * Paused: the org's connection for the job's connection key is unhealthy (its credentials stopped
 * working). Such jobs stay queued and are not claimed until a reconnect marks it healthy again.
 * A correlated NOT EXISTS, so claiming stays one UPDATE … RETURNING on SQLite and D1 alike.
 */
function connectionNotPaused() {
  return sql`NOT EXISTS (SELECT 1 FROM ${connections} WHERE ${connections.orgId} = ${jobs.orgId} AND ${connections.vendor} = ${jobs.connectionKey} AND ${connections.status} = 'unhealthy')`;
}

/** What a claim sets: running under a lease (held by `owner`), one more attempt counted. */
function claimed(nowMs: number, leaseMs: number, owner: string | null) {
  return {
    state: 'running' as const,
    leaseUntil: nowMs + leaseMs,
    leaseOwner: owner,
    attempts: sql`${jobs.attempts} + 1`,
    updatedAt: new Date(nowMs).toISOString(),
  };
}

/**
 * Claims up to `limit` due jobs whose connection is not paused: expired leases first, then queued
 * jobs earliest first. Each arm is its own index range on jobs_due_idx (state, next_attempt_at)
 * that stops at `limit` rows; one WHERE with an OR of both arms made SQLite collect and sort every
 * due row on each claim (about 5 ms behind a backlog of 10,000 jobs, against 0.2 ms this way).
 */
export async function claimDueJobRows(
  db: Db,
  nowMs: number,
  limit: number,
  leaseMs: number,
  owner: string | null = null,
): Promise<JobRow[]> {
  const expired = sql`SELECT ${jobs.id} FROM ${jobs} WHERE ${jobs.state} = 'running' AND ${jobs.leaseUntil} <= ${nowMs}
    AND ${connectionNotPaused()} LIMIT ${limit}`;
  const queued = sql`SELECT ${jobs.id} FROM ${jobs} WHERE ${jobs.state} = 'queued' AND ${jobs.nextAttemptAt} <= ${nowMs}
    AND ${connectionNotPaused()} ORDER BY ${jobs.nextAttemptAt} LIMIT ${limit}`;
  const due = sql`SELECT id FROM (${expired}) UNION ALL SELECT id FROM (${queued}) LIMIT ${limit}`;
  return claimRows(
    db,
    db
      .update(jobs)
      .set(claimed(nowMs, leaseMs, owner))
      .where(sql`${jobs.id} IN (${due})`)
      .returning(),
  );
}

/**
 * Runs a claim (an UPDATE … RETURNING). On better-sqlite3 it joins the group commit of atomic():
 * alone, each claim was a transaction of its own and waited for its own fsync (synchronous=FULL),
 * about a third of the commits of the invoice pipeline (bench/invoice-pipeline.ts). The rows come
 * back only once the group has committed, so a lease is as durable as before. On D1 it runs as is.
 */
async function claimRows(db: Db, query: PromiseLike<JobRow[]> & { all(): unknown }): Promise<JobRow[]> {
  if (isBatchDb(db)) return query;
  const [rows] = await atomic(db, [{ run: () => query.all() } as unknown as Statement]);
  return rows as JobRow[];
}

/**
 * Claims those of `jobIds` that are due and whose connection is not paused (the Node driver's
 * claim of jobs it was just told about); the others are left as they are.
 */
export async function claimJobRowsByIds(
  db: Db,
  jobIds: readonly string[],
  nowMs: number,
  leaseMs: number,
  owner: string | null = null,
): Promise<JobRow[]> {
  if (jobIds.length === 0) return [];
  return claimRows(
    db,
    db
      .update(jobs)
      .set(claimed(nowMs, leaseMs, owner))
      .where(and(inArray(jobs.id, [...jobIds]), isDue(nowMs), connectionNotPaused()))
      .returning(),
  );
}

/**
 * Makes a queued job due now (a job that waited on another one which has just finished); a job in
 * any other state is left alone. True when it changed.
 */
export async function makeQueuedJobDueNow(db: Db, job: Pick<JobRow, 'id' | 'orgId'>, nowMs: number): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ nextAttemptAt: nowMs, updatedAt: new Date(nowMs).toISOString() })
    .where(and(eq(jobs.id, job.id), eq(jobs.orgId, job.orgId), eq(jobs.state, 'queued')))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Claims one job by id if it is due and its connection is not paused. */
export async function claimJobRow(db: Db, jobId: string, nowMs: number, leaseMs: number): Promise<JobRow | undefined> {
  const rows = await db
    .update(jobs)
    .set(claimed(nowMs, leaseMs, null))
    .where(and(eq(jobs.id, jobId), isDue(nowMs), connectionNotPaused()))
    .returning();
  return rows[0];
}

/** The processes holding leases on running jobs right now. */
export async function runningLeaseOwners(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ owner: jobs.leaseOwner })
    .from(jobs)
    .where(and(eq(jobs.state, 'running'), isNotNull(jobs.leaseOwner)));
  return rows.map((r) => r.owner!).filter((o) => o.length > 0);
}

/**
 * Hands the running jobs of processes that are gone back to the queue, due now. Only rows still
 * running under one of those owners change, so a job another process finished meanwhile stays done.
 */
export async function releaseLeasesOf(db: Db, owners: string[], nowMs: number): Promise<JobRow[]> {
  if (owners.length === 0) return [];
  return db
    .update(jobs)
    .set({
      state: 'queued',
      leaseUntil: null,
      leaseOwner: null,
      nextAttemptAt: nowMs,
      updatedAt: new Date(nowMs).toISOString(),
    })
    .where(and(eq(jobs.state, 'running'), inArray(jobs.leaseOwner, owners)))
    .returning();
}

/** Changes one job (of its org) as the queue decided: done, rescheduled, dead or paused. */
export function jobUpdateStatement(
  db: Db,
  job: Pick<JobRow, 'id' | 'orgId'>,
  set: Partial<Pick<JobRow, 'state' | 'attempts' | 'nextAttemptAt' | 'leaseUntil' | 'lastError' | 'updatedAt'>>,
): Statement {
  return db
    .update(jobs)
    .set(set)
    .where(and(eq(jobs.id, job.id), eq(jobs.orgId, job.orgId)));
}

/** A job done (the commonest write to the job table after its insert), prepared once on better-sqlite3. */
export function jobSucceededStatement(db: Db, job: Pick<JobRow, 'id' | 'orgId'>, nowIso: string): Statement {
  const prepared = preparedOnce(db, 'jobSucceeded', jobSucceeded);
  if (prepared) return deferredRun(prepared, { id: job.id, orgId: job.orgId, now: nowIso });
  return jobUpdateStatement(db, job, { state: 'succeeded', leaseUntil: null, updatedAt: nowIso });
}

const jobSucceeded = (db: Db) =>
  db
    .update(jobs)
    .set({ state: 'succeeded', leaseUntil: null, updatedAt: sql`${sql.placeholder('now')}` })
    .where(and(eq(jobs.id, sql.placeholder('id')), eq(jobs.orgId, sql.placeholder('orgId'))))
    .prepare();

/** Puts a dead job back in the queue with a fresh attempt budget. Another org's id matches nothing. */
export async function requeueDeadJob(db: Db, orgId: string, jobId: string, now: Date): Promise<JobRow | undefined> {
  const rows = await db
    .update(jobs)
    .set({ state: 'queued', attempts: 0, nextAttemptAt: now.getTime(), leaseUntil: null, updatedAt: now.toISOString() })
    .where(and(eq(jobs.id, jobId), eq(jobs.orgId, orgId), eq(jobs.state, 'dead')))
    .returning();
  return rows[0];
}

/**
 * Marks a job dead unless it already finished (queued or running only); true when it did. By id
 * alone: a dead-lettered queue message carries only the job id, and the job's own row is changed.
 */
export async function markUnfinishedJobDead(
  db: Db,
  jobId: string,
  lastError: string,
  nowIso: string,
): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ state: 'dead', leaseUntil: null, lastError, updatedAt: nowIso })
    .where(and(eq(jobs.id, jobId), inArray(jobs.state, ['queued', 'running'])))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/**
 * Makes the org's job with this dedupe key due now: a queued one (waiting out its backoff) runs at
 * once, a dead one gets a fresh attempt budget. Running or finished jobs are left alone. Returns
 * the ids it changed (for the driver's notify).
 */
export async function makeJobDueNow(db: Db, orgId: string, dedupeKey: string, now: Date): Promise<string[]> {
  const rows = await db
    .update(jobs)
    .set({
      state: 'queued',
      attempts: sql`CASE WHEN ${jobs.state} = 'dead' THEN 0 ELSE ${jobs.attempts} END`,
      nextAttemptAt: now.getTime(),
      leaseUntil: null,
      updatedAt: now.toISOString(),
    })
    .where(and(eq(jobs.orgId, orgId), eq(jobs.dedupeKey, dedupeKey), inArray(jobs.state, ['queued', 'dead'])))
    .returning({ id: jobs.id });
  return rows.map((r) => r.id);
}
