/**
 * Reads of the job table, for the API, for waking jobs and for the queue drivers (org-scoped but
 * for findJobById). Its writes are in job-queue.ts, driven by src/jobs/queue.ts.
 */
import { and, desc, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../client.js';
import { jobs } from '../schema.js';

export type JobRow = typeof jobs.$inferSelect;
export type JobState = JobRow['state'];

/** The org's jobs, newest change first, optionally of one state (state=dead lists the dead letters). */
export async function listJobs(db: Db, orgId: string, filter: { state?: JobState; limit: number }): Promise<JobRow[]> {
  return db
    .select()
    .from(jobs)
    .where(filter.state ? and(eq(jobs.orgId, orgId), eq(jobs.state, filter.state)) : eq(jobs.orgId, orgId))
    .orderBy(desc(jobs.updatedAt))
    .limit(filter.limit);
}

export async function findJob(db: Db, orgId: string, jobId: string): Promise<JobRow | undefined> {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, jobId), eq(jobs.orgId, orgId)));
  return row;
}

export async function findJobByDedupeKey(db: Db, orgId: string, dedupeKey: string): Promise<JobRow | undefined> {
  const rows = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), eq(jobs.dedupeKey, dedupeKey)))
    .limit(1);
  return rows[0];
}

/**
 * A job by id alone, for a queue consumer: a Queue message carries only the job id, and the
 * job's own row then names its org.
 */
export async function findJobById(db: Db, jobId: string): Promise<JobRow | undefined> {
  const rows = await db.select().from(jobs).where(eq(jobs.id, jobId)).limit(1);
  return rows[0];
}

/**
 * Ids of the org's queued jobs that wait for a connection (by its key, the vendor) and are due
 * by `nowMs`: the jobs a reconnect wakes. At most `limit`; the driver's poll or sweep gets the rest.
 */
export async function dueJobIdsWaitingFor(
  db: Db,
  orgId: string,
  connectionKey: string,
  nowMs: number,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.orgId, orgId),
        eq(jobs.connectionKey, connectionKey),
        eq(jobs.state, 'queued'),
        lte(jobs.nextAttemptAt, nowMs),
      ),
    )
    .limit(limit);
  return rows.map((row) => row.id);
}

/** The connection key of each of these jobs that exists (the Node driver sorts jobs it was told about by connection). */
export async function connectionKeysOf(
  db: Db,
  jobIds: readonly string[],
): Promise<{ id: string; connectionKey: string | null }[]> {
  if (jobIds.length === 0) return [];
  return db
    .select({ id: jobs.id, connectionKey: jobs.connectionKey })
    .from(jobs)
    .where(inArray(jobs.id, [...jobIds]));
}
