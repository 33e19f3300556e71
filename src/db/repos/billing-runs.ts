/**
 * Billing runs: the run row and its progress, and the bulk reads and writes of the billing engine
 * (flows/billing-run.ts). Every function takes an org id.
 *
 * Bulk shape: the engine's inputs and outputs travel as ONE JSON parameter per statement, read in
 * SQL with json_each(). That keeps every statement far below D1's 100 bound parameters, works the
 * same on better-sqlite3, and measured faster than multi-row VALUES lists there (no per-chunk
 * statement text to prepare).
 */
import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { syncPrepared, syncUnit } from '../atomic.js';
import type { Db, Statement } from '../client.js';
import { billingRuns, contracts, invoiceLines, invoices, products, usageEvents } from '../schema.js';
import { isBalanceDraw } from './credits.js';

export type BillingRunRow = typeof billingRuns.$inferSelect;

export function insertRunStatement(db: Db, orgId: string, id: string, at: string, now: string): Statement {
  return db
    .insert(billingRuns)
    .values({
      id,
      orgId,
      at,
      state: 'running',
      contractsTotal: 0,
      contractsDone: 0,
      invoicesCreated: 0,
      error: null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing();
}

export async function getBillingRun(db: Db, orgId: string, id: string): Promise<BillingRunRow | undefined> {
  const [row] = await db
    .select()
    .from(billingRuns)
    .where(and(eq(billingRuns.orgId, orgId), eq(billingRuns.id, id)));
  return row;
}

export function updateRunStatement(
  db: Db,
  orgId: string,
  id: string,
  now: string,
  patch: Partial<Pick<BillingRunRow, 'state' | 'contractsTotal' | 'contractsDone' | 'invoicesCreated' | 'error'>>,
): Statement {
  return db
    .update(billingRuns)
    .set({ ...patch, updatedAt: now })
    .where(and(eq(billingRuns.orgId, orgId), eq(billingRuns.id, id)));
}

/**
 * The run's progress after a chunk, for that chunk's own atomic() unit (after its invoice
 * writes): contracts done, and invoices created = those before the chunk plus the chunk's
 * invoices (`invoiceIds`) that now exist with this run's id — what the unit itself created,
 * since an invoice an earlier attempt of the run wrote is not billed again.
 */
export function chunkProgressStatement(
  db: Db,
  orgId: string,
  id: string,
  now: string,
  before: { contractsTotal: number; contractsDone: number; invoicesCreated: number },
  invoiceIds: readonly string[],
): Statement {
  return db
    .update(billingRuns)
    .set({
      contractsTotal: before.contractsTotal,
      contractsDone: before.contractsDone,
      // From the ids (one primary-key lookup each): the run's index would walk every invoice so far.
      invoicesCreated: sql`${before.invoicesCreated} + (SELECT count(*) FROM json_each(${JSON.stringify(invoiceIds)}) j
        CROSS JOIN invoices i ON i.id = j.value WHERE i.org_id = ${orgId} AND i.billing_run_id = ${id})`,
      updatedAt: now,
    })
    .where(and(eq(billingRuns.orgId, orgId), eq(billingRuns.id, id)));
}

/** Contract versions the run bills: active, with terms (issue-2 contracts without terms are left alone). */
export async function billableContracts(db: Db, orgId: string) {
  return (
    db
      .select({
        id: contracts.id,
        customerId: contracts.customerId,
        sourceSystem: contracts.sourceSystem,
        sourceDealId: contracts.sourceDealId,
        terms: contracts.terms,
        version: contracts.version,
        effectiveDate: contracts.effectiveDate,
        collectionStatus: contracts.collectionStatus,
        collectionStatusAt: contracts.collectionStatusAt,
      })
      .from(contracts)
      // Superseded versions still bill the time before the version that replaced them took effect.
      .where(
        and(
          eq(contracts.orgId, orgId),
          inArray(contracts.status, ['active', 'superseded']),
          isNotNull(contracts.terms),
        ),
      )
      .orderBy(contracts.id)
  );
}

export const invoiceKey = (contractId: string, periodStart: string, kind: string) =>
  `${contractId}|${periodStart}|${kind}`;

/**
 * Every (contract, period start, kind) the org has invoiced: the invoices' own keys, and the periods
 * of consolidated invoices' lines (only those lines carry one: a partial index holds them).
 */
export async function invoicedKeys(db: Db, orgId: string): Promise<Set<string>> {
  const rows = await db
    .select({ contractId: invoices.contractId, periodStart: invoices.periodStart, kind: invoices.kind })
    .from(invoices)
    .where(eq(invoices.orgId, orgId));
  const keys = new Set(rows.map((r) => invoiceKey(r.contractId, r.periodStart, r.kind)));
  const lines = await db
    .selectDistinct({
      contractId: invoiceLines.contractId,
      periodStart: invoiceLines.periodStart,
      kind: invoiceLines.periodKind,
    })
    .from(invoiceLines)
    .where(and(eq(invoiceLines.orgId, orgId), isNotNull(invoiceLines.contractId)));
  for (const l of lines) keys.add(invoiceKey(l.contractId!, l.periodStart!, l.kind!));
  return keys;
}

/** The contract a line bills: its own on a consolidated invoice, else its invoice's. */
export const lineContract = sql`coalesce(${invoiceLines.contractId}, ${invoices.contractId})`;

/**
 * Credit drawn so far per grant, keyed by deal and grant id (`system|deal|grant`) so every version
 * of one contract draws from the same wallet. Values are ≤ 0 (credit lines are negative).
 */
export async function creditDrawn(db: Db, orgId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({
      system: contracts.sourceSystem,
      deal: contracts.sourceDealId,
      grant: invoiceLines.sourceRef,
      drawn: sql<number>`sum(${invoiceLines.amountMinor})`,
    })
    .from(invoiceLines)
    .innerJoin(invoices, and(eq(invoices.id, invoiceLines.invoiceId), eq(invoices.orgId, orgId)))
    // A consolidated invoice's line names its own contract (and so its deal's wallet).
    .innerJoin(contracts, and(eq(contracts.id, lineContract), eq(contracts.orgId, orgId)))
    .where(and(eq(invoiceLines.orgId, orgId), isBalanceDraw, isNotNull(invoiceLines.sourceRef)))
    .groupBy(contracts.sourceSystem, contracts.sourceDealId, invoiceLines.sourceRef);
  return new Map(rows.map((r) => [`${r.system}|${r.deal}|${r.grant}`, Number(r.drawn)]));
}

/** One invoice ready to write; `lines` are already numbered from 1 by their position. */
export interface InvoiceRowInput {
  id: string;
  contractId: string;
  customerId: string;
  kind: 'advance' | 'arrears';
  periodStart: string;
  periodEnd: string;
  currency: string;
  totalMinor: number;
  issueDate: string;
  dueDate: string;
  rounding: string;
  lines: {
    id: string;
    /** A consolidated invoice's line: the contract and period it bills (consolidated-invoices.ts). */
    billed?: { contractId: string; periodStart: string; periodEnd: string; kind: 'advance' | 'arrears' };
    productId: string;
    description: string;
    quantity: string;
    unitAmount: string;
    amountMinor: number;
    lineKind: string;
    sourceRef: string | null;
    detail: string;
  }[];
  /** Late usage events this invoice bills (flows/billing-run/late.ts): marked with its id when it is written. */
  lateEventIds?: number[];
}

/** Products for new line SKUs (insert or ignore), as zero or one statement. */
export function productInserts(
  db: Db,
  orgId: string,
  now: string,
  newProducts: readonly { id: string; sku: string; name: string }[],
): Statement[] {
  if (newProducts.length === 0) return [];
  const json = JSON.stringify(newProducts.map((p) => [p.id, p.sku, p.name]));
  return [
    db
      .insert(products)
      .select(sql`SELECT j.value->>0, ${orgId}, j.value->>1, j.value->>2, ${now} FROM json_each(${json}) j WHERE true`)
      .onConflictDoNothing(),
  ];
}

/**
 * "This invoice's natural key is not taken yet", for a json_each row `j` whose value is [id, contract, start, kind, …].
 * It names the period key's partial-index condition (credit notes are outside the key, migration 0012)
 * so SQLite looks the key up in that index: without it every row scanned the whole invoices table.
 */
const keyIsFree = (orgId: string) =>
  sql`NOT EXISTS (SELECT 1 FROM invoices i WHERE i.org_id = ${orgId} AND i.contract_id = j.value->>1
        AND i.period_start = j.value->>2 AND i.kind = j.value->>3 AND i.kind != 'credit_note')`;

/**
 * The statements that write one chunk of invoices, for ONE atomic() unit, in this order:
 *
 * 1. products for the line SKUs (insert or ignore);
 * 2. the lines of every invoice whose (org, contract, period start, kind) is not taken yet —
 *    before the invoices, so "not taken" still means "not written by someone else"; then, under
 *    the same guard, the late usage events those invoices bill are marked with their id;
 * 3. those invoices, as drafts without a number (finalizing numbers them, gap-free).
 *
 * The unit is one transaction (BEGIN IMMEDIATE on better-sqlite3, a batch on D1), so a concurrent
 * run either committed first (its invoices exist: steps 2–3 skip them) or
 * runs after (and skips ours). The ON CONFLICT on the natural key is the last line of defence only; it names
 * its target so any other clash raises instead of silently dropping an invoice.
 */
export function invoiceChunkStatements(
  db: Db,
  orgId: string,
  now: string,
  chunk: readonly InvoiceRowInput[],
  newProducts: readonly { id: string; sku: string; name: string }[],
  billingRunId: string | null = null,
): Statement[] {
  const statements: Statement[] = productInserts(db, orgId, now, newProducts);
  const invoiceJson = JSON.stringify(
    chunk.map((inv, ord) => [
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
      ord,
    ]),
  );
  const lineJson = JSON.stringify(
    chunk.flatMap((inv) =>
      inv.lines.map((l, i) => [
        l.id,
        inv.contractId,
        inv.periodStart,
        inv.kind,
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
      ]),
    ),
  );
  // Column order = schema order of invoice_lines (insert … select lists every column).
  statements.push(
    db.insert(invoiceLines).select(
      sql`SELECT j.value->>0, ${orgId}, j.value->>4, j.value->>5, j.value->>6, j.value->>7, j.value->>8, j.value->>9,
            j.value->>10, 0, j.value->>11, j.value->>12, j.value->>13, NULL, NULL, NULL, NULL
          FROM json_each(${lineJson}) j WHERE ${keyIsFree(orgId)}`,
    ),
  );
  // Late events billed by these invoices get the invoice id, in the same unit and under the same
  // "key is free" guard as the lines (an invoice someone else wrote already marked its own), and
  // only while still unbilled. usage_events.id is written in full: json_each has an id column too.
  const lateJson = JSON.stringify(
    chunk.flatMap((inv) => (inv.lateEventIds ?? []).map((e) => [e, inv.contractId, inv.periodStart, inv.kind, inv.id])),
  );
  if (lateJson !== '[]') {
    statements.push(
      db
        .update(usageEvents)
        .set({
          lateBilledInvoiceId: sql`(SELECT j.value->>4 FROM json_each(${lateJson}) j
            WHERE j.value->>0 = "usage_events"."id")`,
        })
        .where(
          and(
            eq(usageEvents.orgId, orgId),
            sql`"usage_events"."late" = 1`,
            isNull(usageEvents.lateBilledInvoiceId),
            sql`"usage_events"."id" IN (SELECT j.value->>0 FROM json_each(${lateJson}) j WHERE ${keyIsFree(orgId)})`,
          ),
        ),
    );
  }
  // Column order = schema order of invoices. Drafts have no number: finalizing gives one.
  statements.push(
    db
      .insert(invoices)
      .select(
        sql`SELECT j.value->>0, ${orgId}, NULL, j.value->>1, j.value->>4, j.value->>3, j.value->>2, j.value->>5, 'draft', j.value->>6,
              j.value->>7, 0, j.value->>7, 0, j.value->>8, j.value->>9, j.value->>10, ${now},
              CASE j.value->>3 WHEN 'arrears' THEN 'usage' ELSE 'recurring' END, ${billingRunId}, NULL, NULL, 0
            FROM json_each(${invoiceJson}) j WHERE ${keyIsFree(orgId)}`,
      )
      // The period key is a partial index (credit notes are outside it), so the target must name
      // its WHERE; drizzle renders that only for DO UPDATE, so this is a DO UPDATE that never
      // updates (setWhere false): a DO NOTHING on the natural key.
      .onConflictDoUpdate({
        target: [invoices.orgId, invoices.contractId, invoices.periodStart, invoices.kind],
        targetWhere: sql`${invoices.kind} != 'credit_note'`,
        set: { id: sql`${invoices.id}` },
        setWhere: sql`false`,
      }),
  );
  return statements;
}

const KEY_TAKEN = `SELECT 1 FROM invoices WHERE org_id = ? AND contract_id = ? AND period_start = ? AND kind = ?
  AND kind != 'credit_note'`;
const INSERT_LINE = `INSERT INTO invoice_lines (id, org_id, invoice_id, line_no, product_id, description, quantity,
  unit_amount, amount_minor, tax_minor, line_kind, source_ref, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`;
const MARK_LATE = `UPDATE usage_events SET late_billed_invoice_id = ?
  WHERE id = ? AND org_id = ? AND late = 1 AND late_billed_invoice_id IS NULL`;
const INSERT_INVOICE = `INSERT INTO invoices (id, org_id, number, contract_id, customer_id, kind, period_start,
  period_end, status, currency, subtotal_minor, tax_minor, total_minor, amount_paid_minor, issue_date, due_date,
  rounding, created_at, document_kind, billing_run_id, credited_invoice_id, tax_pending_reason)
  VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 'draft', ?, ?, 0, ?, 0, ?, ?, ?, ?, ?, ?, NULL, NULL)
  ON CONFLICT (org_id, contract_id, period_start, kind) WHERE kind != 'credit_note' DO NOTHING`;

/**
 * invoiceChunkStatements() on better-sqlite3, as ONE write for the same atomic() unit: per invoice,
 * "is the natural key still free" (the period key's index), then its lines, its late events and
 * the invoice itself, through statements prepared once per connection. It writes exactly the
 * rows the JSON statements write (test/billing-write-paths.test.ts) without building, binding and
 * re-reading JSON for every row or probing the key three times per invoice. Inside the unit's
 * BEGIN IMMEDIATE no other writer can take a key between the check and the insert; the ON
 * CONFLICT stays the last line of defence. D1 has no interactive transaction: it keeps the JSON
 * statements. Rows changed = invoices created.
 */
export function invoiceChunkWrite(
  db: Db,
  orgId: string,
  now: string,
  chunk: readonly InvoiceRowInput[],
  billingRunId: string | null = null,
): Statement {
  const taken = syncPrepared(db, KEY_TAKEN);
  const line = syncPrepared(db, INSERT_LINE);
  const late = syncPrepared(db, MARK_LATE);
  const invoice = syncPrepared(db, INSERT_INVOICE);
  return syncUnit(db, () => {
    let created = 0;
    for (const inv of chunk) {
      if (taken.get(orgId, inv.contractId, inv.periodStart, inv.kind) !== undefined) continue;
      inv.lines.forEach((l, i) => {
        line.run(
          l.id,
          orgId,
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
        );
      });
      for (const event of inv.lateEventIds ?? []) late.run(inv.id, event, orgId);
      created += invoice.run(
        inv.id,
        orgId,
        inv.contractId,
        inv.customerId,
        inv.kind,
        inv.periodStart,
        inv.periodEnd,
        inv.currency,
        inv.totalMinor,
        inv.totalMinor,
        inv.issueDate,
        inv.dueDate,
        inv.rounding,
        now,
        inv.kind === 'arrears' ? 'usage' : 'recurring',
        billingRunId,
      ).changes;
    }
    return created;
  });
}
