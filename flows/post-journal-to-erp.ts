/**
 * Journals mode (src/domain/books/erp-settings.ts): one hub ledger entry → one ERP journal entry,
 * exactly once. The job's subject is the entry id (one job per entry, ever); the write's
 * idempotency key and the ERP lookup key are derived from it; after an unknown outcome the
 * journal is looked up by our entry id before any retry (ensureExternal); the ERP's id is saved
 * as an external ref in the same commit as the step.
 *
 * A line on a hub account with no ERP mapping pauses the job with the codes named, until the
 * mapping is set (flows/erp-journal.ts). A job that finds the connection in documents mode fails
 * (the dead letter says why); POST /api/v1/erp/journals/sync replays it once journals are on.
 */

import { naturalId } from '../src/db/ids.js';
import { getCustomer } from '../src/db/repos/billing.js';
import {
  customerOfDocument,
  documentOfLedgerSource,
  JOURNAL_REF_TYPE,
  ledgerEntryWithLines,
} from '../src/db/repos/erp-journals.js';
import { ok, permanent } from '../src/domain/outcome.js';
import type { NewJob } from '../src/jobs/types.js';
import { defineFlow } from './define.js';
import { hasReceivableLine, toErpJournal } from './erp-journal.js';
import { ensureExternal } from './external.js';
import { flowJob } from './jobs.js';
import type { AdapterSet, Flow, StepContext } from './types.js';

export const POST_JOURNAL_TO_ERP = 'post-journal-to-erp';

export interface JournalInput {
  entryId: string;
}

/** The job that posts one ledger entry (the same key from the booking flow and from the period sync). */
export function postJournalJob(args: {
  orgId: string;
  entryId: string;
  correlationId: string;
  erpVendor: string;
}): NewJob {
  return flowJob({
    orgId: args.orgId,
    flow: POST_JOURNAL_TO_ERP,
    subjectId: args.entryId,
    input: { entryId: args.entryId } satisfies JournalInput,
    correlationId: args.correlationId,
    connectionKey: args.erpVendor,
  });
}

/**
 * The journal jobs of entries a step is booking now, in journals mode only (none in documents
 * mode). The entry id is the one ledgerStatements gives the entry (src/db/repos/ledger.ts), so
 * the job can be enqueued in the same commit as the entry.
 */
export async function journalJobsFor(
  ctx: Pick<StepContext<unknown>, 'orgId' | 'correlationId'> & { adapters: AdapterSet },
  bookings: readonly { source: { type: string; id: string }; kind: string }[],
): Promise<NewJob[]> {
  if (ctx.adapters.settings.erpPosting.mode !== 'journals') return [];
  return Promise.all(
    bookings.map(async (b) =>
      postJournalJob({
        orgId: ctx.orgId,
        entryId: await naturalId('jnl', ctx.orgId, b.source.type, b.source.id, b.kind),
        correlationId: ctx.correlationId,
        erpVendor: ctx.adapters.erp.vendor,
      }),
    ),
  );
}

/** Why the document flows stop in journals mode (their job's `stopped` step says so). */
export function journalsModeStop(adapters: AdapterSet, what: string): string | null {
  return adapters.settings.erpPosting.mode === 'journals'
    ? `the ${adapters.erp.vendor} connection is in journals mode: ${what} reaches the ERP as journal entries (${POST_JOURNAL_TO_ERP}), not as a document`
    : null;
}

type CustomerOutput = { customerExternalId: string | null };

export const postJournalToErp: Flow<JournalInput> = defineFlow<JournalInput>(
  POST_JOURNAL_TO_ERP,
  ({ adapters }) => adapters.erp.vendor,
)
  .step({
    name: 'ensureJournalCustomer',
    storedAs: 'erp-customer',
    external: true,
    run: async (ctx) => {
      const { db } = ctx.deps;
      const { erp, settings } = ctx.adapters;
      if (settings.erpPosting.mode !== 'journals') {
        return permanent(
          `ledger entry ${ctx.input.entryId} was not posted: the ${erp.vendor} connection is in documents mode (switch to journals with PUT /api/v1/erp/settings, then sync the period)`,
        );
      }
      if (!erp.postJournalEntry || !erp.findJournalEntry) {
        return permanent(`the ${erp.vendor} adapter cannot post journal entries`);
      }
      const entry = await ledgerEntryWithLines(db, ctx.orgId, ctx.input.entryId);
      if (!entry) return permanent(`ledger entry ${ctx.input.entryId} not found`);
      if (!hasReceivableLine(entry)) return ok({ output: { customerExternalId: null } as CustomerOutput });
      const document = await documentOfLedgerSource(db, ctx.orgId, entry);
      const customerId = document ? await customerOfDocument(db, ctx.orgId, document) : undefined;
      const customer = customerId ? await getCustomer(db, ctx.orgId, customerId) : undefined;
      if (!customer) return permanent(`ledger entry ${entry.id}: no customer for its receivable line`);
      // The same customer ref as documents mode's (flows/erp-steps.ts): one ERP customer either way.
      const ensured = await ensureExternal(ctx, {
        system: erp.vendor,
        objectType: 'customer',
        localId: customer.id,
        lookup: () => erp.findCustomer(customer.name),
        write: (idempotencyKey) =>
          erp.createCustomer(
            { localId: customer.id, displayName: customer.name, email: customer.email, currency: customer.currency },
            { idempotencyKey },
          ),
      });
      if (!ensured.ok) return ensured;
      return ok({
        output: { customerExternalId: ensured.value.externalId } as CustomerOutput,
        refs: [ensured.value.ref],
      });
    },
  })
  .step({
    name: 'postJournalEntry',
    storedAs: 'erp-journal',
    external: true,
    run: async (ctx) => {
      const { db } = ctx.deps;
      const { erp, settings } = ctx.adapters;
      const entry = await ledgerEntryWithLines(db, ctx.orgId, ctx.input.entryId);
      if (!entry) return permanent(`ledger entry ${ctx.input.entryId} not found`);
      const request = toErpJournal(
        entry,
        settings.erpPosting.accountMap,
        ctx.outputs.ensureJournalCustomer.customerExternalId,
      );
      if (!request.ok) return request;
      const post = erp.postJournalEntry!;
      const find = erp.findJournalEntry!;
      const ensured = await ensureExternal(ctx, {
        system: erp.vendor,
        objectType: JOURNAL_REF_TYPE,
        localId: entry.id,
        lookup: () => find(entry.id),
        write: (idempotencyKey) => post(request.value, { idempotencyKey }),
      });
      if (!ensured.ok) return ensured;
      return ok({
        output: { externalId: ensured.value.externalId, lines: request.value.lines.length },
        refs: [ensured.value.ref],
      });
    },
  })
  .build();
