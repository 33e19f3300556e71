/**
 * Closed-won deal → customer, contract (version 1) and its first invoice, written atomically,
 * then the invoice goes on to tax and finalization.
 */

import type { MappingResult } from '../mappings/index.js';
import type { Db } from '../src/db/client.js';
import { listContractsForDeal } from '../src/db/repos/billing.js';
import { getBillingSettings } from '../src/db/repos/billing-settings.js';
import { dealContractStatements } from '../src/db/repos/deal-contracts.js';
import type { ContractDraft } from '../src/domain/contract.js';
import { termsFromDraft } from '../src/domain/contracts/from-draft.js';
import type { DealBundle } from '../src/domain/deal.js';
import { firstAdvanceInvoice } from '../src/domain/invoice.js';
import { ok, permanent } from '../src/domain/outcome.js';
import { announce } from './announce.js';
import { type DealRef, fetchDealStep, mapDealStep } from './deal-steps.js';
import { defineFlow } from './define.js';
import { finalizeInvoiceJob } from './finalize-invoice.js';
import type { Flow, StepContext } from './types.js';

export type DealToContractInput = DealRef;

export interface ContractCreated {
  customerId: string;
  contractId: string;
  invoiceId: string;
}

export const DEAL_TO_CONTRACT = 'deal-to-contract';

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

async function createContractStatements(
  ctx: StepContext<DealToContractInput, { readonly fetchDeal: DealBundle }>,
  mapped: MappingResult,
) {
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
  const renewalOfContractId = await renewedContractId(db, orgId, ctx.input.system, ctx.outputs.fetchDeal);
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

export const dealToContract: Flow<DealToContractInput> = defineFlow<DealToContractInput>(
  DEAL_TO_CONTRACT,
  ({ input }) => input.system,
)
  .step(fetchDealStep())
  .step(mapDealStep('fail'))
  .step({
    name: 'createContract',
    storedAs: 'create-contract',
    external: false,
    run: async (ctx) => {
      const built = await createContractStatements(ctx, ctx.outputs.mapDeal);
      if (!built.ok) return built;
      const { statements, created } = built.value;
      const announced = await announce(
        ctx.deps.db,
        ctx.orgId,
        {
          type: 'contract.created',
          key: `contract.created:${created.contractId}`,
          at: ctx.deps.clock.now().toISOString(),
          data: {
            contract_id: created.contractId,
            version: 1,
            customer_id: created.customerId,
            first_invoice_id: created.invoiceId,
            deal: { system: ctx.input.system, id: ctx.input.dealId },
            mapping_version: ctx.outputs.mapDeal.mappingVersion,
          },
        },
        ctx.correlationId,
      );
      return ok({
        output: created satisfies ContractCreated,
        effects: [...statements, ...announced.effects],
        // A first invoice bills no usage, so no grace period: it finalizes at once, unless the
        // org's drafts wait for approval (POST /api/v1/invoices/{id}/approve).
        enqueue: [
          ...announced.enqueue,
          ...((await getBillingSettings(ctx.deps.db, ctx.orgId)).finalizePolicy === 'approval'
            ? []
            : [
                finalizeInvoiceJob({
                  orgId: ctx.orgId,
                  invoiceId: created.invoiceId,
                  correlationId: ctx.correlationId,
                  taxVendor: ctx.adapters.tax.vendor,
                }),
              ]),
        ],
      });
    },
  })
  .build();
