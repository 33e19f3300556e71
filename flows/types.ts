/**
 * A flow is a list of named steps. Each step's output is stored, so a rerun skips finished
 * steps; a step returns its output plus the rows to write, and the runner commits them in one
 * atomic unit together with the step's "done" marker, external refs and follow-up jobs.
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
  /** Test hook: called after a step with external writes returned and before its commit. */
  afterExternalWrite?: (flow: string, step: string) => void;
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

export interface StepResult {
  output: unknown;
  refs?: ExternalRefInput[];
  effects?: Statement[];
  enqueue?: NewJob[];
}

export interface StepContext<I> {
  orgId: string;
  flow: string;
  step: string;
  runId: string;
  correlationId: string;
  input: I;
  /** Outputs of the steps before this one, by step name. */
  outputs: Record<string, unknown>;
  deps: FlowDeps;
  adapters: AdapterSet;
  /** True when an earlier attempt of this step may have written to a vendor without recording it. */
  unknownOutcome: boolean;
  /** Deterministic idempotency key for (org, object, version, flow step). */
  key(objectType: string, localId: string, version?: number | string): Promise<string>;
}

export interface Step<I> {
  name: string;
  /** Whether the step writes to a vendor (the crash hook fires for these). */
  external: boolean;
  run(ctx: StepContext<I>): Promise<Outcome<StepResult>>;
}

export interface Flow<I> {
  name: string;
  /** Rate-limit bucket for the job that runs this flow. */
  connectionKey: string;
  steps: Step<I>[];
}

export interface FlowJobPayload {
  flow: string;
  subjectId: string;
  input: unknown;
}
