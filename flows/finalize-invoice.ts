/**
 * Draft invoice → its number and tax_pending (one atomic write) → tax committed at the tax engine
 * (document code = the number) → finalized with its ledger entry; then collection, ERP posting and
 * the CRM write-back start. Every invoice kind goes this way: a deal's first, billing runs'
 * recurring and usage invoices, amendments' prorations, true-ups, manual ones (issue #10).
 *
 * The tax engine failing (an outage, an address it rejects) leaves the invoice tax_pending with
 * the engine's reason on it, and the job retries on its own (never "failed"); a customer update
 * with a fixed address retries at once (src/http/routes/customer-updates.ts).
 */
import type { TaxPort, TaxResult } from '../adapters/ports.js';
import { getBillingSettings } from '../src/db/repos/billing-settings.js';
import {
  assignNumberStatements,
  finalizeInvoiceStatements,
  setTaxPendingReason,
} from '../src/db/repos/invoice-writes.js';
import { ledgerStatements } from '../src/db/repos/ledger.js';
import { exemptionNumberOf, taxCodesOf } from '../src/db/repos/tax-settings.js';
import type { PostalAddress } from '../src/domain/deal.js';
import { transition } from '../src/domain/invoice-lifecycle.js';
import { invoiceIssuedEntry } from '../src/domain/ledger.js';
import { majorToMinor, minorToMajor, type RoundingPolicy } from '../src/domain/money.js';
import { type Failure, ok, permanent, retryable } from '../src/domain/outcome.js';
import { payableTotal } from '../src/domain/payable.js';
import { lineTaxesFromEngine } from '../src/domain/tax-lines.js';
import type { NewJob } from '../src/jobs/types.js';
import { announce } from './announce.js';
import { crmWriteBackJobFor } from './crm-write-back.js';
import { defineFlow } from './define.js';
import { flowJob } from './jobs.js';
import { loadInvoice, loadNumberedInvoice, numberedInvoiceFor } from './load.js';
import { journalJobsFor } from './post-journal-to-erp.js';
import type { Flow } from './types.js';
import { reverseInvoiceEntry, voidTaxDocument } from './undo.js';
import { stopWhenVoided } from './void-gate.js';

export interface InvoiceInput {
  invoiceId: string;
}

export const FINALIZE_INVOICE = 'finalize-invoice';

/**
 * Attempts of a finalize job: enough that a tax engine outage or a wrong address waits (backoff
 * capped at 30 minutes, so about three weeks) instead of going to the dead letters.
 */
export const FINALIZE_MAX_ATTEMPTS = 1000;

/** How long a refused address waits before the next try, when no customer update retries it sooner. */
const REFUSED_RETRY_MS = 15 * 60_000;

/** The one job that finalizes an invoice, whoever asks (deal, API, approval, the auto sweep). */
export function finalizeInvoiceJob(args: {
  orgId: string;
  invoiceId: string;
  correlationId: string;
  taxVendor: string;
}): NewJob {
  return flowJob({
    orgId: args.orgId,
    flow: FINALIZE_INVOICE,
    subjectId: args.invoiceId,
    input: { invoiceId: args.invoiceId } satisfies InvoiceInput,
    correlationId: args.correlationId,
    connectionKey: args.taxVendor,
    maxAttempts: FINALIZE_MAX_ATTEMPTS,
  });
}

/** A tax failure as the job sees it: always retried, the refused address after a longer wait. */
function taxPending(failure: Failure): Failure {
  if (failure.kind === 'permanent') return retryable(failure.reason, REFUSED_RETRY_MS, failure.status);
  return failure;
}

export const finalizeInvoice: Flow<InvoiceInput> = defineFlow<InvoiceInput>(
  FINALIZE_INVOICE,
  ({ adapters }) => adapters.tax.vendor,
)
  // A voided invoice goes no further (flows/void-gate.ts).
  .gate(stopWhenVoided)
  .step({
    name: 'assignNumber',
    storedAs: 'number',
    external: false,
    run: async (ctx) => {
      const loaded = await loadInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice } = loaded.value;
      // Already numbered and waiting for tax (a rerun, or the API's own write): nothing to do.
      if (invoice.status === 'tax_pending') return ok({ output: { numbered: true } });
      const next = transition(
        invoice.status,
        'request_tax',
        invoice.kind === 'credit_note' ? 'credit_note' : 'invoice',
      );
      if (!next.ok) return permanent(next.detail);
      const { numberPrefix } = await getBillingSettings(ctx.deps.db, ctx.orgId);
      return ok({
        output: { numbered: true },
        effects: assignNumberStatements(ctx.deps.db, ctx.orgId, invoice.id, numberPrefix),
      });
    },
  })
  .step({
    name: 'commitTax',
    storedAs: 'tax',
    external: true,
    // Undone by voiding the committed document (flows/undo.ts).
    compensate: (ctx, output: TaxResult) => voidTaxDocument(ctx, output),
    run: async (ctx) => {
      const loaded = await numberedInvoiceFor(ctx, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice, lines, customer } = loaded.value;
      const { tax } = ctx.adapters;
      if (ctx.unknownOutcome) {
        const found = await tax.findByDocumentCode(invoice.number);
        if (!found.ok) {
          await setTaxPendingReason(ctx.deps.db, ctx.orgId, invoice.id, found.reason);
          return taxPending(found);
        }
        if (found.value && found.value.state === 'committed') {
          return ok({ output: found.value, refs: [taxRef(tax.vendor, invoice.id, found.value)] });
        }
      }
      const shipTo = customer.address
        ? (JSON.parse(customer.address) as PostalAddress)
        : ctx.adapters.settings.defaultShipTo;
      // Each product's code at this engine (Avalara tax code, Anrok product id), and the customer's certificate.
      const codes = await taxCodesOf(
        ctx.deps.db,
        ctx.orgId,
        tax.vendor,
        lines.map((l) => l.productId),
      );
      const exemptionNumber = await exemptionNumberOf(ctx.deps.db, ctx.orgId, customer.id);
      const recorded = await tax.recordSale(
        {
          documentCode: invoice.number,
          customerCode: customer.id,
          date: invoice.issueDate,
          currency: invoice.currency,
          shipTo,
          commit: true,
          ...(exemptionNumber ? { exemptionNumber } : {}),
          lines: lines.map((line) => ({
            number: String(line.lineNo),
            itemCode: line.productId,
            description: line.description,
            quantity: line.quantity,
            amount: minorToMajor(line.amountMinor, invoice.currency),
            ...(codes.has(line.productId) ? { taxCode: codes.get(line.productId)! } : {}),
          })),
        },
        { idempotencyKey: await ctx.key('invoice', invoice.id) },
      );
      if (!recorded.ok) {
        await setTaxPendingReason(ctx.deps.db, ctx.orgId, invoice.id, recorded.reason);
        return taxPending(recorded);
      }
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
      const loaded = await loadNumberedInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice, lines } = loaded.value;
      const committed = transition(invoice.status, 'commit_tax');
      if (!committed.ok) return permanent(committed.detail);
      const taxResult = ctx.outputs.commitTax;
      const policy = JSON.parse(invoice.rounding) as RoundingPolicy;
      const taxMinor = majorToMinor(taxResult.totalTax, invoice.currency, policy);
      // The engine's own line taxes where they add up (src/domain/tax-lines.ts), else split by the policy.
      const lineTaxes = lineTaxesFromEngine(lines, taxResult.lines, taxMinor, invoice.currency, policy).taxes;
      // Cash rounding and the payment provider's amount rule apply to the grand total after tax,
      // never to a credit note (it gives back exact lines); the difference is kept on the invoice.
      const payable =
        invoice.kind === 'credit_note'
          ? null
          : payableTotal(
              invoice.subtotalMinor + taxMinor,
              invoice.currency,
              policy,
              ctx.adapters.payment.amountStep?.(invoice.currency) ?? 1,
            );
      const roundingMinor = payable?.roundingMinor ?? 0;
      const entry = invoiceIssuedEntry({
        number: invoice.number,
        currency: invoice.currency,
        subtotalMinor: invoice.subtotalMinor,
        taxMinor,
        roundingMinor,
      });
      if (!entry.ok) return entry;
      const { db } = ctx.deps;
      const now = ctx.deps.clock.now().toISOString();
      const jobInput = { invoiceId: invoice.id };
      const totalMinor = invoice.subtotalMinor + taxMinor + roundingMinor;
      // Nothing to collect (a usage period without usage, credit covering it all): settled at once.
      const settled = totalMinor <= 0 ? transition(committed.next, 'pay') : null;
      const status = settled?.ok ? settled.next : committed.next;
      const announced = await announce(
        db,
        ctx.orgId,
        {
          type: 'invoice.finalized',
          key: `invoice.finalized:${invoice.id}`,
          at: now,
          data: {
            invoice_id: invoice.id,
            number: invoice.number,
            customer_id: invoice.customerId,
            contract_id: invoice.contractId,
            currency: invoice.currency,
            subtotal_minor: invoice.subtotalMinor,
            tax_minor: taxMinor,
            total_minor: totalMinor,
            status,
          },
        },
        ctx.correlationId,
      );
      return ok({
        output: { taxMinor, totalMinor, status, roundingMinor },
        effects: [
          ...finalizeInvoiceStatements(
            db,
            ctx.orgId,
            invoice.id,
            lines.map((line, i) => ({ lineId: line.id, taxMinor: lineTaxes[i]! })),
            { taxMinor, totalMinor, status, roundingMinor },
          ),
          ...(await ledgerStatements(
            db,
            ctx.orgId,
            { type: 'invoice', id: invoice.id },
            entry.value,
            now,
            invoice.issueDate,
          )),
          ...announced.effects,
        ],
        enqueue: [
          ...announced.enqueue,
          ...(status === 'paid'
            ? []
            : [
                flowJob({
                  orgId: ctx.orgId,
                  flow: 'collect-payment',
                  subjectId: invoice.id,
                  input: jobInput,
                  correlationId: ctx.correlationId,
                  connectionKey: ctx.adapters.payment.vendor,
                }),
              ]),
          flowJob({
            orgId: ctx.orgId,
            flow: 'post-invoice-to-erp',
            subjectId: invoice.id,
            input: jobInput,
            correlationId: ctx.correlationId,
            connectionKey: ctx.adapters.erp.vendor,
          }),
          // Journals mode: the entry booked here goes to the ERP as a journal (flows/post-journal-to-erp.ts).
          ...(await journalJobsFor(ctx, [{ source: { type: 'invoice', id: invoice.id }, kind: entry.value.kind }])),
          // The deal's CRM learns the invoice is out (once per state: see crm-write-back.ts).
          ...(await crmWriteBackJobFor(db, ctx.orgId, { ...invoice, status })),
        ],
      });
    },
  })
  .build();

function taxRef(system: TaxPort['vendor'], invoiceId: string, result: TaxResult) {
  return { system, objectType: 'tax_transaction', localId: invoiceId, externalId: result.transactionId };
}
