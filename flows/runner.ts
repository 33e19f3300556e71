/**
 * Runs one flow for one subject as one job attempt: skips finished steps, marks a step
 * "started" before it runs (so a crash leaves an unknown outcome to reconcile), commits each
 * step's output, refs, rows and follow-up jobs atomically.
 */
import { atomic } from '../src/db/atomic.js';
import {
  ensureRun,
  externalRefInsert,
  markStepStarted,
  runStateStatement,
  stepDoneStatement,
  stepFailedStatement,
  stepsOfRun,
} from '../src/db/repos/flow-runs.js';
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

export async function runFlow<I>(flow: Flow<I>, deps: FlowDeps, job: JobRow): Promise<Outcome<void>> {
  const payload = JSON.parse(job.payload) as FlowJobPayload;
  const adapters = await deps.adaptersFor(job.orgId);
  if (!adapters.ok) return adapters;
  const runId = await ensureRun(
    deps.db,
    job.orgId,
    { flow: payload.flow, subjectId: payload.subjectId, jobId: job.id },
    deps.clock.now().toISOString(),
  );
  const stored = await stepsOfRun(deps.db, job.orgId, runId);
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
    await markStepStarted(deps.db, job.orgId, runId, step.name, deps.clock.now().toISOString());

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
        stepFailedStatement(
          deps.db,
          job.orgId,
          runId,
          step.name,
          `${result.kind}: ${result.reason}`,
          deps.clock.now().toISOString(),
        ),
        runStateStatement(deps.db, job.orgId, runId, 'failed', deps.clock.now().toISOString()),
      ]);
      return { ...result, reason: `${flow.name} › ${step.name}: ${result.reason}` };
    }

    if (step.external) deps.hooks?.afterExternalWrite?.(flow.name, step.name);

    const { output, refs = [], effects = [], enqueue = [] } = result.value;
    const enqueued = enqueue.map((next) => enqueueStatement(deps.db, deps.clock, next));
    await atomic(deps.db, [
      ...effects,
      ...refs.map((ref) => externalRefInsert(deps.db, job.orgId, ref, deps.clock.now().toISOString())),
      ...enqueued.map((e) => e.statement),
      stepDoneStatement(deps.db, job.orgId, runId, step.name, output, deps.clock.now().toISOString()),
    ]);
    if (enqueued.length > 0) await deps.driver.notify(enqueued.map((e) => e.id));
    outputs[step.name] = output ?? null;
  }

  await atomic(deps.db, [runStateStatement(deps.db, job.orgId, runId, 'succeeded', deps.clock.now().toISOString())]);
  return ok(undefined);
}
