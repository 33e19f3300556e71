/**
 * Draft invoice → tax committed at the tax engine (document code = our invoice number) →
 * finalized invoice with its ledger entry; then collection, ERP posting and the CRM write-back start.
 */
import type { TaxPort, TaxResult } from '../adapters/ports.js';
import { finalizeInvoiceStatements } from '../src/db/repos/invoice-writes.js';
import { ledgerStatements } from '../src/db/repos/ledger.js';
import type { PostalAddress } from '../src/domain/deal.js';
import { allocateTax } from '../src/domain/invoice.js';
import { invoiceIssuedEntry } from '../src/domain/ledger.js';
import { majorToMinor, minorToMajor, type RoundingPolicy } from '../src/domain/money.js';
import { ok } from '../src/domain/outcome.js';
import { crmWriteBackJobFor } from './crm-write-back.js';
import { defineFlow } from './define.js';
import { flowJob } from './jobs.js';
import { loadInvoice } from './load.js';
import type { Flow } from './types.js';
import { reverseInvoiceEntry, voidTaxDocument } from './undo.js';

export interface InvoiceInput {
  invoiceId: string;
}

export const FINALIZE_INVOICE = 'finalize-invoice';

export const finalizeInvoice: Flow<InvoiceInput> = defineFlow<InvoiceInput>(
  FINALIZE_INVOICE,
  ({ adapters }) => adapters.tax.vendor,
)
  .step({
    name: 'commitTax',
    storedAs: 'tax',
    external: true,
    // Undone by voiding the committed document (flows/undo.ts).
    compensate: (ctx, output: TaxResult) => voidTaxDocument(ctx, output),
    run: async (ctx) => {
      const loaded = await loadInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice, lines, customer } = loaded.value;
      const { tax } = ctx.adapters;
      if (ctx.unknownOutcome) {
        const found = await tax.findByDocumentCode(invoice.number);
        if (!found.ok) return found;
        if (found.value && found.value.status === 'Committed') {
          return ok({ output: found.value, refs: [taxRef(tax.vendor, invoice.id, found.value)] });
        }
      }
      const shipTo = customer.address
        ? (JSON.parse(customer.address) as PostalAddress)
        : ctx.adapters.settings.defaultShipTo;
      const recorded = await tax.recordSale(
        {
          documentCode: invoice.number,
          customerCode: customer.id,
          date: invoice.issueDate,
          currency: invoice.currency,
          shipTo,
          commit: true,
          lines: lines.map((line) => ({
            number: String(line.lineNo),
            itemCode: line.productId,
            description: line.description,
            quantity: line.quantity,
            amount: minorToMajor(line.amountMinor, invoice.currency),
          })),
        },
        { idempotencyKey: await ctx.key('invoice', invoice.id) },
      );
      if (!recorded.ok) return recorded;
      return ok({ output: recorded.value, refs: [taxRef(tax.vendor, invoice.id, recorded.value)] });
    },
  })
  .step({
    name: 'finalizeInvoice',
    storedAs: 'finalize',
    external: false,
    // Undone by the reversing ledger entry (flows/undo.ts).
    compensate: (ctx, output: { taxMinor: number; totalMinor: number }) => reverseInvoiceEntry(ctx, output),
    run: async (ctx) => {
      const loaded = await loadInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice, lines } = loaded.value;
      const taxResult = ctx.outputs.commitTax;
      const policy = JSON.parse(invoice.rounding) as RoundingPolicy;
      const taxMinor = majorToMinor(taxResult.totalTax, invoice.currency, policy);
      const lineTaxes = allocateTax(
        lines.map((l) => l.amountMinor),
        taxMinor,
      );
      const entry = invoiceIssuedEntry({
        number: invoice.number,
        currency: invoice.currency,
        subtotalMinor: invoice.subtotalMinor,
        taxMinor,
      });
      if (!entry.ok) return entry;
      const { db } = ctx.deps;
      const now = ctx.deps.clock.now().toISOString();
      const jobInput = { invoiceId: invoice.id };
      return ok({
        output: { taxMinor, totalMinor: invoice.subtotalMinor + taxMinor },
        effects: [
          ...finalizeInvoiceStatements(
            db,
            ctx.orgId,
            invoice.id,
            lines.map((line, i) => ({ lineId: line.id, taxMinor: lineTaxes[i]! })),
            { taxMinor, totalMinor: invoice.subtotalMinor + taxMinor },
          ),
          ...(await ledgerStatements(
            db,
            ctx.orgId,
            { type: 'invoice', id: invoice.id },
            entry.value,
            now,
            invoice.issueDate,
          )),
        ],
        enqueue: [
          flowJob({
            orgId: ctx.orgId,
            flow: 'collect-payment',
            subjectId: invoice.id,
            input: jobInput,
            correlationId: ctx.correlationId,
            connectionKey: ctx.adapters.payment.vendor,
          }),
          flowJob({
            orgId: ctx.orgId,
            flow: 'post-invoice-to-erp',
            subjectId: invoice.id,
            input: jobInput,
            correlationId: ctx.correlationId,
            connectionKey: ctx.adapters.erp.vendor,
          }),
          // The deal's CRM learns the invoice is out (once per state: see crm-write-back.ts).
          ...(await crmWriteBackJobFor(db, ctx.orgId, { ...invoice, status: 'finalized' })),
        ],
      });
    },
  })
  .build();

function taxRef(system: TaxPort['vendor'], invoiceId: string, result: TaxResult) {
  return { system, objectType: 'tax_transaction', localId: invoiceId, externalId: result.transactionId };
}
