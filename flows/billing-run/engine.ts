/**
 * The billing run: every due period of every active contract version with terms, invoiced once.
 *
 * Reads are bulk (one query each for contracts, invoiced keys, credit drawn, metrics, and one
 * query per aggregation type for usage; see db/repos/usage-aggregates.ts). Invoices are computed by the billing
 * domain (computeInvoice, pure) and written per chunk of contracts in one atomic() unit whose
 * SQL skips anything already invoiced (see invoiceChunkStatements), so a re-run or a concurrent
 * run creates nothing twice. Late usage events (flagged at ingest) are added to the customer's next
 * arrears invoice after computeInvoice and marked in the same unit (see late.ts). With the org's
 * `consolidate` setting, a customer's contracts share a chunk and its periods of one billing date
 * fold into one invoice (consolidate.ts, db/repos/consolidated-invoices.ts).
 * Invoices stay 'draft': finalizing, tax and collection of run invoices
 * are not part of the run, and the run calls no vendor. Time comes from the injected clock.
 */
import { atomic, isBatchDb, rowsChanged } from '../../src/db/atomic.js';
import { type Db, newId } from '../../src/db/client.js';
import { naturalId } from '../../src/db/ids.js';
import {
  billableContracts,
  chunkProgressStatement,
  creditDrawn,
  type InvoiceRowInput,
  insertRunStatement,
  invoiceChunkStatements,
  invoiceChunkWrite,
  invoicedKeys,
  productInserts,
  updateRunStatement,
} from '../../src/db/repos/billing-runs.js';
import { getBillingSettings } from '../../src/db/repos/billing-settings.js';
import { consolidatedChunkStatements } from '../../src/db/repos/consolidated-invoices.js';
import { type CreditUse, creditGuardStatement } from '../../src/db/repos/credits.js';
import { listMetrics, toBillableMetric, unbilledLateEvents } from '../../src/db/repos/metering.js';
import { aggregateUsage, type UsageRequest } from '../../src/db/repos/usage-aggregates.js';
import type { Clock } from '../../src/domain/clock.js';
import { isIsoDate } from '../../src/domain/dates.js';
import type { FlowHooks } from '../types.js';
import { type Billable, billableVersions, type ContractFailure, metricsOf } from './billable.js';
import { computeContract, type RunInputs } from './compute.js';
import { consolidateInvoices } from './consolidate.js';
import { planLateUsage } from './late.js';

export interface BillingRunDeps {
  db: Db;
  clock: Clock;
  /** Contracts per write unit; default 500 on better-sqlite3, 100 on D1 (smaller JSON per batch). */
  chunkSize?: number;
  /** Write path: 'json' (json_each, D1's) or 'prepared' (better-sqlite3's); default by driver. */
  writes?: 'json' | 'prepared';
  /**
   * Asked before each chunk that has something to write, once this call has written one: no
   * stops the run there, paused, for a later call to continue (the worker: D1 queries left in
   * this invocation; see jobs.ts). Absent, the run goes to the end.
   */
  mayContinue?: () => boolean;
  /** Test hooks around the run's writes (the crash sweep). */
  hooks?: Pick<FlowHooks, 'beforeCommit' | 'afterCommit'>;
}

export interface BillingRunProgress {
  contractsTotal: number;
  contractsDone: number;
  invoicesCreated: number;
}

export interface BillingRunResult extends BillingRunProgress {
  runId: string;
  at: string;
  /** paused: deps.mayContinue said no; the run row stays running and a call with its id continues it. */
  state: 'succeeded' | 'paused';
  failures: ContractFailure[];
}

/** YYYY-MM-DD naming a real day in the supported years: the one date grammar (src/domain/grammar.ts). */
export function isCalendarDate(value: string): boolean {
  return isIsoDate(value);
}

/**
 * Runs (or continues, with `options.runId` of a row made by the API) a billing run of `orgId`
 * through `at` (YYYY-MM-DD, inclusive). Per-contract failures are values in the result and in
 * billing_runs.error; an unexpected error marks the run failed and is rethrown.
 */
export async function runBilling(
  deps: BillingRunDeps,
  orgId: string,
  at: string,
  onProgress?: (progress: BillingRunProgress) => void,
  options: { runId?: string; invoicesCreated?: number } = {},
): Promise<BillingRunResult> {
  const { db, clock } = deps;
  const runId = options.runId ?? newId('brun');
  const stamp = () => clock.now().toISOString();
  await atomic(db, [insertRunStatement(db, orgId, runId, at, stamp())]);
  try {
    return await execute(deps, orgId, at, runId, onProgress, options.invoicesCreated ?? 0);
  } catch (error) {
    // A simulated crash leaves the run as a dead process would: nothing more is written.
    if (error instanceof Error && error.name === 'SimulatedCrash') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    await atomic(db, [updateRunStatement(db, orgId, runId, stamp(), { state: 'failed', error: reason })]);
    throw error;
  }
}

/**
 * The run in four parts: what is billable, the bulk reads every contract's invoices need, the
 * invoices computed and written chunk by chunk, and the run row's final state. Progress is
 * stored (and reported) after the first part and after every chunk. A continued run (paused
 * before) reads everything again: what is invoiced is no longer billable, so its chunks write
 * nothing and cost no query; `invoicesCreated` carries the count of the calls before.
 */
async function execute(
  deps: BillingRunDeps,
  orgId: string,
  at: string,
  runId: string,
  onProgress: ((progress: BillingRunProgress) => void) | undefined,
  invoicesBefore: number,
): Promise<BillingRunResult> {
  const { db, clock } = deps;
  const now = clock.now().toISOString();
  const failures: ContractFailure[] = [];
  const invoiced = await invoicedKeys(db, orgId);
  const rows = await billableContracts(db, orgId);
  const billable = billableVersions(rows, at, invoiced, failures);

  const progress: BillingRunProgress = {
    contractsTotal: rows.length,
    contractsDone: failures.length,
    invoicesCreated: invoicesBefore,
  };
  const report = async (stamp: string) => {
    await atomic(db, [updateRunStatement(db, orgId, runId, stamp, { ...progress })]);
    onProgress?.({ ...progress });
  };
  await report(now);

  const inputs = await readRunInputs(db, orgId, billable);
  const productIds = new Map<string, string>();
  const size = deps.chunkSize ?? (isBatchDb(db) ? 100 : 500);
  const { consolidate } = await getBillingSettings(db, orgId);
  const prepared = deps.writes === undefined ? !isBatchDb(db) : deps.writes === 'prepared';
  let from = 0;
  let written = 0;
  for (const chunk of chunksOf(billable, size, consolidate)) {
    // Only a chunk with periods to bill writes (and costs queries); at least one is written per call.
    const writes = chunk.some((c) => c.periods.length > 0);
    if (writes && written > 0 && deps.mayContinue && !deps.mayContinue()) {
      return { runId, at, state: 'paused', ...progress, failures };
    }
    const run = { runId, inputs, productIds, failures, consolidate, prepared };
    const unit = `invoices ${from}-${from + chunk.length - 1}`;
    deps.hooks?.beforeCommit?.('billing-run', unit);
    // The chunk's own unit stores the progress after it (no commit of its own); a chunk with
    // nothing to write (a re-run) writes nothing, and the final state holds the counts.
    const after = { ...progress, contractsDone: progress.contractsDone + chunk.length };
    const created = await writeChunk(db, orgId, now, chunk, run, after, clock.now().toISOString());
    if (writes) written++;
    progress.invoicesCreated += created;
    deps.hooks?.afterCommit?.('billing-run', unit);
    from += chunk.length;
    progress.contractsDone += chunk.length;
    onProgress?.({ ...progress });
  }

  const error = failures.length > 0 ? JSON.stringify({ contracts: failures }) : null;
  await atomic(db, [
    updateRunStatement(db, orgId, runId, clock.now().toISOString(), { ...progress, state: 'succeeded', error }),
  ]);
  deps.hooks?.afterCommit?.('billing-run', '(run succeeded)');
  return { runId, at, state: 'succeeded', ...progress, failures };
}

/**
 * Chunks of about `size` contracts. Consolidating, a customer's contracts are never split over two
 * chunks: its one invoice of a billing date is computed and written in one unit.
 */
function chunksOf(billable: readonly Billable[], size: number, consolidate: boolean): Billable[][] {
  const ordered = consolidate
    ? [...billable].sort((a, b) => a.customerId.localeCompare(b.customerId) || a.id.localeCompare(b.id))
    : billable;
  const chunks: Billable[][] = [];
  let current: Billable[] = [];
  for (const c of ordered) {
    const sameCustomer = consolidate && current.at(-1)?.customerId === c.customerId;
    if (current.length >= size && !sameCustomer) {
      chunks.push(current);
      current = [];
    }
    current.push(c);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/**
 * The bulk reads: usage of every arrears period (one query per aggregation type, see
 * usage.ts), credit drawn so far, and the late events no invoice has billed yet (one query;
 * they are few), assigned to this run's arrears periods.
 */
async function readRunInputs(db: Db, orgId: string, billable: readonly Billable[]): Promise<RunInputs> {
  const requests: UsageRequest[] = [];
  for (const c of billable) {
    const metrics = metricsOf(c.terms);
    for (const p of c.periods) {
      if (p.kind !== 'arrears') continue;
      for (const metric of metrics) {
        requests.push({
          key: `${c.id}|${p.start}|${metric}`,
          customerId: c.customerId,
          metric,
          start: dayMs(p.start),
          end: dayMs(p.end),
          since: dayMs(c.terms.startDate),
        });
      }
    }
  }
  const metricRows = new Map((await listMetrics(db, orgId)).map((m) => [m.code, m]));
  const usage = await aggregateUsage(db, orgId, requests, metricRows);
  const drawn = await creditDrawn(db, orgId);
  const metricDefs = new Map([...metricRows].map(([code, row]) => [code, toBillableMetric(row)]));
  const late = { plans: planLateUsage(billable, await unbilledLateEvents(db, orgId), metricDefs), metrics: metricDefs };
  return { usage, drawn, late };
}

/**
 * Computes one chunk's invoices and writes them, with the products they introduce, in one
 * atomic() unit whose SQL skips anything already invoiced; returns how many it created.
 * `productIds` (SKU → product id) carries over from chunk to chunk.
 */
async function writeChunk(
  db: Db,
  orgId: string,
  now: string,
  chunk: readonly Billable[],
  run: {
    runId: string;
    inputs: RunInputs;
    productIds: Map<string, string>;
    failures: ContractFailure[];
    consolidate: boolean;
    /** better-sqlite3's prepared row-by-row write instead of the JSON statements (D1's). */
    prepared: boolean;
  },
  progress: BillingRunProgress,
  stamp: string,
): Promise<number> {
  const toWrite: InvoiceRowInput[] = [];
  const credits: CreditUse[] = [];
  const newProducts: { id: string; sku: string; name: string }[] = [];
  for (const c of chunk) {
    for (const inv of computeContract(c, run.inputs, run.failures, credits)) {
      for (const line of inv.lines) {
        if (!run.productIds.has(line.productId)) {
          const id = await naturalId('prd', orgId, line.productId);
          run.productIds.set(line.productId, id);
          newProducts.push({ id, sku: line.productId, name: line.description });
        }
        line.productId = run.productIds.get(line.productId)!;
      }
      toWrite.push(inv);
    }
  }
  if (toWrite.length === 0) return 0;
  const { ordinary, consolidated } = run.consolidate
    ? consolidateInvoices(toWrite, credits)
    : { ordinary: toWrite, consolidated: [] };
  const statements = productInserts(db, orgId, now, newProducts);
  // The last statement of each writer inserts its invoices: their changed rows are what was created.
  const invoiceInserts: number[] = [];
  const ordinaryWrite =
    ordinary.length === 0
      ? []
      : run.prepared
        ? [invoiceChunkWrite(db, orgId, now, ordinary, run.runId)]
        : invoiceChunkStatements(db, orgId, now, ordinary, [], run.runId);
  for (const written of [ordinaryWrite, consolidatedChunkStatements(db, orgId, now, consolidated, run.runId)]) {
    statements.push(...written);
    if (written.length > 0) invoiceInserts.push(statements.length - 1);
  }
  const ids = [...ordinary, ...consolidated].map((inv) => inv.id);
  statements.push(chunkProgressStatement(db, orgId, run.runId, stamp, progress, ids));
  // After the invoices: fails the chunk if an amendment spent a grant since creditDrawn() read it
  // (the run then fails and a rerun bills the chunk from fresh balances; nothing is written twice).
  const guard = creditGuardStatement(db, orgId, credits);
  if (guard) statements.push(guard);
  const results = await atomic(db, statements);
  return invoiceInserts.reduce((n, at) => n + rowsChanged(results[at]), 0);
}
