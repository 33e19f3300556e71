/**
 * Keyset pages, newest first by (a time column, id): the condition that starts a page after a row,
 * and the split of a fetch of limit + 1 rows into the page and where the next one starts.
 */
import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { PageAfter } from './invoices-read.js';

export type { PageAfter } from './invoices-read.js';

export function afterRow(at: SQLiteColumn, id: SQLiteColumn, after: PageAfter | undefined): SQL | undefined {
  if (!after) return undefined;
  return or(lt(at, after.createdAt), and(eq(at, after.createdAt), lt(id, after.id)));
}

/** `rows` was fetched with limit + 1: the extra row only says another page follows. */
export function splitPage<T>(
  rows: T[],
  limit: number,
  position: (row: T) => PageAfter,
): { rows: T[]; next: PageAfter | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > limit && last ? position(last) : null };
}
