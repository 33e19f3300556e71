/**
 * The flow runner's bookkeeping: one run per (org, flow, subject), one row per step with its
 * status and output. Every function takes the org id and scopes by it. Step writes are
 * statement builders so the runner commits them in the same atomic() unit as the step's effects.
 */
import { and, eq, sql } from 'drizzle-orm';
import { atomic } from '../atomic.js';
import type { Db, Statement } from '../client.js';
import { newId } from '../client.js';
import { naturalIdSync } from '../ids.js';
import { deferredRun, preparedOnce } from '../prepared.js';
import { externalRefs, flowRuns, flowSteps } from '../schema.js';

export type RunState = 'running' | 'succeeded' | 'failed';
export type ExternalRefToWrite = Omit<typeof externalRefs.$inferInsert, 'id' | 'orgId' | 'createdAt'>;

/**
 * The id a new run of (flow, subject) gets: derived from them, so two attempts that both find no
 * run and write it in their first commit write the same row (runs written before had random ids;
 * findRun finds those).
 */
export const newRunId = (orgId: string, flow: string, subjectId: string) =>
  naturalIdSync('run', orgId, flow, subjectId);

/**
 * The row of a new run, as a statement that joins the first commit of its attempt (no commit of
 * its own); a run that exists already is left as it is.
 */
export function runInsertStatement(
  db: Db,
  orgId: string,
  run: { id: string; flow: string; subjectId: string; jobId: string },
  now: string,
): Statement {
  const values = { ...run, orgId, state: 'running' as const, createdAt: now, updatedAt: now };
  const prepared = preparedOnce(db, 'runInsert', runInsert);
  if (prepared) return deferredRun(prepared, values);
  return db.insert(flowRuns).values(values).onConflictDoNothing();
}

const runInsert = (db: Db) =>
  db
    .insert(flowRuns)
    .values({
      id: sql.placeholder('id'),
      orgId: sql.placeholder('orgId'),
      flow: sql.placeholder('flow'),
      subjectId: sql.placeholder('subjectId'),
      jobId: sql.placeholder('jobId'),
      state: sql.placeholder('state'),
      createdAt: sql.placeholder('createdAt'),
      updatedAt: sql.placeholder('updatedAt'),
    })
    .onConflictDoNothing()
    .prepare();

/** The run of (flow, subject): created on the first attempt, found again on every later one. */
export async function ensureRun(
  db: Db,
  orgId: string,
  run: { flow: string; subjectId: string; jobId: string },
  now: string,
): Promise<string> {
  const found = await findRun(db, orgId, run.flow, run.subjectId);
  if (found) return found;
  await atomic(db, [runInsertStatement(db, orgId, { id: newRunId(orgId, run.flow, run.subjectId), ...run }, now)]);
  return (await findRun(db, orgId, run.flow, run.subjectId))!;
}

export function runStateStatement(db: Db, orgId: string, runId: string, state: RunState, now: string): Statement {
  const prepared = preparedOnce(db, 'runState', runState);
  if (prepared) return deferredRun(prepared, { orgId, runId, state, now });
  return db
    .update(flowRuns)
    .set({ state, updatedAt: now })
    .where(and(eq(flowRuns.id, runId), eq(flowRuns.orgId, orgId)));
}

const runState = (db: Db) =>
  db
    .update(flowRuns)
    .set({ state: sql`${sql.placeholder('state')}`, updatedAt: sql`${sql.placeholder('now')}` })
    .where(and(eq(flowRuns.id, sql.placeholder('runId')), eq(flowRuns.orgId, sql.placeholder('orgId'))))
    .prepare();

const stepsOf = (db: Db) =>
  db
    .select()
    .from(flowSteps)
    .where(and(eq(flowSteps.runId, sql.placeholder('runId')), eq(flowSteps.orgId, sql.placeholder('orgId'))))
    .prepare();

export async function stepsOfRun(db: Db, orgId: string, runId: string) {
  const prepared = preparedOnce(db, 'stepsOfRun', stepsOf);
  if (prepared) return prepared.all({ orgId, runId });
  return db
    .select()
    .from(flowSteps)
    .where(and(eq(flowSteps.runId, runId), eq(flowSteps.orgId, orgId)));
}

const stepStarted = (db: Db) =>
  db
    .insert(flowSteps)
    .values({
      id: sql.placeholder('id'),
      orgId: sql.placeholder('orgId'),
      runId: sql.placeholder('runId'),
      step: sql.placeholder('step'),
      status: 'started',
      attempts: 1,
      updatedAt: sql.placeholder('now'),
    })
    .onConflictDoUpdate({
      target: [flowSteps.runId, flowSteps.step],
      set: { status: 'started', attempts: sql`${flowSteps.attempts} + 1`, updatedAt: sql`excluded.updated_at` },
    })
    .prepare();

/**
 * The step marked started (committed before its vendor call, alone or with the commit before it,
 * so a crash mid-call leaves an unknown outcome to reconcile); counts the attempt.
 */
export function stepStartedStatement(db: Db, orgId: string, runId: string, step: string, now: string): Statement {
  const prepared = preparedOnce(db, 'markStepStarted', stepStarted);
  if (prepared) return deferredRun(prepared, { id: newId('stp'), orgId, runId, step, now });
  return db
    .insert(flowSteps)
    .values({ id: newId('stp'), orgId, runId, step, status: 'started', attempts: 1, updatedAt: now })
    .onConflictDoUpdate({
      target: [flowSteps.runId, flowSteps.step],
      set: { status: 'started', attempts: sql`${flowSteps.attempts} + 1`, updatedAt: now },
    });
}

/** Marked (and committed) before the step runs, so a crash mid-step leaves an unknown outcome to reconcile. */
export async function markStepStarted(db: Db, orgId: string, runId: string, step: string, now: string) {
  await atomic(db, [stepStartedStatement(db, orgId, runId, step, now)]);
}

/**
 * A step's end (done with its output, or failed with its error), written whether or not a
 * "started" row exists: a step that makes no vendor call has none (a crash there loses nothing,
 * its writes commit with this row). `counted` says whether this attempt's started marker already
 * counted the attempt; if not, this write counts it.
 */
function stepEndStatement(
  db: Db,
  end: {
    orgId: string;
    runId: string;
    step: string;
    status: 'done' | 'failed';
    output: string | null;
    error: string | null;
    now: string;
    counted: boolean;
  },
): Statement {
  const values = { id: newId('stp'), ...end, add: end.counted ? 0 : 1 };
  const prepared = preparedOnce(db, 'stepEnd', stepEnd);
  if (prepared) return deferredRun(prepared, values);
  return db
    .insert(flowSteps)
    .values({
      id: values.id,
      orgId: end.orgId,
      runId: end.runId,
      step: end.step,
      status: end.status,
      output: end.output,
      error: end.error,
      attempts: 1,
      updatedAt: end.now,
    })
    .onConflictDoUpdate({
      target: [flowSteps.runId, flowSteps.step],
      set: {
        status: end.status,
        output: end.output,
        error: end.error,
        attempts: sql`${flowSteps.attempts} + ${values.add}`,
        updatedAt: end.now,
      },
    });
}

const stepEnd = (db: Db) =>
  db
    .insert(flowSteps)
    .values({
      id: sql.placeholder('id'),
      orgId: sql.placeholder('orgId'),
      runId: sql.placeholder('runId'),
      step: sql.placeholder('step'),
      status: sql.placeholder('status') as never,
      output: sql.placeholder('output'),
      error: sql.placeholder('error'),
      attempts: 1,
      updatedAt: sql.placeholder('now'),
    })
    .onConflictDoUpdate({
      target: [flowSteps.runId, flowSteps.step],
      set: {
        status: sql`excluded.status`,
        output: sql`excluded.output`,
        error: sql`excluded.error`,
        attempts: sql`${flowSteps.attempts} + ${sql.placeholder('add')}`,
        updatedAt: sql`excluded.updated_at`,
      },
    })
    .prepare();

export function stepFailedStatement(
  db: Db,
  orgId: string,
  runId: string,
  step: string,
  error: string,
  now: string,
  counted = true,
): Statement {
  return stepEndStatement(db, { orgId, runId, step, status: 'failed', output: null, error, now, counted });
}

export function stepDoneStatement(
  db: Db,
  orgId: string,
  runId: string,
  step: string,
  output: unknown,
  now: string,
  counted = true,
): Statement {
  return stepEndStatement(db, {
    orgId,
    runId,
    step,
    status: 'done',
    output: JSON.stringify(output ?? null),
    error: null,
    now,
    counted,
  });
}

/** A vendor's id for one of our objects; unique per (org, system, object type, local id), so a rerun adds nothing. */
export function externalRefInsert(db: Db, orgId: string, ref: ExternalRefToWrite, now: string): Statement {
  const values = { id: newId('ref'), orgId, ...ref, createdAt: now };
  const prepared = preparedOnce(db, 'externalRefInsert', refInsert);
  if (prepared) return deferredRun(prepared, values);
  return db.insert(externalRefs).values(values).onConflictDoNothing();
}

const refInsert = (db: Db) =>
  db
    .insert(externalRefs)
    .values({
      id: sql.placeholder('id'),
      orgId: sql.placeholder('orgId'),
      system: sql.placeholder('system'),
      objectType: sql.placeholder('objectType'),
      localId: sql.placeholder('localId'),
      externalId: sql.placeholder('externalId'),
      createdAt: sql.placeholder('createdAt'),
    })
    .onConflictDoNothing()
    .prepare();

/** The run of (flow, subject), or null when no attempt ever started it. */
const runOf = (db: Db) =>
  db
    .select({ id: flowRuns.id })
    .from(flowRuns)
    .where(
      and(
        eq(flowRuns.orgId, sql.placeholder('orgId')),
        eq(flowRuns.flow, sql.placeholder('flow')),
        eq(flowRuns.subjectId, sql.placeholder('subjectId')),
      ),
    )
    .prepare();

/** The run of (flow, subject), or null when no attempt ever started it. */
export async function findRun(db: Db, orgId: string, flow: string, subjectId: string): Promise<string | null> {
  const prepared = preparedOnce(db, 'findRun', runOf);
  const rows = prepared
    ? await prepared.all({ orgId, flow, subjectId })
    : await db
        .select({ id: flowRuns.id })
        .from(flowRuns)
        .where(and(eq(flowRuns.orgId, orgId), eq(flowRuns.flow, flow), eq(flowRuns.subjectId, subjectId)));
  return rows[0]?.id ?? null;
}
