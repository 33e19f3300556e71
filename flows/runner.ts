/**
 * Runs one flow for one subject as one job attempt: skips finished steps, marks a step
 * "started" before it runs (so a crash leaves an unknown outcome to reconcile), commits each
 * step's output, refs, rows and follow-up jobs atomically.
 *
 * Steps are found in flow_steps by their stored name (`storedAs`), which never changes; their
 * outputs are handed to later steps by their TS-facing name (`name`).
 */

import { atomic } from '../src/db/atomic.js';
import { isGuardFailure } from '../src/db/repos/credit-notes.js';
import { ensureRun, runStateStatement } from '../src/db/repos/flow-runs.js';
import { type Outcome, ok, retryable } from '../src/domain/outcome.js';
import type { JobRow } from '../src/jobs/types.js';
import { callStep, commitStep, type OpenRun, openRun, recordFailure, startStep, storedOutput } from './attempt.js';
import type { Flow, FlowDeps, Step } from './types.js';

export { idempotencyKey } from './attempt.js';

/** The step row a run stopped by its gate gets (flow_steps.step), with the reason as its output. */
export const STOPPED_STEP = 'stopped';

export async function runFlow<I>(flow: Flow<I>, deps: FlowDeps, job: JobRow): Promise<Outcome<void>> {
  const opened = await openRun(flow, deps, job, (payload) =>
    ensureRun(
      deps.db,
      job.orgId,
      { flow: payload.flow, subjectId: payload.subjectId, jobId: job.id },
      deps.clock.now().toISOString(),
    ),
  );
  if (!opened.ok) return opened;
  const run = opened.value!; // ensureRun always finds or makes the run

  let gated = flow.gate === undefined;
  for (const step of flow.steps) {
    if (!gated && run.stored.get(step.storedAs)?.status !== 'done') {
      gated = true;
      const stop = await flow.gate!({ deps, orgId: job.orgId, input: run.input });
      if (!stop.ok) return stop;
      if (stop.value !== null) {
        await startStep(run, STOPPED_STEP);
        await commitStep(run, STOPPED_STEP, { output: { reason: stop.value } });
        break;
      }
    }
    const done = await runStep(run, step);
    if (!done.ok) return done;
  }

  await atomic(deps.db, [
    runStateStatement(deps.db, job.orgId, run.runId, 'succeeded', deps.clock.now().toISOString()),
  ]);
  deps.hooks?.afterCommit?.(flow.name, '(run succeeded)');
  return ok(undefined);
}

/** One step: its stored output when an earlier attempt finished it, else run and committed now. */
async function runStep<I>(run: OpenRun<I>, step: Step<I>): Promise<Outcome<void>> {
  const previous = run.stored.get(step.storedAs);
  if (previous?.status === 'done') {
    run.outputs[step.name] = storedOutput(previous);
    return ok(undefined);
  }
  const ctx = await startStep(run, step.storedAs);
  const result = await callStep(step.storedAs, () => step.run(ctx));
  if (!result.ok) return recordFailure(run, step.storedAs, result, { failRun: true });

  if (step.external) run.deps.hooks?.afterExternalWrite?.(run.flow.name, step.storedAs);
  else run.deps.hooks?.beforeCommit?.(run.flow.name, step.storedAs);
  try {
    await commitStep(run, step.storedAs, result.value);
  } catch (error) {
    // A guard statement failed the unit: another writer spent the same balance between this
    // step's read and its write. Nothing was written; the next attempt reads afresh.
    if (!isGuardFailure(error)) throw error;
    const reason = `lost a race and wrote nothing (${(error as Error).message}); retrying with a fresh read`;
    return recordFailure(run, step.storedAs, retryable(reason), { failRun: true });
  }
  run.deps.hooks?.afterCommit?.(run.flow.name, step.storedAs);
  run.outputs[step.name] = result.value.output ?? null;
  return ok(undefined);
}
