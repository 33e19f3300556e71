/**
 * The gate of every flow that carries a finalized invoice downstream (finalize, collect, ERP): once
 * the invoice is void, a job still queued must not charge, post or tax it. While the void job is
 * still queued or running the gated job waits for it (spending no attempt): should the void be
 * refused (the payment had already succeeded, flows/void-invoice.ts), the invoice is back in its
 * earlier state and the job goes on as if nothing happened. Once the void is through, the job
 * stops with the reason on its run.
 */
import { invoiceState } from '../src/db/repos/billing.js';
import { findJobByDedupeKey } from '../src/db/repos/jobs.js';
import { ok, waitingOn } from '../src/domain/outcome.js';
import type { FlowGate } from './types.js';

export const VOID_INVOICE = 'void-invoice';

/** Longer than the void job's own wait on running jobs (VOID_WAITS_MS), so the two never wait in step. */
const GATED_WAITS_MS = 2_000;

export const voidInvoiceDedupeKey = (invoiceId: string) => `${VOID_INVOICE}:${invoiceId}`;

export const stopWhenVoided: FlowGate<{ invoiceId: string }> = async ({ deps, orgId, input }) => {
  const invoice = await invoiceState(deps.db, orgId, input.invoiceId);
  if (invoice?.status !== 'void') return ok(null);
  const voiding = await findJobByDedupeKey(deps.db, orgId, voidInvoiceDedupeKey(input.invoiceId));
  if (voiding && (voiding.state === 'queued' || voiding.state === 'running')) {
    return waitingOn(`invoice ${invoice.number ?? invoice.id} is being voided`, voiding.id, GATED_WAITS_MS);
  }
  return ok(`invoice ${invoice.number ?? invoice.id} was voided: nothing more to do`);
};
