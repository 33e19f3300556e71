/**
 * How an org's invoices finalize (issue #10): policy, grace period and number prefix. An org
 * without a row has the defaults. Every function takes the org id.
 */
import { and, asc, eq, lte, ne } from 'drizzle-orm';
import type { Db, Statement } from '../client.js';
import { invoices, orgBillingSettings } from '../schema.js';

export type FinalizePolicy = 'auto' | 'approval';

export interface BillingSettings {
  finalizePolicy: FinalizePolicy;
  /** auto: seconds a draft waits after it was written, so late usage can still land in it. */
  graceSeconds: number;
  /** Put before the six-digit sequence number: INV-000042. */
  numberPrefix: string;
}

/** Stripe's auto-advance finalizes about an hour after a draft is made; the hub does the same. */
export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  finalizePolicy: 'auto',
  graceSeconds: 3600,
  numberPrefix: 'INV-',
};

export async function getBillingSettings(db: Db, orgId: string): Promise<BillingSettings> {
  const [row] = await db.select().from(orgBillingSettings).where(eq(orgBillingSettings.orgId, orgId));
  if (!row) return { ...DEFAULT_BILLING_SETTINGS };
  return { finalizePolicy: row.finalizePolicy, graceSeconds: row.graceSeconds, numberPrefix: row.numberPrefix };
}

/** Writes the org's settings whole (the caller merges a partial change with getBillingSettings first). */
export function billingSettingsStatement(db: Db, orgId: string, settings: BillingSettings, now: string): Statement {
  const values = { ...settings, updatedAt: now };
  return db
    .insert(orgBillingSettings)
    .values({ orgId, ...values })
    .onConflictDoUpdate({ target: orgBillingSettings.orgId, set: values });
}

/**
 * Drafts written at or before `cutoff` (ISO), oldest first: the ones whose grace has passed.
 * Credit notes are left out: they settle through their own flow.
 */
export async function draftsWrittenBy(db: Db, orgId: string, cutoff: string, limit = 1000) {
  return db
    .select({ id: invoices.id, billingRunId: invoices.billingRunId })
    .from(invoices)
    .where(
      and(
        eq(invoices.orgId, orgId),
        eq(invoices.status, 'draft'),
        ne(invoices.documentKind, 'credit_note'),
        lte(invoices.createdAt, cutoff),
      ),
    )
    .orderBy(asc(invoices.createdAt), asc(invoices.id))
    .limit(limit);
}

/** Every draft (not a credit note) a billing run wrote, for approving the run in one call. */
export async function draftsOfBillingRun(db: Db, orgId: string, billingRunId: string) {
  return db
    .select({ id: invoices.id })
    .from(invoices)
    .where(
      and(
        eq(invoices.orgId, orgId),
        eq(invoices.billingRunId, billingRunId),
        eq(invoices.status, 'draft'),
        ne(invoices.documentKind, 'credit_note'),
      ),
    )
    .orderBy(asc(invoices.id));
}

/** The tax_pending invoices of one customer (a fixed address retries them). */
export async function taxPendingOfCustomer(db: Db, orgId: string, customerId: string) {
  return db
    .select({ id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), eq(invoices.customerId, customerId), eq(invoices.status, 'tax_pending')));
}

