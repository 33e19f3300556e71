/**
 * The durable job queue: enqueue (deduplicated), claim due jobs with a lease, complete, fail into
 * retry or dead letter, replay. This file decides what happens to a job (defaults, leases, retry
 * and dead-letter policy); the SQL is the job table's repository (src/db/repos/job-queue.ts).
 */
import { type Db, newId, type Statement } from '../db/client.js';
import {
  claimDueJobRows,
  claimJobRow,
  claimJobRowsByIds,
  jobInsert,
  jobSucceededStatement,
  jobUpdateStatement,
  makeQueuedJobDueNow,
  releaseLeasesOf,
  requeueDeadJob,
  runningLeaseOwners,
} from '../db/repos/job-queue.js';
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
  const statement = jobInsert(db, {
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
  });
  return { id, statement };
}

/** Re-exported here, where the queue's callers look for it. */
export { findJobByDedupeKey } from '../db/repos/jobs.js';

/**
 * Claims up to `limit` due jobs (queued and due, or running with an expired lease) whose connection
 * is not paused; `owner` names the claiming process in the lease (see reclaimLeasesOfGoneProcesses).
 */
export async function claimDueJobs(
  db: Db,
  clock: Clock,
  limit: number,
  leaseMs = DEFAULT_LEASE_MS,
  owner: string | null = null,
): Promise<JobRow[]> {
  return claimDueJobRows(db, clock.now().getTime(), limit, leaseMs, owner);
}

/**
 * Hands back, due now, the running jobs whose lease holder `isGone` says has died: a restarted hub
 * resumes them at once rather than after the lease. The crashed attempt stays counted, and each job
 * is idempotent (reconcile-before-retry), so running it again is safe. Leases without an owner
 * (Workers) or held by a live or unknown process are left to expire.
 */
export async function reclaimLeasesOfGoneProcesses(
  db: Db,
  clock: Clock,
  isGone: (owner: string) => boolean,
): Promise<JobRow[]> {
  const gone = (await runningLeaseOwners(db)).filter(isGone);
  return releaseLeasesOf(db, gone, clock.now().getTime());
}

/** Claims one job by id if it is due and its connection is not paused (the Cloudflare Queues consumer path). */
export async function claimJob(
  db: Db,
  clock: Clock,
  jobId: string,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<JobRow | undefined> {
  return claimJobRow(db, jobId, clock.now().getTime(), leaseMs);
}

/**
 * Claims those of `jobIds` that are due and not paused (the Node driver's claim of the jobs it was
 * notified of); the rest stay for a later claim.
 */
export async function claimJobsByIds(
  db: Db,
  clock: Clock,
  jobIds: readonly string[],
  leaseMs = DEFAULT_LEASE_MS,
  owner: string | null = null,
): Promise<JobRow[]> {
  return claimJobRowsByIds(db, jobIds, clock.now().getTime(), leaseMs, owner);
}

/** A queued job that waited on another one runs now; true when it was still queued. */
export async function makeWaitingJobDue(db: Db, clock: Clock, job: Pick<JobRow, 'id' | 'orgId'>): Promise<boolean> {
  return makeQueuedJobDueNow(db, job, clock.now().getTime());
}

export function completeJobStatement(db: Db, clock: Clock, job: JobRow): Statement {
  return jobSucceededStatement(db, job, clock.now().toISOString());
}

export interface FailureDecision {
  state: 'queued' | 'dead';
  nextAttemptAt: number;
  lastError: string;
  /** Set when the attempt is not counted (a wait on another job). */
  attempts?: number;
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
  if (failure.kind === 'retryable' && failure.waitsOn) {
    // Waiting on a live dependency is not an attempt: give back the one the claim counted.
    return {
      state: 'queued',
      nextAttemptAt: now.getTime() + (failure.retryAfterMs ?? policy.baseDelayMs),
      lastError: `waiting on ${failure.waitsOn}: ${failure.reason}`,
      attempts: Math.max(0, job.attempts - 1),
    };
  }
  if (failure.kind === 'retryable' && failure.parked) {
    // A spent quota window (Xero's daily calls) is not the job's fault: park it until the window
    // reopens and give back the attempt, however many times the quota runs out.
    return {
      state: 'queued',
      nextAttemptAt: now.getTime() + (failure.retryAfterMs ?? policy.baseDelayMs),
      lastError: `parked until the vendor's quota window reopens: ${failure.reason}`,
      attempts: Math.max(0, job.attempts - 1),
    };
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
  return jobUpdateStatement(db, job, {
    state: decision.state,
    nextAttemptAt: decision.nextAttemptAt,
    ...(decision.attempts !== undefined ? { attempts: decision.attempts } : {}),
    leaseUntil: null,
    lastError: decision.lastError,
    updatedAt: clock.now().toISOString(),
  });
}

/**
 * Parks a job whose connection needs a reconnect: queued again, due at once (the claim query
 * holds it back while the connection is unhealthy), and the attempt its claim counted is given
 * back, so waiting for a person never sends it to the dead letters.
 */
export function pauseJobStatement(db: Db, clock: Clock, job: JobRow, lastError: string): Statement {
  const now = clock.now();
  return jobUpdateStatement(db, job, {
    state: 'queued',
    attempts: Math.max(job.attempts - 1, 0),
    nextAttemptAt: now.getTime(),
    leaseUntil: null,
    lastError,
    updatedAt: now.toISOString(),
  });
}

/** Puts a dead job back in the queue with a fresh attempt budget. Org-scoped: another org's id matches nothing. */
export async function replayJob(db: Db, clock: Clock, orgId: string, jobId: string): Promise<JobRow | undefined> {
  return requeueDeadJob(db, orgId, jobId, clock.now());
}

export { DEFAULT_RETRY_POLICY };
