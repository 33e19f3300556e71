/**
 * Contract versions built from ContractTerms (the /api/v1/contracts routes), and the invoices an
 * amendment writes. Every function takes an org id. Reads are async; writes are statement
 * builders for one atomic() unit, built synchronously after every id is computed (drizzle
 * builders are thenables and must not pass through await).
 */
import { and, asc, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { ContractTerms } from '../../domain/contracts/terms.js';
import { DEFAULT_ROUNDING, type RoundingPolicy } from '../../domain/money.js';
import type { Db, Statement } from '../client.js';
import { naturalId } from '../ids.js';
import { contracts, customers, invoiceLines, invoices, products, sequences, usageEvents } from '../schema.js';

export type ContractRow = typeof contracts.$inferSelect;
export type InvoiceRow = typeof invoices.$inferSelect;
export type InvoiceLineRow = typeof invoiceLines.$inferSelect;

/** Marks contracts written through the API rather than a CRM mapping (contracts.mapping_version). */
export const API_MAPPING_VERSION = 'api';

/** The id of one version of a deal's contract: the same for every attempt, as in flows/deal-to-contract.ts. */
export function contractVersionId(orgId: string, sourceSystem: string, dealId: string, version: number) {
  return naturalId('ctr', orgId, sourceSystem, dealId, version);
}

/** The invoice of (contract, period start, kind): the unique key invoices_period_uq, as an id. */
export function invoiceId(orgId: string, contractId: string, periodStart: string, kind: string) {
  return naturalId('inv', orgId, contractId, periodStart, kind);
}

function cadenceLabel(cadence: ContractTerms['phases'][number]['items'][number]['cadence']): string {
  return typeof cadence === 'string' ? cadence : `every_${cadence.months}_months`;
}

/**
 * The summary columns older code reads (issue-2 contracts have no terms): the first recurring
 * item's cadence, in_advance when any recurring item bills in advance.
 */
export function summaryColumns(terms: ContractTerms) {
  const items = terms.phases.flatMap((p) => p.items);
  const recurring = items.filter((i) => i.cadence !== 'one_time');
  return {
    currency: terms.currency,
    startDate: terms.startDate,
    billingCadence: recurring[0] ? cadenceLabel(recurring[0].cadence) : 'one_time',
    billingTiming: recurring.some((i) => i.timing === 'in_advance') ? ('in_advance' as const) : ('in_arrears' as const),
    paymentTermsDays: terms.paymentTermsDays,
  };
}

/** A plain insert: a second writer of the same version id fails the whole unit instead of half-applying it. */
export function contractInsert(db: Db, row: ContractRow): Statement {
  return db.insert(contracts).values(row);
}

/** Retires a version an amendment replaced; versions are otherwise never changed. */
export function supersedeStatement(db: Db, orgId: string, contractId: string): Statement {
  return db
    .update(contracts)
    .set({ status: 'superseded' })
    .where(and(eq(contracts.orgId, orgId), eq(contracts.id, contractId)));
}

export async function findContract(db: Db, orgId: string, contractId: string): Promise<ContractRow | undefined> {
  const [row] = await db
    .select()
    .from(contracts)
    .where(and(eq(contracts.orgId, orgId), eq(contracts.id, contractId)));
  return row;
}

/** Every version of the contract `contractId` belongs to (same source system and deal), newest first. */
export async function contractChain(db: Db, orgId: string, contractId: string): Promise<ContractRow[]> {
  const row = await findContract(db, orgId, contractId);
  if (!row) return [];
  return db
    .select()
    .from(contracts)
    .where(
      and(
        eq(contracts.orgId, orgId),
        eq(contracts.sourceSystem, row.sourceSystem),
        eq(contracts.sourceDealId, row.sourceDealId),
      ),
    )
    .orderBy(desc(contracts.version));
}

export async function customerExists(db: Db, orgId: string, customerId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.orgId, orgId), eq(customers.id, customerId)));
  return row !== undefined;
}

/** Invoices of the given contract versions, of the given kinds, by period start. */
export async function invoicesOf(
  db: Db,
  orgId: string,
  contractIds: readonly string[],
  kinds: readonly InvoiceRow['kind'][],
): Promise<InvoiceRow[]> {
  if (contractIds.length === 0 || kinds.length === 0) return [];
  return db
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.orgId, orgId),
        inArray(invoices.contractId, [...contractIds]),
        inArray(invoices.kind, [...kinds]),
      ),
    )
    .orderBy(asc(invoices.periodStart));
}

export async function invoicesWithLines(db: Db, orgId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), inArray(invoices.id, [...ids])));
  const lines = await db
    .select()
    .from(invoiceLines)
    .where(and(eq(invoiceLines.orgId, orgId), inArray(invoiceLines.invoiceId, [...ids])))
    .orderBy(asc(invoiceLines.lineNo));
  // Keep the caller's order (credit note first, then the charge).
  return ids
    .map((id) => rows.find((r) => r.id === id))
    .filter((r): r is InvoiceRow => r !== undefined)
    .map((invoice) => ({ invoice, lines: lines.filter((l) => l.invoiceId === invoice.id) }));
}

/** A customer's usage events of the given metrics in [startMs, endMs), for metering's aggregate(). */
export async function usageEventsIn(
  db: Db,
  orgId: string,
  customerId: string,
  metricCodes: readonly string[],
  startMs: number,
  endMs: number,
) {
  if (metricCodes.length === 0) return [];
  return db
    .select({
      metricCode: usageEvents.metricCode,
      timestamp: usageEvents.timestamp,
      properties: usageEvents.properties,
    })
    .from(usageEvents)
    .where(
      and(
        eq(usageEvents.orgId, orgId),
        eq(usageEvents.customerId, customerId),
        inArray(usageEvents.metricCode, [...metricCodes]),
        gte(usageEvents.timestamp, startMs),
        lt(usageEvents.timestamp, endMs),
      ),
    )
    .orderBy(asc(usageEvents.timestamp), asc(usageEvents.id));
}

/** What an invoice write needs; `computation` mirrors the billing domain's InvoiceComputation. */
export interface InvoiceToWrite {
  id: string;
  contractId: string;
  customerId: string;
  kind: InvoiceRow['kind'];
  computation: {
    currency: string;
    periodStart: string;
    periodEnd: string;
    issueDate: string;
    dueDate: string;
    totalMinor: number;
    lines: {
      lineKind: string;
      sourceRef: string | null;
      sku: string | null;
      description: string;
      quantity: string;
      unitAmount: string;
      amountMinor: number;
      detail: unknown;
    }[];
  };
}

export interface InvoiceIds {
  lineIds: string[];
  /** One per line: the product of its SKU, or a pseudo-product per line kind (discount, credit) for lines without one. */
  productIds: string[];
  productSkus: string[];
}

/** Line kinds without a SKU still need a product row: ERP posting maps every line to an item. */
function lineSku(line: InvoiceToWrite['computation']['lines'][number]): string {
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
 * The statements that write one invoice with its lines. The number comes from the per-org
 * sequence bumped in the same unit only while the invoice does not exist yet (the pattern of
 * flows/deal-to-contract.ts), so a rerun never burns a number. Tax comes later (finalize), so
 * the subtotal is the net of every line and the total equals it until then.
 */
export function invoiceStatements(
  db: Db,
  orgId: string,
  now: string,
  invoice: InvoiceToWrite,
  ids: InvoiceIds,
  rounding: RoundingPolicy = DEFAULT_ROUNDING,
): Statement[] {
  const c = invoice.computation;
  return [
    ...c.lines.map((line, i) =>
      db
        .insert(products)
        .values({ id: ids.productIds[i]!, orgId, sku: ids.productSkus[i]!, name: line.description, createdAt: now })
        .onConflictDoNothing(),
    ),
    db
      .insert(sequences)
      .values({ orgId, name: 'invoice', last: 1 })
      .onConflictDoUpdate({
        target: [sequences.orgId, sequences.name],
        set: { last: sql`${sequences.last} + 1` },
        setWhere: sql`NOT EXISTS (SELECT 1 FROM invoices WHERE id = ${invoice.id})`,
      }),
    db
      .insert(invoices)
      .values({
        id: invoice.id,
        orgId,
        number: sql`(SELECT printf('INV-%06d', last) FROM sequences WHERE org_id = ${orgId} AND name = 'invoice')`,
        contractId: invoice.contractId,
        customerId: invoice.customerId,
        kind: invoice.kind,
        periodStart: c.periodStart,
        periodEnd: c.periodEnd,
        status: 'draft',
        currency: c.currency,
        subtotalMinor: c.totalMinor,
        taxMinor: 0,
        totalMinor: c.totalMinor,
        amountPaidMinor: 0,
        issueDate: c.issueDate,
        dueDate: c.dueDate,
        rounding: JSON.stringify(rounding),
        createdAt: now,
      })
      .onConflictDoNothing(),
    ...c.lines.map((line, i) =>
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
    ),
  ];
}
