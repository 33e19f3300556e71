/**
 * Prepaid credit consumption. A grant's consumption is persisted as the invoice's own credit
 * lines (line_kind 'credit', source_ref = grant id, or wallet:ID:N for a wallet top-up; a coupon
 * drawn as a balance is a 'discount' line with source_ref coupon:ID), written in the same atomic() unit as the
 * invoice; a grant belongs to the deal (every version of a contract draws on one wallet). Every
 * writer reads what was drawn, computes, then writes with creditGuardStatement() last in its
 * unit, so two writers that read the same balance cannot both spend it. Every function takes an
 * org id.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Statement } from '../client.js';
import { contracts, invoiceLines, invoices } from '../schema.js';

/**
 * A line that draws on a balance: prepaid grants and wallet top-ups are credit lines; coupons
 * drawn as balances are discount lines named coupon:ID (src/domain/billing/credits.ts).
 */
export const isBalanceDraw = sql`(${invoiceLines.lineKind} = 'credit' OR (${invoiceLines.lineKind} = 'discount' AND ${invoiceLines.sourceRef} LIKE 'coupon:%'))`;

/** Credit one stored invoice drew from one grant (drawnMinor ≤ 0: credit lines are negative). */
export interface CreditDraw {
  contractId: string;
  periodStart: string;
  kind: string;
  grantId: string;
  drawnMinor: number;
}

/** Every draw on the wallet of deal (system, deal), per invoice and grant: one query. */
export async function walletDraws(db: Db, orgId: string, system: string, deal: string): Promise<CreditDraw[]> {
  const rows = await db
    .select({
      contractId: sql<string>`coalesce(${invoiceLines.contractId}, ${invoices.contractId})`,
      periodStart: sql<string>`coalesce(${invoiceLines.periodStart}, ${invoices.periodStart})`,
      kind: sql<string>`coalesce(${invoiceLines.periodKind}, ${invoices.kind})`,
      grantId: invoiceLines.sourceRef,
      drawnMinor: sql<number>`sum(${invoiceLines.amountMinor})`,
    })
    .from(invoiceLines)
    .innerJoin(invoices, and(eq(invoices.id, invoiceLines.invoiceId), eq(invoices.orgId, orgId)))
    // A consolidated invoice's line names its own contract and period (migration 0014).
    .innerJoin(
      contracts,
      and(
        eq(contracts.id, sql`coalesce(${invoiceLines.contractId}, ${invoices.contractId})`),
        eq(contracts.orgId, orgId),
      ),
    )
    .where(
      and(
        eq(invoiceLines.orgId, orgId),
        isBalanceDraw,
        eq(contracts.sourceSystem, system),
        eq(contracts.sourceDealId, deal),
      ),
    )
    .groupBy(
      sql`coalesce(${invoiceLines.contractId}, ${invoices.contractId})`,
      sql`coalesce(${invoiceLines.periodStart}, ${invoices.periodStart})`,
      sql`coalesce(${invoiceLines.periodKind}, ${invoices.kind})`,
      invoiceLines.sourceRef,
    );
  return rows.flatMap((r) =>
    r.grantId === null ? [] : [{ ...r, grantId: r.grantId, drawnMinor: Number(r.drawnMinor) }],
  );
}

/** One grant an invoice of this unit draws on, with the grant's full amount. */
export interface CreditUse {
  invoiceId: string;
  system: string;
  deal: string;
  grantId: string;
  grantedMinor: number;
}

/**
 * The last statement of a unit that writes invoices drawing on prepaid credit: it fails the
 * whole unit (a transaction on better-sqlite3, a batch() on D1) when, with this unit's lines
 * written, any grant used is drawn beyond its amount — another writer spent the balance between
 * our read and our write. The caller retries with a fresh read. SQLite has no RAISE outside
 * triggers, so the failure is json() of a text that is not JSON, evaluated only for a matching
 * row (it names the invoice: "malformed JSON" is the driver's message). Null when nothing is used.
 * Binds 5 parameters whatever the number of uses (they travel as one JSON value).
 */
export function creditGuardStatement(db: Db, orgId: string, uses: readonly CreditUse[]): Statement | null {
  if (uses.length === 0) return null;
  const json = JSON.stringify(uses.map((u) => [u.invoiceId, u.system, u.deal, u.grantId, u.grantedMinor]));
  return db
    .update(invoices)
    .set({ number: sql`json(${invoices.id} || ': prepaid credit overdrawn')` })
    .where(
      and(
        // Unary + keeps SQLite from walking every invoice of the org: the ids below are the lookup.
        sql`+${invoices.orgId} = ${orgId}`,
        // Drawn = the deal's credit lines of this grant, found from the deal's contract versions
        // (contracts_source_version_uq), each contract's invoices (invoices_contract_idx) and their
        // lines, plus the consolidated lines naming the contract (invoice_lines_period_idx): a
        // handful of rows per use (CROSS JOIN fixes that order for SQLite's planner). Read from the
        // lines' side instead, every use scanned every line of the org: at 10,000 contracts most
        // of the run's time (bench/billing-run.ts).
        sql`${invoices.id} IN (SELECT u.value->>0 FROM json_each(${json}) u
          WHERE (SELECT -coalesce(sum(l.amount_minor), 0) FROM contracts c
              CROSS JOIN invoices i ON i.org_id = ${orgId} AND i.contract_id = c.id
              CROSS JOIN invoice_lines l ON l.invoice_id = i.id
            WHERE c.org_id = ${orgId} AND c.source_system = u.value->>1 AND c.source_deal_id = u.value->>2
              AND l.org_id = ${orgId} AND l.contract_id IS NULL AND l.line_kind IN ('credit', 'discount') AND l.source_ref = u.value->>3)
          + (SELECT -coalesce(sum(l.amount_minor), 0) FROM contracts c
              CROSS JOIN invoice_lines l ON l.org_id = ${orgId} AND l.contract_id = c.id
              CROSS JOIN invoices i ON i.id = l.invoice_id AND i.org_id = ${orgId}
            WHERE c.org_id = ${orgId} AND c.source_system = u.value->>1 AND c.source_deal_id = u.value->>2
              AND l.contract_id IS NOT NULL AND l.line_kind IN ('credit', 'discount') AND l.source_ref = u.value->>3) > u.value->>4)`,
      ),
    );
}
