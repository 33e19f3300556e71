/**
 * A closed-won deal's first contract version (flows/deal-to-contract.ts): its customer, products,
 * contract, contract lines and first invoice, as the statements of one atomic() unit. Every id is
 * derived from the deal, and every insert does nothing when its row exists, so a rerun of the step
 * writes nothing new and burns no invoice number.
 */
import type { InvoiceComputation } from '../../domain/billing/index.js';
import { roundingOf } from '../../domain/billing/index.js';
import type { ContractDraft } from '../../domain/contract.js';
import type { ContractTerms } from '../../domain/contracts/terms.js';
import type { Db, Statement } from '../client.js';
import { naturalId } from '../ids.js';
import { contractLines, contracts, customers, products } from '../schema.js';
import { contractVersionId, invoiceId, summaryColumns } from './contracts.js';
import { type InvoiceIds, type InvoiceToWrite, invoiceIds, invoiceRowStatements } from './invoice-inserts.js';

export interface DealContract {
  system: string;
  dealId: string;
  /** The mapped deal, and the terms made from it. */
  draft: ContractDraft;
  terms: ContractTerms;
  mappingVersion: string;
  renewalOfContractId: string | null;
  /** The first in-advance period's invoice, as the billing engine computed it. */
  firstInvoice: InvoiceComputation;
  now: string;
}

export interface DealContractCreated {
  customerId: string;
  contractId: string;
  invoiceId: string;
}

/** Every id the unit writes. Computed first: drizzle builders are thenables and must not pass through await. */
interface DealContractIds extends DealContractCreated {
  /** One per contract line, by its SKU. */
  productIds: string[];
  contractLineIds: string[];
  /** The invoice's SKUs that no contract line has (discounts, true-ups: `hub:<kind>`), once each. */
  extraSkus: string[];
  extraProductIds: string[];
  invoice: InvoiceToWrite;
  invoiceLines: InvoiceIds;
}

async function dealContractIds(orgId: string, input: DealContract): Promise<DealContractIds> {
  const { draft } = input;
  const customerId = await naturalId('cus', orgId, input.system, draft.customer.sourceId);
  const contractId = await contractVersionId(orgId, input.system, input.dealId, 1);
  // Keyed like a billing run's in-advance invoice for the same period (invoices_period_uq and the
  // run's invoicedKeys: contract, period start, kind), so the run never bills it again.
  const id = await invoiceId(orgId, contractId, input.firstInvoice.periodStart, 'advance');
  const invoice: InvoiceToWrite = {
    id,
    contractId,
    customerId,
    kind: 'advance',
    documentKind: 'first',
    computation: input.firstInvoice,
  };
  const invoiceLines = await invoiceIds(orgId, invoice);
  const extraSkus = [...new Set(invoiceLines.productSkus.filter((sku) => !draft.lines.some((l) => l.sku === sku)))];
  return {
    customerId,
    contractId,
    invoiceId: id,
    productIds: await Promise.all(draft.lines.map((line) => naturalId('prd', orgId, line.sku))),
    contractLineIds: await Promise.all(draft.lines.map((_, i) => naturalId('ctl', orgId, contractId, i + 1))),
    extraSkus,
    extraProductIds: await Promise.all(extraSkus.map((sku) => naturalId('prd', orgId, sku))),
    invoice,
    invoiceLines,
  };
}

/** The statements of the unit, in the order the rows refer to each other, and the ids it creates. */
export async function dealContractStatements(
  db: Db,
  orgId: string,
  input: DealContract,
): Promise<{ statements: Statement[]; created: DealContractCreated }> {
  const ids = await dealContractIds(orgId, input);
  const statements = [
    customerInsert(db, orgId, input, ids),
    ...productInserts(db, orgId, input, ids),
    contractInsert(db, orgId, input, ids),
    ...contractLineInserts(db, orgId, input, ids),
    // Its products are written above, under the contract's product names.
    ...invoiceRowStatements(db, orgId, input.now, ids.invoice, ids.invoiceLines, roundingOf(input.terms)),
  ];
  return { statements, created: { customerId: ids.customerId, contractId: ids.contractId, invoiceId: ids.invoiceId } };
}

function customerInsert(db: Db, orgId: string, input: DealContract, ids: DealContractIds): Statement {
  const { customer } = input.draft;
  return db
    .insert(customers)
    .values({
      id: ids.customerId,
      orgId,
      name: customer.name,
      email: customer.email,
      currency: input.draft.currency,
      address: customer.address ? JSON.stringify(customer.address) : null,
      sourceSystem: input.system,
      sourceId: customer.sourceId,
      createdAt: input.now,
    })
    .onConflictDoNothing();
}

/**
 * The contract lines' products under their product names; invoice lines without a SKU
 * (discounts, true-ups) get a product of their kind, named by it, as in a billing run.
 */
function productInserts(db: Db, orgId: string, input: DealContract, ids: DealContractIds): Statement[] {
  const { now } = input;
  return [
    ...input.draft.lines.map((line, i) =>
      db
        .insert(products)
        .values({ id: ids.productIds[i]!, orgId, sku: line.sku, name: line.productName, createdAt: now })
        .onConflictDoNothing(),
    ),
    ...ids.extraSkus.map((sku, i) =>
      db
        .insert(products)
        .values({ id: ids.extraProductIds[i]!, orgId, sku, name: sku, createdAt: now })
        .onConflictDoNothing(),
    ),
  ];
}

function contractInsert(db: Db, orgId: string, input: DealContract, ids: DealContractIds): Statement {
  const { draft, terms } = input;
  const summary = summaryColumns(terms);
  return db
    .insert(contracts)
    .values({
      id: ids.contractId,
      orgId,
      customerId: ids.customerId,
      sourceSystem: input.system,
      sourceDealId: input.dealId,
      version: 1,
      status: 'active',
      currency: draft.currency,
      startDate: draft.startDate,
      billingCadence: summary.billingCadence,
      billingTiming: summary.billingTiming,
      paymentTermsDays: draft.paymentTermsDays,
      mappingVersion: input.mappingVersion,
      terms: JSON.stringify(terms),
      effectiveDate: draft.startDate,
      renewalOfContractId: input.renewalOfContractId,
      createdAt: input.now,
    })
    .onConflictDoNothing();
}

function contractLineInserts(db: Db, orgId: string, input: DealContract, ids: DealContractIds): Statement[] {
  return input.draft.lines.map((line, i) =>
    db
      .insert(contractLines)
      .values({
        id: ids.contractLineIds[i]!,
        orgId,
        contractId: ids.contractId,
        lineNo: i + 1,
        productId: ids.productIds[i]!,
        description: line.description,
        // The whole price spec (any model); a metered line's quantity comes from usage.
        priceSpec: JSON.stringify(line.price),
        quantity: line.metric != null ? '0' : (line.quantity ?? '0'),
        sourceLineId: line.sourceLineId,
      })
      .onConflictDoNothing(),
  );
}
