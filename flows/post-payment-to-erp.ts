/** Recorded payment → ERP payment applied to the ERP invoice (waits until that invoice exists). */

import { getInvoiceWithLines, getPayment } from '../src/db/repos/billing.js';
import { findExternalId } from '../src/db/repos/external-refs.js';
import { findJobByDedupeKey } from '../src/db/repos/jobs.js';
import { minorToMajor } from '../src/domain/money.js';
import { ok, permanent, retryable, waitingOn } from '../src/domain/outcome.js';
import { defineFlow } from './define.js';
import { ensureExternal } from './external.js';
import { POST_INVOICE_TO_ERP } from './post-invoice-to-erp.js';
import { journalsModeStop } from './post-journal-to-erp.js';
import type { Flow } from './types.js';

export const POST_PAYMENT_TO_ERP = 'post-payment-to-erp';

/** QuickBooks caps PaymentRefNum at 21 characters, so the ERP sees a short form of our payment id. */
export const erpPaymentRef = (paymentId: string) => paymentId.replace(/^pay_/, '').slice(0, 21);

/** How long to wait before checking again whether the invoice reached the ERP. */
const WAIT_FOR_INVOICE_MS = 30_000;

export const postPaymentToErp: Flow<{ paymentId: string }> = defineFlow<{ paymentId: string }>(
  POST_PAYMENT_TO_ERP,
  ({ adapters }) => adapters.erp.vendor,
)
  // In journals mode the payment reaches the ERP as its ledger entry (flows/post-journal-to-erp.ts).
  .gate(async ({ deps, orgId, input }) => {
    const adapters = await deps.adaptersFor(orgId);
    if (!adapters.ok) return adapters;
    return ok(journalsModeStop(adapters.value, `payment ${input.paymentId}`));
  })
  .step({
    name: 'createErpPayment',
    storedAs: 'erp-payment',
    external: true,
    // Undone by deleting or voiding the ERP payment, once ErpPort has such a call (none yet): no compensate.
    run: async (ctx) => {
      const { db } = ctx.deps;
      const payment = await getPayment(db, ctx.orgId, ctx.input.paymentId);
      if (!payment) return permanent(`payment ${ctx.input.paymentId} not found`);
      const found = await getInvoiceWithLines(db, ctx.orgId, payment.invoiceId);
      if (!found) return permanent(`invoice ${payment.invoiceId} not found`);
      const { invoice } = found;
      const erpInvoiceId = await findExternalId(db, ctx.orgId, ctx.adapters.erp.vendor, 'invoice', invoice.id);
      const erpCustomerId = await findExternalId(
        db,
        ctx.orgId,
        ctx.adapters.erp.vendor,
        'customer',
        invoice.customerId,
      );
      if (!erpInvoiceId || !erpCustomerId) {
        // Wait on the invoice's own job while it is alive (queued, retrying, or running — perhaps
        // under the lease of a crashed process), spending no attempt; once it is dead or missing,
        // the ordinary budget runs and the dead letter names the invoice.
        const invoiceJob = await findJobByDedupeKey(db, ctx.orgId, `${POST_INVOICE_TO_ERP}:${invoice.id}`);
        const waiting = `waiting for invoice ${invoice.number} to be posted to ${ctx.adapters.erp.vendor}`;
        if (invoiceJob && (invoiceJob.state === 'queued' || invoiceJob.state === 'running')) {
          return waitingOn(waiting, invoiceJob.id, WAIT_FOR_INVOICE_MS);
        }
        return retryable(
          `${waiting}; its job ${invoiceJob ? `${invoiceJob.id} is ${invoiceJob.state}` : 'does not exist'}`,
          WAIT_FOR_INVOICE_MS,
        );
      }
      const { erp } = ctx.adapters;
      const ensured = await ensureExternal(ctx, {
        system: erp.vendor,
        objectType: 'payment',
        localId: payment.id,
        lookup: () => erp.findPayment(erpPaymentRef(payment.id)),
        write: (idempotencyKey) =>
          erp.createPayment(
            {
              paymentRef: erpPaymentRef(payment.id),
              customerExternalId: erpCustomerId,
              invoiceExternalId: erpInvoiceId,
              amount: minorToMajor(payment.amountMinor, payment.currency),
              currency: payment.currency,
              date: payment.receivedAt.slice(0, 10),
            },
            { idempotencyKey },
          ),
      });
      if (!ensured.ok) return ensured;
      return ok({ output: { externalId: ensured.value.externalId }, refs: [ensured.value.ref] });
    },
  })
  .build();
