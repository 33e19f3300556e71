/**
 * A verified payment webhook → fee lookup → payment row, invoice paid, ledger entry → ERP and
 * the CRM write-back.
 * The payment id is derived from the processor's id, so a replayed event changes nothing.
 */
import { naturalId } from '../src/db/ids.js';
import { overpaymentCreditStatements } from '../src/db/repos/customer-credit.js';
import { dunningSettingsOf } from '../src/db/repos/dunning.js';
import { invoicePaidStatement, paymentInsert } from '../src/db/repos/invoice-writes.js';
import { creditedMinorOf } from '../src/db/repos/invoices-read.js';
import { ledgerStatements } from '../src/db/repos/ledger.js';
import { transition } from '../src/domain/invoice-lifecycle.js';
import { paymentReceivedEntry } from '../src/domain/ledger.js';
import { ok, permanent } from '../src/domain/outcome.js';
import type { PaymentVendor } from '../src/domain/vendors.js';
import { announce } from './announce.js';
import { crmWriteBackJobFor } from './crm-write-back.js';
import { defineFlow } from './define.js';
import { dunningJob } from './dunning.js';
import { flowJob } from './jobs.js';
import { loadNumberedInvoice } from './load.js';
import { journalJobsFor } from './post-journal-to-erp.js';
import type { Flow } from './types.js';

export interface RecordPaymentInput {
  provider: PaymentVendor;
  paymentExternalId: string;
  invoiceId: string;
  status: 'succeeded' | 'failed';
  amountMinor: number;
  currency: string;
  occurredAt: string;
}

export const RECORD_PAYMENT = 'record-payment';

/** The record-payment job for a settled payment; its dedupe key is the webhook's (provider, id, outcome). */
export function recordPaymentJob(args: { orgId: string; input: RecordPaymentInput; correlationId: string }) {
  const { input } = args;
  return flowJob({
    orgId: args.orgId,
    flow: RECORD_PAYMENT,
    subjectId: `${input.provider}:${input.paymentExternalId}:payment.${input.status}`,
    input,
    correlationId: args.correlationId,
    connectionKey: input.provider,
  });
}

export const recordPayment: Flow<RecordPaymentInput> = defineFlow<RecordPaymentInput>(
  RECORD_PAYMENT,
  ({ adapters }) => adapters.payment.vendor,
)
  .step({
    name: 'fetchPaymentFee',
    storedAs: 'fee',
    external: false,
    run: async (ctx) => {
      if (ctx.input.status !== 'succeeded') return ok({ output: { feeMinor: 0 } });
      const fee = await ctx.adapters.payment.getPaymentFee(ctx.input.paymentExternalId);
      return fee.ok ? ok({ output: { feeMinor: fee.value } }) : fee;
    },
  })
  .step({
    name: 'recordPayment',
    storedAs: 'record',
    external: false,
    run: async (ctx) => {
      const loaded = await loadNumberedInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice } = loaded.value;
      const { input } = ctx;
      if (input.currency !== invoice.currency) {
        return permanent(
          `payment ${input.paymentExternalId} is in ${input.currency}, invoice ${invoice.number} in ${invoice.currency}`,
        );
      }
      const { feeMinor } = ctx.outputs.fetchPaymentFee;
      const { db } = ctx.deps;
      const now = ctx.deps.clock.now().toISOString();
      const paymentId = await naturalId('pay', ctx.orgId, input.provider, input.paymentExternalId);
      const paymentRow = paymentInsert(db, ctx.orgId, {
        id: paymentId,
        invoiceId: invoice.id,
        provider: input.provider,
        externalId: input.paymentExternalId,
        status: input.status,
        amountMinor: input.amountMinor,
        feeMinor,
        currency: input.currency,
        receivedAt: input.occurredAt,
        createdAt: now,
      });
      if (input.status === 'failed') {
        // An automatic collection failed: dunning starts (its first retry on the org's first
        // retry day after the due date). A failed retry's own webhook lands here too, and finds
        // the first retry's job already there (one job per invoice and attempt, ever).
        const open = invoice.status === 'finalized' || invoice.status === 'partially_paid';
        const settings = open ? await dunningSettingsOf(db, ctx.orgId) : undefined;
        return ok({
          output: { paymentId, status: 'failed' },
          effects: [paymentRow],
          enqueue: settings
            ? [
                dunningJob(
                  {
                    orgId: ctx.orgId,
                    invoiceId: invoice.id,
                    dueDate: invoice.dueDate,
                    attempt: 0,
                    correlationId: ctx.correlationId,
                    connectionKey: ctx.adapters.payment.vendor,
                  },
                  settings,
                ),
              ]
            : [],
        });
      }

      // What is owed in payments: the total less credit notes that reduce it and customer credit spent on it.
      const credited = (await creditedMinorOf(db, ctx.orgId, [invoice.id])).get(invoice.id) ?? 0;
      const owed = Math.max(0, invoice.totalMinor - credited);
      // More than what is still due (a credit note lowered it while the attempt was open, or settled
      // it): the excess becomes the customer's credit, with its ledger line, not an error.
      const stillDue = invoice.status === 'paid' ? 0 : Math.max(0, owed - invoice.amountPaidMinor);
      const overpaidMinor = Math.max(0, input.amountMinor - stillDue);
      const entry = paymentReceivedEntry({
        invoiceNumber: invoice.number,
        currency: input.currency,
        amountMinor: input.amountMinor,
        feeMinor,
        overpaidMinor,
      });
      if (!entry.ok) return entry;
      const paid = Math.min(owed, invoice.amountPaidMinor + input.amountMinor);
      // What the lifecycle allows: settled in full → paid, else partially_paid (an overdue or
      // uncollectible invoice keeps its state while what is due goes down). Paid already: it stays so.
      const moved =
        invoice.status === 'paid'
          ? ({ ok: true, next: 'paid' } as const)
          : transition(invoice.status, paid >= owed ? 'pay' : 'pay_partial');
      if (!moved.ok) return permanent(`payment ${input.paymentExternalId}: ${moved.detail}`);
      const status = moved.next;
      const announced = await announce(
        db,
        ctx.orgId,
        {
          type: 'payment.succeeded',
          key: `payment.succeeded:${paymentId}`,
          at: now,
          data: {
            payment_id: paymentId,
            invoice_id: invoice.id,
            invoice_number: invoice.number,
            provider: input.provider,
            provider_payment_id: input.paymentExternalId,
            currency: input.currency,
            amount_minor: input.amountMinor,
            fee_minor: feeMinor,
            invoice_status: status,
            received_at: input.occurredAt,
          },
        },
        ctx.correlationId,
      );
      return ok({
        output: { paymentId, status: 'succeeded', ...(overpaidMinor > 0 ? { overpaidMinor } : {}) },
        effects: [
          paymentRow,
          ...(invoice.status === 'paid'
            ? []
            : [invoicePaidStatement(db, ctx.orgId, invoice.id, { amountPaidMinor: paid, status })]),
          ...(overpaidMinor > 0
            ? await overpaymentCreditStatements(db, ctx.orgId, paymentId, {
                customerId: invoice.customerId,
                currency: input.currency,
                amountMinor: overpaidMinor,
                now,
              })
            : []),
          ...(await ledgerStatements(
            db,
            ctx.orgId,
            { type: 'payment', id: paymentId },
            entry.value,
            now,
            input.occurredAt,
          )),
          ...announced.effects,
        ],
        enqueue: [
          ...announced.enqueue,
          flowJob({
            orgId: ctx.orgId,
            flow: 'post-payment-to-erp',
            subjectId: paymentId,
            input: { paymentId },
            correlationId: ctx.correlationId,
            connectionKey: ctx.adapters.erp.vendor,
          }),
          // Journals mode: the entry booked here goes to the ERP as a journal (flows/post-journal-to-erp.ts).
          ...(await journalJobsFor(ctx, [{ source: { type: 'payment', id: paymentId }, kind: entry.value.kind }])),
          // The deal's CRM learns what was paid (once per state: see crm-write-back.ts).
          ...(await crmWriteBackJobFor(db, ctx.orgId, { ...invoice, status, amountPaidMinor: paid })),
        ],
      });
    },
  })
  .build();
