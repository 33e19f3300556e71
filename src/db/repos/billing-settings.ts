/**
 * How an org's invoices are written and finalize (issue #10): policy, grace period, number prefix
 * and consolidation. An org
 * without a row has the defaults. Every function takes the org id.
 */
import { and, asc, eq, lte, ne, sql } from 'drizzle-orm';
import type { Db, Statement } from '../client.js';
import { contracts, invoices, orgBillingSettings } from '../schema.js';

export type FinalizePolicy = 'auto' | 'approval';

export interface BillingSettings {
  finalizePolicy: FinalizePolicy;
  /** auto: seconds a draft waits after it was written, so late usage can still land in it. */
  graceSeconds: number;
  /** Put before the six-digit sequence number: INV-000042. */
  numberPrefix: string;
  /** Billing runs write one invoice per customer and billing date holding every contract's lines. */
  consolidate: boolean;
}

/** Stripe's auto-advance finalizes about an hour after a draft is made; the hub does the same. */
export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  finalizePolicy: 'auto',
  graceSeconds: 3600,
  numberPrefix: 'INV-',
  consolidate: false,
};

export async function getBillingSettings(db: Db, orgId: string): Promise<BillingSettings> {
  const [row] = await db.select().from(orgBillingSettings).where(eq(orgBillingSettings.orgId, orgId));
  if (!row) return { ...DEFAULT_BILLING_SETTINGS };
  return {
    finalizePolicy: row.finalizePolicy,
    graceSeconds: row.graceSeconds,
    numberPrefix: row.numberPrefix,
    consolidate: row.consolidate,
  };
}

/** Writes the org's settings whole (the caller merges a partial change with getBillingSettings first). */
export function billingSettingsStatement(db: Db, orgId: string, settings: BillingSettings, now: string): Statement {
  const values = { ...settings, updatedAt: now };
  return db
    .insert(orgBillingSettings)
    .values({ orgId, ...values })
    .onConflictDoUpdate({ target: orgBillingSettings.orgId, set: values });
}

/** A draft to finalize, with the deal its contract came from (the finalize job joins the deal's trace). */
export interface DraftToFinalize {
  id: string;
  sourceSystem: string | null;
  sourceDealId: string | null;
}

const draftColumns = {
  id: invoices.id,
  sourceSystem: contracts.sourceSystem,
  sourceDealId: contracts.sourceDealId,
};

/** The job's dedupe key is the flow and invoice (flows/jobs.ts): a draft without one was not asked for yet. */
const noFinalizeJob = sql`NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.org_id = ${invoices.orgId}
  AND jobs.dedupe_key = 'finalize-invoice:' || ${invoices.id})`;

/**
 * Drafts written at or before `cutoff` (ISO) that no finalize job was made for yet, oldest first:
 * the ones whose grace has passed. Credit notes are left out: they settle through their own flow.
 */
export async function draftsWrittenBy(db: Db, orgId: string, cutoff: string, limit = 500): Promise<DraftToFinalize[]> {
  return db
    .select(draftColumns)
    .from(invoices)
    .leftJoin(contracts, and(eq(contracts.orgId, orgId), eq(contracts.id, invoices.contractId)))
    .where(
      and(
        eq(invoices.orgId, orgId),
        eq(invoices.status, 'draft'),
        ne(invoices.documentKind, 'credit_note'),
        lte(invoices.createdAt, cutoff),
        noFinalizeJob,
      ),
    )
    .orderBy(asc(invoices.createdAt), asc(invoices.id))
    .limit(limit);
}

/** One draft (not a credit note) by id, for the API's finalize and approve. */
export async function draftById(db: Db, orgId: string, invoiceId: string): Promise<DraftToFinalize | undefined> {
  const [row] = await db
    .select(draftColumns)
    .from(invoices)
    .leftJoin(contracts, and(eq(contracts.orgId, orgId), eq(contracts.id, invoices.contractId)))
    .where(and(eq(invoices.orgId, orgId), eq(invoices.id, invoiceId)));
  return row;
}

/** Every draft (not a credit note) a billing run wrote, for approving the run in one call. */
export async function draftsOfBillingRun(db: Db, orgId: string, billingRunId: string): Promise<DraftToFinalize[]> {
  return db
    .select(draftColumns)
    .from(invoices)
    .leftJoin(contracts, and(eq(contracts.orgId, orgId), eq(contracts.id, invoices.contractId)))
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
