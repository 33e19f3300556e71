/**
 * The deferred-revenue waterfall: per currency and billing month, what was billed and how it is
 * earned month by month (the schedules, months before the issue folded into it), with the
 * deferred balance left at the end of each month shown in the range.
 */
import { nextPeriod } from '../books/periods.js';
import { type DeferralInput, deferredAt, earnedIn } from './deferral.js';

export interface WaterfallRow {
  currency: string;
  billedPeriod: string;
  billedMinor: number;
  /** Earned per month of the range, in range order. */
  recognized: number[];
  /** Deferred at the end of each month of the range, in range order. */
  deferredAtEnd: number[];
}

export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let p = from; p <= to && months.length < 240; p = nextPeriod(p)) months.push(p);
  return months;
}

export function waterfall(
  docs: readonly (DeferralInput & { currency: string })[],
  months: readonly string[],
): WaterfallRow[] {
  const rows = new Map<string, WaterfallRow>();
  for (const doc of docs) {
    const key = `${doc.currency}|${doc.issuedPeriod}`;
    const row = rows.get(key) ?? {
      currency: doc.currency,
      billedPeriod: doc.issuedPeriod,
      billedMinor: 0,
      recognized: months.map(() => 0),
      deferredAtEnd: months.map(() => 0),
    };
    row.billedMinor += doc.sign * doc.obligations.reduce((s, o) => s + o.allocatedMinor, 0);
    months.forEach((m, i) => {
      row.recognized[i]! += earnedIn(doc, m);
      row.deferredAtEnd[i]! += deferredAt(doc, m);
    });
    rows.set(key, row);
  }
  return [...rows.values()].sort(
    (a, b) => a.currency.localeCompare(b.currency) || a.billedPeriod.localeCompare(b.billedPeriod),
  );
}
