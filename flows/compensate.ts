/**
 * Undoes a flow's finished steps, newest first, as Medusa's workflows compensate: each step
 * that declares `compensate` (void the invoice, refund the payment, reverse the tax) gets its
 * stored output. A compensation is a step of its own in flow_steps, stored as
 * `compensate:<step>`: marked started before it runs, so a crash leaves an unknown outcome to
 * reconcile; committed atomically with what it returns; skipped when already done, so a
 * repeated or resumed compensation undoes nothing twice. It stops at the first failure; the
 * next call resumes there.
 *
 * No flow calls this yet: it is the shape the invoice lifecycle (voids, credit notes) builds on.
 * The run's own state is left as it was (flow_runs has no "compensated" state); its
 * compensation rows say what was undone.
 */
import { type Outcome, ok } from '../src/domain/outcome.js';
import type { JobRow } from '../src/jobs/types.js';
import { callStep, commitStep, type OpenRun, openRun, recordFailure, startStep, storedOutput } from './attempt.js';
import type { Flow, FlowDeps, Step } from './types.js';

/** The stored name of a step's compensation. */
export const compensationName = (storedAs: string) => `compensate:${storedAs}`;

/** Undoes what runFlow(flow, deps, job) finished; nothing to do when the job never ran. */
export async function compensateFlow<I>(flow: Flow<I>, deps: FlowDeps, job: JobRow): Promise<Outcome<void>> {
  const opened = await openRun(flow, deps, job, { create: false });
  if (!opened.ok || opened.value === null) return opened.ok ? ok(undefined) : opened;
  const run = opened.value;
  // A compensation sees the outputs of every finished step, as the run had them.
  for (const step of flow.steps) {
    const row = run.stored.get(step.storedAs);
    if (row?.status === 'done') run.outputs[step.name] = storedOutput(row);
  }

  for (const step of [...flow.steps].reverse()) {
    const undone = await compensateStep(run, step);
    if (!undone.ok) return undone;
  }
  return ok(undefined);
}

/** One step's compensation, when the step finished, declares one, and it has not been done. */
async function compensateStep<I>(run: OpenRun<I>, step: Step<I>): Promise<Outcome<void>> {
  const compensate = step.compensate?.bind(step);
  if (!compensate || run.stored.get(step.storedAs)?.status !== 'done') return ok(undefined);
  const storedAs = compensationName(step.storedAs);
  if (run.stored.get(storedAs)?.status === 'done') return ok(undefined);

  const ctx = await startStep(run, storedAs, { markStarted: true });
  const result = await callStep(storedAs, () => compensate(ctx, run.outputs[step.name]));
  if (!result.ok) return recordFailure(run, storedAs, result, { failRun: false });

  if (step.external) run.deps.hooks?.afterExternalWrite?.(run.flow.name, storedAs);
  else run.deps.hooks?.beforeCommit?.(run.flow.name, storedAs);
  await commitStep(run, storedAs, result.value);
  run.deps.hooks?.afterCommit?.(run.flow.name, storedAs);
  return ok(undefined);
}
