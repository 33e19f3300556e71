/**
 * Who finalizes a draft (issue #10), and the scheduled sweep of the `auto` policy: every draft
 * whose grace period (late usage can still land in it) has passed gets the finalize-invoice job.
 * Run every minute by the runtimes (Node: an interval; Workers: the cron trigger) and right after
 * a billing run. Enqueueing is idempotent (one job per invoice), so overlapping sweeps are harmless.
 */
import { atomic } from '../src/db/atomic.js';
import type { Db } from '../src/db/client.js';
import { type DraftToFinalize, draftsWrittenBy, getBillingSettings } from '../src/db/repos/billing-settings.js';
import { listOrgIds } from '../src/db/repos/orgs.js';
import type { Clock } from '../src/domain/clock.js';
import { type Outcome, ok } from '../src/domain/outcome.js';
import { enqueueStatement } from '../src/jobs/queue.js';
import type { JobDriver } from '../src/jobs/types.js';
import { finalizeInvoiceJob } from './finalize-invoice.js';
import { dealCorrelationId } from './jobs.js';
import type { AdapterSet } from './types.js';

/** How often the runtimes sweep (Workers: the every-minute cron). */
export const FINALIZE_SWEEP_INTERVAL_MS = 60_000;

export interface FinalizeHub {
  db: Db;
  clock: Clock;
  driver: JobDriver;
  adaptersFor(orgId: string): Promise<Outcome<AdapterSet>>;
}

/** The trace an invoice's jobs (finalize, void) show in: its deal's, or the invoice's own when no deal made it. */
export function correlationOf(draft: DraftToFinalize): string {
  return draft.sourceSystem && draft.sourceDealId
    ? dealCorrelationId(draft.sourceSystem, draft.sourceDealId)
    : `invoice:${draft.id}`;
}

/** Enqueues finalize-invoice for these drafts of one org (the API's finalize and approve, the sweep). */
export async function enqueueFinalize(
  hub: FinalizeHub,
  orgId: string,
  drafts: readonly DraftToFinalize[],
): Promise<Outcome<number>> {
  if (drafts.length === 0) return ok(0);
  const adapters = await hub.adaptersFor(orgId);
  if (!adapters.ok) return adapters;
  const taxVendor = adapters.value.tax.vendor;
  const jobs = drafts.map((draft) =>
    enqueueStatement(
      hub.db,
      hub.clock,
      finalizeInvoiceJob({ orgId, invoiceId: draft.id, correlationId: correlationOf(draft), taxVendor }),
    ),
  );
  // Chunked so no unit passes D1's per-invocation statement limit.
  for (let i = 0; i < jobs.length; i += 200) {
    await atomic(
      hub.db,
      jobs.slice(i, i + 200).map((j) => j.statement),
    );
  }
  await hub.driver.notify(jobs.map((j) => j.id));
  return ok(jobs.length);
}

/** One org's sweep: its drafts past their grace, when the org finalizes automatically. */
export async function finalizeDueDrafts(hub: FinalizeHub, orgId: string): Promise<Outcome<number>> {
  const settings = await getBillingSettings(hub.db, orgId);
  if (settings.finalizePolicy !== 'auto') return ok(0);
  const cutoff = new Date(hub.clock.now().getTime() - settings.graceSeconds * 1000).toISOString();
  let total = 0;
  for (;;) {
    // A page leaves out drafts that have their job already, so the next page is the next drafts.
    const due = await draftsWrittenBy(hub.db, orgId, cutoff);
    const enqueued = await enqueueFinalize(hub, orgId, due);
    if (!enqueued.ok) return enqueued;
    total += enqueued.value;
    if (due.length < 500) return ok(total);
  }
}

/** Every org's sweep; one org's failure does not stop the others. */
export async function runFinalizeSweep(
  hub: FinalizeHub,
): Promise<{ orgId: string; enqueued?: number; error?: string }[]> {
  const out: { orgId: string; enqueued?: number; error?: string }[] = [];
  for (const orgId of await listOrgIds(hub.db)) {
    try {
      const done = await finalizeDueDrafts(hub, orgId);
      out.push(done.ok ? { orgId, enqueued: done.value } : { orgId, error: done.reason });
    } catch (error) {
      out.push({ orgId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}
