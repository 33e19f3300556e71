/**
 * Runs one flow for one subject as one job attempt: skips finished steps, marks a step that
 * writes to a vendor "started" before it runs (so a crash leaves an unknown outcome to
 * reconcile), commits each step's output, refs, rows and follow-up jobs atomically.
 *
 * Commits are few, because each one costs a write to disk: a new run's row goes with the
 * attempt's first commit, the next vendor step's started marker with the commit of the step
 * before it, and the run's end (and the job's, when the caller asks) with the last step's commit.
 *
 * Steps are found in flow_steps by their stored name (`storedAs`), which never changes; their
 * outputs are handed to later steps by their TS-facing name (`name`).
 */

import { atomic } from '../src/db/atomic.js';
import type { Statement } from '../src/db/client.js';
import { isGuardFailure } from '../src/db/repos/credit-notes.js';
import { runStateStatement } from '../src/db/repos/flow-runs.js';
import { type Outcome, ok, retryable } from '../src/domain/outcome.js';
import { completeJobStatement } from '../src/jobs/queue.js';
import type { JobRow } from '../src/jobs/types.js';
import {
  type CommitExtras,
  callStep,
  commitStep,
  type OpenRun,
  openRun,
  recordFailure,
  startStep,
  storedOutput,
} from './attempt.js';
import type { Flow, FlowDeps, Step } from './types.js';

export { idempotencyKey } from './attempt.js';

/** The step row a run stopped by its gate gets (flow_steps.step), with the reason as its output. */
export const STOPPED_STEP = 'stopped';

export interface RunFlowOptions {
  /**
   * The job's success is committed with the run's end, so the caller (the job handler) must not
   * complete it again: it tells processJob so (JOB_COMPLETED, src/jobs/process.ts).
   */
  completeJob?: boolean;
}

export async function runFlow<I>(
  flow: Flow<I>,
  deps: FlowDeps,
  job: JobRow,
  options: RunFlowOptions = {},
): Promise<Outcome<void>> {
  const opened = await openRun(flow, deps, job, { create: true });
  if (!opened.ok) return opened;
  const run = opened.value!; // with create, openRun always finds or makes the run
  const finish = (): Statement[] => {
    const now = deps.clock.now().toISOString();
    return [
      runStateStatement(deps.db, job.orgId, run.runId, 'succeeded', now),
      ...(options.completeJob ? [completeJobStatement(deps.db, deps.clock, job)] : []),
    ];
  };

  let gated = flow.gate === undefined;
  let finished = false;
  const { steps } = flow;
  for (const [i, step] of steps.entries()) {
    if (!gated && run.stored.get(step.storedAs)?.status !== 'done') {
      gated = true;
      const stop = await flow.gate!({ deps, orgId: job.orgId, input: run.input });
      if (!stop.ok) return stop;
      if (stop.value !== null) {
        await startStep(run, STOPPED_STEP, { markStarted: false });
        await commitStep(run, STOPPED_STEP, { output: { reason: stop.value } }, { finish });
        finished = true;
        break;
      }
    }
    const next = steps[i + 1];
    const extras: CommitExtras =
      next === undefined
        ? { finish }
        : next.external && run.stored.get(next.storedAs)?.status !== 'done'
          ? { markNext: next.storedAs }
          : {};
    const done = await runStep(run, step, extras);
    if (!done.ok) return done;
    if (done.value === 'committed' && next === undefined) finished = true;
  }

  if (!finished) {
    // Every step was done before this attempt (its end was lost to a crash), or the flow has none.
    await atomic(deps.db, [...run.pending, ...finish()]);
    deps.hooks?.afterCommit?.(flow.name, '(run succeeded)');
  }
  return ok(undefined);
}

/**
 * One step: its stored output when an earlier attempt finished it ('skipped'), else run and
 * committed now with `extras` ('committed').
 */
async function runStep<I>(
  run: OpenRun<I>,
  step: Step<I>,
  extras: CommitExtras,
): Promise<Outcome<'skipped' | 'committed'>> {
  const previous = run.stored.get(step.storedAs);
  if (previous?.status === 'done') {
    run.outputs[step.name] = storedOutput(previous);
    return ok('skipped');
  }
  const ctx = await startStep(run, step.storedAs, { markStarted: step.external });
  const result = await callStep(step.storedAs, () => step.run(ctx));
  if (!result.ok) return recordFailure(run, step.storedAs, result, { failRun: true });

  if (step.external) run.deps.hooks?.afterExternalWrite?.(run.flow.name, step.storedAs);
  else run.deps.hooks?.beforeCommit?.(run.flow.name, step.storedAs);
  try {
    await commitStep(run, step.storedAs, result.value, extras);
  } catch (error) {
    // A guard statement failed the unit: another writer spent the same balance between this
    // step's read and its write. Nothing was written; the next attempt reads afresh.
    if (!isGuardFailure(error)) throw error;
    const reason = `lost a race and wrote nothing (${(error as Error).message}); retrying with a fresh read`;
    return recordFailure(run, step.storedAs, retryable(reason), { failRun: true });
  }
  run.deps.hooks?.afterCommit?.(run.flow.name, step.storedAs);
  run.outputs[step.name] = result.value.output ?? null;
  return ok('committed');
}
