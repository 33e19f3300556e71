/**
 * Accounting periods (YYYY-MM months). A closed period takes no new entries: anything that
 * would be dated inside one (a late correction, a void of an old invoice) is dated on the first
 * day of the next open period instead, so the closed month's numbers never move.
 */
import { addMonths, isIsoDate } from '../dates.js';

export const isPeriod = (value: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(value) && isIsoDate(`${value}-01`);

/** [first day, first day of the next month) of a period, as YYYY-MM-DD strings. */
export function periodBounds(period: string): { from: string; until: string } {
  const from = `${period}-01`;
  return { from, until: addMonths(from, 1) };
}

export const periodOf = (date: string): string => date.slice(0, 7);

export const nextPeriod = (period: string): string => periodOf(addMonths(`${period}-01`, 1));

/**
 * The date an entry is booked on: `date` itself when its period is open, else the first day of
 * the first open period after it. The date keeps its form (a day or a full timestamp).
 */
export function bookingDate(date: string, closed: ReadonlySet<string>): string {
  let period = periodOf(date);
  if (!closed.has(period)) return date;
  while (closed.has(period)) period = nextPeriod(period);
  return date.length > 10 ? `${period}-01T00:00:00.000Z` : `${period}-01`;
}
