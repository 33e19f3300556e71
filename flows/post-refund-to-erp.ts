/**
 * Documents mode: a refund the hub paid out for a credit note (flows/issue-credit-note.ts, settle
 * step) → one ERP refund (QuickBooks RefundReceipt) paying out the note's credit memo, from the
 * ERP account the hub's `cash` account maps to. Exactly once: one job per credit note, the
 * refund's reference derived from the note's number, looked up before any retry whose outcome is
 * unknown, the ERP id saved with the step. In journals mode it stops: the refund's ledger entry
 * carries it (flows/post-journal-to-erp.ts).
 */
import { findExternalId } from '../src/db/repos/external-refs.js';
import { erpAccountFor } from '../src/domain/books/erp-settings.js';
import { minorToMajor } from '../src/domain/money.js';
import { ok, permanent, retryable } from '../src/domain/outcome.js';
import type { NewJob } from '../src/jobs/types.js';
import { defineFlow } from './define.js';
import { missingMapping } from './erp-journal.js';
import { ensureExternal } from './external.js';
import { flowJob } from './jobs.js';
import { loadNumberedInvoice } from './load.js';
import { journalsModeStop } from './post-journal-to-erp.js';
import type { Flow } from './types.js';

export const POST_REFUND_TO_ERP = 'post-refund-to-erp';

export interface RefundInput {
  creditNoteId: string;
  /**
   * What was paid back in cash: less than the note's total when the provider refunds only on its
   * amount step and the rest was kept as customer credit (flows/issue-credit-note.ts). Jobs queued
   * before this field existed refund the whole note.
   */
  amountMinor?: number;
}

/** The hub account a refund leaves from; its ERP mapping is the refund's deposit account. */
export const REFUND_FROM_ACCOUNT = 'cash';

/** Our reference of a credit note's refund: the note's number with "-R" (doc-number.ts shortens a long one). */
export const erpRefundRef = (creditNoteNumber: string) => `${creditNoteNumber}-R`;

export function postRefundJob(args: {
  orgId: string;
  creditNoteId: string;
  correlationId: string;
  erpVendor: string;
  amountMinor: number;
}): NewJob {
  return flowJob({
    orgId: args.orgId,
    flow: POST_REFUND_TO_ERP,
    subjectId: args.creditNoteId,
    input: { creditNoteId: args.creditNoteId, amountMinor: args.amountMinor } satisfies RefundInput,
    correlationId: args.correlationId,
    connectionKey: args.erpVendor,
  });
}

export const postRefundToErp: Flow<RefundInput> = defineFlow<RefundInput>(
  POST_REFUND_TO_ERP,
  ({ adapters }) => adapters.erp.vendor,
)
  .gate(async ({ deps, orgId, input }) => {
    const adapters = await deps.adaptersFor(orgId);
    if (!adapters.ok) return adapters;
    return ok(journalsModeStop(adapters.value, `the refund of credit note ${input.creditNoteId}`));
  })
  .step({
    name: 'createErpRefund',
    storedAs: 'erp-refund',
    external: true,
    run: async (ctx) => {
      const { db } = ctx.deps;
      const { erp, settings } = ctx.adapters;
      if (!erp.createRefund || !erp.findRefund) return permanent(`the ${erp.vendor} adapter cannot record refunds`);
      const loaded = await loadNumberedInvoice(db, ctx.orgId, ctx.input.creditNoteId);
      if (!loaded.ok) return loaded;
      const { invoice: note, customer } = loaded.value;
      if (note.kind !== 'credit_note') return permanent(`${note.id} is not a credit note`);
      const customerExternalId = await findExternalId(db, ctx.orgId, erp.vendor, 'customer', customer.id);
      const memoExternalId = await findExternalId(db, ctx.orgId, erp.vendor, 'credit_memo', note.id);
      if (!customerExternalId || !memoExternalId) {
        return retryable(`waiting for credit note ${note.number} to reach ${erp.vendor} as a credit memo`, 30_000);
      }
      const depositAccountId = erpAccountFor(settings.erpPosting.accountMap, REFUND_FROM_ACCOUNT);
      if (!depositAccountId) return missingMapping([REFUND_FROM_ACCOUNT]);
      const refundRef = erpRefundRef(note.number);
      const create = erp.createRefund;
      const find = erp.findRefund;
      const ensured = await ensureExternal(ctx, {
        system: erp.vendor,
        objectType: 'refund',
        localId: note.id,
        lookup: () => find(refundRef),
        write: (idempotencyKey) =>
          create(
            {
              refundRef,
              customerExternalId,
              creditMemoExternalId: memoExternalId,
              amount: minorToMajor(ctx.input.amountMinor ?? note.totalMinor, note.currency),
              currency: note.currency,
              date: ctx.deps.clock.now().toISOString().slice(0, 10),
              depositAccountId,
            },
            { idempotencyKey },
          ),
      });
      if (!ensured.ok) return ensured;
      return ok({ output: { externalId: ensured.value.externalId }, refs: [ensured.value.ref] });
    },
  })
  .build();
