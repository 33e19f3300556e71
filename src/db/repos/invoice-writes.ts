/**
 * The writes flows make to an existing invoice (finalize, record a payment), as statement
 * builders for the step's atomic() unit. Every function takes the org id and scopes by it;
 * each update also names the status it expects, so a replayed step changes nothing.
 */
import { and, eq } from 'drizzle-orm';
import type { Db, Statement } from '../client.js';
import { invoiceLines, invoices, payments } from '../schema.js';

export type PaymentRow = typeof payments.$inferInsert;

/** Each line's share of the committed tax, then the invoice's total, only while it is still a draft. */
export function finalizeInvoiceStatements(
  db: Db,
  orgId: string,
  invoiceId: string,
  lineTaxes: readonly { lineId: string; taxMinor: number }[],
  totals: { taxMinor: number; totalMinor: number },
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
      .set({ ...totals, status: 'finalized' })
      .where(and(eq(invoices.id, invoiceId), eq(invoices.orgId, orgId), eq(invoices.status, 'draft'))),
  ];
}

/** The payment's id is derived from the processor's, so a second insert of it does nothing. */
export function paymentInsert(db: Db, orgId: string, row: Omit<PaymentRow, 'orgId'>): Statement {
  return db
    .insert(payments)
    .values({ ...row, orgId })
    .onConflictDoNothing();
}

/** What a payment changes on its invoice; only a finalized invoice takes payments. */
export function invoicePaidStatement(
  db: Db,
  orgId: string,
  invoiceId: string,
  paid: { amountPaidMinor: number; status: (typeof invoices.$inferSelect)['status'] },
): Statement {
  return db
    .update(invoices)
    .set(paid)
    .where(and(eq(invoices.id, invoiceId), eq(invoices.orgId, orgId), eq(invoices.status, 'finalized')));
}
