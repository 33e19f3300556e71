/**
 * One attempt of one step (or of one step's compensation) inside a run, shared by runFlow and
 * compensateFlow: the run's state loaded once, the step's context, the "started" marker, the
 * call with exceptions turned into readable failures, and the atomic commit of what it returned.
 */
import type { AdapterSet } from '../adapters/ports.js';
import { atomic } from '../src/db/atomic.js';
import {
  externalRefInsert,
  markStepStarted,
  runStateStatement,
  stepDoneStatement,
  stepFailedStatement,
  stepsOfRun,
} from '../src/db/repos/flow-runs.js';
import { sha256Hex } from '../src/db/secrets.js';
import { type Failure, type Outcome, ok, permanent } from '../src/domain/outcome.js';
import { enqueueStatement } from '../src/jobs/queue.js';
import type { JobRow } from '../src/jobs/types.js';
import type { Flow, FlowDeps, FlowJobPayload, StepContext, StepOutputs, StepResult } from './types.js';

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

type StoredStep = Awaited<ReturnType<typeof stepsOfRun>>[number];

/** One run of a flow for one job, as this attempt sees it. */
export interface OpenRun<I> {
  flow: Flow<I>;
  deps: FlowDeps;
  job: JobRow;
  runId: string;
  input: I;
  adapters: AdapterSet;
  /** The run's step rows by stored name (flow_steps.step). */
  stored: Map<string, StoredStep>;
  /** Outputs of finished steps by step name (the TS-facing one), filled as the run goes. */
  outputs: StepOutputs;
}

/** The run of a job, or null when `findRunId` finds none; fails when the org's adapters cannot be built. */
export async function openRun<I>(
  flow: Flow<I>,
  deps: FlowDeps,
  job: JobRow,
  findRunId: (payload: FlowJobPayload) => Promise<string | null>,
): Promise<Outcome<OpenRun<I> | null>> {
  const payload = JSON.parse(job.payload) as FlowJobPayload;
  const adapters = await deps.adaptersFor(job.orgId);
  if (!adapters.ok) return adapters;
  const runId = await findRunId(payload);
  if (runId === null) return ok(null);
  const rows = await stepsOfRun(deps.db, job.orgId, runId);
  const stored = new Map(rows.map((row) => [row.step, row]));
  return ok({ flow, deps, job, runId, input: payload.input as I, adapters: adapters.value, stored, outputs: {} });
}

export const storedOutput = (row: StoredStep): unknown => (row.output ? JSON.parse(row.output) : null);

/** An earlier attempt began and never recorded its end, or ended not knowing whether the vendor wrote. */
export const hadUnknownOutcome = (row: StoredStep | undefined): boolean =>
  row?.status === 'started' || (row?.status === 'failed' && (row.error ?? '').startsWith('indeterminate'));

/**
 * Marks the stored step started (committed before the call, so a crash mid-call leaves an
 * unknown outcome to reconcile) and builds its context; idempotency keys are per stored name.
 */
export async function startStep<I>(run: OpenRun<I>, storedAs: string): Promise<StepContext<I, StepOutputs>> {
  const { deps, job, flow } = run;
  const unknownOutcome = hadUnknownOutcome(run.stored.get(storedAs));
  await markStepStarted(deps.db, job.orgId, run.runId, storedAs, deps.clock.now().toISOString());
  return {
    orgId: job.orgId,
    flow: flow.name,
    step: storedAs,
    runId: run.runId,
    correlationId: job.correlationId,
    input: run.input,
    outputs: run.outputs,
    deps,
    adapters: run.adapters,
    unknownOutcome,
    key: (objectType, localId, version = 1) =>
      idempotencyKey({ orgId: job.orgId, objectType, localId, version, step: `${flow.name}.${storedAs}` }),
  };
}

/** Calls a step; an exception is a bug, not a vendor answer: recorded readably, it stops for a person. */
export async function callStep<R>(storedAs: string, call: () => Promise<Outcome<R>>): Promise<Outcome<R>> {
  return call().catch((error: unknown) => {
    // A test's simulated crash must escape, as a dying process would leave nothing behind.
    if (error instanceof Error && error.name === 'SimulatedCrash') throw error;
    const message = error instanceof Error ? error.message : String(error);
    return permanent(`internal error in step ${storedAs}: ${message}`);
  });
}

/**
 * Records the stored step failed (and the run, when `failRun`) and returns the failure named
 * by flow and step for the job's error.
 */
export async function recordFailure<I>(
  run: OpenRun<I>,
  storedAs: string,
  failure: Failure,
  { failRun }: { failRun: boolean },
): Promise<Failure> {
  const { deps, job } = run;
  const now = deps.clock.now().toISOString();
  await atomic(deps.db, [
    stepFailedStatement(deps.db, job.orgId, run.runId, storedAs, `${failure.kind}: ${failure.reason}`, now),
    ...(failRun ? [runStateStatement(deps.db, job.orgId, run.runId, 'failed', now)] : []),
  ]);
  return { ...failure, reason: `${run.flow.name} › ${storedAs}: ${failure.reason}` };
}

/** Commits what the step returned with its "done" marker in one atomic unit, then wakes the jobs it enqueued. */
export async function commitStep<I>(run: OpenRun<I>, storedAs: string, result: StepResult): Promise<void> {
  const { deps, job } = run;
  const { output, refs = [], effects = [], enqueue = [] } = result;
  const enqueued = enqueue.map((next) => enqueueStatement(deps.db, deps.clock, next));
  await atomic(deps.db, [
    ...effects,
    ...refs.map((ref) => externalRefInsert(deps.db, job.orgId, ref, deps.clock.now().toISOString())),
    ...enqueued.map((e) => e.statement),
    stepDoneStatement(deps.db, job.orgId, run.runId, storedAs, output, deps.clock.now().toISOString()),
  ]);
  if (enqueued.length > 0) await deps.driver.notify(enqueued.map((e) => e.id));
}
