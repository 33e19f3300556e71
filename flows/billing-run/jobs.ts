/**
 * How a billing run is started: as a job (the API; background on Node and Workers alike), or
 * directly for every org (the daily schedule on both runtimes).
 */
import { atomic } from '../../src/db/atomic.js';
import { type Db, newId } from '../../src/db/client.js';
import { insertRunStatement } from '../../src/db/repos/billing-runs.js';
import { listOrgIds } from '../../src/db/repos/orgs.js';
import type { Clock } from '../../src/domain/clock.js';
import { ok } from '../../src/domain/outcome.js';
import { enqueueStatement } from '../../src/jobs/queue.js';
import type { JobDriver, JobHandler } from '../../src/jobs/types.js';
import { type BillingRunDeps, type BillingRunResult, runBilling } from './engine.js';

export const BILLING_RUN_JOB_KIND = 'billing-run';

interface BillingRunJobPayload {
  runId: string;
  at: string;
  /** A continuation of a paused run: its number (1, 2, …) and the invoices the parts before created. */
  part?: number;
  invoicesCreated?: number;
}

/** Creates the run row and its job in one unit, so a run id the API returns always has a job. */
export async function startBillingRun(
  hub: { db: Db; clock: Clock; driver: JobDriver },
  orgId: string,
  at: string,
): Promise<string> {
  const runId = newId('brun');
  const payload: BillingRunJobPayload = { runId, at };
  const job = enqueueStatement(hub.db, hub.clock, {
    orgId,
    kind: BILLING_RUN_JOB_KIND,
    payload,
    dedupeKey: `billing-run:${runId}`,
    correlationId: `billing-run:${runId}`,
    // One attempt: the run records its own failure; a retry is a new run (re-runs are safe).
    maxAttempts: 1,
  });
  await atomic(hub.db, [insertRunStatement(hub.db, orgId, runId, at, hub.clock.now().toISOString()), job.statement]);
  await hub.driver.notify([job.id]);
  return runId;
}

/**
 * A paused run goes on in a job of its own (on Workers: a new queue message, so a new invocation
 * with a D1 query budget of its own). Its dedupe key names the part, so a handler that runs twice
 * enqueues the next part once.
 */
async function continueLater(
  hub: { db: Db; clock: Clock; driver: JobDriver },
  orgId: string,
  result: BillingRunResult,
  part: number,
): Promise<void> {
  const payload: BillingRunJobPayload = {
    runId: result.runId,
    at: result.at,
    part,
    invoicesCreated: result.invoicesCreated,
  };
  const job = enqueueStatement(hub.db, hub.clock, {
    orgId,
    kind: BILLING_RUN_JOB_KIND,
    payload,
    dedupeKey: `billing-run:${result.runId}:${part}`,
    correlationId: `billing-run:${result.runId}`,
    maxAttempts: 1,
  });
  await atomic(hub.db, [job.statement]);
  await hub.driver.notify([job.id]);
}

/**
 * The job handler: continues the run row the API made (or the part before paused). `afterRun`
 * then looks at the org's drafts (the auto-finalize sweep, flows/finalize-sweep.ts), so a zero
 * grace period finalizes at once; a paused run does that in its last part, if its budget allows.
 */
export function billingRunJobHandler(deps: {
  db: Db;
  clock: Clock;
  driver: JobDriver;
  afterRun?: (orgId: string) => Promise<unknown>;
  hooks?: BillingRunDeps['hooks'];
  mayContinue?: () => boolean;
}): JobHandler {
  return async (job) => {
    const payload = JSON.parse(job.payload) as BillingRunJobPayload;
    const result = await runBilling(deps, job.orgId, payload.at, undefined, {
      runId: payload.runId,
      invoicesCreated: payload.invoicesCreated ?? 0,
    });
    if (result.state === 'paused') {
      await continueLater(deps, job.orgId, result, (payload.part ?? 0) + 1);
      return ok(result);
    }
    // Short of budget, the sweep is left to its own schedule (the worker's cron runs it every minute).
    if (!deps.mayContinue || deps.mayContinue()) await deps.afterRun?.(job.orgId);
    return ok(result);
  };
}

/**
 * Bills every org through `at` (YYYY-MM-DD) by the hub clock's day. Called daily by the
 * runtimes (Node: at start and hourly; Workers: the cron trigger). Re-runs create nothing new,
 * so calling it more often than daily is harmless. One org's failure does not stop the others.
 */
export async function runScheduledBilling(
  hub: { db: Db; clock: Clock; driver?: JobDriver; mayContinue?: () => boolean },
  at: string = hub.clock.now().toISOString().slice(0, 10),
): Promise<{ orgId: string; result?: BillingRunResult; error?: string }[]> {
  const out: { orgId: string; result?: BillingRunResult; error?: string }[] = [];
  // With a budget (the worker's cron), a run it pauses goes on as a job; each org starts a run
  // only while the budget allows, and the next hour's schedule bills the orgs left out.
  const { db, clock, driver, mayContinue } = hub;
  const budget = driver && mayContinue ? { driver, mayContinue } : undefined;
  for (const id of await listOrgIds(db)) {
    if (budget && !budget.mayContinue()) break;
    try {
      const result = await runBilling({ db, clock, ...(budget ? { mayContinue: budget.mayContinue } : {}) }, id, at);
      if (result.state === 'paused' && budget) await continueLater({ db, clock, driver: budget.driver }, id, result, 1);
      out.push({ orgId: id, result });
    } catch (error) {
      out.push({ orgId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}
