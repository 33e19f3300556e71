/**
 * Finalized invoice → customer credit spent → payment-processor customer → payment of what is
 * still due (settles through the webhook).
 *
 * What is due is the total less payments, credit notes that reduce it, and the customer credit
 * this collection spends (src/db/repos/customer-credit.ts): fixed by the first step and kept in
 * its output, so a retried payment asks the provider for the same amount under the same key.
 * Nothing left to collect → the invoice is paid without a provider call.
 */

import { creditNotesBeingIssued } from '../src/db/repos/credit-notes.js';
import { customerCreditBalance, customerCreditDrawStatements } from '../src/db/repos/customer-credit.js';
import { invoiceStatusStatement } from '../src/db/repos/invoice-writes.js';
import { creditedMinorOf } from '../src/db/repos/invoices-read.js';
import { findJobByDedupeKey } from '../src/db/repos/jobs.js';
import { ledgerStatements } from '../src/db/repos/ledger.js';
import { parkedOnPayment } from '../src/db/repos/parked-webhooks.js';
import { amountDueMinor, transition } from '../src/domain/invoice-lifecycle.js';
import { customerCreditAppliedEntry } from '../src/domain/ledger.js';
import type { RoundingPolicy } from '../src/domain/money.js';
import { ok, waitingOn } from '../src/domain/outcome.js';
import { creditWithinStep } from '../src/domain/payable.js';
import type { NewJob } from '../src/jobs/types.js';
import { crmWriteBackJobFor } from './crm-write-back.js';
import { defineFlow } from './define.js';
import { ensureExternal } from './external.js';
import type { InvoiceInput } from './finalize-invoice.js';
import { ISSUE_CREDIT_NOTE } from './issue-credit-note.js';
import { loadNumberedInvoice, numberedInvoiceFor } from './load.js';
import { applyParkedStatements } from './parked-webhooks.js';
import { journalJobsFor } from './post-journal-to-erp.js';
import type { Flow, StepOutcome } from './types.js';
import { cancelPaymentAttempt } from './undo.js';
import { stopWhenVoided } from './void-gate.js';

export const COLLECT_PAYMENT = 'collect-payment';

type Collected = { externalId: string | null; via: string };

export const collectPayment: Flow<InvoiceInput> = defineFlow<InvoiceInput>(
  COLLECT_PAYMENT,
  ({ adapters }) => adapters.payment.vendor,
)
  // A voided invoice goes no further (flows/void-gate.ts).
  .gate(stopWhenVoided)
  .step({
    name: 'applyCustomerCredit',
    storedAs: 'customer-credit',
    external: false,
    run: async (ctx): StepOutcome<{ appliedMinor: number; toCollectMinor: number }> => {
      const loaded = await loadNumberedInvoice(ctx.deps.db, ctx.orgId, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice } = loaded.value;
      const { db } = ctx.deps;
      // A credit note of this customer still being issued (an amendment's, above all) lowers what
      // is due or adds credit: collect after it, so the customer is charged what is left, whatever
      // order the jobs run in.
      for (const noteId of await creditNotesBeingIssued(db, ctx.orgId, invoice.customerId, invoice.currency)) {
        const issuing = await findJobByDedupeKey(db, ctx.orgId, `${ISSUE_CREDIT_NOTE}:${noteId}`);
        if (issuing && (issuing.state === 'queued' || issuing.state === 'running')) {
          return waitingOn(
            `credit note ${noteId} of this customer is being issued; collecting after it`,
            issuing.id,
            60_000,
          );
        }
      }
      const credited = await creditedMinorOf(db, ctx.orgId, [invoice.id]);
      const due = amountDueMinor({ ...invoice, creditedMinor: credited.get(invoice.id) ?? 0 });
      const balance = due === 0 ? 0 : await customerCreditBalance(db, ctx.orgId, invoice.customerId, invoice.currency);
      // With the provider's amount rule on (rounding.providerAmounts), what is left to charge after
      // the credit must still be a multiple the provider accepts; the unapplied rest stays credit.
      const policy = JSON.parse(invoice.rounding) as RoundingPolicy;
      const step =
        policy.providerAmounts === 'round_to_provider' ? (ctx.adapters.payment.amountStep?.(invoice.currency) ?? 1) : 1;
      const appliedMinor = creditWithinStep(due, balance, step);
      const toCollectMinor = due - appliedMinor;
      const output = { appliedMinor, toCollectMinor };
      const now = ctx.deps.clock.now().toISOString();
      const effects = [];
      const journals: NewJob[] = [];
      if (appliedMinor > 0) {
        const entry = customerCreditAppliedEntry({
          invoiceNumber: invoice.number,
          currency: invoice.currency,
          amountMinor: appliedMinor,
        });
        if (!entry.ok) return entry;
        effects.push(
          // The draw's guard fails the unit if another invoice spent the balance meanwhile (the runner retries).
          ...(await customerCreditDrawStatements(db, ctx.orgId, invoice.id, {
            customerId: invoice.customerId,
            currency: invoice.currency,
            amountMinor: appliedMinor,
            now,
          })),
          ...(await ledgerStatements(db, ctx.orgId, { type: 'invoice', id: invoice.id }, entry.value, now, now)),
        );
        // Journals mode: the entry goes to the ERP as a journal (flows/post-journal-to-erp.ts).
        journals.push(
          ...(await journalJobsFor(ctx, [{ source: { type: 'invoice', id: invoice.id }, kind: entry.value.kind }])),
        );
      }
      // Nothing left to collect (credit notes or customer credit cover it): paid, no provider call.
      const settled = toCollectMinor === 0 && invoice.status !== 'paid' ? transition(invoice.status, 'pay') : null;
      if (!settled?.ok) return ok({ output, effects, enqueue: journals });
      return ok({
        output,
        effects: [...effects, invoiceStatusStatement(db, ctx.orgId, invoice.id, invoice.status, settled.next)],
        enqueue: [...journals, ...(await crmWriteBackJobFor(db, ctx.orgId, { ...invoice, status: settled.next }))],
      });
    },
  })
  .step({
    name: 'createPaymentCustomer',
    storedAs: 'payment-customer',
    external: true,
    run: async (ctx): StepOutcome<Collected> => {
      if (ctx.outputs.applyCustomerCredit.toCollectMinor === 0) {
        return ok({ output: { externalId: null, via: 'nothing to collect' } });
      }
      const loaded = await numberedInvoiceFor(ctx, ctx.input.invoiceId);
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
    compensate: (ctx, output: Collected) =>
      output.externalId === null
        ? Promise.resolve(ok({ output: { status: 'nothing to cancel' } }))
        : cancelPaymentAttempt(ctx, { externalId: output.externalId }),
    run: async (ctx): StepOutcome<Collected> => {
      const { toCollectMinor } = ctx.outputs.applyCustomerCredit;
      const customer = ctx.outputs.createPaymentCustomer;
      if (toCollectMinor === 0 || customer.externalId === null) {
        return ok({ output: { externalId: null, via: 'nothing to collect' } });
      }
      const customerExternalId = customer.externalId;
      const loaded = await numberedInvoiceFor(ctx, ctx.input.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice } = loaded.value;
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
              customerExternalId,
              amountMinor: toCollectMinor,
              currency: invoice.currency,
              description: `Invoice ${invoice.number}`,
            },
            { idempotencyKey },
          ),
      });
      if (!ensured.ok) return ensured;
      // The provider's webhook may have come first and been parked (flows/parked-webhooks.ts):
      // applied in this step's commit, beside the attempt's ref.
      const parked = await parkedOnPayment(ctx.deps.db, ctx.orgId, payment.vendor, ensured.value.externalId);
      const applied =
        parked.length === 0
          ? { jobs: [], statements: [] }
          : await applyParkedStatements(
              ctx.deps.db,
              ctx.orgId,
              payment.vendor,
              parked,
              invoice.id,
              ctx.deps.clock.now().toISOString(),
            );
      return ok({
        output: { externalId: ensured.value.externalId, via: ensured.value.via },
        refs: [ensured.value.ref],
        effects: applied.statements,
        enqueue: applied.jobs,
      });
    },
  })
  .build();
