/**
 * Reads behind GET /api/v1/invoices, /invoices/{id} and /credit-notes. Every function takes the org
 * id and scopes every query by it. Sets of ids travel as ONE JSON parameter read with json_each(),
 * so a page of any size stays far below D1's 100 bound parameters per statement.
 */

import { and, asc, desc, eq, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import { type InvoiceDocumentKind, type InvoiceStatus, isIssuedCredit } from '../../domain/invoice-lifecycle.js';
import { ERP_VENDORS, TAX_ENGINES } from '../../domain/vendors.js';
import type { Db } from '../client.js';
import {
  creditNotes,
  customerCreditEntries,
  externalRefs,
  flowRuns,
  flowSteps,
  invoiceLines,
  invoices,
  jobs,
  payments,
} from '../schema.js';
import { customerCreditUsedBy } from './customer-credit.js';
import { inJson } from './in-json.js';
import { journalOf } from './ledger.js';

export type InvoiceReadRow = typeof invoices.$inferSelect;

/** Where a page starts: after this (created_at, id), newest first. */
export interface PageAfter {
  createdAt: string;
  id: string;
}

export interface InvoiceFilter {
  /** invoices = every kind but credit notes; credit_notes = only those. */
  documents: 'invoices' | 'credit_notes';
  status?: InvoiceStatus;
  kind?: InvoiceDocumentKind;
  customerId?: string;
  contractId?: string;
  billingRunId?: string;
  /** Credit notes of this invoice. */
  creditedInvoiceId?: string;
  /** Service periods starting in this month (from, to) or containing this day (from = to). */
  period?: { month: { from: string; until: string } } | { day: string };
}

function conditions(orgId: string, f: InvoiceFilter): SQL[] {
  const where: (SQL | undefined)[] = [
    eq(invoices.orgId, orgId),
    f.documents === 'credit_notes'
      ? eq(invoices.documentKind, 'credit_note')
      : ne(invoices.documentKind, 'credit_note'),
    f.status ? eq(invoices.status, f.status) : undefined,
    f.kind ? eq(invoices.documentKind, f.kind) : undefined,
    f.customerId ? eq(invoices.customerId, f.customerId) : undefined,
    f.contractId ? eq(invoices.contractId, f.contractId) : undefined,
    f.billingRunId ? eq(invoices.billingRunId, f.billingRunId) : undefined,
    f.creditedInvoiceId ? eq(invoices.creditedInvoiceId, f.creditedInvoiceId) : undefined,
  ];
  if (f.period && 'month' in f.period) {
    where.push(
      sql`${invoices.periodStart} >= ${f.period.month.from} AND ${invoices.periodStart} < ${f.period.month.until}`,
    );
  } else if (f.period) {
    where.push(sql`${invoices.periodStart} <= ${f.period.day} AND ${f.period.day} < ${invoices.periodEnd}`);
  }
  return where.filter((w): w is SQL => w !== undefined);
}

export interface InvoicePage {
  rows: InvoiceReadRow[];
  /** Where the next page starts; null on the last page. */
  next: PageAfter | null;
}

/** One page, newest first by (created_at, id): a stable order that new invoices never reshuffle. */
export async function listInvoicePage(
  db: Db,
  orgId: string,
  filter: InvoiceFilter,
  page: { limit: number; after?: PageAfter },
): Promise<InvoicePage> {
  const where = conditions(orgId, filter);
  if (page.after) {
    const { createdAt, id } = page.after;
    where.push(or(lt(invoices.createdAt, createdAt), and(eq(invoices.createdAt, createdAt), lt(invoices.id, id)))!);
  }
  // One row more than asked says whether another page follows.
  const rows = await db
    .select()
    .from(invoices)
    .where(and(...where))
    .orderBy(desc(invoices.createdAt), desc(invoices.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

export interface ExternalRef {
  system: string;
  objectType: string;
  externalId: string;
}

/** External refs of the given local ids in the given systems, by local id. */
async function refsByLocalId(
  db: Db,
  orgId: string,
  localIds: readonly string[],
  systems: readonly string[],
): Promise<Map<string, ExternalRef[]>> {
  const byId = new Map<string, ExternalRef[]>();
  if (localIds.length === 0) return byId;
  const rows = await db
    .select()
    .from(externalRefs)
    .where(
      and(eq(externalRefs.orgId, orgId), inJson(externalRefs.localId, localIds), inJson(externalRefs.system, systems)),
    )
    .orderBy(asc(externalRefs.system), asc(externalRefs.objectType));
  for (const r of rows) {
    const list = byId.get(r.localId) ?? [];
    list.push({ system: r.system, objectType: r.objectType, externalId: r.externalId });
    byId.set(r.localId, list);
  }
  return byId;
}

/** ERP refs (QuickBooks invoice, credit memo, ...) of each invoice. */
export const erpRefsOf = (db: Db, orgId: string, invoiceIds: readonly string[]) =>
  refsByLocalId(db, orgId, invoiceIds, ERP_VENDORS);

/**
 * What is taken off each invoice's amount due besides payments, in minor units: its issued credit
 * notes settled by reducing what is due (drafts, voided notes, and notes paid out as a refund or
 * kept as customer credit take nothing off), and the customer credit its collection spent.
 */
export async function creditedMinorOf(
  db: Db,
  orgId: string,
  invoiceIds: readonly string[],
): Promise<Map<string, number>> {
  if (invoiceIds.length === 0) return new Map();
  const rows = await db
    .select({
      invoiceId: invoices.creditedInvoiceId,
      status: invoices.status,
      totalMinor: invoices.totalMinor,
      settlement: creditNotes.settlement,
    })
    .from(invoices)
    .leftJoin(creditNotes, and(eq(creditNotes.orgId, orgId), eq(creditNotes.id, invoices.id)))
    .where(
      and(
        eq(invoices.orgId, orgId),
        eq(invoices.documentKind, 'credit_note'),
        inJson(invoices.creditedInvoiceId, invoiceIds),
      ),
    );
  const credited = await customerCreditUsedBy(db, orgId, invoiceIds);
  for (const r of rows) {
    if (r.invoiceId === null || !isIssuedCredit(r.status)) continue;
    if (r.settlement !== null && r.settlement !== 'reduce_due') continue;
    credited.set(r.invoiceId, (credited.get(r.invoiceId) ?? 0) + r.totalMinor);
  }
  return credited;
}

/** Everything about one invoice or credit note; undefined when the org has no such document. */
export async function invoiceDetail(db: Db, orgId: string, invoiceId: string) {
  const [invoice] = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), eq(invoices.id, invoiceId)));
  if (!invoice) return undefined;
  const lines = await db
    .select()
    .from(invoiceLines)
    .where(and(eq(invoiceLines.orgId, orgId), eq(invoiceLines.invoiceId, invoiceId)))
    .orderBy(asc(invoiceLines.lineNo));
  const paymentRows = await db
    .select()
    .from(payments)
    .where(and(eq(payments.orgId, orgId), eq(payments.invoiceId, invoiceId)))
    .orderBy(asc(payments.receivedAt), asc(payments.id));
  const notes = await db
    .select({ note: invoices, terms: creditNotes })
    .from(invoices)
    .leftJoin(creditNotes, and(eq(creditNotes.orgId, orgId), eq(creditNotes.id, invoices.id)))
    .where(
      and(
        eq(invoices.orgId, orgId),
        eq(invoices.documentKind, 'credit_note'),
        eq(invoices.creditedInvoiceId, invoiceId),
      ),
    )
    .orderBy(asc(invoices.createdAt), asc(invoices.id));
  const creditNoteRows = notes.map((n) => ({
    ...n.note,
    reason: n.terms?.reason ?? null,
    settlement: n.terms?.settlement ?? null,
  }));
  // A credit note's own reason, settlement and memo.
  const [terms] =
    invoice.documentKind === 'credit_note'
      ? await db
          .select()
          .from(creditNotes)
          .where(and(eq(creditNotes.orgId, orgId), eq(creditNotes.id, invoiceId)))
      : [];
  // What a settled credit note added to the customer's credit (all of a customer_credit note; the
  // rest below the provider's step of a refund, flows/issue-credit-note.ts).
  const keptAsCredit = terms
    ? await db
        .select({ amountMinor: customerCreditEntries.amountMinor })
        .from(customerCreditEntries)
        .where(and(eq(customerCreditEntries.orgId, orgId), eq(customerCreditEntries.creditNoteId, invoiceId)))
    : [];
  const refs = await refsByLocalId(db, orgId, [invoiceId], [...ERP_VENDORS, ...TAX_ENGINES]);
  // A credit note's own jobs and entries belong to the invoice's change history too.
  const subjects = [invoiceId, ...paymentRows.map((p) => p.id), ...creditNoteRows.map((n) => n.id)];
  return {
    invoice,
    lines,
    payments: paymentRows,
    creditNotes: creditNoteRows,
    creditNoteTerms: terms ?? null,
    creditKeptMinor: keptAsCredit.reduce((sum, e) => sum + e.amountMinor, 0),
    erpRefs: (refs.get(invoiceId) ?? []).filter((r) => (ERP_VENDORS as readonly string[]).includes(r.system)),
    taxRefs: (refs.get(invoiceId) ?? []).filter((r) => (TAX_ENGINES as readonly string[]).includes(r.system)),
    ledger: await journalOf(db, orgId, subjects),
    timeline: await jobsOf(db, orgId, subjects),
  };
}

/**
 * The flow jobs whose subject is one of `subjectIds`, oldest first, with their steps once they ran.
 * A flow job's payload names its subject (flows/jobs.ts), so queued jobs that never ran show too.
 */
async function jobsOf(db: Db, orgId: string, subjectIds: readonly string[]) {
  const jobRows = await db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.orgId, orgId),
        eq(jobs.kind, 'flow'),
        sql`json_extract(${jobs.payload}, '$.subjectId') IN (SELECT value FROM json_each(${JSON.stringify(subjectIds)}))`,
      ),
    )
    .orderBy(asc(jobs.createdAt), asc(jobs.id));
  if (jobRows.length === 0) return [];
  const jobIds = jobRows.map((j) => j.id);
  const runs = await db
    .select()
    .from(flowRuns)
    .where(and(eq(flowRuns.orgId, orgId), inJson(flowRuns.jobId, jobIds)));
  const steps =
    runs.length === 0
      ? []
      : await db
          .select()
          .from(flowSteps)
          .where(
            and(
              eq(flowSteps.orgId, orgId),
              inJson(
                flowSteps.runId,
                runs.map((r) => r.id),
              ),
            ),
          )
          .orderBy(asc(flowSteps.updatedAt), asc(flowSteps.id));
  return jobRows.map((job) => {
    const run = runs.find((r) => r.jobId === job.id);
    const payload = JSON.parse(job.payload) as { flow?: string; subjectId?: string };
    return {
      job,
      flow: payload.flow ?? null,
      subjectId: payload.subjectId ?? null,
      steps: run ? steps.filter((s) => s.runId === run.id) : [],
    };
  });
}
