/**
 * Turns a balanced journal entry into insert statements; one entry per source event, ever.
 * Debits = credits per currency is checked again here, on write: an unbalanced entry reaching
 * this point is a bug, so it throws rather than write. An entry dated in a closed period is
 * dated into the next open one (src/domain/books/periods.ts).
 */

import { and, asc, eq, sql } from 'drizzle-orm';
import { bookingDate } from '../../domain/books/periods.js';
import { checkBalanced, type JournalEntry } from '../../domain/ledger.js';
import type { Db, Statement } from '../client.js';
import { naturalId } from '../ids.js';
import { deferredRun, preparedOnce } from '../prepared.js';
import { ledgerEntries, ledgerLines, ledgerPeriods } from '../schema.js';
import { inJson } from './in-json.js';

export async function ledgerStatements(
  db: Db,
  orgId: string,
  source: { type: string; id: string },
  entry: JournalEntry,
  now: string,
  occurredAt: string,
): Promise<Statement[]> {
  const balanced = checkBalanced(entry);
  if (!balanced.ok) throw new Error(`refusing to write an unbalanced journal entry: ${balanced.reason}`);
  const bookedAt = bookingDate(occurredAt, await closedPeriods(db, orgId));
  const entryId = await naturalId('jnl', orgId, source.type, source.id, entry.kind);
  // Ids first, builders after: a drizzle builder is a thenable, so it must never be the
  // result of an awaited promise (that would execute it outside the atomic unit).
  const lineIds = await Promise.all(entry.lines.map((_, i) => naturalId('jln', orgId, entryId, i)));
  // Every invoice and payment books an entry: on better-sqlite3 the inserts are prepared once
  // per connection (src/db/prepared.ts) instead of built by drizzle per row.
  const entryInsert = preparedOnce(db, 'ledgerEntryInsert', ledgerEntryPrepared);
  const lineInsert = preparedOnce(db, 'ledgerLineInsert', ledgerLinePrepared);
  if (entryInsert && lineInsert) {
    return [
      deferredRun(entryInsert, {
        id: entryId,
        orgId,
        sourceType: source.type,
        sourceId: source.id,
        kind: entry.kind,
        memo: entry.memo,
        occurredAt: bookedAt,
        createdAt: now,
      }),
      ...entry.lines.map((line, i) =>
        deferredRun(lineInsert, {
          id: lineIds[i]!,
          orgId,
          entryId,
          account: line.account,
          currency: line.currency,
          debitMinor: line.debitMinor,
          creditMinor: line.creditMinor,
        }),
      ),
    ];
  }
  const lines = entry.lines.map((line, i) =>
    db
      .insert(ledgerLines)
      .values({ id: lineIds[i]!, orgId, entryId, ...line })
      .onConflictDoNothing(),
  );
  return [
    db
      .insert(ledgerEntries)
      .values({
        id: entryId,
        orgId,
        sourceType: source.type,
        sourceId: source.id,
        kind: entry.kind,
        memo: entry.memo,
        occurredAt: bookedAt,
        createdAt: now,
      })
      .onConflictDoNothing(),
    ...lines,
  ];
}

const ledgerEntryPrepared = (db: Db) =>
  db
    .insert(ledgerEntries)
    .values({
      id: sql.placeholder('id'),
      orgId: sql.placeholder('orgId'),
      sourceType: sql.placeholder('sourceType'),
      sourceId: sql.placeholder('sourceId'),
      kind: sql.placeholder('kind'),
      memo: sql.placeholder('memo'),
      occurredAt: sql.placeholder('occurredAt'),
      createdAt: sql.placeholder('createdAt'),
    })
    .onConflictDoNothing()
    .prepare();

const ledgerLinePrepared = (db: Db) =>
  db
    .insert(ledgerLines)
    .values({
      id: sql.placeholder('id'),
      orgId: sql.placeholder('orgId'),
      entryId: sql.placeholder('entryId'),
      account: sql.placeholder('account'),
      currency: sql.placeholder('currency'),
      debitMinor: sql.placeholder('debitMinor'),
      creditMinor: sql.placeholder('creditMinor'),
    })
    .onConflictDoNothing()
    .prepare();

/**
 * Journal entries whose source is one of `sourceIds` (invoices, payments), oldest first, each
 * with its lines in the order they were written (debits and credits as the entry listed them).
 */
export async function journalOf(db: Db, orgId: string, sourceIds: readonly string[]) {
  if (sourceIds.length === 0) return [];
  const entries = await db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.orgId, orgId), inJson(ledgerEntries.sourceId, sourceIds)))
    .orderBy(asc(ledgerEntries.occurredAt), asc(ledgerEntries.id));
  if (entries.length === 0) return [];
  const entryIds = entries.map((e) => e.id);
  const lines = await db
    .select()
    .from(ledgerLines)
    .where(and(eq(ledgerLines.orgId, orgId), inJson(ledgerLines.entryId, entryIds)))
    .orderBy(sql`rowid`);
  return entries.map((e) => ({ ...e, lines: lines.filter((l) => l.entryId === e.id) }));
}

/** The org's closed periods (YYYY-MM); few rows, read before a write is built. */
export async function closedPeriods(db: Db, orgId: string): Promise<Set<string>> {
  const prepared = preparedOnce(db, 'closedPeriods', (d) => closedPeriodsQuery(d, sql.placeholder('orgId')).prepare());
  const rows = prepared ? await prepared.all({ orgId }) : await closedPeriodsQuery(db, orgId);
  return new Set(rows.map((r) => r.period));
}

function closedPeriodsQuery(db: Db, orgId: string | ReturnType<typeof sql.placeholder>) {
  return db.select({ period: ledgerPeriods.period }).from(ledgerPeriods).where(eq(ledgerPeriods.orgId, orgId));
}
