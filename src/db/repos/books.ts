/**
 * The books' reads and the chart's writes (issue #13): chart of accounts, closed periods, the
 * trial balance's sums and the journal of a period. Journal entries themselves are written by
 * ledger.ts, inside the flows' atomic units.
 */
import { and, asc, eq, gt, gte, lt, or, sql } from 'drizzle-orm';
import { type AccountDefinition, type AccountType, DEFAULT_CHART } from '../../domain/books/chart-of-accounts.js';
import { periodBounds } from '../../domain/books/periods.js';
import { atomic, rowsChanged } from '../atomic.js';
import type { Db } from '../client.js';
import { naturalId } from '../ids.js';
import { ledgerAccounts, ledgerCharts, ledgerEntries, ledgerLines, ledgerPeriods } from '../schema.js';
import { inJson } from './in-json.js';

export interface AccountRow extends AccountDefinition {
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

const accountColumns = {
  code: ledgerAccounts.code,
  name: ledgerAccounts.name,
  type: ledgerAccounts.type,
  active: ledgerAccounts.active,
  createdAt: ledgerAccounts.createdAt,
  updatedAt: ledgerAccounts.updatedAt,
};

/**
 * The insert of one account whose id is already computed. Ids first, builders after: a drizzle
 * builder is a thenable, so returning one from an async function would run it outside atomic().
 */
function accountInsert(db: Db, orgId: string, id: string, account: AccountDefinition, now: string) {
  return db
    .insert(ledgerAccounts)
    .values({ id, orgId, ...account, active: true, createdAt: now, updatedAt: now })
    .onConflictDoNothing();
}

/**
 * Lays the default chart the first time an org's books are read. The ledger_charts row marks it
 * laid, so a default account the org deleted later is not brought back.
 */
export async function ensureChart(db: Db, orgId: string, now: string): Promise<void> {
  const laid = await db.select().from(ledgerCharts).where(eq(ledgerCharts.orgId, orgId)).limit(1);
  if (laid.length > 0) return;
  const ids = await Promise.all(DEFAULT_CHART.map((a) => naturalId('acct', orgId, a.code)));
  const inserts = DEFAULT_CHART.map((a, i) => accountInsert(db, orgId, ids[i]!, a, now));
  await atomic(db, [...inserts, db.insert(ledgerCharts).values({ orgId, createdAt: now }).onConflictDoNothing()]);
}

export async function listAccounts(db: Db, orgId: string, now: string): Promise<AccountRow[]> {
  await ensureChart(db, orgId, now);
  const rows = await db
    .select(accountColumns)
    .from(ledgerAccounts)
    .where(eq(ledgerAccounts.orgId, orgId))
    .orderBy(asc(ledgerAccounts.code));
  return rows.map((r) => ({ ...r, type: r.type as AccountType }));
}

export async function findAccount(db: Db, orgId: string, code: string): Promise<AccountRow | null> {
  const [row] = await db
    .select(accountColumns)
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.orgId, orgId), eq(ledgerAccounts.code, code)))
    .limit(1);
  return row ? { ...row, type: row.type as AccountType } : null;
}

/** Inserts a checked account; false when the code was taken meanwhile. */
export async function insertAccount(db: Db, orgId: string, account: AccountDefinition, now: string): Promise<boolean> {
  const id = await naturalId('acct', orgId, account.code);
  const [result] = await atomic(db, [accountInsert(db, orgId, id, account, now)]);
  return rowsChanged(result) === 1;
}

export async function updateAccount(
  db: Db,
  orgId: string,
  code: string,
  change: { name?: string; active?: boolean },
  now: string,
): Promise<boolean> {
  const [result] = await atomic(db, [
    db
      .update(ledgerAccounts)
      .set({ ...change, updatedAt: now })
      .where(and(eq(ledgerAccounts.orgId, orgId), eq(ledgerAccounts.code, code))),
  ]);
  return rowsChanged(result) === 1;
}

/**
 * Deletes an account no ledger line names, in one statement (the check and the delete cannot
 * be split by a posting in between). A posted account is only ever deactivated.
 */
export async function deleteAccount(db: Db, orgId: string, code: string): Promise<'deleted' | 'posted' | 'missing'> {
  const [result] = await atomic(db, [
    db
      .delete(ledgerAccounts)
      .where(
        and(
          eq(ledgerAccounts.orgId, orgId),
          eq(ledgerAccounts.code, code),
          sql`NOT EXISTS (SELECT 1 FROM ledger_lines WHERE ledger_lines.org_id = ${orgId} AND ledger_lines.account = ${code})`,
        ),
      ),
  ]);
  if (rowsChanged(result) === 1) return 'deleted';
  return (await findAccount(db, orgId, code)) ? 'posted' : 'missing';
}

export async function listClosedPeriods(db: Db, orgId: string) {
  return db
    .select({ period: ledgerPeriods.period, closedAt: ledgerPeriods.closedAt })
    .from(ledgerPeriods)
    .where(eq(ledgerPeriods.orgId, orgId))
    .orderBy(asc(ledgerPeriods.period));
}

/** Closes a period (once: closing it again keeps the first close's time). */
export async function closePeriod(db: Db, orgId: string, period: string, now: string) {
  await atomic(db, [db.insert(ledgerPeriods).values({ orgId, period, closedAt: now }).onConflictDoNothing()]);
  const [row] = await db
    .select({ period: ledgerPeriods.period, closedAt: ledgerPeriods.closedAt })
    .from(ledgerPeriods)
    .where(and(eq(ledgerPeriods.orgId, orgId), eq(ledgerPeriods.period, period)));
  return row!;
}

/** Debits and credits per account and currency of every entry dated before `until`. */
export async function postedSums(db: Db, orgId: string, until: string) {
  return db
    .select({
      account: ledgerLines.account,
      currency: ledgerLines.currency,
      debitMinor: sql<number>`sum(${ledgerLines.debitMinor})`.mapWith(Number),
      creditMinor: sql<number>`sum(${ledgerLines.creditMinor})`.mapWith(Number),
    })
    .from(ledgerLines)
    .innerJoin(ledgerEntries, and(eq(ledgerEntries.id, ledgerLines.entryId), eq(ledgerEntries.orgId, orgId)))
    .where(and(eq(ledgerLines.orgId, orgId), lt(ledgerEntries.occurredAt, until)))
    .groupBy(ledgerLines.account, ledgerLines.currency);
}

export interface JournalAfter {
  occurredAt: string;
  id: string;
}

/** One page of a period's journal, oldest first by (occurred_at, id), each entry with its lines. */
export async function journalPage(
  db: Db,
  orgId: string,
  period: string,
  page: { limit: number; after?: JournalAfter },
) {
  const { from, until } = periodBounds(period);
  const position = page.after
    ? or(
        gt(ledgerEntries.occurredAt, page.after.occurredAt),
        and(eq(ledgerEntries.occurredAt, page.after.occurredAt), gt(ledgerEntries.id, page.after.id)),
      )
    : undefined;
  const entries = await db
    .select()
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.orgId, orgId),
        gte(ledgerEntries.occurredAt, from),
        lt(ledgerEntries.occurredAt, until),
        position,
      ),
    )
    .orderBy(asc(ledgerEntries.occurredAt), asc(ledgerEntries.id))
    .limit(page.limit + 1);
  const rows = entries.slice(0, page.limit);
  const lines =
    rows.length === 0
      ? []
      : await db
          .select()
          .from(ledgerLines)
          .where(
            and(
              eq(ledgerLines.orgId, orgId),
              inJson(
                ledgerLines.entryId,
                rows.map((e) => e.id),
              ),
            ),
          )
          .orderBy(sql`rowid`);
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((e) => ({ ...e, lines: lines.filter((l) => l.entryId === e.id) })),
    next: entries.length > page.limit && last ? { occurredAt: last.occurredAt, id: last.id } : null,
  };
}
