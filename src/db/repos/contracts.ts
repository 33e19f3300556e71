/**
 * Contract versions built from ContractTerms (the /api/v1/contracts routes) and their reads; the
 * invoices they bill are written by invoice-inserts.ts. Every function takes an org id. Reads are async; writes are statement
 * builders for one atomic() unit, built synchronously after every id is computed (drizzle
 * builders are thenables and must not pass through await).
 */
import { and, asc, desc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { ContractTerms } from '../../domain/contracts/terms.js';
import type { Db, Statement } from '../client.js';
import { naturalId } from '../ids.js';
import { contracts, customers, invoiceLines, invoices, usageEvents } from '../schema.js';

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
  if (typeof cadence === 'string') return cadence;
  if ('weeks' in cadence) return `every_${cadence.weeks}_weeks`;
  if ('days' in cadence) return `every_${cadence.days}_days`;
  return `every_${cadence.months}_months`;
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
