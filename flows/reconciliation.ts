/**
 * Reconciliation runs (issue #13): for one system and month, the hub's documents are read a chunk
 * at a time, each one's copy asked of the vendor by our reference (ErpPort.readDocument,
 * PaymentPort.findPayment, CrmPort.listWonDealsChangedSince), compared by the pure
 * compareDocuments (src/domain/reconciliation.ts), and the disagreements kept as the run's items.
 * The nightly schedule runs every connected system for the previous and the current month.
 *
 * Fixes: a `missing` ERP document is repushed — the job that posted it runs again (repushItem);
 * anything else is resolved by a person with a reason (the routes, src/http/routes/reconciliation.ts).
 */
import type { AdapterSet, CrmPort, ErpDocumentState, ErpPort, PaymentPort, PaymentState } from '../adapters/ports.js';
import { atomic, rowsChanged } from '../src/db/atomic.js';
import type { Db } from '../src/db/client.js';
import { newId } from '../src/db/client.js';
import { makeJobDueNow } from '../src/db/repos/job-queue.js';
import { findJobByDedupeKey } from '../src/db/repos/jobs.js';
import { listOrgIds } from '../src/db/repos/orgs.js';
import {
  dealsWithContract,
  earlierResolutions,
  finishRunStatement,
  type HubInvoiceRow,
  type HubPaymentRow,
  insertRunStatement,
  invoicesForReconciliation,
  itemInsertStatements,
  markRepushedStatements,
  type NewReconciliationItem,
  paymentsForReconciliation,
  type ReconciliationItemRow,
  repushStatements,
} from '../src/db/repos/reconciliation.js';
import type { Clock } from '../src/domain/clock.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import {
  compareDocuments,
  currentAndPreviousPeriod,
  type Disagreement,
  dealsWithoutContract,
  type HubDocument,
  matchKey,
  periodBounds,
  type ReconciliationSystem,
  type ReconStatus,
  type VendorDocument,
} from '../src/domain/reconciliation.js';
import { CRM_VENDORS, type CrmVendor, isCrmVendor, isErpVendor } from '../src/domain/vendors.js';
import { enqueueStatement } from '../src/jobs/queue.js';
import type { JobDriver } from '../src/jobs/types.js';
import { ISSUE_CREDIT_NOTE } from './issue-credit-note.js';
import { dealToContractJob } from './jobs.js';
import { POST_INVOICE_TO_ERP } from './post-invoice-to-erp.js';
import { erpPaymentRef, POST_PAYMENT_TO_ERP } from './post-payment-to-erp.js';

/** Hub documents read per chunk (and vendor reads per chunk). */
export const RECONCILIATION_CHUNK = 100;
/** Vendor reads in flight at once inside a chunk: the adapters' own limiters keep the vendor's limits. */
const READS_IN_FLIGHT = 4;
/** Hour (UTC) of the nightly run. */
export const NIGHTLY_HOUR_UTC = 2;

export interface ReconciliationDeps {
  db: Db;
  clock: Clock;
  adaptersFor(orgId: string): Promise<Outcome<AdapterSet>>;
}

/** Why extras are not looked for: no port can list a vendor's objects by our reference prefix. */
const EXTRA_NOT_CHECKED =
  'extra not checked: the port has no way to list the vendor objects carrying our reference prefix';

/** Runs the reconciliation now and keeps it; the failure when the system is not connected or not supported. */
export async function runReconciliation(
  deps: ReconciliationDeps,
  orgId: string,
  system: ReconciliationSystem,
  period: string,
  trigger: 'nightly' | 'manual',
): Promise<Outcome<{ runId: string }>> {
  const window = periodBounds(period);
  if (!window) return permanent(`period must be YYYY-MM, got "${period}"`, { field: 'period' });
  const adapters = await deps.adaptersFor(orgId);
  if (!adapters.ok) return adapters;
  const source = sourceFor(adapters.value, system);
  if (!source.ok) return source;

  const runId = newId('rcr');
  const started = deps.clock.now().toISOString();
  await atomic(deps.db, [insertRunStatement(deps.db, orgId, { id: runId, system, period, trigger, now: started })]);
  const resolved = await earlierResolutions(deps.db, orgId, system, period);
  let checked = 0;
  const finish = (state: 'succeeded' | 'failed', note: string | null) =>
    atomic(deps.db, [
      finishRunStatement(deps.db, orgId, runId, {
        state,
        checked,
        extraChecked: false,
        note,
        now: deps.clock.now().toISOString(),
      }),
    ]);

  try {
    for await (const chunk of source.value.chunks({ db: deps.db, orgId, window })) {
      if (!chunk.ok) {
        await finish('failed', chunk.reason);
        return chunk;
      }
      checked += chunk.value.checked;
      const items = chunk.value.disagreements.map((d) => toItem(d, resolved));
      if (items.length > 0) {
        await atomic(deps.db, itemInsertStatements(deps.db, orgId, runId, items, deps.clock.now().toISOString()));
      }
    }
  } catch (error) {
    // A bug, not a vendor answer: the run is kept as failed rather than left running forever.
    await finish('failed', `internal error: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  await finish('succeeded', source.value.extraNote);
  return ok({ runId });
}

function toItem(d: Disagreement, resolved: Map<string, { at: string; by: string; reason: string }>) {
  const earlier = resolved.get(`${d.kind}|${d.documentKind}|${d.ref}`);
  const repushable = d.kind === 'missing' && d.localId !== null;
  const item: NewReconciliationItem = {
    kind: d.kind,
    documentKind: d.documentKind,
    localId: d.localId,
    ref: d.ref,
    externalId: d.externalId,
    hubStatus: d.hubStatus,
    vendorStatus: d.vendorStatus,
    hubAmountMinor: d.hubAmountMinor,
    vendorAmountMinor: d.vendorAmountMinor,
    currency: d.currency,
    detail: d.detail,
    fix: repushable ? 'repush' : 'resolve',
    repushedAt: null,
    resolvedAt: earlier?.at ?? null,
    resolvedBy: earlier?.by ?? null,
    resolutionReason: earlier?.reason ?? null,
  };
  return item;
}

// ---------------------------------------------------------------- the sides of each system

interface Chunk {
  checked: number;
  disagreements: Disagreement[];
}

interface Source {
  chunks(args: { db: Db; orgId: string; window: { start: string; end: string } }): AsyncIterable<Outcome<Chunk>>;
  extraNote: string | null;
}

function sourceFor(adapters: AdapterSet, system: ReconciliationSystem): Outcome<Source> {
  if (system === 'crm') return ok(crmSource(adapters.crm));
  if (isErpVendor(system)) {
    if (adapters.erp.vendor !== system) return permanent(`${system} is not connected`, { status: 404 });
    if (!adapters.erp.readDocument) {
      return permanent(`reconciliation is not supported for ${system}: its adapter cannot read documents back`, {
        status: 422,
      });
    }
    return ok(erpSource(adapters.erp, adapters.erp.readDocument.bind(adapters.erp)));
  }
  if (adapters.payment.vendor !== system) return permanent(`${system} is not connected`, { status: 404 });
  if (!canFindPayments(system)) {
    return permanent(`reconciliation is not supported for ${system}: its API reads no payment by our reference`, {
      status: 422,
    });
  }
  return ok(paymentSource(adapters.payment));
}

/**
 * Adyen Checkout has no lookup by merchant reference, so its findPayment always answers null
 * (adapters/adyen/adapter.ts): comparing against it would call every payment missing.
 */
const canFindPayments = (vendor: string) => vendor !== 'adyen';

/** Runs `read` over `items`, a few at a time; the first failure ends it. */
async function readAll<T, R>(items: readonly T[], read: (item: T) => Promise<Outcome<R>>): Promise<Outcome<R[]>> {
  const out: R[] = new Array(items.length);
  for (let i = 0; i < items.length; i += READS_IN_FLIGHT) {
    const part = await Promise.all(items.slice(i, i + READS_IN_FLIGHT).map(read));
    for (const [j, r] of part.entries()) {
      if (!r.ok) return r;
      out[i + j] = r.value;
    }
  }
  return ok(out);
}

/** The hub's invoice status in the ERP's words. */
function invoiceStatus(row: HubInvoiceRow): ReconStatus {
  if (row.status === 'void') return 'voided';
  if (row.kind === 'credit_note') return 'open';
  return row.status === 'paid' ? 'paid' : 'open';
}

function fromErp(state: ErpDocumentState, ref: string): VendorDocument {
  // A credit memo's use (applied to an invoice, refunded) is the ERP's bookkeeping, not a disagreement.
  const status = state.kind === 'credit_memo' && state.status === 'applied' ? 'open' : state.status;
  return { kind: state.kind, ref, externalId: state.externalId, status, total: state.total, currency: state.currency };
}

function erpSource(erp: ErpPort, readDocument: NonNullable<ErpPort['readDocument']>): Source {
  return {
    extraNote: EXTRA_NOT_CHECKED,
    async *chunks({ db, orgId, window }) {
      let afterId = '';
      for (;;) {
        const rows = await invoicesForReconciliation(db, orgId, erp.vendor, window, {
          afterId,
          limit: RECONCILIATION_CHUNK,
        });
        if (rows.length === 0) break;
        afterId = rows[rows.length - 1]!.id;
        // An invoice voided before it was ever posted is not the ERP's business.
        const posted = rows.filter((r) => !(r.status === 'void' && r.externalId === null));
        const hub: HubDocument[] = posted.map((r) => ({
          kind: r.kind === 'credit_note' ? 'credit_memo' : 'invoice',
          localId: r.id,
          ref: r.number,
          status: invoiceStatus(r),
          amountMinor: r.totalMinor,
          currency: r.currency,
        }));
        const read = await readAll(hub, (d) => readDocument(d.kind as ErpDocumentState['kind'], d.ref));
        if (!read.ok) {
          yield read;
          return;
        }
        yield ok(compareChunk(hub, read.value));
      }
      afterId = '';
      for (;;) {
        const rows: HubPaymentRow[] = await paymentsForReconciliation(db, orgId, erp.vendor, window, {
          afterId,
          limit: RECONCILIATION_CHUNK,
        });
        if (rows.length === 0) break;
        afterId = rows[rows.length - 1]!.id;
        const hub: HubDocument[] = rows.map((r) => ({
          kind: 'payment',
          localId: r.id,
          ref: erpPaymentRef(r.id),
          status: 'applied',
          amountMinor: r.amountMinor,
          currency: r.currency,
        }));
        const read = await readAll(hub, (d) => readDocument('payment', d.ref));
        if (!read.ok) {
          yield read;
          return;
        }
        yield ok(compareChunk(hub, read.value));
      }
    },
  };
}

function compareChunk(hub: HubDocument[], theirs: (ErpDocumentState | VendorDocument | null)[]): Chunk {
  const vendor = new Map<string, VendorDocument | null>();
  hub.forEach((d, i) => {
    const t = theirs[i] ?? null;
    vendor.set(matchKey(d.kind, d.ref), t === null ? null : 'ref' in t ? t : fromErp(t, d.ref));
  });
  return { checked: hub.length, disagreements: compareDocuments({ hub, vendor }) };
}

/** A provider's payment state in the comparison's words. */
function providerStatus(state: PaymentState['status']): ReconStatus {
  if (state === 'succeeded') return 'paid';
  if (state === 'requires_action') return 'pending';
  return state;
}

function paymentSource(payment: PaymentPort): Source {
  return {
    extraNote: EXTRA_NOT_CHECKED,
    async *chunks({ db, orgId, window }) {
      let afterId = '';
      for (;;) {
        const rows = await paymentsForReconciliation(
          db,
          orgId,
          payment.vendor,
          { ...window, provider: payment.vendor },
          { afterId, limit: RECONCILIATION_CHUNK },
        );
        if (rows.length === 0) break;
        afterId = rows[rows.length - 1]!.id;
        // The provider stores our invoice id with the payment (PaymentPort.findPayment looks it up by it).
        const hub: HubDocument[] = rows.map((r) => ({
          kind: 'payment',
          localId: r.id,
          ref: r.invoiceId,
          status: 'paid',
          amountMinor: r.amountMinor,
          currency: r.currency,
        }));
        const read = await readAll(hub, (d) => payment.findPayment(d.ref));
        if (!read.ok) {
          yield read;
          return;
        }
        const theirs = read.value.map((s, i): VendorDocument | null =>
          s
            ? {
                kind: 'payment',
                ref: hub[i]!.ref,
                externalId: s.externalId,
                status: providerStatus(s.status),
                amountMinor: s.amountMinor,
                currency: s.currency,
              }
            : null,
        );
        yield ok(compareChunk(hub, theirs));
      }
    },
  };
}

/** CRM deals won (changed) in the month, a page at a time, each checked for a contract. */
function crmSource(crms: Partial<Record<CrmVendor, CrmPort>>): Source {
  return {
    extraNote: 'deals are those the CRM reports won and last changed in the period',
    async *chunks({ db, orgId, window }) {
      for (const vendor of CRM_VENDORS) {
        const crm = crms[vendor];
        if (!crm) continue;
        let since = new Date(`${window.start}T00:00:00.000Z`).getTime() - 1;
        const end = `${window.end}T00:00:00.000Z`;
        for (;;) {
          const page = await crm.listWonDealsChangedSince(new Date(since).toISOString(), RECONCILIATION_CHUNK);
          if (!page.ok) {
            yield page;
            return;
          }
          const inPeriod = page.value.filter((d) => d.lastModified < end);
          const contracted = await dealsWithContract(
            db,
            orgId,
            vendor,
            inPeriod.map((d) => d.id),
          );
          const deals = inPeriod.map((d) => ({ localId: d.id, ref: d.id, amountMinor: null, currency: null }));
          yield ok({
            checked: deals.length,
            disagreements: dealsWithoutContract(deals, contracted).map((d) => ({
              ...d,
              localId: `${vendor}:${d.ref}`,
            })),
          });
          const last = page.value[page.value.length - 1];
          if (page.value.length < RECONCILIATION_CHUNK || !last || last.lastModified >= end) break;
          const next = new Date(last.lastModified).getTime();
          // Same-instant changes across a page edge: step on by a millisecond rather than loop.
          since = next > since ? next : since + 1;
        }
      }
    },
  };
}

// ---------------------------------------------------------------- the nightly schedule

/** Every org, every connected system, the previous and the current month; failures are collected. */
export async function runNightlyReconciliation(
  deps: ReconciliationDeps,
): Promise<{ orgId: string; system: string; period: string; error?: string }[]> {
  const out: { orgId: string; system: string; period: string; error?: string }[] = [];
  const periods = currentAndPreviousPeriod(deps.clock.now());
  for (const orgId of await listOrgIds(deps.db)) {
    const adapters = await deps.adaptersFor(orgId);
    if (!adapters.ok) continue; // an org still connecting its systems has nothing to reconcile
    const systems: ReconciliationSystem[] = [];
    if (adapters.value.erp.readDocument) systems.push(adapters.value.erp.vendor);
    if (canFindPayments(adapters.value.payment.vendor)) systems.push(adapters.value.payment.vendor);
    if (Object.keys(adapters.value.crm).length > 0) systems.push('crm');
    for (const system of systems) {
      for (const period of periods) {
        try {
          const result = await runReconciliation(deps, orgId, system, period, 'nightly');
          out.push({ orgId, system, period, ...(result.ok ? {} : { error: result.reason }) });
        } catch (error) {
          out.push({ orgId, system, period, error: error instanceof Error ? error.message : String(error) });
        }
      }
    }
  }
  return out;
}

/** Whether the nightly run is due at `now` (the hourly tick of the Node scheduler, the worker's cron). */
export const nightlyDue = (now: Date) => now.getUTCHours() === NIGHTLY_HOUR_UTC;

// ---------------------------------------------------------------- repush

/** The job and step that post each kind of ERP document (flows/post-*.ts, issue-credit-note.ts). */
const POSTING: Record<string, { flow: string; step: string; objectType: string }> = {
  invoice: { flow: POST_INVOICE_TO_ERP, step: 'erp-invoice', objectType: 'invoice' },
  payment: { flow: POST_PAYMENT_TO_ERP, step: 'erp-payment', objectType: 'payment' },
  credit_memo: { flow: ISSUE_CREDIT_NOTE, step: 'erp-credit-memo', objectType: 'credit_memo' },
};

export type RepushOutcome =
  | { outcome: 'requeued'; jobId: string }
  | { outcome: 'not_repushable'; reason: string }
  | { outcome: 'busy'; reason: string };

/**
 * Runs the posting job of a `missing` ERP document again (same flow, same steps; the write is
 * preceded by a lookup by our reference, so nothing is posted twice). Audit-logged.
 */
export async function repushItem(
  deps: { db: Db; clock: Clock; driver: JobDriver },
  orgId: string,
  item: ReconciliationItemRow,
  system: string,
  actor: string,
): Promise<RepushOutcome> {
  if (item.documentKind === 'deal') return repushDeal(deps, orgId, item, actor);
  const posting = POSTING[item.documentKind];
  if (item.fix !== 'repush' || !posting || !item.localId || !isErpVendor(system)) {
    return {
      outcome: 'not_repushable',
      reason: `a ${item.kind.replace('_', ' ')} ${item.documentKind.replace('_', ' ')} is not repushed: the port cannot change a document already posted; fix it in ${system} or resolve it with a reason`,
    };
  }
  if (item.resolvedAt) return { outcome: 'not_repushable', reason: 'the item is resolved' };
  const dedupeKey = `${posting.flow}:${item.localId}`;
  const job = await findJobByDedupeKey(deps.db, orgId, dedupeKey);
  if (!job) return { outcome: 'not_repushable', reason: `no job ${dedupeKey} has posted this document` };
  if (job.state !== 'succeeded' && job.state !== 'dead') {
    return { outcome: 'busy', reason: `its job ${job.id} is ${job.state}; wait for it to finish` };
  }
  const payload = JSON.parse(job.payload) as { input?: Record<string, unknown> };
  const generation = typeof payload.input?.repush === 'number' ? payload.input.repush + 1 : 1;
  const next = JSON.stringify({ ...payload, input: { ...(payload.input ?? {}), repush: generation } });
  const results = await atomic(
    deps.db,
    repushStatements(deps.db, orgId, {
      dedupeKey,
      flow: posting.flow,
      subjectId: item.localId,
      step: posting.step,
      ref: { system, objectType: posting.objectType, localId: item.localId },
      payload: next,
      itemId: item.id,
      actor,
      now: deps.clock.now(),
    }),
  );
  if (rowsChanged(results[results.length - 1]) === 0) {
    return { outcome: 'busy', reason: `its job ${job.id} started again meanwhile` };
  }
  await deps.driver.notify([job.id]);
  return { outcome: 'requeued', jobId: job.id };
}

/**
 * A won deal without a contract: its deal-to-contract job (the one every trigger shares) is
 * queued, or a dead one given a fresh budget. One that succeeded without a contract needs a person.
 */
async function repushDeal(
  deps: { db: Db; clock: Clock; driver: JobDriver },
  orgId: string,
  item: ReconciliationItemRow,
  actor: string,
): Promise<RepushOutcome> {
  if (item.resolvedAt) return { outcome: 'not_repushable', reason: 'the item is resolved' };
  const [vendor, ...rest] = (item.localId ?? '').split(':');
  const dealId = rest.join(':');
  if (!vendor || !isCrmVendor(vendor) || !dealId) {
    return { outcome: 'not_repushable', reason: `item ${item.id} names no CRM deal` };
  }
  const job = dealToContractJob(orgId, vendor, dealId);
  const existing = await findJobByDedupeKey(deps.db, orgId, job.dedupeKey);
  const now = deps.clock.now();
  const mark = markRepushedStatements(deps.db, orgId, {
    itemId: item.id,
    actor,
    job: job.dedupeKey,
    now: now.toISOString(),
  });
  if (!existing) {
    const { id, statement } = enqueueStatement(deps.db, deps.clock, job);
    await atomic(deps.db, [statement, ...mark]);
    await deps.driver.notify([id]);
    return { outcome: 'requeued', jobId: id };
  }
  if (existing.state === 'running') return { outcome: 'busy', reason: `its job ${existing.id} is running` };
  if (existing.state === 'succeeded') {
    return {
      outcome: 'not_repushable',
      reason: `its job ${existing.id} finished without a contract; see the deal's trace, then resolve it`,
    };
  }
  const ids = await makeJobDueNow(deps.db, orgId, job.dedupeKey, now);
  if (ids.length === 0) return { outcome: 'busy', reason: `its job ${existing.id} started meanwhile` };
  await atomic(deps.db, mark);
  await deps.driver.notify(ids);
  return { outcome: 'requeued', jobId: existing.id };
}
