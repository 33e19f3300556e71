/**
 * Consolidated invoices (issue #10, an org setting): one invoice per customer and billing date
 * holding the lines of every contract period due that day, each line keeping its contract and
 * period (invoice_lines.contract_id, period_start, period_end, period_kind; migration 0014).
 * Every function takes the org id.
 *
 * "Billed once" holds per period, not per invoice: a period is taken when an invoice has it as
 * its natural key (org, contract, period start, kind) or a consolidated line names it. The
 * invoice itself takes the key of its first period, so the unique index still backs it. As in
 * invoiceChunkStatements (billing-runs.ts), the lines go first and everything is guarded by
 * "every period of this invoice is still free", in ONE atomic() unit: a rerun or a concurrent
 * run writes nothing twice, and an invoice one of whose periods got billed meanwhile is left
 * out whole (the next run bills the rest from a fresh read).
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, Statement } from '../client.js';
import { invoiceLines, invoices, usageEvents } from '../schema.js';
import type { InvoiceRowInput } from './billing-runs.js';

/** A consolidated invoice to write: its periods, and lines that each name theirs (`billed`). */
export interface ConsolidatedInvoiceInput extends InvoiceRowInput {
  periods: { contractId: string; periodStart: string; kind: 'advance' | 'arrears' }[];
  documentKind: 'recurring' | 'usage';
}

/**
 * "Every period of the invoice whose id is `id` is free": no invoice has it as its key, and no
 * line of another invoice names it (the invoice's own lines are written just before it).
 */
const periodsFree = (orgId: string, periodsJson: string, id: SQL) =>
  sql`NOT EXISTS (SELECT 1 FROM json_each(${periodsJson}) p WHERE p.value->>0 = ${id} AND (
      EXISTS (SELECT 1 FROM invoices i WHERE i.org_id = ${orgId} AND i.contract_id = p.value->>1
        AND i.period_start = p.value->>2 AND i.kind = p.value->>3 AND i.kind != 'credit_note')
      OR EXISTS (SELECT 1 FROM invoice_lines l WHERE l.org_id = ${orgId} AND l.contract_id = p.value->>1
        AND l.period_start = p.value->>2 AND l.period_kind = p.value->>3 AND l.invoice_id != p.value->>0)))`;
type SQL = ReturnType<typeof sql>;

/**
 * The lines, late usage marks and invoices of one chunk's consolidated invoices, in that order; the
 * invoice insert is the last statement (its changed rows are the invoices created).
 */
export function consolidatedChunkStatements(
  db: Db,
  orgId: string,
  now: string,
  chunk: readonly ConsolidatedInvoiceInput[],
  billingRunId: string | null,
): Statement[] {
  if (chunk.length === 0) return [];
  const periodsJson = JSON.stringify(
    chunk.flatMap((inv) => inv.periods.map((p) => [inv.id, p.contractId, p.periodStart, p.kind])),
  );
  const lineJson = JSON.stringify(
    chunk.flatMap((inv) =>
      inv.lines.map((l, i) => [
        l.id,
        inv.id,
        i + 1,
        l.productId,
        l.description,
        l.quantity,
        l.unitAmount,
        l.amountMinor,
        l.lineKind,
        l.sourceRef,
        l.detail,
        l.billed!.contractId,
        l.billed!.periodStart,
        l.billed!.periodEnd,
        l.billed!.kind,
      ]),
    ),
  );
  const statements: Statement[] = [
    // Column order = schema order of invoice_lines.
    db.insert(invoiceLines).select(
      sql`SELECT j.value->>0, ${orgId}, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6,
            j.value->>7, 0, j.value->>8, j.value->>9, j.value->>10, j.value->>11, j.value->>12, j.value->>13, j.value->>14
          FROM json_each(${lineJson}) j WHERE ${periodsFree(orgId, periodsJson, sql`j.value->>1`)}`,
    ),
  ];
  const lateJson = JSON.stringify(chunk.flatMap((inv) => (inv.lateEventIds ?? []).map((e) => [e, inv.id])));
  if (lateJson !== '[]') {
    statements.push(
      db
        .update(usageEvents)
        .set({
          lateBilledInvoiceId: sql`(SELECT j.value->>1 FROM json_each(${lateJson}) j
            WHERE j.value->>0 = "usage_events"."id")`,
        })
        .where(
          and(
            eq(usageEvents.orgId, orgId),
            sql`"usage_events"."late" = 1`,
            isNull(usageEvents.lateBilledInvoiceId),
            sql`"usage_events"."id" IN (SELECT j.value->>0 FROM json_each(${lateJson}) j
              WHERE ${periodsFree(orgId, periodsJson, sql`j.value->>1`)})`,
          ),
        ),
    );
  }
  const invoiceJson = JSON.stringify(
    chunk.map((inv) => [
      inv.id,
      inv.contractId,
      inv.periodStart,
      inv.kind,
      inv.customerId,
      inv.periodEnd,
      inv.currency,
      inv.totalMinor,
      inv.issueDate,
      inv.dueDate,
      inv.rounding,
      inv.documentKind,
    ]),
  );
  statements.push(
    db
      .insert(invoices)
      .select(
        // Column order = schema order of invoices, as invoiceChunkStatements writes them.
        sql`SELECT j.value->>0, ${orgId}, NULL, j.value->>1, j.value->>4, j.value->>3, j.value->>2, j.value->>5, 'draft', j.value->>6,
              j.value->>7, 0, j.value->>7, 0, j.value->>8, j.value->>9, j.value->>10, ${now},
              j.value->>11, ${billingRunId}, NULL, NULL, 0
            FROM json_each(${invoiceJson}) j WHERE ${periodsFree(orgId, periodsJson, sql`j.value->>0`)}`,
      )
      .onConflictDoUpdate({
        target: [invoices.orgId, invoices.contractId, invoices.periodStart, invoices.kind],
        targetWhere: sql`${invoices.kind} != 'credit_note'`,
        set: { id: sql`${invoices.id}` },
        setWhere: sql`false`,
      }),
  );
  return statements;
}

/**
 * The periods of the given contract versions that consolidated invoices bill, of one kind (an
 * amendment credits in-advance periods wherever they were billed). Distinct; by period start.
 */
export async function consolidatedPeriodsOf(
  db: Db,
  orgId: string,
  contractIds: readonly string[],
  kind: 'advance' | 'arrears',
): Promise<{ contractId: string; periodStart: string; periodEnd: string }[]> {
  if (contractIds.length === 0) return [];
  const rows = await db
    .selectDistinct({
      contractId: invoiceLines.contractId,
      periodStart: invoiceLines.periodStart,
      periodEnd: invoiceLines.periodEnd,
    })
    .from(invoiceLines)
    .where(
      and(
        eq(invoiceLines.orgId, orgId),
        inArray(invoiceLines.contractId, [...contractIds]),
        eq(invoiceLines.periodKind, kind),
      ),
    )
    .orderBy(invoiceLines.periodStart);
  return rows.map((r) => ({ contractId: r.contractId!, periodStart: r.periodStart!, periodEnd: r.periodEnd! }));
}
