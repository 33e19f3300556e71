/**
 * The undo of each finished step that has a vendor call for it, declared as the step's
 * `compensate` (flows/compensate.ts runs them newest first, each recorded as `compensate:<step>`):
 * - finalize-invoice › tax: void the committed document (Avalara VoidTransaction);
 * - finalize-invoice › finalize: book the reversing ledger entry (entries are never edited);
 * - collect-payment › payment: cancel the open attempt (Stripe cancel PaymentIntent); one that
 *   already succeeded cannot be undone by a cancel: that is a refund, through a credit note;
 * - post-invoice-to-erp › erp-invoice: void the ERP invoice (QuickBooks void operation).
 * Each is idempotent at the vendor (voiding a voided document, cancelling a cancelled attempt
 * answers the same), so a compensation resumed after a crash undoes nothing twice.
 */
import type { TaxResult } from '../adapters/ports.js';
import { ledgerStatements } from '../src/db/repos/ledger.js';
import { invoiceVoidedEntry } from '../src/domain/ledger.js';
import type { Failure, Outcome } from '../src/domain/outcome.js';
import { ok, permanent } from '../src/domain/outcome.js';
import { loadInvoice } from './load.js';
import { journalJobsFor } from './post-journal-to-erp.js';
import type { CompensationResult, StepContext } from './types.js';

/** The input of every invoice flow undone here (finalize-invoice's InvoiceInput; not imported: that file imports this one). */
type InvoiceInput = { invoiceId: string };

type Undo<O> = (ctx: StepContext<InvoiceInput>, output: O) => Promise<Outcome<CompensationResult>>;

export const voidTaxDocument: Undo<TaxResult> = async (ctx, output) => {
  const voided = await ctx.adapters.tax.voidDocument(output.documentCode, 'sale');
  return voided.ok
    ? ok({ output: { status: voided.value.status, transactionId: voided.value.transactionId } })
    : voided;
};

export const reverseInvoiceEntry: Undo<{ taxMinor: number; totalMinor: number; roundingMinor?: number }> = async (
  ctx,
  output,
) => {
  const loaded = await loadInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
  if (!loaded.ok) return loaded;
  const { invoice } = loaded.value;
  // Numbered in the same write that left draft: an invoice without one was never finalized.
  if (invoice.number === null) return permanent(`invoice ${invoice.id} was never finalized: nothing to reverse`);
  const entry = invoiceVoidedEntry({
    number: invoice.number,
    currency: invoice.currency,
    subtotalMinor: output.totalMinor - output.taxMinor - (output.roundingMinor ?? 0),
    taxMinor: output.taxMinor,
    roundingMinor: output.roundingMinor ?? 0,
  });
  if (!entry.ok) return entry;
  const now = ctx.deps.clock.now().toISOString();
  return ok({
    output: { reversed: entry.value.kind },
    effects: await ledgerStatements(ctx.deps.db, ctx.orgId, { type: 'invoice', id: invoice.id }, entry.value, now, now),
    // Journals mode: the reversal goes to the ERP as a journal too (flows/post-journal-to-erp.ts).
    enqueue: await journalJobsFor(ctx, [{ source: { type: 'invoice', id: invoice.id }, kind: entry.value.kind }]),
  });
};

const ALREADY_SUCCEEDED = 'already succeeded and cannot be cancelled';

/** The cancel was refused because the payment had already succeeded (a refund's case, not a cancel's). */
export const isSettledPaymentRefusal = (failure: Failure): boolean =>
  failure.kind === 'permanent' && failure.reason.includes(ALREADY_SUCCEEDED);

export const cancelPaymentAttempt: Undo<{ externalId: string }> = async (ctx, output) => {
  const cancelled = await ctx.adapters.payment.cancelPayment(output.externalId, {
    idempotencyKey: await ctx.key('payment_cancel', ctx.input.invoiceId),
  });
  if (!cancelled.ok) return cancelled;
  if (cancelled.value.status === 'succeeded') {
    return permanent(
      `payment ${output.externalId} ${ALREADY_SUCCEEDED}; correct the invoice with a credit note (refund)`,
    );
  }
  return ok({ output: { status: cancelled.value.status } });
};

export const voidErpInvoice: Undo<{ externalId: string }> = async (ctx, output) => {
  const voided = await ctx.adapters.erp.voidInvoice(output.externalId, {
    idempotencyKey: await ctx.key('erp_invoice_void', ctx.input.invoiceId),
  });
  return voided.ok ? ok({ output: { externalId: voided.value.externalId, voided: true } }) : voided;
};
