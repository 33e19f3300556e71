/**
 * Closed-won deal → customer, contract (version 1) and its first invoice, written atomically,
 * then the invoice goes on to tax and finalization.
 */

import { applyMapping, defaultMappings, type MappingResult, toMappingSet } from '../mappings/index.js';
import type { Db } from '../src/db/client.js';
import { listContractsForDeal } from '../src/db/repos/billing.js';
import { dealContractStatements } from '../src/db/repos/deal-contracts.js';
import { getPublishedMapping } from '../src/db/repos/mappings.js';
import type { ContractDraft } from '../src/domain/contract.js';
import { termsFromDraft } from '../src/domain/contracts/from-draft.js';
import type { DealBundle } from '../src/domain/deal.js';
import { firstAdvanceInvoice } from '../src/domain/invoice.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import type { CrmVendor } from '../src/domain/vendors.js';
import { flowJob } from './jobs.js';
import type { Flow, Step, StepContext } from './types.js';

export interface DealToContractInput {
  system: CrmVendor;
  dealId: string;
}

export interface ContractCreated {
  customerId: string;
  contractId: string;
  invoiceId: string;
}

export const DEAL_TO_CONTRACT = 'deal-to-contract';

/**
 * A deal through the org's published mapping version, or the built-in default while none is
 * published; the result names the version, which the contract records. Also used by
 * flows/deal-amendment.ts, so a deal edited after close maps exactly as it did at close.
 */
export async function mapDeal(
  db: Db,
  orgId: string,
  system: DealToContractInput['system'],
  bundle: DealBundle,
): Promise<Outcome<MappingResult>> {
  const published = await getPublishedMapping(db, orgId, system);
  const set = published ? toMappingSet(published) : defaultMappings[system];
  return applyMapping(set, bundle);
}

/**
 * A renewal deal's link: the newest contract version of the deal it renews, or null when the
 * deal renews nothing, or the renewed deal never became a contract here (then the renewal is an
 * ordinary contract). The original's contract is left as it is: it bills on until an amendment
 * ends it; the link is there for the trace.
 */
export async function renewedContractId(
  db: Db,
  orgId: string,
  system: DealToContractInput['system'],
  bundle: DealBundle,
): Promise<string | null> {
  const original = bundle.deal.renewalOf;
  if (!original || original === bundle.deal.id) return null;
  const chain = await listContractsForDeal(db, orgId, system, original);
  return chain.at(-1)?.id ?? null;
}

async function createContractStatements(ctx: StepContext<DealToContractInput>, mapped: MappingResult) {
  const { db, clock } = ctx.deps;
  const { orgId } = ctx;
  const draft: ContractDraft = mapped.draft;
  const terms = termsFromDraft(draft);
  // The first in-advance period, computed by the billing engine as a billing run would (the
  // mapping step checked that the terms validate and that some line is billed in advance).
  const first = firstAdvanceInvoice(terms);
  if (!first.ok || first.invoice === null) {
    const detail = first.ok
      ? 'no line is billed in advance'
      : first.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return permanent(`the contract of deal ${ctx.input.dealId} has no first invoice: ${detail}`, { field: 'lines' });
  }
  const renewalOfContractId = await renewedContractId(
    db,
    orgId,
    ctx.input.system,
    ctx.outputs['fetch-deal'] as DealBundle,
  );
  const written = await dealContractStatements(db, orgId, {
    system: ctx.input.system,
    dealId: ctx.input.dealId,
    draft,
    terms,
    mappingVersion: mapped.mappingVersion,
    renewalOfContractId,
    firstInvoice: first.invoice,
    now: clock.now().toISOString(),
  });
  return ok(written);
}

/** Reads the deal through the org's adapter for its CRM; shared by every flow that starts from a deal. */
export function fetchDealStep<I extends { system: CrmVendor; dealId: string }>(): Step<I> {
  return {
    name: 'fetch-deal',
    external: false,
    run: async (ctx) => {
      const crm = ctx.adapters.crm[ctx.input.system];
      if (!crm) return permanent(`no ${ctx.input.system} connection for this org`);
      const deal = await crm.fetchDeal(ctx.input.dealId);
      return deal.ok ? ok({ output: deal.value }) : deal;
    },
  };
}

export const dealToContract: Flow<DealToContractInput> = {
  name: DEAL_TO_CONTRACT,
  connectionKey: 'salesforce',
  steps: [
    fetchDealStep(),
    {
      name: 'map',
      external: false,
      run: async (ctx) => {
        const bundle = ctx.outputs['fetch-deal'] as DealBundle;
        if (!bundle.deal.isWon) {
          return permanent(`deal ${bundle.deal.id} is not closed-won (stage "${bundle.deal.stage}")`, {
            field: 'deal.stage',
          });
        }
        const mapped = await mapDeal(ctx.deps.db, ctx.orgId, ctx.input.system, bundle);
        return mapped.ok ? ok({ output: mapped.value }) : mapped;
      },
    },
    {
      name: 'create-contract',
      external: false,
      run: async (ctx) => {
        const mapped = ctx.outputs.map as MappingResult;
        const built = await createContractStatements(ctx, mapped);
        if (!built.ok) return built;
        const { statements, created } = built.value;
        return ok({
          output: created satisfies ContractCreated,
          effects: statements,
          enqueue: [
            flowJob({
              orgId: ctx.orgId,
              flow: 'finalize-invoice',
              subjectId: created.invoiceId,
              input: { invoiceId: created.invoiceId },
              correlationId: ctx.correlationId,
              connectionKey: ctx.adapters.tax.vendor,
            }),
          ],
        });
      },
    },
  ],
};
