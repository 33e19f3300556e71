/**
 * A new invoice with its lines, as statement builders for the caller's atomic() unit: a billing
 * run's, an amendment's, a contract's first. Every function takes the org id. Drafts have no
 * number: finalizing gives one (invoice-writes.ts, assignNumberStatements).
 */
import { sql } from 'drizzle-orm';
import type { InvoiceComputation, InvoiceLineComputation } from '../../domain/billing/index.js';
import { DEFAULT_ROUNDING, type RoundingPolicy } from '../../domain/money.js';
import type { Db, Statement } from '../client.js';
import { naturalId } from '../ids.js';
import { invoiceLines, invoices, products } from '../schema.js';
import type { InvoiceRow } from './contracts.js';

/** What an invoice write needs: its keys, and the billing domain's computation of it. */
export interface InvoiceToWrite {
  id: string;
  contractId: string;
  customerId: string;
  kind: InvoiceRow['kind'];
  /** What the invoice is for; default: credit_note for credit notes, else recurring. */
  documentKind?: InvoiceRow['documentKind'];
  /** The rounding policy it was computed under (its contract terms'); else the writer's argument. */
  rounding?: RoundingPolicy;
  computation: Pick<
    InvoiceComputation,
    'currency' | 'periodStart' | 'periodEnd' | 'issueDate' | 'dueDate' | 'totalMinor' | 'lines'
  >;
}

export interface InvoiceIds {
  lineIds: string[];
  /** One per line: the product of its SKU, or a pseudo-product per line kind (discount, credit) for lines without one. */
  productIds: string[];
  productSkus: string[];
}

/** Line kinds without a SKU still need a product row: ERP posting maps every line to an item. */
export function lineSku(line: InvoiceLineComputation): string {
  return line.sku ?? `hub:${line.lineKind}`;
}

export async function invoiceIds(orgId: string, invoice: InvoiceToWrite): Promise<InvoiceIds> {
  const lines = invoice.computation.lines;
  const productSkus = lines.map(lineSku);
  return {
    lineIds: await Promise.all(lines.map((_, i) => naturalId('inl', orgId, invoice.id, i + 1))),
    productIds: await Promise.all(productSkus.map((sku) => naturalId('prd', orgId, sku))),
    productSkus,
  };
}

/**
 * The statements that write one invoice with its lines, and a product per line named by the
 * line's description (products that exist already are left as they are). Tax comes later
 * (finalize), so the subtotal is the net of every line and the total equals it until then.
 */
export function invoiceStatements(
  db: Db,
  orgId: string,
  now: string,
  invoice: InvoiceToWrite,
  ids: InvoiceIds,
  rounding: RoundingPolicy = DEFAULT_ROUNDING,
): Statement[] {
  return [
    ...invoice.computation.lines.map((line, i) =>
      db
        .insert(products)
        .values({ id: ids.productIds[i]!, orgId, sku: ids.productSkus[i]!, name: line.description, createdAt: now })
        .onConflictDoNothing(),
    ),
    ...invoiceRowStatements(db, orgId, now, invoice, ids, rounding),
  ];
}

/**
 * The invoice and its lines without their products, which the caller writes (in the same unit)
 * under the names it knows: a contract's first invoice names them after the contract's products.
 */
export function invoiceRowStatements(
  db: Db,
  orgId: string,
  now: string,
  invoice: InvoiceToWrite,
  ids: Pick<InvoiceIds, 'lineIds' | 'productIds'>,
  rounding: RoundingPolicy = DEFAULT_ROUNDING,
): Statement[] {
  return [invoiceInsert(db, orgId, now, invoice, rounding), ...invoiceLineInserts(db, orgId, invoice, ids)];
}

function invoiceInsert(
  db: Db,
  orgId: string,
  now: string,
  invoice: InvoiceToWrite,
  rounding: RoundingPolicy,
): Statement {
  const c = invoice.computation;
  return db
    .insert(invoices)
    .values({
      id: invoice.id,
      orgId,
      number: null,
      contractId: invoice.contractId,
      customerId: invoice.customerId,
      kind: invoice.kind,
      periodStart: c.periodStart,
      periodEnd: c.periodEnd,
      status: 'draft',
      currency: c.currency,
      // As a billing run stores it: the sum of the lines (discounts and credits included).
      subtotalMinor: c.totalMinor,
      taxMinor: 0,
      totalMinor: c.totalMinor,
      amountPaidMinor: 0,
      issueDate: c.issueDate,
      dueDate: c.dueDate,
      rounding: JSON.stringify(invoice.rounding ?? rounding),
      createdAt: now,
      documentKind: invoice.documentKind ?? (invoice.kind === 'credit_note' ? 'credit_note' : 'recurring'),
      creditedInvoiceId: invoice.kind === 'credit_note' ? creditedInvoice(orgId, invoice) : null,
    })
    .onConflictDoNothing();
}

/**
 * The invoice an amendment's credit note credits: the contract version's in-advance invoice whose
 * period holds the effective date (the credit note's period start), its own or a consolidated one; migration 0009
 * linked older ones alike.
 */
const creditedInvoice = (orgId: string, note: InvoiceToWrite) =>
  sql`coalesce((SELECT i.id FROM invoices i WHERE i.org_id = ${orgId} AND i.contract_id = ${note.contractId}
        AND i.kind IN ('advance', 'recurring') AND i.period_start <= ${note.computation.periodStart}
        AND ${note.computation.periodStart} < i.period_end
      ORDER BY i.period_start DESC LIMIT 1),
    -- or the consolidated invoice one of whose lines bills that period (migration 0014)
    (SELECT l.invoice_id FROM invoice_lines l WHERE l.org_id = ${orgId} AND l.contract_id = ${note.contractId}
        AND l.period_kind = 'advance' AND l.period_start <= ${note.computation.periodStart}
        AND ${note.computation.periodStart} < l.period_end
      ORDER BY l.period_start DESC LIMIT 1))`;

function invoiceLineInserts(
  db: Db,
  orgId: string,
  invoice: InvoiceToWrite,
  ids: Pick<InvoiceIds, 'lineIds' | 'productIds'>,
): Statement[] {
  return invoice.computation.lines.map((line, i) =>
    db
      .insert(invoiceLines)
      .values({
        id: ids.lineIds[i]!,
        orgId,
        invoiceId: invoice.id,
        lineNo: i + 1,
        productId: ids.productIds[i]!,
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
  );
}
