/**
 * A verified dispute webhook (Stripe charge.dispute.created / .updated / .closed) → the dispute on
 * its invoice and the ledger: opened moves the amount from cash to disputed_funds; won moves it
 * back; lost books it as bad debt (src/domain/ledger.ts disputeEntry). One job per event (its
 * dedupe key is the event id) and one journal entry per (dispute, stage), so a repeated or
 * reordered event books nothing twice: a `closed` that comes before `created` books both stages.
 * A decided dispute stays decided (a late `updated` only refreshes nothing but the reason).
 * An event before the payment attempt exists is parked (flows/parked-webhooks.ts); one whose
 * payment is not recorded yet (record-payment still queued) retries until it is.
 */

import { naturalId } from '../src/db/ids.js';
import { disputeByExternalId, disputeUpsert, recordedPayment } from '../src/db/repos/disputes.js';
import { ledgerStatements } from '../src/db/repos/ledger.js';
import { disputeEntry } from '../src/domain/ledger.js';
import { ok, retryable } from '../src/domain/outcome.js';
import type { PaymentVendor } from '../src/domain/vendors.js';
import { defineFlow } from './define.js';
import { flowJob } from './jobs.js';
import { loadNumberedInvoice } from './load.js';
import type { Flow } from './types.js';

export interface RecordDisputeInput {
  provider: PaymentVendor;
  eventId: string;
  paymentExternalId: string;
  invoiceId: string;
  disputeExternalId: string;
  status: string;
  outcome: 'won' | 'lost' | null;
  reason: string | null;
  amountMinor: number;
  currency: string;
  occurredAt: string;
}

export const RECORD_DISPUTE = 'record-dispute';

export function recordDisputeJob(args: { orgId: string; input: RecordDisputeInput; correlationId: string }) {
  return flowJob({
    orgId: args.orgId,
    flow: RECORD_DISPUTE,
    subjectId: `${args.input.provider}:${args.input.eventId}`,
    input: args.input,
    correlationId: args.correlationId,
    connectionKey: args.input.provider,
  });
}

export const recordDispute: Flow<RecordDisputeInput> = defineFlow<RecordDisputeInput>(
  RECORD_DISPUTE,
  ({ adapters }) => adapters.payment.vendor,
)
  .step({
    name: 'record',
    storedAs: 'record',
    external: false,
    run: async (ctx) => {
      const { db, clock } = ctx.deps;
      const input = ctx.input;
      const payment = await recordedPayment(db, ctx.orgId, input.provider, input.paymentExternalId);
      if (!payment) return retryable(`payment ${input.paymentExternalId} is not recorded yet`, 60_000);
      const loaded = await loadNumberedInvoice(db, ctx.orgId, payment.invoiceId);
      if (!loaded.ok) return loaded;
      const { invoice } = loaded.value;
      const now = clock.now().toISOString();
      const existing = await disputeByExternalId(db, ctx.orgId, input.provider, input.disputeExternalId);
      // Decided stays decided: a late or replayed non-final event never reopens it.
      const decided = existing?.outcome ?? null;
      const outcome = decided ?? input.outcome;
      const status = decided ? existing!.status : input.status;
      const id = existing?.id ?? (await naturalId('dsp', ctx.orgId, input.provider, input.disputeExternalId));
      const facts = {
        externalId: input.disputeExternalId,
        invoiceNumber: invoice.number!,
        amountMinor: input.amountMinor,
        currency: input.currency,
      };
      const stages: ('opened' | 'won' | 'lost')[] = ['opened', ...(outcome ? [outcome] : [])];
      const ledger = [];
      for (const stage of stages) {
        const entry = disputeEntry(stage, facts);
        if (!entry.ok) return entry;
        ledger.push(
          ...(await ledgerStatements(db, ctx.orgId, { type: 'dispute', id }, entry.value, now, input.occurredAt)),
        );
      }
      return ok({
        output: { disputeId: id, status, outcome },
        effects: [
          disputeUpsert(db, ctx.orgId, {
            id,
            invoiceId: invoice.id,
            paymentId: payment.id,
            provider: input.provider,
            externalId: input.disputeExternalId,
            status,
            outcome,
            reason: input.reason ?? existing?.reason ?? null,
            amountMinor: input.amountMinor,
            currency: input.currency,
            openedAt: existing?.openedAt ?? input.occurredAt,
            closedAt: existing?.closedAt ?? (outcome ? input.occurredAt : null),
            createdAt: existing?.createdAt ?? now,
            updatedAt: now,
          }),
          ...ledger,
        ],
      });
    },
  })
  .build();
