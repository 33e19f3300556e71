/**
 * Every job of one deal for the console's deal trace: the jobs of its correlation id, and the flow
 * jobs whose subject is one of its contracts, invoices or payments (a billing run's invoices carry
 * the run's correlation id, not the deal's). Oldest first, each with its flow and steps once it ran.
 * Org-scoped throughout.
 */
import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { flowRuns, flowSteps, jobs } from '../schema.js';
import { inJson } from './in-json.js';

export interface DealJob {
  id: string;
  kind: string;
  flow: string | null;
  subjectId: string | null;
  state: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: string;
  steps: { step: string; status: string; error: string | null; attempts: number }[];
}

export async function dealJobs(
  db: Db,
  orgId: string,
  correlationId: string,
  subjectIds: readonly string[],
): Promise<DealJob[]> {
  const bySubject =
    subjectIds.length === 0
      ? undefined
      : and(
          eq(jobs.kind, 'flow'),
          sql`json_extract(${jobs.payload}, '$.subjectId') IN (SELECT value FROM json_each(${JSON.stringify(subjectIds)}))`,
        );
  const jobRows = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), or(eq(jobs.correlationId, correlationId), bySubject)))
    .orderBy(asc(jobs.createdAt), asc(jobs.id));
  if (jobRows.length === 0) return [];
  const runs = await db
    .select()
    .from(flowRuns)
    .where(
      and(
        eq(flowRuns.orgId, orgId),
        inJson(
          flowRuns.jobId,
          jobRows.map((j) => j.id),
        ),
      ),
    );
  const steps =
    runs.length === 0
      ? []
      : await db
          .select()
          .from(flowSteps)
          .where(
            and(
              eq(flowSteps.orgId, orgId),
              inJson(
                flowSteps.runId,
                runs.map((r) => r.id),
              ),
            ),
          )
          .orderBy(asc(flowSteps.updatedAt), asc(flowSteps.id));
  return jobRows.map((job) => {
    const run = runs.find((r) => r.jobId === job.id);
    const payload = safePayload(job.payload);
    return {
      id: job.id,
      kind: job.kind,
      flow: payload.flow ?? run?.flow ?? null,
      subjectId: payload.subjectId ?? run?.subjectId ?? null,
      state: job.state,
      attempts: job.attempts,
      maxAttempts: job.maxAttempts,
      lastError: job.lastError,
      createdAt: job.createdAt,
      steps: run
        ? steps
            .filter((s) => s.runId === run.id)
            .map(({ step, status, error, attempts }) => ({ step, status, error, attempts }))
        : [],
    };
  });
}

/** A payload edited by hand may not be JSON; the trace still shows the job. */
function safePayload(text: string): { flow?: string; subjectId?: string } {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as { flow?: string; subjectId?: string }) : {};
  } catch {
    return {};
  }
}
