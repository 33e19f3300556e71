/**
 * Closed-won deal → customer, contract (version 1) and its first invoice, written atomically,
 * then the invoice goes on to tax and finalization.
 */

import { sql } from 'drizzle-orm';
import type { MappingResult } from '../mappings/index.js';
import type { Db } from '../src/db/client.js';
import { naturalId } from '../src/db/ids.js';
import { listContractsForDeal } from '../src/db/repos/billing.js';
import { summaryColumns } from '../src/db/repos/contracts.js';
import { contractLines, contracts, customers, invoiceLines, invoices, products, sequences } from '../src/db/schema.js';
import type { ContractDraft } from '../src/domain/contract.js';
import { termsFromDraft } from '../src/domain/contracts/from-draft.js';
import type { DealBundle } from '../src/domain/deal.js';
import { firstAdvanceInvoice } from '../src/domain/invoice.js';
import { DEFAULT_ROUNDING } from '../src/domain/money.js';
import { ok, permanent } from '../src/domain/outcome.js';
import { type DealRef, fetchDealStep, mapDealStep } from './deal-steps.js';
import { defineFlow } from './define.js';
import { flowJob } from './jobs.js';
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
  const invoiceDraft = first.invoice;
  const renewalOfContractId = await renewedContractId(db, orgId, ctx.input.system, ctx.outputs.fetchDeal);
  const now = clock.now().toISOString();
  const customerId = await naturalId('cus', orgId, ctx.input.system, draft.customer.sourceId);
  const contractId = await naturalId('ctr', orgId, ctx.input.system, ctx.input.dealId, 1);
  // Keyed like a billing run's in-advance invoice for the same period (invoices_period_uq and the
  // run's invoicedKeys: contract, period start, kind), so the run never bills it again.
  const invoiceId = await naturalId('inv', orgId, contractId, invoiceDraft.periodStart, 'advance');
  const productIds = await Promise.all(draft.lines.map((line) => naturalId('prd', orgId, line.sku)));
  // Invoice lines without a SKU (discounts, true-ups) get a product of their kind, as in a billing run.
  const invoiceSkus = invoiceDraft.lines.map((line) => line.sku ?? `hub:${line.lineKind}`);
  const invoiceProductIds = await Promise.all(invoiceSkus.map((sku) => naturalId('prd', orgId, sku)));
  const extraProducts = [...new Set(invoiceSkus.filter((sku) => !draft.lines.some((l) => l.sku === sku)))];
  const extraProductIds = await Promise.all(extraProducts.map((sku) => naturalId('prd', orgId, sku)));
  // Ids first, builders after: drizzle builders are thenables and must not pass through await.
  const contractLineIds = await Promise.all(draft.lines.map((_, i) => naturalId('ctl', orgId, contractId, i + 1)));
  const invoiceLineIds = await Promise.all(invoiceDraft.lines.map((_, i) => naturalId('inl', orgId, invoiceId, i + 1)));
  const summary = summaryColumns(terms);

  const statements = [
    db
      .insert(customers)
      .values({
        id: customerId,
        orgId,
        name: draft.customer.name,
        email: draft.customer.email,
        currency: draft.currency,
        address: draft.customer.address ? JSON.stringify(draft.customer.address) : null,
        sourceSystem: ctx.input.system,
        sourceId: draft.customer.sourceId,
        createdAt: now,
      })
      .onConflictDoNothing(),
    ...draft.lines.map((line, i) =>
      db
        .insert(products)
        .values({ id: productIds[i]!, orgId, sku: line.sku, name: line.productName, createdAt: now })
        .onConflictDoNothing(),
    ),
    ...extraProducts.map((sku, i) =>
      db
        .insert(products)
        .values({ id: extraProductIds[i]!, orgId, sku, name: sku, createdAt: now })
        .onConflictDoNothing(),
    ),
    db
      .insert(contracts)
      .values({
        id: contractId,
        orgId,
        customerId,
        sourceSystem: ctx.input.system,
        sourceDealId: ctx.input.dealId,
        version: 1,
        status: 'active',
        currency: draft.currency,
        startDate: draft.startDate,
        billingCadence: summary.billingCadence,
        billingTiming: summary.billingTiming,
        paymentTermsDays: draft.paymentTermsDays,
        mappingVersion: mapped.mappingVersion,
        terms: JSON.stringify(terms),
        effectiveDate: draft.startDate,
        renewalOfContractId,
        createdAt: now,
      })
      .onConflictDoNothing(),
    ...draft.lines.map((line, i) =>
      db
        .insert(contractLines)
        .values({
          id: contractLineIds[i]!,
          orgId,
          contractId,
          lineNo: i + 1,
          productId: productIds[i]!,
          description: line.description,
          // The whole price spec (any model); a metered line's quantity comes from usage.
          priceSpec: JSON.stringify(line.price),
          quantity: line.metric != null ? '0' : (line.quantity ?? '0'),
          sourceLineId: line.sourceLineId,
        })
        .onConflictDoNothing(),
    ),
    // Invoice numbers come from a per-org sequence bumped in the same unit of work, and only
    // when this invoice does not exist yet, so a rerun never burns a number.
    db
      .insert(sequences)
      .values({ orgId, name: 'invoice', last: 1 })
      .onConflictDoUpdate({
        target: [sequences.orgId, sequences.name],
        set: { last: sql`${sequences.last} + 1` },
        setWhere: sql`NOT EXISTS (SELECT 1 FROM invoices WHERE id = ${invoiceId})`,
      }),
    db
      .insert(invoices)
      .values({
        id: invoiceId,
        orgId,
        number: sql`(SELECT printf('INV-%06d', last) FROM sequences WHERE org_id = ${orgId} AND name = 'invoice')`,
        contractId,
        customerId,
        kind: 'advance',
        periodStart: invoiceDraft.periodStart,
        periodEnd: invoiceDraft.periodEnd,
        status: 'draft',
        currency: invoiceDraft.currency,
        // As a billing run stores it: the sum of the lines (discounts and credits included).
        subtotalMinor: invoiceDraft.totalMinor,
        taxMinor: 0,
        totalMinor: invoiceDraft.totalMinor,
        amountPaidMinor: 0,
        issueDate: invoiceDraft.issueDate,
        dueDate: invoiceDraft.dueDate,
        rounding: JSON.stringify(DEFAULT_ROUNDING),
        createdAt: now,
      })
      .onConflictDoNothing(),
    ...invoiceDraft.lines.map((line, i) =>
      db
        .insert(invoiceLines)
        .values({
          id: invoiceLineIds[i]!,
          orgId,
          invoiceId,
          lineNo: i + 1,
          productId: invoiceProductIds[i]!,
          description: line.description,
          quantity: line.quantity,
          unitAmount: line.unitAmount,
          amountMinor: line.amountMinor,
          taxMinor: 0,
          lineKind: line.lineKind,
          sourceRef: line.sourceRef,
          detail: JSON.stringify(line.detail ?? null),
        })
        .onConflictDoNothing(),
    ),
  ];
  return ok({ statements, created: { customerId, contractId, invoiceId } });
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
  })
  .build();
