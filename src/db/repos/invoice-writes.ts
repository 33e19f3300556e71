/**
 * The writes flows make to an existing invoice (finalize, record a payment), as statement
 * builders for the step's atomic() unit. Every function takes the org id and scopes by it;
 * each update also names the status it expects, so a replayed step changes nothing.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { InvoiceStatus } from '../../domain/invoice-lifecycle.js';
import type { Db, Statement } from '../client.js';
import { invoiceLines, invoices, payments, sequences } from '../schema.js';

export type PaymentRow = typeof payments.$inferInsert;

/** States a payment can land on: the open ones (invoice-lifecycle.ts). */
const OPEN: InvoiceStatus[] = ['finalized', 'partially_paid', 'overdue', 'uncollectible'];

/**
 * Finalizing's first write: the org's next number and draft → tax_pending, in one unit. The
 * sequence moves only while the invoice is an unnumbered draft, so a rerun burns no number and
 * numbers stay gap-free (the unit is one transaction on better-sqlite3, one batch on D1: two
 * finalizes never read the same `last`). Drafts numbered before migration 0011 keep theirs.
 */
export function assignNumberStatements(
  db: Db,
  orgId: string,
  invoiceId: string,
  prefix: string,
  /** The series: invoices share 'invoice'; credit notes have their own 'credit_note' (flows/issue-credit-note.ts). */
  sequence: 'invoice' | 'credit_note' = 'invoice',
): Statement[] {
  const waiting = sql`EXISTS (SELECT 1 FROM invoices WHERE org_id = ${orgId} AND id = ${invoiceId}
    AND status = 'draft' AND number IS NULL)`;
  const own = and(eq(invoices.id, invoiceId), eq(invoices.orgId, orgId), eq(invoices.status, 'draft'));
  return [
    db
      .insert(sequences)
      .select(sql`SELECT ${orgId}, ${sequence}, 1 WHERE ${waiting}`)
      .onConflictDoUpdate({ target: [sequences.orgId, sequences.name], set: { last: sql`${sequences.last} + 1` } }),
    db
      .update(invoices)
      .set({
        number: sql`(SELECT printf('%s%06d', ${prefix}, last) FROM sequences WHERE org_id = ${orgId} AND name = ${sequence})`,
      })
      .where(and(own, isNull(invoices.number))),
    db.update(invoices).set({ status: 'tax_pending' }).where(own),
  ];
}

/** Why a tax_pending invoice waits, in the engine's words; written on its own (the failed step commits nothing). */
export async function setTaxPendingReason(db: Db, orgId: string, invoiceId: string, reason: string): Promise<void> {
  await db
    .update(invoices)
    .set({ taxPendingReason: reason })
    .where(and(eq(invoices.id, invoiceId), eq(invoices.orgId, orgId), eq(invoices.status, 'tax_pending')));
}

/** One state change the lifecycle allowed (from → to), only while the invoice is still in `from`. */
export function invoiceStatusStatement(
  db: Db,
  orgId: string,
  invoiceId: string,
  from: InvoiceStatus,
  to: InvoiceStatus,
): Statement {
  return db
    .update(invoices)
    .set({ status: to })
    .where(and(eq(invoices.id, invoiceId), eq(invoices.orgId, orgId), eq(invoices.status, from)));
}

/** Each line's share of the committed tax, then the invoice's total and state, only while it is tax_pending. */
export function finalizeInvoiceStatements(
  db: Db,
  orgId: string,
  invoiceId: string,
  lineTaxes: readonly { lineId: string; taxMinor: number }[],
  totals: { taxMinor: number; totalMinor: number; status: InvoiceStatus; roundingMinor?: number },
): Statement[] {
  return [
    ...lineTaxes.map((line) =>
      db
        .update(invoiceLines)
        .set({ taxMinor: line.taxMinor })
        .where(and(eq(invoiceLines.id, line.lineId), eq(invoiceLines.orgId, orgId))),
    ),
    db
      .update(invoices)
      .set({ ...totals, taxPendingReason: null })
      .where(and(eq(invoices.id, invoiceId), eq(invoices.orgId, orgId), eq(invoices.status, 'tax_pending'))),
  ];
}

/** The payment's id is derived from the processor's, so a second insert of it does nothing. */
export function paymentInsert(db: Db, orgId: string, row: Omit<PaymentRow, 'orgId'>): Statement {
  return db
    .insert(payments)
    .values({ ...row, orgId })
    .onConflictDoNothing();
}

/** What a payment changes on its invoice; only an open invoice (finalized, partially paid, overdue, uncollectible) takes payments. */
export function invoicePaidStatement(
  db: Db,
  orgId: string,
  invoiceId: string,
  paid: { amountPaidMinor: number; status: (typeof invoices.$inferSelect)['status'] },
): Statement {
  return db
    .update(invoices)
    .set(paid)
    .where(and(eq(invoices.id, invoiceId), eq(invoices.orgId, orgId), inArray(invoices.status, OPEN)));
}
