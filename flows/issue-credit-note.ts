/**
 * A credit note goes the whole way downstream (issue #10), whether the API wrote it
 * (POST /invoices/{id}/credit-notes) or an amendment did:
 *
 *   number (its own gap-free series) → tax return at the engine (document code = the note's
 *   number, referencing the invoice) → finalized with its reversing ledger entry → ERP customer,
 *   items and credit memo → settled → CRM write-back.
 *
 * Numbers: credit notes have their own gap-free series ('credit_note' in `sequences`), numbered
 * "CN-" + the org's prefix ("CN-INV-000001"), so an invoice series never skips a number for a
 * credit note and the two kinds of document read apart at a glance (a separate series is what
 * most VAT rules allow for credit notes).
 *
 * Settlement (src/domain/credit-notes.ts): reduce_due lowers what is still due on the invoice
 * (which is paid once nothing is due); customer_credit adds to the customer's credit, spent once
 * by its next invoices' collection (flows/collect-payment.ts); refund pays the note back through
 * the payment provider, against the invoice's payments. An amendment's note has no settlement
 * until it is issued: defaultSettlement() decides it once its tax is known.
 *
 * Every vendor write reconciles before it retries: a crash after the tax return finds the return
 * by its document code; a crash after the refund finds the refund by our credit note id.
 */
import type { TaxResult } from '../adapters/ports.js';
import { getInvoiceWithLines, listPaymentsForInvoices } from '../src/db/repos/billing.js';
import { getBillingSettings } from '../src/db/repos/billing-settings.js';
import {
  creditLimitGuard,
  creditNotesOf,
  creditNoteTerms,
  creditsLineNo,
  settlementStatements,
} from '../src/db/repos/credit-notes.js';
import { customerCreditGrantStatements } from '../src/db/repos/customer-credit.js';
import { findExternalId } from '../src/db/repos/external-refs.js';
import {
  assignNumberStatements,
  finalizeInvoiceStatements,
  invoiceStatusStatement,
  setTaxPendingReason,
} from '../src/db/repos/invoice-writes.js';
import { creditedMinorOf } from '../src/db/repos/invoices-read.js';
import { findJobByDedupeKey } from '../src/db/repos/jobs.js';
import { ledgerStatements } from '../src/db/repos/ledger.js';
import { exemptionNumberOf, taxCodesOf } from '../src/db/repos/tax-settings.js';
import { defaultSettlement } from '../src/domain/credit-notes.js';
import type { PostalAddress } from '../src/domain/deal.js';
import { amountDueMinor, isIssuedCredit, transition } from '../src/domain/invoice-lifecycle.js';
import { creditNoteIssuedEntry, refundIssuedEntry } from '../src/domain/ledger.js';
import { majorToMinor, minorToMajor, type RoundingPolicy } from '../src/domain/money.js';
import { type Failure, type Outcome, ok, permanent, retryable, waitingOn } from '../src/domain/outcome.js';
import { splitRefundToStep } from '../src/domain/payable.js';
import { lineTaxesFromEngine } from '../src/domain/tax-lines.js';
import type { NewJob } from '../src/jobs/types.js';
import { crmWriteBackJobFor } from './crm-write-back.js';
import { defineFlow } from './define.js';
import { erpCustomerStep, erpItemsStep, ROUNDING_ITEM } from './erp-steps.js';
import { ensureExternal } from './external.js';
import { flowJob } from './jobs.js';
import { loadInvoice, loadNumberedInvoice } from './load.js';
import { journalJobsFor, journalsModeStop } from './post-journal-to-erp.js';
import { postRefundJob } from './post-refund-to-erp.js';
import type { Flow, StepContext, StepOutcome } from './types.js';

export interface CreditNoteInput {
  creditNoteId: string;
}

export const ISSUE_CREDIT_NOTE = 'issue-credit-note';

/** As finalize-invoice: a tax outage, or an invoice still waiting to be finalized, waits rather than dies. */
export const ISSUE_CREDIT_NOTE_MAX_ATTEMPTS = 1000;

/** The credit note series' prefix, before the org's own. */
export const CREDIT_NOTE_PREFIX = 'CN-';

/** How long a note waits for its invoice to be finalized when no finalize job is running for it. */
const INVOICE_WAIT_MS = 15 * 60_000;
const REFUSED_RETRY_MS = 15 * 60_000;

/** The one job that issues a credit note, whoever wrote it (the API, an amendment). */
export function issueCreditNoteJob(args: {
  orgId: string;
  creditNoteId: string;
  correlationId: string;
  taxVendor: string;
}): NewJob {
  return flowJob({
    orgId: args.orgId,
    flow: ISSUE_CREDIT_NOTE,
    subjectId: args.creditNoteId,
    input: { creditNoteId: args.creditNoteId } satisfies CreditNoteInput,
    correlationId: args.correlationId,
    connectionKey: args.taxVendor,
    maxAttempts: ISSUE_CREDIT_NOTE_MAX_ATTEMPTS,
  });
}

/** A tax failure keeps the note tax_pending and is retried, a refused address after a longer wait. */
function taxPending(failure: Failure): Failure {
  if (failure.kind === 'permanent') return retryable(failure.reason, REFUSED_RETRY_MS, failure.status);
  return failure;
}

/** The credit note with its lines and customer, the invoice it credits, and the note's reason and settlement. */
async function loadCreditNote(ctx: Pick<StepContext<CreditNoteInput>, 'deps' | 'orgId'>, id: string) {
  const { db } = ctx.deps;
  const loaded = await loadInvoice(db, ctx.orgId, id);
  if (!loaded.ok) return loaded;
  const { invoice: note } = loaded.value;
  if (note.kind !== 'credit_note') return permanent(`${id} is not a credit note`) as Outcome<never>;
  if (note.creditedInvoiceId === null) {
    return permanent(
      `credit note ${id} credits no invoice (no invoice of its contract holds its period)`,
    ) as Outcome<never>;
  }
  const credited = await getInvoiceWithLines(db, ctx.orgId, note.creditedInvoiceId);
  if (!credited) return permanent(`invoice ${note.creditedInvoiceId} not found`) as Outcome<never>;
  const terms = await creditNoteTerms(db, ctx.orgId, id);
  return ok({ ...loaded.value, note, credited: credited.invoice, terms });
}

/** A note of chosen lines (each names the line it credits) gives back a planned share of the sale's tax. */
const fixedTax = (lines: readonly { detail: string | null }[]) => lines.every((l) => creditsLineNo(l) !== null);

type SettleOutput = {
  settlement: 'reduce_due' | 'customer_credit' | 'refund';
  invoiceStatus: string;
  refunds: { paymentId: string; externalId: string; amountMinor: number; status: string }[];
  /** A refund settlement: what the provider paid back, and the rest below its step kept as customer credit. */
  refundMinor?: number;
  customerCreditMinor?: number;
};

export const issueCreditNote: Flow<CreditNoteInput> = defineFlow<CreditNoteInput>(
  ISSUE_CREDIT_NOTE,
  ({ adapters }) => adapters.tax.vendor,
)
  .step({
    name: 'assignNumber',
    storedAs: 'number',
    external: false,
    run: async (ctx) => {
      const loaded = await loadCreditNote(ctx, ctx.input.creditNoteId);
      if (!loaded.ok) return loaded;
      const { note, credited } = loaded.value;
      if (note.status === 'tax_pending') return ok({ output: { numbered: true } });
      const next = transition(note.status, 'request_tax', 'credit_note');
      if (!next.ok) return permanent(next.detail);
      // An amendment's note may be written before its invoice is issued: it waits for it.
      if (credited.status === 'void')
        return permanent(`invoice ${credited.id} is void: its credit note cannot be issued`);
      if (!isIssuedCredit(credited.status) || credited.number === null) {
        const reason = `invoice ${credited.id} is ${credited.status}; its credit note is issued once it is finalized`;
        const finalizing = await findJobByDedupeKey(ctx.deps.db, ctx.orgId, `finalize-invoice:${credited.id}`);
        return finalizing && (finalizing.state === 'queued' || finalizing.state === 'running')
          ? waitingOn(reason, finalizing.id, 60_000)
          : retryable(reason, INVOICE_WAIT_MS);
      }
      const { numberPrefix } = await getBillingSettings(ctx.deps.db, ctx.orgId);
      return ok({
        output: { numbered: true },
        effects: [
          ...assignNumberStatements(
            ctx.deps.db,
            ctx.orgId,
            note.id,
            `${CREDIT_NOTE_PREFIX}${numberPrefix}`,
            'credit_note',
          ),
          // The invoice's notes never sum above its total (the API checked; an amendment's is checked here).
          creditLimitGuard(ctx.deps.db, ctx.orgId, note.id, credited.id),
        ],
      });
    },
  })
  .step({
    name: 'recordTaxReturn',
    storedAs: 'tax-return',
    external: true,
    run: async (ctx) => {
      const loaded = await loadCreditNote(ctx, ctx.input.creditNoteId);
      if (!loaded.ok) return loaded;
      const { note, lines, customer, credited } = loaded.value;
      const { db } = ctx.deps;
      if (note.number === null) return permanent(`credit note ${note.id} has no number`);
      const { tax } = ctx.adapters;
      const ref = (result: TaxResult) => ({
        system: tax.vendor,
        objectType: 'tax_return',
        localId: note.id,
        externalId: result.transactionId,
      });
      // Reconcile before retry: a crash after the engine recorded the return must not make a second one.
      if (ctx.unknownOutcome) {
        const found = await tax.findReturnByDocumentCode(note.number);
        if (!found.ok) {
          await setTaxPendingReason(db, ctx.orgId, note.id, found.reason);
          return taxPending(found);
        }
        if (found.value) return ok({ output: found.value, refs: [ref(found.value)] });
      }
      const shipTo = customer.address
        ? (JSON.parse(customer.address) as PostalAddress)
        : ctx.adapters.settings.defaultShipTo;
      // A note of chosen lines gives back the share of the sale's tax it planned; an amendment's
      // note (period credits) lets the engine compute it at the sale's date and rates.
      const fixed = fixedTax(lines);
      const codes = await taxCodesOf(
        db,
        ctx.orgId,
        tax.vendor,
        lines.map((l) => l.productId),
      );
      const exemptionNumber = await exemptionNumberOf(db, ctx.orgId, customer.id);
      const recorded = await tax.recordReturn(
        {
          documentCode: note.number,
          customerCode: customer.id,
          date: note.issueDate,
          currency: note.currency,
          shipTo,
          originalDocumentCode: credited.number!,
          originalDate: credited.issueDate,
          // Every cent of the sale's lines: engines that negate a whole sale (Anrok createNegation) do so.
          wholeSale: note.subtotalMinor === credited.subtotalMinor,
          ...(exemptionNumber ? { exemptionNumber } : {}),
          lines: lines.map((line) => ({
            number: String(line.lineNo),
            itemCode: line.productId,
            description: line.description,
            quantity: line.quantity,
            amount: minorToMajor(line.amountMinor, note.currency),
            ...(codes.has(line.productId) ? { taxCode: codes.get(line.productId)! } : {}),
            ...(fixed ? { tax: minorToMajor(line.taxMinor, note.currency) } : {}),
          })),
        },
        { idempotencyKey: await ctx.key('credit_note', note.id) },
      );
      if (!recorded.ok) {
        await setTaxPendingReason(db, ctx.orgId, note.id, recorded.reason);
        return taxPending(recorded);
      }
      return ok({ output: recorded.value, refs: [ref(recorded.value)] });
    },
  })
  .step({
    name: 'finalizeCreditNote',
    storedAs: 'finalize',
    external: false,
    run: async (ctx) => {
      const loaded = await loadCreditNote(ctx, ctx.input.creditNoteId);
      if (!loaded.ok) return loaded;
      const { note, lines, credited, terms } = loaded.value;
      const { db } = ctx.deps;
      const committed = transition(note.status, 'commit_tax', 'credit_note');
      if (!committed.ok) return permanent(committed.detail);
      const policy = JSON.parse(note.rounding) as RoundingPolicy;
      const taxMinor = majorToMinor(ctx.outputs.recordTaxReturn.totalTax, note.currency, policy);
      const planned = lines.reduce((s, l) => s + l.taxMinor, 0);
      // The planned per-line tax stands when the engine gave back exactly it; else the engine's total is allocated.
      // Else the engine's own line taxes where they add up (src/domain/tax-lines.ts), else a split of its total.
      const lineTaxes =
        fixedTax(lines) && planned === taxMinor
          ? lines.map((l) => l.taxMinor)
          : lineTaxesFromEngine(lines, ctx.outputs.recordTaxReturn.lines, taxMinor, note.currency, policy).taxes;
      // A note crediting what is left of a rounded invoice carries the rest of its rounding difference (its draft holds it).
      const roundingMinor = note.roundingMinor;
      const totalMinor = note.subtotalMinor + taxMinor + roundingMinor;
      const others = (await creditNotesOf(db, ctx.orgId, credited.id)).filter(
        (n) => n.note.id !== note.id && n.note.status !== 'void',
      );
      const left = credited.totalMinor - others.reduce((sum, n) => sum + n.note.totalMinor, 0);
      if (totalMinor > left) {
        return permanent(
          `credit note ${note.number} with its tax (${totalMinor}, minor units) exceeds what is left to credit on invoice ${credited.number} (${left})`,
        );
      }
      const credits = await creditedMinorOf(db, ctx.orgId, [credited.id]);
      const settlement =
        terms?.settlement ?? defaultSettlement({ ...credited, lines: [] }, credits.get(credited.id) ?? 0, totalMinor);
      const entry = creditNoteIssuedEntry({
        number: note.number!,
        invoiceNumber: credited.number!,
        currency: note.currency,
        netMinor: note.subtotalMinor,
        taxMinor,
        roundingMinor,
        toCustomerCredit: settlement === 'customer_credit',
      });
      if (!entry.ok) return entry;
      const now = ctx.deps.clock.now().toISOString();
      return ok({
        output: { taxMinor, totalMinor, settlement },
        effects: [
          ...finalizeInvoiceStatements(
            db,
            ctx.orgId,
            note.id,
            lines.map((line, i) => ({ lineId: line.id, taxMinor: lineTaxes[i]! })),
            { taxMinor, totalMinor, status: committed.next, roundingMinor },
          ),
          ...(terms?.settlement
            ? []
            : settlementStatements(db, ctx.orgId, { id: note.id, creditedInvoiceId: credited.id }, settlement, now)),
          // With its tax known, the note still fits in what is left of the invoice.
          creditLimitGuard(db, ctx.orgId, note.id, credited.id),
          ...(await ledgerStatements(
            db,
            ctx.orgId,
            { type: 'credit_note', id: note.id },
            entry.value,
            now,
            note.issueDate,
          )),
        ],
        // Journals mode: the entry booked here goes to the ERP as a journal (flows/post-journal-to-erp.ts).
        enqueue: await journalJobsFor(ctx, [{ source: { type: 'credit_note', id: note.id }, kind: entry.value.kind }]),
      });
    },
  })
  .step(erpCustomerStep<CreditNoteInput>((input) => input.creditNoteId))
  .step(erpItemsStep<CreditNoteInput, { createErpCustomer: { externalId: string } }>((input) => input.creditNoteId))
  .step({
    name: 'createCreditMemo',
    storedAs: 'erp-credit-memo',
    external: true,
    run: async (ctx): StepOutcome<{ externalId: string } | { skipped: string }> => {
      const loaded = await loadNumberedInvoice(ctx.deps.db, ctx.orgId, ctx.input.creditNoteId);
      if (!loaded.ok) return loaded;
      const { invoice: note, lines } = loaded.value;
      // Journals mode: the note's ledger entry carries it to the ERP instead of a credit memo.
      const journals = journalsModeStop(ctx.adapters, `credit note ${note.number}`);
      if (journals) return ok({ output: { skipped: journals } });
      const credited = await getInvoiceWithLines(ctx.deps.db, ctx.orgId, note.creditedInvoiceId ?? '');
      if (!credited?.invoice.number) return permanent(`credit note ${note.id}: its invoice has no number`);
      const { erp } = ctx.adapters;
      const items = ctx.outputs.createErpItems;
      const currency = note.currency;
      const ensured = await ensureExternal(ctx, {
        system: erp.vendor,
        objectType: 'credit_memo',
        localId: note.id,
        lookup: () => erp.findCreditMemo(note.number),
        write: (idempotencyKey) =>
          erp.createCreditMemo(
            {
              creditNoteNumber: note.number,
              invoiceNumber: credited.invoice.number!,
              customerExternalId: ctx.outputs.createErpCustomer.externalId,
              currency,
              issueDate: note.issueDate,
              lines: [
                ...lines.map((line) => ({
                  itemExternalId: items[line.productId]!,
                  description: line.description,
                  quantity: line.quantity,
                  unitPrice: line.unitAmount,
                  amount: minorToMajor(line.amountMinor, currency),
                })),
                // The invoice's rounding difference given back, as the invoice posted it (post-invoice-to-erp.ts).
                ...(note.roundingMinor !== 0
                  ? [
                      {
                        itemExternalId: items[ROUNDING_ITEM]!,
                        description: 'Rounding difference',
                        quantity: '1',
                        unitPrice: minorToMajor(note.roundingMinor, currency),
                        amount: minorToMajor(note.roundingMinor, currency),
                      },
                    ]
                  : []),
              ],
              totalTax: minorToMajor(note.taxMinor, currency),
              total: minorToMajor(note.totalMinor, currency),
            },
            { idempotencyKey },
          ),
      });
      if (!ensured.ok) return ensured;
      return ok({ output: { externalId: ensured.value.externalId }, refs: [ensured.value.ref] });
    },
  })
  .step({
    name: 'settleCreditNote',
    storedAs: 'settle',
    // The refund is a vendor write (the crash hook fires after it); the other two are local.
    external: true,
    run: async (ctx): StepOutcome<SettleOutput> => {
      const loaded = await loadCreditNote(ctx, ctx.input.creditNoteId);
      if (!loaded.ok) return loaded;
      const { note, credited, terms } = loaded.value;
      const { settlement } = ctx.outputs.finalizeCreditNote;
      const { db } = ctx.deps;
      const now = ctx.deps.clock.now().toISOString();
      const settled = transition(note.status, 'pay', 'credit_note');
      if (!settled.ok) return permanent(settled.detail);
      const effects = [invoiceStatusStatement(db, ctx.orgId, note.id, note.status, settled.next)];
      const refunds: SettleOutput['refunds'] = [];
      let split: { refundMinor: number; customerCreditMinor: number } | null = null;
      const followUps: NewJob[] = [];
      let invoiceStatus = credited.status;

      if (settlement === 'reduce_due') {
        // This note is issued now, so what is due already counts it.
        const credits = await creditedMinorOf(db, ctx.orgId, [credited.id]);
        const due = amountDueMinor({ ...credited, creditedMinor: credits.get(credited.id) ?? 0 });
        if (due === 0 && credited.status !== 'paid') {
          const paid = transition(credited.status, 'pay');
          if (paid.ok) {
            // Nothing is due any more: an attempt still open at the provider must never be paid.
            const open = await findExternalId(
              db,
              ctx.orgId,
              ctx.adapters.payment.vendor,
              'payment_intent',
              credited.id,
            );
            if (open) {
              const cancelled = await ctx.adapters.payment.cancelPayment(open, {
                idempotencyKey: await ctx.key('payment_cancel', credited.id),
              });
              if (!cancelled.ok) return cancelled;
            }
            effects.push(invoiceStatusStatement(db, ctx.orgId, credited.id, credited.status, paid.next));
            invoiceStatus = paid.next;
          }
        }
      } else if (settlement === 'customer_credit') {
        effects.push(
          ...(await customerCreditGrantStatements(db, ctx.orgId, note.id, {
            customerId: note.customerId,
            currency: note.currency,
            amountMinor: note.totalMinor,
            now,
          })),
        );
      } else {
        // The provider refunds only multiples of its step (Stripe: 10 fils for KWD, 100 for HUF):
        // the largest multiple is refunded, the rest becomes customer credit (src/domain/payable.ts).
        split = splitRefundToStep(note.totalMinor, ctx.adapters.payment.amountStep?.(note.currency) ?? 1);
        const refunded =
          split.refundMinor === 0
            ? ok([])
            : await refundNote(ctx, {
                note: { ...note, totalMinor: split.refundMinor },
                invoiceId: credited.id,
                reason: terms?.reason === 'duplicate' ? 'duplicate' : 'requested_by_customer',
              });
        if (!refunded.ok) return refunded;
        refunds.push(...refunded.value);
        const entry = refundIssuedEntry({
          creditNoteNumber: note.number!,
          currency: note.currency,
          amountMinor: split.refundMinor,
          keptAsCreditMinor: split.customerCreditMinor,
        });
        if (!entry.ok) return entry;
        effects.push(
          ...(await ledgerStatements(db, ctx.orgId, { type: 'credit_note', id: note.id }, entry.value, now, now)),
          ...(split.customerCreditMinor > 0
            ? await customerCreditGrantStatements(db, ctx.orgId, note.id, {
                customerId: note.customerId,
                currency: note.currency,
                amountMinor: split.customerCreditMinor,
                now,
              })
            : []),
        );
        // The ERP learns of the refund: as a refund document (documents mode) or as its journal.
        const journals = await journalJobsFor(ctx, [
          { source: { type: 'credit_note', id: note.id }, kind: entry.value.kind },
        ]);
        // Documents mode: the cash refunded (the part kept as credit stays on the credit memo).
        followUps.push(
          ...(journals.length > 0
            ? journals
            : split.refundMinor > 0
              ? [
                  postRefundJob({
                    orgId: ctx.orgId,
                    creditNoteId: note.id,
                    correlationId: ctx.correlationId,
                    erpVendor: ctx.adapters.erp.vendor,
                    amountMinor: split.refundMinor,
                  }),
                ]
              : []),
        );
      }
      const refs = refunds.map((r, i) => ({
        system: ctx.adapters.payment.vendor,
        objectType: 'refund',
        // The first (usually only) refund under the note's own id, so the trace lists it with the note.
        localId: i === 0 ? note.id : `${note.id}:${r.paymentId}`,
        externalId: r.externalId,
      }));
      return ok({
        output: { settlement, invoiceStatus, refunds, ...(split ?? {}) },
        effects,
        refs,
        // The deal's CRM learns what is now paid and outstanding (once per note).
        enqueue: [
          ...followUps,
          ...(await crmWriteBackJobFor(db, ctx.orgId, {
            id: note.id,
            contractId: note.contractId,
            status: settled.next,
            amountPaidMinor: 0,
          })),
        ],
      });
    },
  })
  .build();

/**
 * Pays the note back against the invoice's settled payments, oldest first (each refund at most
 * its payment). Each refund has its own idempotency key, and after an unknown outcome it is
 * looked up by our credit note id first, so a crash after the provider refunded never refunds twice.
 */
async function refundNote(
  ctx: StepContext<CreditNoteInput>,
  args: {
    note: { id: string; totalMinor: number; currency: string };
    invoiceId: string;
    reason: 'duplicate' | 'requested_by_customer';
  },
): Promise<Outcome<SettleOutput['refunds']>> {
  const { payment } = ctx.adapters;
  const paid = (await listPaymentsForInvoices(ctx.deps.db, ctx.orgId, [args.invoiceId]))
    .filter((p) => p.status === 'succeeded' && p.currency === args.note.currency)
    .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id.localeCompare(b.id));
  const step = payment.amountStep?.(args.note.currency) ?? 1;
  let left = args.note.totalMinor;
  const out: SettleOutput['refunds'] = [];
  for (const p of paid) {
    if (left === 0) break;
    // Each refund on the provider's step, as the charge was.
    const amountMinor = Math.floor(Math.min(left, p.amountMinor) / step) * step;
    if (amountMinor === 0) continue;
    if (ctx.unknownOutcome) {
      const found = await payment.findRefund(p.externalId, args.note.id);
      if (!found.ok) return found;
      if (found.value) {
        out.push({ paymentId: p.id, externalId: found.value.externalId, amountMinor, status: found.value.status });
        left -= found.value.amountMinor;
        continue;
      }
    }
    const refunded = await payment.refundPayment(
      {
        paymentExternalId: p.externalId,
        amountMinor,
        currency: args.note.currency,
        creditNoteId: args.note.id,
        reason: args.reason,
      },
      { idempotencyKey: await ctx.key('refund', `${args.note.id}:${p.id}`) },
    );
    if (!refunded.ok) return refunded;
    if (refunded.value.status === 'failed' || refunded.value.status === 'canceled') {
      return permanent(`the refund of payment ${p.externalId} ${refunded.value.status}; a person has to look at it`);
    }
    out.push({ paymentId: p.id, externalId: refunded.value.externalId, amountMinor, status: refunded.value.status });
    left -= amountMinor;
  }
  if (left > 0) {
    return permanent(
      `credit note ${args.note.id}: ${left} (minor units) is more than the invoice's payments can refund`,
    );
  }
  return ok(out);
}
