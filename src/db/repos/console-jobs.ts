/**
 * The console's reads of the job table (issue #14, sync log): jobs filtered the way finance
 * looks for a failure, per-connection job counts for the connections page, and marking a dead
 * job resolved. Every query is scoped by org id.
 */
import { and, desc, eq, like, max, type SQL, sql } from 'drizzle-orm';
import { atomic, rowsChanged } from '../atomic.js';
import type { Db } from '../client.js';
import { jobResolutions, jobs } from '../schema.js';
import { auditStatement } from './audit.js';
import type { JobRow, JobState } from './jobs.js';

export interface JobSearch {
  state?: JobState;
  /** The vendor connection the job talks to (its rate-limit bucket, e.g. "quickbooks"). */
  connection?: string;
  /** The flow a flow job runs (its payload's `flow`), or another job's kind. */
  flow?: string;
  /** Text the last error contains (case-insensitive, as SQLite's LIKE is for ASCII). */
  error?: string;
  /** Only dead jobs nobody marked resolved (true) or only resolved ones (false). */
  open?: boolean;
  limit: number;
}

export type JobResolution = typeof jobResolutions.$inferSelect;
export type JobWithResolution = JobRow & { resolution: JobResolution | null };

/** `%`, `_` and the escape itself are literal in what the user typed. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

export async function searchJobs(db: Db, orgId: string, filter: JobSearch): Promise<JobWithResolution[]> {
  const where: SQL[] = [eq(jobs.orgId, orgId)];
  if (filter.state) where.push(eq(jobs.state, filter.state));
  if (filter.connection) where.push(eq(jobs.connectionKey, filter.connection));
  if (filter.flow) {
    where.push(sql`(${jobs.kind} = ${filter.flow} OR json_extract(${jobs.payload}, '$.flow') = ${filter.flow})`);
  }
  if (filter.error) where.push(sql`${jobs.lastError} LIKE ${likeContains(filter.error)} ESCAPE '\\'`);
  if (filter.open === true) where.push(sql`${jobResolutions.jobId} IS NULL`);
  if (filter.open === false) where.push(sql`${jobResolutions.jobId} IS NOT NULL`);
  const rows = await db
    .select({ job: jobs, resolution: jobResolutions })
    .from(jobs)
    .leftJoin(jobResolutions, and(eq(jobResolutions.jobId, jobs.id), eq(jobResolutions.orgId, orgId)))
    .where(and(...where))
    .orderBy(desc(jobs.updatedAt), desc(jobs.id))
    .limit(filter.limit);
  return rows.map((r) => ({ ...r.job, resolution: r.resolution }));
}

/** The flows and connections the org's jobs use, for the sync log's filter menus. */
export async function jobFacets(db: Db, orgId: string): Promise<{ flows: string[]; connections: string[] }> {
  const flowExpr = sql<string>`coalesce(json_extract(${jobs.payload}, '$.flow'), ${jobs.kind})`;
  const flows = await db.selectDistinct({ flow: flowExpr }).from(jobs).where(eq(jobs.orgId, orgId));
  const connections = await db
    .selectDistinct({ connection: jobs.connectionKey })
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), sql`${jobs.connectionKey} IS NOT NULL`));
  return {
    flows: flows.map((f) => f.flow).sort(),
    connections: connections.map((c) => c.connection!).sort(),
  };
}

export async function jobResolution(db: Db, orgId: string, jobId: string): Promise<JobResolution | undefined> {
  const [row] = await db
    .select()
    .from(jobResolutions)
    .where(and(eq(jobResolutions.orgId, orgId), eq(jobResolutions.jobId, jobId)))
    .limit(1);
  return row;
}

/**
 * Marks a dead job resolved with a reason. The insert selects the job in the same statement, so
 * it only lands on a dead job of this org; a second mark keeps the first. Returns whether it landed.
 */
export async function resolveDeadJob(
  db: Db,
  now: string,
  input: { orgId: string; jobId: string; reason: string; actor: string },
): Promise<boolean> {
  const { orgId, jobId, reason, actor } = input;
  // The check keeps the audit log to marks that land; the insert's own condition settles a race.
  const [dead] = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), eq(jobs.id, jobId), eq(jobs.state, 'dead')));
  if (!dead || (await jobResolution(db, orgId, jobId))) return false;
  const [result] = await atomic(db, [
    db
      .insert(jobResolutions)
      .select(
        db
          .select({
            jobId: jobs.id,
            orgId: jobs.orgId,
            reason: sql`${reason}`.as('reason'),
            resolvedBy: sql`${actor}`.as('resolved_by'),
            resolvedAt: sql`${now}`.as('resolved_at'),
          })
          .from(jobs)
          .where(and(eq(jobs.orgId, orgId), eq(jobs.id, jobId), eq(jobs.state, 'dead'))),
      )
      .onConflictDoNothing(),
    auditStatement(db, orgId, { actor, action: 'job.resolved', subject: jobId, detail: { reason }, at: now }),
  ]);
  return rowsChanged(result) === 1;
}

/** A replayed job is open again: its earlier resolution no longer describes it. */
export function clearResolutionStatement(db: Db, orgId: string, jobId: string) {
  return db.delete(jobResolutions).where(and(eq(jobResolutions.orgId, orgId), eq(jobResolutions.jobId, jobId)));
}

export interface ConnectionJobStats {
  connection: string;
  /** Queued jobs that talk to this connection (they wait while it is unhealthy). */
  waiting: number;
  dead: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
}

/** Per connection key: how many jobs wait, how many are dead, and when one last succeeded or failed. */
export async function jobStatsByConnection(db: Db, orgId: string): Promise<Map<string, ConnectionJobStats>> {
  const rows = await db
    .select({
      connection: jobs.connectionKey,
      waiting: sql<number>`sum(case when ${jobs.state} = 'queued' then 1 else 0 end)`,
      dead: sql<number>`sum(case when ${jobs.state} = 'dead' then 1 else 0 end)`,
      lastSuccessAt: max(sql`case when ${jobs.state} = 'succeeded' then ${jobs.updatedAt} end`),
      lastFailureAt: max(sql`case when ${jobs.lastError} is not null then ${jobs.updatedAt} end`),
    })
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), sql`${jobs.connectionKey} IS NOT NULL`))
    .groupBy(jobs.connectionKey);
  return new Map(
    rows.map((r) => [
      r.connection!,
      {
        connection: r.connection!,
        waiting: Number(r.waiting ?? 0),
        dead: Number(r.dead ?? 0),
        lastSuccessAt: (r.lastSuccessAt as string | null) ?? null,
        lastFailureAt: (r.lastFailureAt as string | null) ?? null,
      },
    ]),
  );
}

/** The newest error of a job on this connection, for "last error". */
export async function lastErrorOn(db: Db, orgId: string, connection: string): Promise<string | null> {
  const [row] = await db
    .select({ lastError: jobs.lastError })
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), eq(jobs.connectionKey, connection), like(jobs.lastError, '%')))
    .orderBy(desc(jobs.updatedAt))
    .limit(1);
  return row?.lastError ?? null;
}

/**
 * Replaces a dead job's payload and puts it back in the queue with a fresh attempt budget, its
 * resolution cleared, audit-logged with both payloads: one write, which lands only while the job is
 * still dead (a second tab that retried it first wins). Returns whether it landed.
 */
export async function editAndRequeueDeadJob(
  db: Db,
  now: Date,
  input: { orgId: string; jobId: string; payload: string; actor: string; before: unknown; after: unknown },
): Promise<boolean> {
  const { orgId, jobId } = input;
  const [result] = await atomic(db, [
    db
      .update(jobs)
      .set({
        payload: input.payload,
        state: 'queued',
        attempts: 0,
        nextAttemptAt: now.getTime(),
        leaseUntil: null,
        updatedAt: now.toISOString(),
      })
      .where(and(eq(jobs.orgId, orgId), eq(jobs.id, jobId), eq(jobs.state, 'dead'))),
    clearResolutionStatement(db, orgId, jobId),
    // Written in the same batch; it names the edit whatever the update found, so the caller checks first.
    auditStatement(db, orgId, {
      actor: input.actor,
      action: 'job.payload_edited',
      subject: jobId,
      detail: { before: input.before, after: input.after },
      at: now.toISOString(),
    }),
  ]);
  return rowsChanged(result) === 1;
}
