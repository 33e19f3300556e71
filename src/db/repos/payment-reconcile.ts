/**
 * The payment reconciler's read: invoices a payment was attempted for (the provider's object is in
 * external_refs) at least a while ago, still finalized (or overdue) and with no payment recorded — the ones a
 * lost webhook would leave unpaid for good. Across orgs, like the job claim: each row names its org.
 */
import { and, eq, inArray, lte, notExists } from 'drizzle-orm';
import type { Db } from '../client.js';
import { contracts, externalRefs, invoices, payments } from '../schema.js';

export interface UnsettledPaymentAttempt {
  orgId: string;
  invoiceId: string;
  provider: string;
  paymentExternalId: string;
  sourceSystem: string | null;
  sourceDealId: string | null;
}

export async function unsettledPaymentAttempts(
  db: Db,
  attemptedBeforeIso: string,
  limit: number,
): Promise<UnsettledPaymentAttempt[]> {
  return db
    .select({
      orgId: invoices.orgId,
      invoiceId: invoices.id,
      provider: externalRefs.system,
      paymentExternalId: externalRefs.externalId,
      sourceSystem: contracts.sourceSystem,
      sourceDealId: contracts.sourceDealId,
    })
    .from(invoices)
    .innerJoin(
      externalRefs,
      and(
        eq(externalRefs.orgId, invoices.orgId),
        eq(externalRefs.objectType, 'payment_intent'),
        eq(externalRefs.localId, invoices.id),
      ),
    )
    .leftJoin(contracts, and(eq(contracts.orgId, invoices.orgId), eq(contracts.id, invoices.contractId)))
    .where(
      and(
        // Finalized and not yet paid, or past its due date and still not paid.
        inArray(invoices.status, ['finalized', 'overdue']),
        lte(externalRefs.createdAt, attemptedBeforeIso),
        notExists(
          db
            .select({ id: payments.id })
            .from(payments)
            .where(and(eq(payments.orgId, invoices.orgId), eq(payments.invoiceId, invoices.id))),
        ),
      ),
    )
    .limit(limit);
}
