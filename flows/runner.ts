/**
 * Runs one flow for one subject as one job attempt: skips finished steps, marks a step
 * "started" before it runs (so a crash leaves an unknown outcome to reconcile), commits each
 * step's output, refs, rows and follow-up jobs atomically.
 */
import { and, eq, sql } from 'drizzle-orm';
import { atomic } from '../src/db/atomic.js';
import { newId, type Statement } from '../src/db/client.js';
import { externalRefs, flowRuns, flowSteps } from '../src/db/schema.js';
import { sha256Hex } from '../src/db/secrets.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import { enqueueStatement } from '../src/jobs/queue.js';
import type { JobRow } from '../src/jobs/types.js';
import type { Flow, FlowDeps, FlowJobPayload, StepContext } from './types.js';

/** Idempotency keys fit every vendor's limit (QuickBooks requestid: 50 characters). */
export async function idempotencyKey(parts: {
  orgId: string;
  objectType: string;
  localId: string;
  version: number | string;
  step: string;
}): Promise<string> {
  const digest = await sha256Hex(`${parts.orgId}|${parts.objectType}|${parts.localId}|v${parts.version}|${parts.step}`);
  return `hub-${digest.slice(0, 40)}`;
}

async function ensureRun(deps: FlowDeps, job: JobRow, payload: FlowJobPayload): Promise<string> {
  const now = deps.clock.now().toISOString();
  await deps.db
    .insert(flowRuns)
    .values({
      id: newId('run'),
      orgId: job.orgId,
      flow: payload.flow,
      subjectId: payload.subjectId,
      jobId: job.id,
      state: 'running',
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing();
  const rows = await deps.db
    .select({ id: flowRuns.id })
    .from(flowRuns)
    .where(
      and(eq(flowRuns.orgId, job.orgId), eq(flowRuns.flow, payload.flow), eq(flowRuns.subjectId, payload.subjectId)),
    );
  return rows[0]!.id;
}

function setRunState(
  deps: FlowDeps,
  orgId: string,
  runId: string,
  state: 'running' | 'succeeded' | 'failed',
): Statement {
  return deps.db
    .update(flowRuns)
    .set({ state, updatedAt: deps.clock.now().toISOString() })
    .where(and(eq(flowRuns.id, runId), eq(flowRuns.orgId, orgId)));
}

export async function runFlow<I>(flow: Flow<I>, deps: FlowDeps, job: JobRow): Promise<Outcome<void>> {
  const payload = JSON.parse(job.payload) as FlowJobPayload;
  const adapters = await deps.adaptersFor(job.orgId);
  if (!adapters.ok) return adapters;
  const runId = await ensureRun(deps, job, payload);
  const stored = await deps.db
    .select()
    .from(flowSteps)
    .where(and(eq(flowSteps.runId, runId), eq(flowSteps.orgId, job.orgId)));
  const byName = new Map(stored.map((row) => [row.step, row]));
  const outputs: Record<string, unknown> = {};

  for (const step of flow.steps) {
    const previous = byName.get(step.name);
    if (previous?.status === 'done') {
      outputs[step.name] = previous.output ? JSON.parse(previous.output) : null;
      continue;
    }
    const unknownOutcome =
      previous?.status === 'started' ||
      (previous?.status === 'failed' && (previous.error ?? '').startsWith('indeterminate'));
    const now = deps.clock.now().toISOString();
    await deps.db
      .insert(flowSteps)
      .values({
        id: newId('stp'),
        orgId: job.orgId,
        runId,
        step: step.name,
        status: 'started',
        attempts: 1,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [flowSteps.runId, flowSteps.step],
        set: { status: 'started', attempts: sql`${flowSteps.attempts} + 1`, updatedAt: now },
      });

    const ctx: StepContext<I> = {
      orgId: job.orgId,
      flow: flow.name,
      step: step.name,
      runId,
      correlationId: job.correlationId,
      input: payload.input as I,
      outputs,
      deps,
      adapters: adapters.value,
      unknownOutcome,
      key: (objectType, localId, version = 1) =>
        idempotencyKey({ orgId: job.orgId, objectType, localId, version, step: `${flow.name}.${step.name}` }),
    };
    const result = await step.run(ctx).catch((error: unknown) => {
      // Exceptions are bugs, not vendor answers: record them readably and stop for a person.
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof Error && error.name === 'SimulatedCrash') throw error;
      return permanent(`internal error in step ${step.name}: ${message}`);
    });

    if (!result.ok) {
      await atomic(deps.db, [
        deps.db
          .update(flowSteps)
          .set({
            status: 'failed',
            error: `${result.kind}: ${result.reason}`,
            updatedAt: deps.clock.now().toISOString(),
          })
          .where(and(eq(flowSteps.runId, runId), eq(flowSteps.step, step.name))),
        setRunState(deps, job.orgId, runId, 'failed'),
      ]);
      return { ...result, reason: `${flow.name} › ${step.name}: ${result.reason}` };
    }

    if (step.external) deps.hooks?.afterExternalWrite?.(flow.name, step.name);

    const { output, refs = [], effects = [], enqueue = [] } = result.value;
    const enqueued = enqueue.map((next) => enqueueStatement(deps.db, deps.clock, next));
    await atomic(deps.db, [
      ...effects,
      ...refs.map((ref) =>
        deps.db
          .insert(externalRefs)
          .values({ id: newId('ref'), orgId: job.orgId, ...ref, createdAt: deps.clock.now().toISOString() })
          .onConflictDoNothing(),
      ),
      ...enqueued.map((e) => e.statement),
      deps.db
        .update(flowSteps)
        .set({
          status: 'done',
          output: JSON.stringify(output ?? null),
          error: null,
          updatedAt: deps.clock.now().toISOString(),
        })
        .where(and(eq(flowSteps.runId, runId), eq(flowSteps.step, step.name))),
    ]);
    if (enqueued.length > 0) await deps.driver.notify(enqueued.map((e) => e.id));
    outputs[step.name] = output ?? null;
  }

  await atomic(deps.db, [setRunState(deps, job.orgId, runId, 'succeeded')]);
  return ok(undefined);
}
