/**
 * A flow is a list of named, typed steps. Each step's output is stored, so a rerun skips finished
 * steps; a step returns its output plus the rows to write, and the runner commits them in one
 * atomic unit together with the step's "done" marker, external refs and follow-up jobs.
 *
 * Flows are declared with `defineFlow` (flows/define.ts), which types each step's context by the
 * steps before it: a later step reads `ctx.outputs.createErpCustomer`, typed, with no cast.
 */
import type { AdapterSet } from '../adapters/ports.js';
import type { Db, Statement } from '../src/db/client.js';
import type { Clock } from '../src/domain/clock.js';
import type { Outcome } from '../src/domain/outcome.js';
import type { CrmVendor } from '../src/domain/vendors.js';
import type { JobDriver, NewJob } from '../src/jobs/types.js';

/** Kept for existing importers: the CRM vendor union (src/domain/vendors.ts). */
export type CrmSystem = CrmVendor;

// The adapter set and its settings live beside the ports, so the registry needs no flow types.
export type { AdapterSet, CrmWriteBackConfig, OrgSettings } from '../adapters/ports.js';

export interface FlowHooks {
  /** Test hook: called after a step with external writes returned and before its commit (stored step name). */
  afterExternalWrite?: (flow: string, step: string) => void;
  /**
   * Test hooks around every local commit: a step without external writes (just before its
   * commit), and after each commit of a step, of a finished run and of a billing run's writes.
   * The crash sweep (test/crash-sweep.test.ts) throws SimulatedCrash from them.
   */
  beforeCommit?: (flow: string, unit: string) => void;
  afterCommit?: (flow: string, unit: string) => void;
}

export interface FlowDeps {
  db: Db;
  clock: Clock;
  driver: JobDriver;
  adaptersFor(orgId: string): Promise<Outcome<AdapterSet>>;
  hooks?: FlowHooks;
}

export interface ExternalRefInput {
  system: string;
  objectType: string;
  localId: string;
  externalId: string;
}

export interface StepResult<O = unknown> {
  output: O;
  refs?: ExternalRefInput[];
  effects?: Statement[];
  enqueue?: NewJob[];
}

/** What a step's run returns; annotate a run with it when its output type is a union. */
export type StepOutcome<O> = Promise<Outcome<StepResult<O>>>;

/** Outputs of finished steps, by step name. */
export type StepOutputs = Record<string, unknown>;

export interface StepContext<I, P extends object = object> {
  orgId: string;
  flow: string;
  /** The step's stored name (flow_steps.step), as in the runner's messages. */
  step: string;
  runId: string;
  correlationId: string;
  input: I;
  /** Outputs of the steps before this one, by step name. */
  outputs: Readonly<P>;
  deps: FlowDeps;
  adapters: AdapterSet;
  /** True when an earlier attempt of this step may have written to a vendor without recording it. */
  unknownOutcome: boolean;
  /** Deterministic idempotency key for (org, object, version, flow step). */
  key(objectType: string, localId: string, version?: number | string): Promise<string>;
  /**
   * A read kept for the rest of the attempt under `key`, until a step's commit that writes rows
   * (effects), or a failure, drops it: steps of one job that read the same rows (the invoice, its
   * lines and its customer) read them once instead of once each. Only for steps that change none
   * of what they read and need no fresher copy than the attempt's: a step that moves the
   * invoice's state reads it afresh.
   */
  memo<T>(key: string, read: () => Promise<T>): Promise<T>;
}

/**
 * What undoing a step writes: the same shape as a step's result (its output is stored as the
 * compensation's own step output; refs, rows and jobs commit with it).
 */
export type CompensationResult = StepResult<unknown>;

/**
 * A step as declared. `name` is a verb-noun in camelCase: the key later steps read its output
 * by. `storedAs` is the key in flow_steps and in the step's idempotency keys; it never changes
 * once jobs have run, because in-flight runs in existing databases find their finished steps by
 * it and a new key would let a rerun write to a vendor again.
 */
export interface StepSpec<I, P extends object, N extends string, O> {
  name: N;
  storedAs: string;
  /** Whether the step writes to a vendor (the crash hook fires for these). */
  external: boolean;
  run: (ctx: StepContext<I, P>) => Promise<Outcome<StepResult<O>>>;
  /**
   * Undoes the step after it finished (void the invoice, refund the payment, reverse the tax),
   * given its stored output. Only where the port has such a call; runs in reverse step order
   * (compensateFlow in flows/compensate.ts) and must be idempotent like any write.
   */
  compensate?: (ctx: StepContext<I, P>, output: O) => Promise<Outcome<CompensationResult>>;
}

/** A step as the runner sees it: outputs by name, untyped (methods, so every StepSpec fits). */
export interface Step<I> {
  name: string;
  storedAs: string;
  external: boolean;
  run(ctx: StepContext<I>): Promise<Outcome<StepResult>>;
  compensate?(ctx: StepContext<I>, output: unknown): Promise<Outcome<CompensationResult>>;
}

/**
 * Asked once per attempt, before the first step that is not done yet: ok(null) runs the steps,
 * ok(reason) stops the run there (it succeeds with a `stopped` step saying why: an invoice voided
 * meanwhile), a failure waits or fails the attempt as any step failure would.
 */
export type FlowGate<I> = (given: { deps: FlowDeps; orgId: string; input: I }) => Promise<Outcome<string | null>>;

export interface Flow<I> {
  name: string;
  /**
   * Rate-limit bucket of the job that runs this flow: the vendor of the adapter the flow
   * writes through, read from the adapters (or the input's CRM), never a literal.
   */
  connectionKey(given: { adapters: AdapterSet; input: I }): string;
  steps: Step<I>[];
  gate?: FlowGate<I>;
}

export interface FlowJobPayload {
  flow: string;
  subjectId: string;
  input: unknown;
}
