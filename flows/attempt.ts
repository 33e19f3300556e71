/**
 * One attempt of one step (or of one step's compensation) inside a run, shared by runFlow and
 * compensateFlow: the run's state loaded once, the step's context, the "started" marker, the
 * call with exceptions turned into readable failures, and the atomic commit of what it returned.
 */
import type { AdapterSet } from '../adapters/ports.js';
import { atomic } from '../src/db/atomic.js';
import type { Statement } from '../src/db/client.js';
import {
  externalRefInsert,
  findRun,
  newRunId,
  runInsertStatement,
  runStateStatement,
  stepDoneStatement,
  stepFailedStatement,
  stepStartedStatement,
  stepsOfRun,
} from '../src/db/repos/flow-runs.js';
import { sha256HexSync } from '../src/db/secrets.js';
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
  // Hashed on the spot (src/db/secrets.ts): a key is derived for every vendor write.
  const digest = sha256HexSync(`${parts.orgId}|${parts.objectType}|${parts.localId}|v${parts.version}|${parts.step}`);
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
  /** The run's step rows by stored name (flow_steps.step), as the attempt found them. */
  stored: Map<string, StoredStep>;
  /** Outputs of finished steps by step name (the TS-facing one), filled as the run goes. */
  outputs: StepOutputs;
  /**
   * Writes that go with this attempt's first commit: a new run's row (it needs no commit of its
   * own: nothing of the run exists until a step's row is written with it).
   */
  pending: Statement[];
  /** Steps whose started marker this attempt already committed (with the step before them). */
  marked: Set<string>;
  /** Reads kept between the steps of this attempt until its next commit (see StepContext.memo). */
  memo: Map<string, Promise<unknown>>;
}

/**
 * The run of a job: found, or (with `create`) a new one whose row joins the attempt's first
 * commit; null when there is none and `create` is off. Fails when the org's adapters cannot be built.
 */
export async function openRun<I>(
  flow: Flow<I>,
  deps: FlowDeps,
  job: JobRow,
  { create }: { create: boolean },
): Promise<Outcome<OpenRun<I> | null>> {
  const payload = JSON.parse(job.payload) as FlowJobPayload;
  const adapters = await deps.adaptersFor(job.orgId);
  if (!adapters.ok) return adapters;
  const found = await findRun(deps.db, job.orgId, payload.flow, payload.subjectId);
  if (found === null && !create) return ok(null);
  const runId = found ?? newRunId(job.orgId, payload.flow, payload.subjectId);
  const pending =
    found === null
      ? [
          runInsertStatement(
            deps.db,
            job.orgId,
            { id: runId, flow: payload.flow, subjectId: payload.subjectId, jobId: job.id },
            deps.clock.now().toISOString(),
          ),
        ]
      : [];
  // A run this attempt creates has no steps yet.
  const rows = found === null ? [] : await stepsOfRun(deps.db, job.orgId, runId);
  const stored = new Map(rows.map((row) => [row.step, row]));
  return ok({
    flow,
    deps,
    job,
    runId,
    input: payload.input as I,
    adapters: adapters.value,
    stored,
    outputs: {},
    pending,
    marked: new Set(),
    memo: new Map(),
  });
}

/** The attempt's pending writes, handed to the commit that takes them. */
function takePending<I>(run: OpenRun<I>): Statement[] {
  const pending = run.pending;
  run.pending = [];
  return pending;
}

export const storedOutput = (row: StoredStep): unknown => (row.output ? JSON.parse(row.output) : null);

/** An earlier attempt began and never recorded its end, or ended not knowing whether the vendor wrote. */
export const hadUnknownOutcome = (row: StoredStep | undefined): boolean =>
  row?.status === 'started' || (row?.status === 'failed' && (row.error ?? '').startsWith('indeterminate'));

/**
 * Builds the step's context; with `markStarted` (a step that writes to a vendor) the step is
 * marked started first, committed before the call, so a crash mid-call leaves an unknown outcome
 * to reconcile, unless the commit of the step before it carried the marker already. A step
 * without vendor writes gets no marker: its writes commit with its "done" row or not at all.
 * Idempotency keys are per stored name.
 */
export async function startStep<I>(
  run: OpenRun<I>,
  storedAs: string,
  { markStarted }: { markStarted: boolean },
): Promise<StepContext<I, StepOutputs>> {
  const { deps, job, flow } = run;
  const unknownOutcome = hadUnknownOutcome(run.stored.get(storedAs));
  if (markStarted && !run.marked.has(storedAs)) {
    await atomic(deps.db, [
      ...takePending(run),
      stepStartedStatement(deps.db, job.orgId, run.runId, storedAs, deps.clock.now().toISOString()),
    ]);
    run.marked.add(storedAs);
  }
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
    memo: <T>(key: string, read: () => Promise<T>): Promise<T> => {
      let kept = run.memo.get(key) as Promise<T> | undefined;
      if (!kept) {
        kept = read();
        run.memo.set(key, kept);
        // A failed read is not kept: the next step reads again.
        kept.catch(() => run.memo.delete(key));
      }
      return kept;
    },
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
  const counted = run.marked.has(storedAs);
  await atomic(deps.db, [
    ...takePending(run),
    stepFailedStatement(deps.db, job.orgId, run.runId, storedAs, `${failure.kind}: ${failure.reason}`, now, counted),
    ...(failRun ? [runStateStatement(deps.db, job.orgId, run.runId, 'failed', now)] : []),
  ]);
  run.memo.clear();
  return { ...failure, reason: `${run.flow.name} › ${storedAs}: ${failure.reason}` };
}

/** What else a step's commit carries. */
export interface CommitExtras {
  /** The next step, when it writes to a vendor: marked started in this commit (see startStep). */
  markNext?: string;
  /** Writes that end the run with this step (the run's state, the job's completion), built at commit. */
  finish?: () => Statement[];
}

/**
 * Commits what the step returned with its "done" row in one atomic unit (with the attempt's
 * pending writes and `extras`), then wakes the jobs it enqueued.
 */
export async function commitStep<I>(
  run: OpenRun<I>,
  storedAs: string,
  result: StepResult,
  extras: CommitExtras = {},
): Promise<void> {
  const { deps, job } = run;
  const { output, refs = [], effects = [], enqueue = [] } = result;
  const now = deps.clock.now().toISOString();
  const enqueued = enqueue.map((next) => enqueueStatement(deps.db, deps.clock, next));
  const counted = run.marked.has(storedAs);
  const pending = run.pending;
  // Kept reads are dropped when this commit writes rows of its own (refs and step rows change
  // none of them), or fails.
  if (effects.length > 0) run.memo.clear();
  try {
    await atomic(deps.db, [
      ...pending,
      ...effects,
      ...refs.map((ref) => externalRefInsert(deps.db, job.orgId, ref, now)),
      ...enqueued.map((e) => e.statement),
      stepDoneStatement(deps.db, job.orgId, run.runId, storedAs, output, now, counted),
      ...(extras.markNext ? [stepStartedStatement(deps.db, job.orgId, run.runId, extras.markNext, now)] : []),
      ...(extras.finish ? extras.finish() : []),
    ]);
  } catch (error) {
    run.memo.clear();
    throw error;
  }
  run.pending = [];
  if (extras.markNext) run.marked.add(extras.markNext);
  if (enqueued.length > 0) await deps.driver.notify(enqueued.map((e) => e.id));
}
