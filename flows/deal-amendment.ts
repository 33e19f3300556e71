/**
 * A deal edited after its contract exists (line added or removed, quantity or price changed,
 * dates moved) → one amendment: a new contract version effective on the change date, with the
 * credit note and prorated charge the pricing engine computes. The amendment goes through the
 * same code as POST /api/v1/contracts/{id}/amendments (src/db/repos/amendments.ts): its credit
 * note is issued downstream at once (flows/issue-credit-note.ts, settled with defaultSettlement),
 * its prorated charge is a draft as the API's is. An unchanged deal writes nothing ({changed: false}).
 *
 * One job per (system, deal, last-modified value of the trigger): a redelivered notification
 * finds its job; a new edit is a new job. The amendment itself is keyed by (effective date,
 * terms), so a rerun finds the version it wrote.
 */
import { prepareAmendment, storedTerms } from '../src/db/repos/amendments.js';
import { contractChain, contractVersionId } from '../src/db/repos/contracts.js';
import { diffTerms, isEmptyDiff, type TermsDiff } from '../src/domain/contracts/diff.js';
import { termsFromDraft } from '../src/domain/contracts/from-draft.js';
import { ok, permanent } from '../src/domain/outcome.js';
import { fetchDealStep, mapDealStep } from './deal-steps.js';
import { defineFlow } from './define.js';
import { issueCreditNoteJob } from './issue-credit-note.js';
import { dealCorrelationId, flowJob } from './jobs.js';
import type { CrmSystem, Flow, StepOutcome } from './types.js';

export const DEAL_AMENDMENT = 'deal-amendment';

export interface DealAmendmentInput {
  system: CrmSystem;
  dealId: string;
  /** What the trigger said about the deal's last change (dedupe only; the date comes from the fetched deal). */
  changeKey: string;
}

export type DealAmendmentOutput =
  | { changed: false; contractId: string; reason?: string }
  | {
      changed: true;
      contractId: string;
      version: number;
      effectiveDate: string;
      diff: TermsDiff;
      invoiceIds: string[];
      /** True when the version already existed (the same amendment was applied before). */
      existing: boolean;
    };

/** The amendment check of one deal change, keyed by (system, deal, change key). */
export function dealAmendmentJob(orgId: string, system: CrmSystem, dealId: string, changeKey: string) {
  return flowJob({
    orgId,
    flow: DEAL_AMENDMENT,
    subjectId: `${system}:${dealId}:${changeKey}`,
    input: { system, dealId, changeKey } satisfies DealAmendmentInput,
    correlationId: dealCorrelationId(system, dealId),
    connectionKey: system,
  });
}

/** The UTC day of an ISO timestamp (or of a date). */
const utcDay = (iso: string) => new Date(iso).toISOString().slice(0, 10);

export const dealAmendment: Flow<DealAmendmentInput> = defineFlow<DealAmendmentInput>(
  DEAL_AMENDMENT,
  ({ input }) => input.system,
)
  .step(fetchDealStep())
  .step(mapDealStep('skip'))
  .step({
    name: 'amendContract',
    storedAs: 'amend',
    external: false,
    run: async (ctx): StepOutcome<DealAmendmentOutput> => {
      const { db, clock } = ctx.deps;
      const { orgId } = ctx;
      const { system, dealId } = ctx.input;
      const chain = await contractChain(db, orgId, await contractVersionId(orgId, system, dealId, 1));
      const latest = chain[0];
      if (!latest) return permanent(`${system} deal ${dealId} has no contract yet; deal-to-contract creates it`);
      const bundle = ctx.outputs.fetchDeal;
      const mapped = ctx.outputs.mapDeal;
      if (!mapped) {
        const output: DealAmendmentOutput = {
          changed: false,
          contractId: latest.id,
          reason: 'deal is not closed-won',
        };
        return ok({ output });
      }
      const previous = storedTerms(latest);
      if (!previous) return permanent(`contract ${latest.id} has no terms (made before terms existed)`);
      const next = termsFromDraft(mapped.draft);
      const diff = diffTerms(previous, next);
      if (isEmptyDiff(diff)) {
        const output: DealAmendmentOutput = { changed: false, contractId: latest.id };
        return ok({ output });
      }
      // Effective on the change date, never before the newest version's own effective date.
      const changedOn = utcDay(bundle.deal.lastModified);
      const effectiveDate = latest.effectiveDate && changedOn < latest.effectiveDate ? latest.effectiveDate : changedOn;
      const prepared = await prepareAmendment(db, orgId, {
        chain,
        next,
        effectiveDate,
        mappingVersion: mapped.mappingVersion,
        now: clock.now().toISOString(),
      });
      if (prepared.kind === 'conflict') return permanent(prepared.detail);
      if (prepared.kind === 'invalid') {
        const detail = prepared.issues.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
        return permanent(`the amendment of contract ${latest.id} cannot be made: ${detail}`);
      }
      const row = prepared.kind === 'replay' ? prepared.latest : prepared.row;
      const output: DealAmendmentOutput = {
        changed: true,
        contractId: row.id,
        version: row.version,
        effectiveDate,
        diff,
        invoiceIds: prepared.invoiceIds,
        existing: prepared.kind === 'replay',
      };
      // A lost race (another writer of version n+1) fails the commit; the retry finds the version.
      // The credit note goes downstream (tax return, ledger, QuickBooks, settlement) with the amendment;
      // the prorated charge is a draft that finalizes as any draft does.
      const issue = prepared.creditNoteIds.map((creditNoteId) =>
        issueCreditNoteJob({
          orgId,
          creditNoteId,
          correlationId: ctx.correlationId,
          taxVendor: ctx.adapters.tax.vendor,
        }),
      );
      return ok({ output, effects: prepared.kind === 'write' ? prepared.statements : [], enqueue: issue });
    },
  })
  .build();
