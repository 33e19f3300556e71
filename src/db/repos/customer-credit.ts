/**
 * Customer credit (issue #10): what credit notes settled as customer_credit left for a customer,
 * spent once by its next invoices' collection. A balance is the sum of its entries (migration
 * 0013): +amount per credit note (id derived from the note), −amount per invoice that used it (id
 * derived from the invoice), so a replayed write adds nothing. Every function takes the org id.
 *
 * Not the prepaid-credit wallet of src/db/repos/credits.ts: that one is a contract's credit grant,
 * drawn as credit lines while a draft is computed; this one arrives after invoices are final (a
 * finalized invoice is immutable), so it is spent at collection, beside the invoice.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Statement } from '../client.js';
import { naturalId } from '../ids.js';
import { customerCreditEntries, invoices } from '../schema.js';
import { inJson } from './in-json.js';

/** A customer's credit left in one currency, in minor units. */
export async function customerCreditBalance(
  db: Db,
  orgId: string,
  customerId: string,
  currency: string,
): Promise<number> {
  const [row] = await db
    .select({ balance: sql<number>`coalesce(sum(${customerCreditEntries.amountMinor}), 0)` })
    .from(customerCreditEntries)
    .where(
      and(
        eq(customerCreditEntries.orgId, orgId),
        eq(customerCreditEntries.customerId, customerId),
        eq(customerCreditEntries.currency, currency),
      ),
    );
  return Number(row?.balance ?? 0);
}

/** Customer credit each invoice used (positive amounts), by invoice id. */
export async function customerCreditUsedBy(
  db: Db,
  orgId: string,
  invoiceIds: readonly string[],
): Promise<Map<string, number>> {
  const used = new Map<string, number>();
  if (invoiceIds.length === 0) return used;
  const rows = await db
    .select({ invoiceId: customerCreditEntries.invoiceId, amountMinor: customerCreditEntries.amountMinor })
    .from(customerCreditEntries)
    .where(and(eq(customerCreditEntries.orgId, orgId), inJson(customerCreditEntries.invoiceId, invoiceIds)));
  for (const r of rows) {
    if (r.invoiceId === null) continue;
    used.set(r.invoiceId, (used.get(r.invoiceId) ?? 0) - r.amountMinor);
  }
  return used;
}

export interface CustomerCreditMove {
  customerId: string;
  currency: string;
  /** Positive minor units. */
  amountMinor: number;
  now: string;
}

/** The entry a credit note settled as customer credit adds (once per note). */
export function customerCreditGrantStatements(
  db: Db,
  orgId: string,
  creditNoteId: string,
  move: CustomerCreditMove,
): Promise<Statement[]> {
  return creditEntryStatements(db, orgId, { kind: 'credit_note', creditNoteId }, move);
}

/**
 * The entry a payment for more than what was due adds: the excess, kept as the customer's credit
 * (once per payment; the id is derived from the payment, so a replayed webhook adds nothing).
 */
export function overpaymentCreditStatements(
  db: Db,
  orgId: string,
  paymentId: string,
  move: CustomerCreditMove,
): Promise<Statement[]> {
  return creditEntryStatements(db, orgId, { kind: 'payment', paymentId }, move);
}

/** One credit entry whose id is derived from its source, so writing it again adds nothing. */
async function creditEntryStatements(
  db: Db,
  orgId: string,
  source: { kind: 'credit_note'; creditNoteId: string } | { kind: 'payment'; paymentId: string },
  move: CustomerCreditMove,
): Promise<Statement[]> {
  const sourceId = source.kind === 'credit_note' ? source.creditNoteId : source.paymentId;
  const id = await naturalId('ccr', orgId, source.kind, sourceId);
  return [
    db
      .insert(customerCreditEntries)
      .values({
        id,
        orgId,
        customerId: move.customerId,
        currency: move.currency,
        amountMinor: move.amountMinor,
        creditNoteId: source.kind === 'credit_note' ? source.creditNoteId : null,
        invoiceId: null,
        ...(source.kind === 'payment' ? { paymentId: source.paymentId } : {}),
        createdAt: move.now,
      })
      .onConflictDoNothing(),
  ];
}

/**
 * The entry an invoice's collection adds when it spends customer credit (once per invoice), and
 * a guard last: it fails the whole unit when the customer's balance would go below zero — another
 * invoice spent the credit between our read and our write (the job retries with a fresh read).
 * SQLite has no RAISE outside triggers, so the failure is json() of a text that is not JSON, as
 * in credits.ts.
 */
export async function customerCreditDrawStatements(
  db: Db,
  orgId: string,
  invoiceId: string,
  move: CustomerCreditMove,
): Promise<Statement[]> {
  const id = await naturalId('ccr', orgId, 'invoice', invoiceId);
  return [
    db
      .insert(customerCreditEntries)
      .values({
        id,
        orgId,
        customerId: move.customerId,
        currency: move.currency,
        amountMinor: -move.amountMinor,
        creditNoteId: null,
        invoiceId,
        createdAt: move.now,
      })
      .onConflictDoNothing(),
    db
      .update(invoices)
      .set({ number: sql`json(${invoices.id} || ': customer credit overdrawn')` })
      .where(
        and(
          eq(invoices.orgId, orgId),
          eq(invoices.id, invoiceId),
          sql`(SELECT coalesce(sum(e.amount_minor), 0) FROM customer_credit_entries e
            WHERE e.org_id = ${orgId} AND e.customer_id = ${move.customerId} AND e.currency = ${move.currency}) < 0`,
        ),
      ),
  ];
}
