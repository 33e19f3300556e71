/** Finalized invoice → ERP customer, one item per product, and the invoice with our tax. */

import { minorToMajor } from '../src/domain/money.js';
import { ok } from '../src/domain/outcome.js';
import { defineFlow } from './define.js';
import { erpCustomerStep, erpItemsStep, ROUNDING_ITEM } from './erp-steps.js';
import { ensureExternal } from './external.js';
import type { InvoiceInput } from './finalize-invoice.js';
import { numberedInvoiceFor } from './load.js';
import { journalsModeStop } from './post-journal-to-erp.js';
import type { Flow } from './types.js';
import { voidErpInvoice } from './undo.js';
import { stopWhenVoided } from './void-gate.js';

export const POST_INVOICE_TO_ERP = 'post-invoice-to-erp';

export const postInvoiceToErp: Flow<InvoiceInput> = defineFlow<InvoiceInput>(
  POST_INVOICE_TO_ERP,
  ({ adapters }) => adapters.erp.vendor,
)
  // In journals mode the invoice reaches the ERP as its ledger entry; a voided invoice goes no further (flows/void-gate.ts).
  .gate(async (given) => {
    const adapters = await given.deps.adaptersFor(given.orgId);
    if (!adapters.ok) return adapters;
    const journals = journalsModeStop(adapters.value, `invoice ${given.input.invoiceId}`);
    return journals ? ok(journals) : stopWhenVoided(given);
  })
  .step(erpCustomerStep<InvoiceInput>((input) => input.invoiceId))
  .step(erpItemsStep<InvoiceInput, { createErpCustomer: { externalId: string } }>((input) => input.invoiceId))
  .step({
    name: 'createErpInvoice',
    storedAs: 'erp-invoice',
    external: true,
    // Undone by voiding the ERP invoice (flows/undo.ts).
    compensate: (ctx, output: { externalId: string }) => voidErpInvoice(ctx, output),
    run: async (ctx) => {
      const loaded = await numberedInvoiceFor(ctx, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice, lines } = loaded.value;
      const customer = ctx.outputs.createErpCustomer;
      const items = ctx.outputs.createErpItems;
      const { erp } = ctx.adapters;
      const currency = invoice.currency;
      const ensured = await ensureExternal(ctx, {
        system: erp.vendor,
        objectType: 'invoice',
        localId: invoice.id,
        lookup: () => erp.findInvoice(invoice.number),
        write: (idempotencyKey) =>
          erp.createInvoice(
            {
              invoiceNumber: invoice.number,
              customerExternalId: customer.externalId,
              currency,
              issueDate: invoice.issueDate,
              dueDate: invoice.dueDate,
              lines: [
                ...lines.map((line) => ({
                  itemExternalId: items[line.productId]!,
                  description: line.description,
                  quantity: line.quantity,
                  unitPrice: line.unitAmount,
                  amount: minorToMajor(line.amountMinor, currency),
                })),
                // Cash or provider rounding of the grand total: its own line, untaxed (tax is ours).
                ...(invoice.roundingMinor !== 0
                  ? [
                      {
                        itemExternalId: items[ROUNDING_ITEM]!,
                        description: 'Rounding difference',
                        quantity: '1',
                        unitPrice: minorToMajor(invoice.roundingMinor, currency),
                        amount: minorToMajor(invoice.roundingMinor, currency),
                      },
                    ]
                  : []),
              ],
              totalTax: minorToMajor(invoice.taxMinor, currency),
              total: minorToMajor(invoice.totalMinor, currency),
            },
            { idempotencyKey },
          ),
      });
      if (!ensured.ok) return ensured;
      return ok({ output: { externalId: ensured.value.externalId }, refs: [ensured.value.ref] });
    },
  })
  .build();
