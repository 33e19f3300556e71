/** Finalized invoice → payment-processor customer → payment (settles through the webhook). */
import { ok } from '../src/domain/outcome.js';
import { defineFlow } from './define.js';
import { ensureExternal } from './external.js';
import type { InvoiceInput } from './finalize-invoice.js';
import { loadNumberedInvoice } from './load.js';
import type { Flow } from './types.js';
import { cancelPaymentAttempt } from './undo.js';
import { stopWhenVoided } from './void-gate.js';

export const COLLECT_PAYMENT = 'collect-payment';

export const collectPayment: Flow<InvoiceInput> = defineFlow<InvoiceInput>(
  COLLECT_PAYMENT,
  ({ adapters }) => adapters.payment.vendor,
)
  // A voided invoice goes no further (flows/void-gate.ts).
  .gate(stopWhenVoided)
  .step({
    name: 'createPaymentCustomer',
    storedAs: 'payment-customer',
    external: true,
    run: async (ctx) => {
      const loaded = await loadNumberedInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { customer } = loaded.value;
      const { payment } = ctx.adapters;
      const ensured = await ensureExternal(ctx, {
        system: payment.vendor,
        objectType: 'customer',
        localId: customer.id,
        lookup: () => payment.findCustomer(customer.id),
        write: (idempotencyKey) =>
          payment.createCustomer(
            { localId: customer.id, name: customer.name, email: customer.email },
            { idempotencyKey },
          ),
      });
      if (!ensured.ok) return ensured;
      return ok({
        output: { externalId: ensured.value.externalId, via: ensured.value.via },
        refs: [ensured.value.ref],
      });
    },
  })
  .step({
    name: 'createPayment',
    storedAs: 'payment',
    external: true,
    // Undone by cancelling the open attempt (flows/undo.ts); a settled one is refunded by a credit note.
    compensate: (ctx, output: { externalId: string }) => cancelPaymentAttempt(ctx, output),
    run: async (ctx) => {
      const loaded = await loadNumberedInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice } = loaded.value;
      const customer = ctx.outputs.createPaymentCustomer;
      const { payment } = ctx.adapters;
      const ensured = await ensureExternal(ctx, {
        system: payment.vendor,
        objectType: 'payment_intent',
        localId: invoice.id,
        lookup: () => payment.findPayment(invoice.id),
        write: (idempotencyKey) =>
          payment.createPayment(
            {
              invoiceId: invoice.id,
              invoiceNumber: invoice.number,
              customerExternalId: customer.externalId,
              amountMinor: invoice.totalMinor,
              currency: invoice.currency,
              description: `Invoice ${invoice.number}`,
            },
            { idempotencyKey },
          ),
      });
      if (!ensured.ok) return ensured;
      return ok({
        output: { externalId: ensured.value.externalId, via: ensured.value.via },
        refs: [ensured.value.ref],
      });
    },
  })
  .build();
