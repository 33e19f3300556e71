/**
 * Revenue recognition's reads and writes (issue #13): the booked documents a month close or a
 * waterfall looks at (those with an issue entry in the ledger, so the close and the ledger agree
 * on what was billed and when), the SSP table, the close's entries and stored modifications.
 */
import { and, desc, eq, gt, inArray, lt } from 'drizzle-orm';
import { periodOf } from '../../domain/books/periods.js';
import type { InvoiceDocumentKind } from '../../domain/invoice-lifecycle.js';
import type { JournalEntry } from '../../domain/ledger.js';
import type { BilledDocument } from '../../domain/revenue/obligations.js';
import { atomic } from '../atomic.js';
import type { Db, Statement } from '../client.js';
import { invoiceLines, invoices, ledgerEntries, revenueModifications, revenueSsp } from '../schema.js';
import { inJson } from './in-json.js';
import { ledgerStatements } from './ledger.js';

export interface BookedDocument extends BilledDocument {
  sign: 1 | -1;
  issuedPeriod: string;
  voidedPeriod: string | null;
}

/**
 * Documents booked before `until` whose service runs past `servedAfter` (a day): what can still
 * have revenue deferred in the months asked about.
 */
export async function bookedDocuments(
  db: Db,
  orgId: string,
  until: string,
  servedAfter: string,
): Promise<BookedDocument[]> {
  const issued = await db
    .select({ sourceId: ledgerEntries.sourceId, kind: ledgerEntries.kind, occurredAt: ledgerEntries.occurredAt })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.orgId, orgId),
        inArray(ledgerEntries.kind, ['invoice_issued', 'credit_note_issued']),
        lt(ledgerEntries.occurredAt, until),
      ),
    );
  if (issued.length === 0) return [];
  const ids = issued.map((e) => e.sourceId);
  const docs = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), inJson(invoices.id, ids), gt(invoices.periodEnd, servedAfter)));
  if (docs.length === 0) return [];
  const docIds = docs.map((d) => d.id);
  const [lines, voids] = await Promise.all([
    db
      .select()
      .from(invoiceLines)
      .where(and(eq(invoiceLines.orgId, orgId), inJson(invoiceLines.invoiceId, docIds))),
    db
      .select({ sourceId: ledgerEntries.sourceId, occurredAt: ledgerEntries.occurredAt })
      .from(ledgerEntries)
      .where(
        and(
          eq(ledgerEntries.orgId, orgId),
          eq(ledgerEntries.kind, 'invoice_voided'),
          inJson(ledgerEntries.sourceId, docIds),
        ),
      ),
  ]);
  const issuedAt = new Map(issued.map((e) => [e.sourceId, e.occurredAt]));
  const voidedAt = new Map(voids.map((v) => [v.sourceId, v.occurredAt]));
  return docs.map((d) => ({
    id: d.id,
    number: d.number ?? d.id,
    currency: d.currency,
    documentKind: d.documentKind as InvoiceDocumentKind,
    issueDate: d.issueDate,
    servicePeriod: { start: d.periodStart, end: d.periodEnd },
    sign: d.kind === 'credit_note' ? -1 : 1,
    issuedPeriod: periodOf(issuedAt.get(d.id)!),
    voidedPeriod: voidedAt.has(d.id) ? periodOf(voidedAt.get(d.id)!) : null,
    lines: lines
      .filter((l) => l.invoiceId === d.id)
      .sort((a, b) => a.lineNo - b.lineNo)
      .map((l) => ({
        lineId: l.id,
        lineNo: l.lineNo,
        productId: l.productId,
        description: l.description,
        quantity: l.quantity,
        amountMinor: l.amountMinor,
        servicePeriod: l.periodStart && l.periodEnd ? { start: l.periodStart, end: l.periodEnd } : null,
      })),
  }));
}

/** SSP unit prices of the org in one currency, by product id. */
export async function sspTable(db: Db, orgId: string, currency: string): Promise<Map<string, string>> {
  const rows = await db
    .select()
    .from(revenueSsp)
    .where(and(eq(revenueSsp.orgId, orgId), eq(revenueSsp.currency, currency)));
  return new Map(rows.map((r) => [r.productId, r.unitAmount]));
}

export async function listSsp(db: Db, orgId: string) {
  return db.select().from(revenueSsp).where(eq(revenueSsp.orgId, orgId));
}

export async function putSsp(
  db: Db,
  orgId: string,
  entries: readonly { productId: string; currency: string; unitAmount: string }[],
  now: string,
) {
  await atomic(
    db,
    entries.map((e) =>
      db
        .insert(revenueSsp)
        .values({ orgId, ...e, updatedAt: now })
        .onConflictDoUpdate({
          target: [revenueSsp.orgId, revenueSsp.productId, revenueSsp.currency],
          set: { unitAmount: e.unitAmount, updatedAt: now },
        }),
    ),
  );
}

/** The close's source key of one document in one period: its entry is written once, ever. */
export const closeSource = (documentId: string, period: string) => ({
  type: 'revenue_close',
  id: `${documentId}@${period}`,
});

/** Which of these close sources already have their entry. */
export async function bookedCloseSources(db: Db, orgId: string, sourceIds: readonly string[]): Promise<Set<string>> {
  if (sourceIds.length === 0) return new Set();
  const rows = await db
    .select({ sourceId: ledgerEntries.sourceId })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.orgId, orgId),
        eq(ledgerEntries.sourceType, 'revenue_close'),
        inJson(ledgerEntries.sourceId, sourceIds),
      ),
    );
  return new Set(rows.map((r) => r.sourceId));
}

/** Writes the close's entries in one atomic unit (each once: its source key is unique). */
export async function bookCloseEntries(
  db: Db,
  orgId: string,
  entries: readonly { documentId: string; period: string; entry: JournalEntry; bookedOn: string }[],
  now: string,
): Promise<void> {
  const statements: Statement[] = [];
  for (const e of entries) {
    statements.push(
      ...(await ledgerStatements(db, orgId, closeSource(e.documentId, e.period), e.entry, now, e.bookedOn)),
    );
  }
  await atomic(db, statements);
}

export async function insertModification(
  db: Db,
  orgId: string,
  row: { id: string; contractId: string; rule: string; explanation: unknown },
  now: string,
) {
  await atomic(db, [
    db
      .insert(revenueModifications)
      .values({
        id: row.id,
        orgId,
        contractId: row.contractId,
        rule: row.rule,
        explanation: JSON.stringify(row.explanation),
        createdAt: now,
      })
      .onConflictDoNothing(),
  ]);
}

export async function listModifications(db: Db, orgId: string, contractId: string) {
  const rows = await db
    .select()
    .from(revenueModifications)
    .where(and(eq(revenueModifications.orgId, orgId), eq(revenueModifications.contractId, contractId)))
    .orderBy(desc(revenueModifications.createdAt), desc(revenueModifications.id));
  return rows.map((r) => ({ ...r, explanation: JSON.parse(r.explanation) as unknown }));
}
