/** Turns a balanced journal entry into insert statements; one entry per source event, ever. */

import { and, asc, eq, sql } from 'drizzle-orm';
import type { JournalEntry } from '../../domain/ledger.js';
import type { Db, Statement } from '../client.js';
import { naturalId } from '../ids.js';
import { ledgerEntries, ledgerLines } from '../schema.js';
import { inJson } from './in-json.js';

export async function ledgerStatements(
  db: Db,
  orgId: string,
  source: { type: string; id: string },
  entry: JournalEntry,
  now: string,
  occurredAt: string,
): Promise<Statement[]> {
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
        occurredAt,
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
