/**
 * A flow is a list of named steps. Each step's output is stored, so a rerun skips finished
 * steps; a step returns its output plus the rows to write, and the runner commits them in one
 * atomic unit together with the step's "done" marker, external refs and follow-up jobs.
 */
import type { CrmPort, ErpPort, PaymentPort, TaxPort } from '../adapters/ports.js';
import type { Db, Statement } from '../src/db/client.js';
import type { Clock } from '../src/domain/clock.js';
import type { Outcome } from '../src/domain/outcome.js';
import type { JobDriver, NewJob } from '../src/jobs/types.js';

/** Per-org settings the flows need beside the ports (from the connections' config). */
export interface OrgSettings {
  /** QuickBooks income account for items the hub creates. */
  erpIncomeAccountId: string;
  /** Where tax is shipped from when the customer has no address (sandbox default). */
  defaultShipTo: { line1: string; city: string; region: string; postalCode: string; country: string };
  /** Write-back settings of each connected CRM, from its connection config (flows/crm-write-back.ts). */
  crmWriteBack: Partial<Record<CrmSystem, CrmWriteBackConfig>>;
}

export type CrmSystem = 'salesforce' | 'hubspot';

/** Connection config keys the CRM write-back reads, as stored (strings). */
export interface CrmWriteBackConfig {
  /** JSON object overriding field names: {status, contractId, contractUrl, lastInvoiceNumber, amountPaid, outstanding}. */
  writeBackFields?: string;
  /** JSON object overriding the account's field names: {amountPaid, outstanding}. */
  writeBackAccountFields?: string;
  /** Public base URL of the hub, for the contract link; without it the link is a relative path. */
  publicUrl?: string;
}

export interface AdapterSet {
  /** The org's connected CRMs (an org may connect both). */
  crm: Partial<Record<CrmSystem, CrmPort>>;
  tax: TaxPort;
  payment: PaymentPort;
  erp: ErpPort;
  settings: OrgSettings;
}

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
