/** Recorded payment → ERP payment applied to the ERP invoice (waits until that invoice exists). */

import { getInvoiceWithLines, getPayment } from '../src/db/repos/billing.js';
import { findExternalId } from '../src/db/repos/external-refs.js';
import { minorToMajor } from '../src/domain/money.js';
import { ok, permanent, retryable } from '../src/domain/outcome.js';
import { defineFlow } from './define.js';
import { ensureExternal } from './external.js';
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
        return retryable(
          `waiting for invoice ${invoice.number} to be posted to ${ctx.adapters.erp.vendor}`,
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
