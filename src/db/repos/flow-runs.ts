/**
 * The flow runner's bookkeeping: one run per (org, flow, subject), one row per step with its
 * status and output. Every function takes the org id and scopes by it. Step writes are
 * statement builders so the runner commits them in the same atomic() unit as the step's effects.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Statement } from '../client.js';
import { newId } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { externalRefs, flowRuns, flowSteps } from '../schema.js';

export type RunState = 'running' | 'succeeded' | 'failed';
export type ExternalRefToWrite = Omit<typeof externalRefs.$inferInsert, 'id' | 'orgId' | 'createdAt'>;

/** The run of (flow, subject): created on the first attempt, found again on every later one. */
export async function ensureRun(
  db: Db,
  orgId: string,
  run: { flow: string; subjectId: string; jobId: string },
  now: string,
): Promise<string> {
  await db
    .insert(flowRuns)
    .values({ id: newId('run'), orgId, ...run, state: 'running', createdAt: now, updatedAt: now })
    .onConflictDoNothing();
  return (await findRun(db, orgId, run.flow, run.subjectId))!;
}

export function runStateStatement(db: Db, orgId: string, runId: string, state: RunState, now: string): Statement {
  return db
    .update(flowRuns)
    .set({ state, updatedAt: now })
    .where(and(eq(flowRuns.id, runId), eq(flowRuns.orgId, orgId)));
}

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

/** Marked (and committed) before the step runs, so a crash mid-step leaves an unknown outcome to reconcile. */
export async function markStepStarted(db: Db, orgId: string, runId: string, step: string, now: string) {
  const prepared = preparedOnce(db, 'markStepStarted', stepStarted);
  if (prepared) {
    await prepared.run({ id: newId('stp'), orgId, runId, step, now });
    return;
  }
  await db
    .insert(flowSteps)
    .values({ id: newId('stp'), orgId, runId, step, status: 'started', attempts: 1, updatedAt: now })
    .onConflictDoUpdate({
      target: [flowSteps.runId, flowSteps.step],
      set: { status: 'started', attempts: sql`${flowSteps.attempts} + 1`, updatedAt: now },
    });
}

export function stepFailedStatement(
  db: Db,
  orgId: string,
  runId: string,
  step: string,
  error: string,
  now: string,
): Statement {
  return db
    .update(flowSteps)
    .set({ status: 'failed', error, updatedAt: now })
    .where(and(eq(flowSteps.runId, runId), eq(flowSteps.step, step), eq(flowSteps.orgId, orgId)));
}

export function stepDoneStatement(
  db: Db,
  orgId: string,
  runId: string,
  step: string,
  output: unknown,
  now: string,
): Statement {
  return db
    .update(flowSteps)
    .set({ status: 'done', output: JSON.stringify(output ?? null), error: null, updatedAt: now })
    .where(and(eq(flowSteps.runId, runId), eq(flowSteps.step, step), eq(flowSteps.orgId, orgId)));
}

/** A vendor's id for one of our objects; unique per (org, system, object type, local id), so a rerun adds nothing. */
export function externalRefInsert(db: Db, orgId: string, ref: ExternalRefToWrite, now: string): Statement {
  return db
    .insert(externalRefs)
    .values({ id: newId('ref'), orgId, ...ref, createdAt: now })
    .onConflictDoNothing();
}

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
