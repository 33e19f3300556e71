/**
 * What is still owed on issued invoices, for the aging report (src/domain/receivables.ts): every
 * finalized, partly paid, overdue or uncollectible invoice of the org (credit notes excluded),
 * less payments and the credit notes and customer credit that reduce it.
 */
import { and, eq, inArray, ne } from 'drizzle-orm';
import { amountDueMinor } from '../../domain/invoice-lifecycle.js';
import type { OpenReceivable } from '../../domain/receivables.js';
import type { Db } from '../client.js';
import { customers, invoices } from '../schema.js';
import { creditedMinorOf } from './invoices-read.js';

const OPEN = ['finalized', 'partially_paid', 'overdue', 'uncollectible'] as const;

export async function openReceivables(db: Db, orgId: string, currency?: string): Promise<OpenReceivable[]> {
  const rows = await db
    .select({
      id: invoices.id,
      status: invoices.status,
      totalMinor: invoices.totalMinor,
      amountPaidMinor: invoices.amountPaidMinor,
      currency: invoices.currency,
      dueDate: invoices.dueDate,
      customerId: invoices.customerId,
      customerName: customers.name,
    })
    .from(invoices)
    .innerJoin(customers, and(eq(customers.orgId, orgId), eq(customers.id, invoices.customerId)))
    .where(
      and(
        eq(invoices.orgId, orgId),
        inArray(invoices.status, [...OPEN]),
        ne(invoices.documentKind, 'credit_note'),
        ...(currency ? [eq(invoices.currency, currency)] : []),
      ),
    );
  const credited = await creditedMinorOf(
    db,
    orgId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    customerId: r.customerId,
    customerName: r.customerName,
    currency: r.currency,
    dueDate: r.dueDate,
    dueMinor: amountDueMinor({ ...r, creditedMinor: credited.get(r.id) ?? 0 }),
  }));
}
