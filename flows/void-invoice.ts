/**
 * A voided invoice's downstream effects undone (issue #10, "void on a finalized, unpaid invoice"):
 * the open payment attempt cancelled at the provider, the ERP invoice voided, the tax document
 * voided and the reversing ledger entry booked, then the CRM told. The API's void already moved
 * the invoice to void, in the same write that enqueued this job (src/http/routes/invoice-actions.ts);
 * jobs of the invoice still queued see the void and stop (flows/void-gate.ts).
 *
 * Each undo is the compensation the downstream flow declares (flows/undo.ts), run by
 * compensateFlow over that flow's own run, so each is recorded there as `compensate:<step>` and a
 * resumed void undoes nothing twice. A downstream job still running is waited for first: what it
 * is writing right now is undone once it finished.
 *
 * The cancel runs first because it is the one undo a vendor can refuse for good: a payment that
 * succeeded before the cancel reached the provider cannot be cancelled. The void is then undone
 * before anything else was: the invoice goes back to the state it was voided from, so the
 * payment records and settles it as usual, and this job goes to the dead letters saying to
 * correct the invoice with a credit note (refund).
 */
import { atomic } from '../src/db/atomic.js';
import { invoiceState } from '../src/db/repos/billing.js';
import { findRun, stepsOfRun } from '../src/db/repos/flow-runs.js';
import { invoiceStatusStatement } from '../src/db/repos/invoice-writes.js';
import { requeueDeadJob } from '../src/db/repos/job-queue.js';
import { findJobByDedupeKey } from '../src/db/repos/jobs.js';
import type { InvoiceStatus } from '../src/domain/invoice-lifecycle.js';
import { type Outcome, ok, permanent, waitingOn } from '../src/domain/outcome.js';
import type { NewJob } from '../src/jobs/types.js';
import { COLLECT_PAYMENT, collectPayment } from './collect-payment.js';
import { compensateFlow, compensationName } from './compensate.js';
import { crmWriteBackJobFor } from './crm-write-back.js';
import { defineFlow } from './define.js';
import { FINALIZE_INVOICE, finalizeInvoice, type InvoiceInput } from './finalize-invoice.js';
import { flowJob } from './jobs.js';
import { loadInvoice } from './load.js';
import { postInvoiceToErp } from './post-invoice-to-erp.js';
import { RECORD_PAYMENT } from './record-payment.js';
import type { Flow, FlowDeps, StepContext, StepResult } from './types.js';
import { isSettledPaymentRefusal } from './undo.js';
import { VOID_INVOICE, voidInvoiceDedupeKey } from './void-gate.js';

export { VOID_INVOICE } from './void-gate.js';

export interface VoidInvoiceInput extends InvoiceInput {
  /** The state the invoice was voided from: where a refused void puts it back. */
  from: InvoiceStatus;
}

/** What one undo step did: the downstream run's compensations now done, by stored name. */
export interface Undone {
  flow: string;
  undone: string[];
}

/** Shorter than the gated jobs' wait (flows/void-gate.ts), so the two never wait in step. */
const VOID_WAITS_MS = 500;

export function voidInvoiceJob(args: {
  orgId: string;
  invoiceId: string;
  from: InvoiceStatus;
  correlationId: string;
  paymentVendor: string;
}): NewJob {
  const job = flowJob({
    orgId: args.orgId,
    flow: VOID_INVOICE,
    subjectId: args.invoiceId,
    input: { invoiceId: args.invoiceId, from: args.from } satisfies VoidInvoiceInput,
    correlationId: args.correlationId,
    connectionKey: args.paymentVendor,
  });
  return { ...job, dedupeKey: voidInvoiceDedupeKey(args.invoiceId) };
}

/** The finished steps of a downstream flow's run for this invoice, by stored name. */
async function stepsOf(deps: FlowDeps, orgId: string, flow: string, invoiceId: string) {
  const runId = await findRun(deps.db, orgId, flow, invoiceId);
  return runId ? await stepsOfRun(deps.db, orgId, runId) : [];
}

/**
 * Undoes what `flow` did for the invoice. Nothing when its job never ran (or never existed: a
 * drafts' void, a zero invoice that needed no collection); waits while its job is running.
 */
async function undoDownstream(
  ctx: StepContext<VoidInvoiceInput>,
  flow: Flow<InvoiceInput>,
): Promise<Outcome<StepResult<Undone>>> {
  const { deps, orgId, input } = ctx;
  const job = await findJobByDedupeKey(deps.db, orgId, `${flow.name}:${input.invoiceId}`);
  if (!job) return ok({ output: { flow: flow.name, undone: [] } });
  if (job.state === 'running') {
    return waitingOn(`${flow.name} of the invoice is still running`, job.id, VOID_WAITS_MS);
  }
  const undone = await compensateFlow(flow, deps, job);
  if (!undone.ok) return undone;
  const rows = await stepsOf(deps, orgId, flow.name, input.invoiceId);
  const done = rows.filter((r) => r.step.startsWith(compensationName('')) && r.status === 'done');
  return ok({ output: { flow: flow.name, undone: done.map((r) => r.step) } });
}

/**
 * The payment had succeeded before the cancel reached the provider: the void is undone (nothing
 * else was undone yet), and a payment webhook refused meanwhile (the invoice was void) is run again.
 */
async function refuseVoid(ctx: StepContext<VoidInvoiceInput>, reason: string): Promise<Outcome<never>> {
  const { deps, orgId, input } = ctx;
  await atomic(deps.db, [invoiceStatusStatement(deps.db, orgId, input.invoiceId, 'void', input.from)]);
  const payment = (await stepsOf(deps, orgId, COLLECT_PAYMENT, input.invoiceId)).find((r) => r.step === 'payment');
  const externalId = payment?.output ? (JSON.parse(payment.output) as { externalId?: string }).externalId : undefined;
  if (externalId) {
    const provider = ctx.adapters.payment.vendor;
    const refused = await findJobByDedupeKey(
      deps.db,
      orgId,
      `${RECORD_PAYMENT}:${provider}:${externalId}:payment.succeeded`,
    );
    const again = refused ? await requeueDeadJob(deps.db, orgId, refused.id, deps.clock.now()) : undefined;
    if (again) await deps.driver.notify([again.id]);
  }
  const invoice = await invoiceState(deps.db, orgId, input.invoiceId);
  return permanent(
    `${reason}. The void was undone: invoice ${invoice?.number ?? input.invoiceId} is ${invoice?.status ?? input.from} again, ` +
      'with its tax, ledger entry and ERP invoice as they were',
  );
}

/**
 * A tax_pending invoice whose tax call's outcome is unknown (the engine may have committed the
 * document, the hub never recorded it): its compensation cannot see the document, so it is looked
 * up by its code (the invoice number) and voided when committed. Returns what it did, or null.
 */
async function voidUnrecordedTaxDocument(ctx: StepContext<VoidInvoiceInput>): Promise<Outcome<string | null>> {
  const { deps, orgId, input } = ctx;
  const invoice = await invoiceState(deps.db, orgId, input.invoiceId);
  if (!invoice?.number) return ok(null);
  const tax = (await stepsOf(deps, orgId, FINALIZE_INVOICE, input.invoiceId)).find((r) => r.step === 'tax');
  if (!tax || tax.status === 'done') return ok(null);
  const found = await ctx.adapters.tax.findByDocumentCode(invoice.number);
  if (!found.ok) return found;
  if (found.value?.state !== 'committed') return ok(null);
  const voided = await ctx.adapters.tax.voidDocument(invoice.number, 'sale');
  return voided.ok ? ok('void-unrecorded-tax-document') : voided;
}

export const voidInvoice: Flow<VoidInvoiceInput> = defineFlow<VoidInvoiceInput>(
  VOID_INVOICE,
  ({ adapters }) => adapters.payment.vendor,
)
  // Nothing to undo for an invoice that is not void (the API's write lost a race, or a refused
  // void put it back): the run stops.
  .gate(async ({ deps, orgId, input }) => {
    const invoice = await invoiceState(deps.db, orgId, input.invoiceId);
    if (!invoice) return permanent(`invoice ${input.invoiceId} not found`);
    return ok(
      invoice.status === 'void' ? null : `invoice ${invoice.number ?? invoice.id} is ${invoice.status}, not void`,
    );
  })
  .step({
    name: 'cancelPayment',
    storedAs: 'undo-payment',
    external: true,
    run: async (ctx) => {
      const undone = await undoDownstream(ctx, collectPayment);
      if (!undone.ok && isSettledPaymentRefusal(undone)) return refuseVoid(ctx, undone.reason);
      return undone;
    },
  })
  .step({
    name: 'voidErpInvoice',
    storedAs: 'undo-erp',
    external: true,
    run: (ctx) => undoDownstream(ctx, postInvoiceToErp),
  })
  .step({
    name: 'voidTaxAndLedger',
    storedAs: 'undo-finalize',
    external: true,
    run: async (ctx) => {
      const undone = await undoDownstream(ctx, finalizeInvoice);
      if (!undone.ok) return undone;
      const stray = await voidUnrecordedTaxDocument(ctx);
      if (!stray.ok) return stray;
      return stray.value
        ? ok({ output: { ...undone.value.output, undone: [...undone.value.output.undone, stray.value] } })
        : undone;
    },
  })
  .step({
    name: 'writeBack',
    storedAs: 'write-back',
    external: false,
    run: async (ctx) => {
      const loaded = await loadInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      // The deal's CRM learns the invoice is void (crm-write-back.ts reads the state when it runs).
      return ok({
        output: { status: 'void' },
        enqueue: await crmWriteBackJobFor(ctx.deps.db, ctx.orgId, loaded.value.invoice),
      });
    },
  })
  .build();
