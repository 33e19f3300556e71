/**
 * The durable job table: enqueue (deduplicated), claim due jobs with a lease (one UPDATE …
 * RETURNING, atomic on SQLite and D1), complete, fail into retry or dead letter, replay.
 */
import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../db/client.js';
import { connections, jobs } from '../db/schema.js';
import type { Clock } from '../domain/clock.js';
import type { Failure } from '../domain/outcome.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from './retry.js';
import type { JobRow, NewJob } from './types.js';

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_LEASE_MS = 5 * 60_000;

/** An insert that does nothing when (org, dedupeKey) exists, so it can join any atomic batch. */
export function enqueueStatement(db: Db, clock: Clock, job: NewJob): { id: string; statement: Statement } {
  const id = newId('job');
  const now = clock.now();
  const statement = db
    .insert(jobs)
    .values({
      id,
      orgId: job.orgId,
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      dedupeKey: job.dedupeKey,
      correlationId: job.correlationId,
      connectionKey: job.connectionKey ?? null,
      state: 'queued',
      attempts: 0,
      maxAttempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      nextAttemptAt: (job.runAt ?? now).getTime(),
      leaseUntil: null,
      lastError: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    })
    .onConflictDoNothing();
  return { id, statement };
}

export async function findJobByDedupeKey(db: Db, orgId: string, dedupeKey: string): Promise<JobRow | undefined> {
  const rows = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), eq(jobs.dedupeKey, dedupeKey)))
    .limit(1);
  return rows[0];
}

/** Due: queued with its next attempt time reached, or running under a lease that expired (its worker died). */
function isDue(now: number) {
  return or(
    and(eq(jobs.state, 'queued'), lte(jobs.nextAttemptAt, now)),
    and(eq(jobs.state, 'running'), lte(jobs.leaseUntil, now)),
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

/** Claims up to `limit` due jobs (queued and due, or running with an expired lease) whose connection is not paused. */
export async function claimDueJobs(db: Db, clock: Clock, limit: number, leaseMs = DEFAULT_LEASE_MS): Promise<JobRow[]> {
  const now = clock.now().getTime();
  const due = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(isDue(now), connectionNotPaused()))
    .orderBy(jobs.nextAttemptAt)
    .limit(limit);
  return db
    .update(jobs)
    .set({
      state: 'running',
      leaseUntil: now + leaseMs,
      attempts: sql`${jobs.attempts} + 1`,
      updatedAt: new Date(now).toISOString(),
    })
    .where(inArray(jobs.id, due))
    .returning();
}

/** Claims one job by id if it is due and its connection is not paused (the Cloudflare Queues consumer path). */
export async function claimJob(
  db: Db,
  clock: Clock,
  jobId: string,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<JobRow | undefined> {
  const now = clock.now().getTime();
  const rows = await db
    .update(jobs)
    .set({
      state: 'running',
      leaseUntil: now + leaseMs,
      attempts: sql`${jobs.attempts} + 1`,
      updatedAt: new Date(now).toISOString(),
    })
    .where(and(eq(jobs.id, jobId), isDue(now), connectionNotPaused()))
    .returning();
  return rows[0];
}

export function completeJobStatement(db: Db, clock: Clock, job: JobRow): Statement {
  return db
    .update(jobs)
    .set({ state: 'succeeded', leaseUntil: null, updatedAt: clock.now().toISOString() })
    .where(and(eq(jobs.id, job.id), eq(jobs.orgId, job.orgId)));
}

export interface FailureDecision {
  state: 'queued' | 'dead';
  nextAttemptAt: number;
  lastError: string;
}

/** Permanent failures and exhausted attempts go to the dead letters; the rest are rescheduled. */
export function decideFailure(
  job: JobRow,
  failure: Failure,
  now: Date,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): FailureDecision {
  const reason = `${failure.kind}: ${failure.reason}`;
  if (failure.kind === 'permanent') {
    return { state: 'dead', nextAttemptAt: now.getTime(), lastError: reason };
  }
  if (job.attempts >= job.maxAttempts) {
    return {
      state: 'dead',
      nextAttemptAt: now.getTime(),
      lastError: `gave up after ${job.attempts} attempts; last error ${reason}`,
    };
  }
  return {
    state: 'queued',
    nextAttemptAt: now.getTime() + retryDelayMs(job.attempts, failure, policy),
    lastError: reason,
  };
}

export function failJobStatement(db: Db, clock: Clock, job: JobRow, decision: FailureDecision): Statement {
  return db
    .update(jobs)
    .set({
      state: decision.state,
      nextAttemptAt: decision.nextAttemptAt,
      leaseUntil: null,
      lastError: decision.lastError,
      updatedAt: clock.now().toISOString(),
    })
    .where(and(eq(jobs.id, job.id), eq(jobs.orgId, job.orgId)));
}

/**
 * Parks a job whose connection needs a reconnect: queued again, due at once (the claim query
 * holds it back while the connection is unhealthy), and the attempt its claim counted is given
 * back, so waiting for a person never sends it to the dead letters.
 */
export function pauseJobStatement(db: Db, clock: Clock, job: JobRow, lastError: string): Statement {
  const now = clock.now();
  return db
    .update(jobs)
    .set({
      state: 'queued',
      attempts: Math.max(job.attempts - 1, 0),
      nextAttemptAt: now.getTime(),
      leaseUntil: null,
      lastError,
      updatedAt: now.toISOString(),
    })
    .where(and(eq(jobs.id, job.id), eq(jobs.orgId, job.orgId)));
}

/** Puts a dead job back in the queue with a fresh attempt budget. Org-scoped: another org's id matches nothing. */
export async function replayJob(db: Db, clock: Clock, orgId: string, jobId: string): Promise<JobRow | undefined> {
  const now = clock.now();
  const rows = await db
    .update(jobs)
    .set({ state: 'queued', attempts: 0, nextAttemptAt: now.getTime(), leaseUntil: null, updatedAt: now.toISOString() })
    .where(and(eq(jobs.id, jobId), eq(jobs.orgId, orgId), eq(jobs.state, 'dead')))
    .returning();
  return rows[0];
}

export { DEFAULT_RETRY_POLICY };
