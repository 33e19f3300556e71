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
  const rows = await db
    .select({ period: ledgerPeriods.period })
    .from(ledgerPeriods)
    .where(eq(ledgerPeriods.orgId, orgId));
  return new Set(rows.map((r) => r.period));
}
