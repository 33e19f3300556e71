/**
 * Credit notes against one invoice (issue #10): what planCreditNote (src/domain/credit-notes.ts)
 * reads, and the statements that write a planned note in one atomic() unit. A credit note is an
 * invoices row (kind credit_note, credited_invoice_id) with its lines, plus its credit_notes row
 * (reason, settlement). Each credit note line names the invoice line it credits in its detail
 * (`credits_line_no`); an amendment's lines credit the period, not one line, and name none.
 * Every function takes the org id.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { CreditPlan, CreditReason, CreditSettlement, EarlierCredit } from '../../domain/credit-notes.js';
import { minorToMajor } from '../../domain/money.js';
import type { Db, Statement } from '../client.js';
import { naturalId } from '../ids.js';
import { creditNotes, invoiceLines, invoices } from '../schema.js';
import { inJson } from './in-json.js';

type InvoiceRow = typeof invoices.$inferSelect;
type LineRow = typeof invoiceLines.$inferSelect;

/** The invoice line a credit note line credits, from its detail; null for an amendment's lines. */
export function creditsLineNo(line: Pick<LineRow, 'detail'>): number | null {
  if (!line.detail) return null;
  try {
    const detail = JSON.parse(line.detail) as { credits_line_no?: unknown };
    return typeof detail?.credits_line_no === 'number' ? detail.credits_line_no : null;
  } catch {
    return null;
  }
}

/** A credit note's reason and settlement; undefined for notes written before they had one. */
export async function creditNoteTerms(db: Db, orgId: string, noteId: string) {
  const [row] = await db
    .select()
    .from(creditNotes)
    .where(and(eq(creditNotes.orgId, orgId), eq(creditNotes.id, noteId)));
  return row;
}

/** The credit notes of one invoice (voided ones too), oldest first, each with its lines and settlement. */
export async function creditNotesOf(db: Db, orgId: string, invoiceId: string) {
  const notes = await db
    .select({ note: invoices, settlement: creditNotes.settlement })
    .from(invoices)
    .leftJoin(creditNotes, and(eq(creditNotes.orgId, orgId), eq(creditNotes.id, invoices.id)))
    .where(and(eq(invoices.orgId, orgId), eq(invoices.kind, 'credit_note'), eq(invoices.creditedInvoiceId, invoiceId)))
    .orderBy(asc(invoices.createdAt), asc(invoices.id));
  if (notes.length === 0) return [];
  const lines = await db
    .select()
    .from(invoiceLines)
    .where(
      and(
        eq(invoiceLines.orgId, orgId),
        inJson(
          invoiceLines.invoiceId,
          notes.map((n) => n.note.id),
        ),
      ),
    )
    .orderBy(asc(invoiceLines.lineNo));
  return notes.map(({ note, settlement }) => ({
    note,
    settlement,
    lines: lines.filter((l) => l.invoiceId === note.id),
  }));
}

/**
 * A customer's credit notes in one currency that are still being issued (draft, tax_pending, or
 * finalized and not settled yet) and will lower what the customer owes (settlement reduce_due, customer_credit, or not decided
 * yet, as an amendment's): collection waits for them, so it charges what is left after them.
 */
export async function creditNotesBeingIssued(db: Db, orgId: string, customerId: string, currency: string) {
  const rows = await db
    .select({ id: invoices.id, settlement: creditNotes.settlement })
    .from(invoices)
    .leftJoin(creditNotes, and(eq(creditNotes.orgId, orgId), eq(creditNotes.id, invoices.id)))
    .where(
      and(
        eq(invoices.orgId, orgId),
        eq(invoices.customerId, customerId),
        eq(invoices.currency, currency),
        eq(invoices.kind, 'credit_note'),
        // finalized: issued, not settled yet (settling is its flow's last step; then it is paid).
        inArray(invoices.status, ['draft', 'tax_pending', 'finalized']),
      ),
    );
  return rows.filter((r) => r.settlement !== 'refund').map((r) => r.id);
}

/** What planCreditNote needs to know of the earlier notes. */
export function toEarlierCredits(notes: Awaited<ReturnType<typeof creditNotesOf>>): EarlierCredit[] {
  return notes.map(({ note, settlement, lines }) => ({
    status: note.status,
    totalMinor: note.totalMinor,
    roundingMinor: note.roundingMinor,
    settlement,
    lines: lines.map((l) => ({ creditsLineNo: creditsLineNo(l), amountMinor: l.amountMinor, taxMinor: l.taxMinor })),
  }));
}

/**
 * The statements that write one planned credit note as a draft: the invoices row (with the
 * planned tax, so the guard below counts what the note will credit), its lines (each a copy of
 * the line it credits, or one unit at the credited amount when part of a line is credited), its
 * credit_notes row, and last a guard that fails the unit when the invoice's live credit notes
 * would together exceed its total — a concurrent request wrote one between our read and our write.
 */
export async function creditNoteStatements(
  db: Db,
  orgId: string,
  args: {
    id: string;
    invoice: InvoiceRow;
    invoiceLines: readonly LineRow[];
    plan: CreditPlan;
    reason: CreditReason;
    memo: string | null;
    issueDate: string;
    now: string;
  },
): Promise<Statement[]> {
  const { id, invoice, plan, now } = args;
  const byNo = new Map(args.invoiceLines.map((l) => [l.lineNo, l]));
  const lineIds = await Promise.all(plan.lines.map((_, i) => naturalId('inl', orgId, id, i + 1)));
  // Ids first, builders after: drizzle builders are thenables and must not pass through await.
  const statements: Statement[] = [
    db.insert(invoices).values({
      id,
      orgId,
      number: null,
      contractId: invoice.contractId,
      customerId: invoice.customerId,
      kind: 'credit_note',
      periodStart: invoice.periodStart,
      periodEnd: invoice.periodEnd,
      status: 'draft',
      currency: invoice.currency,
      subtotalMinor: plan.netMinor,
      taxMinor: plan.taxMinor,
      // The invoice's rounding difference, on the note that credits all that is left of it.
      roundingMinor: plan.roundingMinor,
      totalMinor: plan.totalMinor,
      amountPaidMinor: 0,
      issueDate: args.issueDate,
      dueDate: args.issueDate,
      rounding: invoice.rounding,
      createdAt: now,
      documentKind: 'credit_note',
      billingRunId: null,
      creditedInvoiceId: invoice.id,
    }),
    ...plan.lines.map((planned, i) => {
      const credited = byNo.get(planned.creditsLineNo)!;
      const whole = planned.amountMinor === credited.amountMinor;
      return db.insert(invoiceLines).values({
        id: lineIds[i]!,
        orgId,
        invoiceId: id,
        lineNo: i + 1,
        productId: credited.productId,
        description: credited.description,
        quantity: whole ? credited.quantity : '1',
        unitAmount: whole ? credited.unitAmount : minorToMajor(planned.amountMinor, invoice.currency),
        amountMinor: planned.amountMinor,
        taxMinor: planned.taxMinor,
        lineKind: credited.lineKind,
        sourceRef: credited.sourceRef,
        detail: JSON.stringify({ credits_line_no: planned.creditsLineNo }),
      });
    }),
    db.insert(creditNotes).values({
      id,
      orgId,
      invoiceId: invoice.id,
      reason: args.reason,
      settlement: plan.settlement,
      memo: args.memo,
      createdAt: now,
    }),
    creditLimitGuard(db, orgId, id, invoice.id),
  ];
  return statements;
}

/**
 * Fails the unit (json() of a text that is not JSON, as in credits.ts) when the live credit notes
 * of `invoiceId`, `noteId` included, sum above the invoice's total.
 */
export function creditLimitGuard(db: Db, orgId: string, noteId: string, invoiceId: string): Statement {
  return db
    .update(invoices)
    .set({ number: sql`json(${invoices.id} || ': credit notes exceed the invoice total')` })
    .where(
      and(
        eq(invoices.orgId, orgId),
        eq(invoices.id, noteId),
        sql`(SELECT coalesce(sum(n.total_minor), 0) FROM invoices n WHERE n.org_id = ${orgId}
            AND n.kind = 'credit_note' AND n.credited_invoice_id = ${invoiceId} AND n.status != 'void')
          > (SELECT i.total_minor FROM invoices i WHERE i.org_id = ${orgId} AND i.id = ${invoiceId})`,
      ),
    );
}

/** True when a write failed on one of this file's guards (or credits.ts'): the "malformed JSON" of json(). */
export function isGuardFailure(error: unknown): boolean {
  return error instanceof Error && /malformed JSON/i.test(error.message);
}

/**
 * An amendment's credit note has its credit_notes row from the amendment (reason order_change, no
 * settlement yet; older ones have none): the settlement decided at issue is written once.
 */
export function settlementStatements(
  db: Db,
  orgId: string,
  note: { id: string; creditedInvoiceId: string },
  settlement: CreditSettlement,
  now: string,
): Statement[] {
  return [
    db
      .insert(creditNotes)
      .values({
        id: note.id,
        orgId,
        invoiceId: note.creditedInvoiceId,
        reason: 'order_change',
        settlement: null,
        memo: null,
        createdAt: now,
      })
      .onConflictDoNothing(),
    db
      .update(creditNotes)
      .set({ settlement })
      .where(and(eq(creditNotes.orgId, orgId), eq(creditNotes.id, note.id), sql`${creditNotes.settlement} IS NULL`)),
  ];
}
