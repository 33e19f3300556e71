/**
 * What a month close books for one document. Invoices credit revenue in full when issued (the
 * ledger's issue entry); the close keeps in deferred revenue exactly what the schedules earn in
 * later months, so each month's entry is the change in that deferred amount:
 *   deferred(P) = Σ schedule amounts of months after P, once the document is booked (issued on or
 *                 before P) and not voided on or before P; else 0.
 * Months of a schedule before the issue month earn at issue (nothing is deferred for them).
 * A credit note's obligations carry the opposite sign, so what it takes back is un-deferred too.
 * Each month's entry depends only on the documents, never on earlier closes having run, so a
 * close run twice, or late, books the same thing.
 */
import { nextPeriod } from '../books/periods.js';
import type { PerformanceObligation } from './obligations.js';

export interface DeferralInput {
  obligations: readonly PerformanceObligation[];
  /** -1 for a credit note (it takes revenue back), 1 otherwise. */
  sign: 1 | -1;
  issuedPeriod: string;
  voidedPeriod: string | null;
}

export function deferredAt(doc: DeferralInput, period: string): number {
  if (doc.issuedPeriod > period) return 0;
  if (doc.voidedPeriod !== null && doc.voidedPeriod <= period) return 0;
  let later = 0;
  for (const o of doc.obligations) for (const e of o.schedule) if (e.month > period) later += e.amountMinor;
  return doc.sign * later + 0; // + 0: never -0
}

export const previousPeriod = (period: string): string => {
  const [y, m] = [Number(period.slice(0, 4)), Number(period.slice(5, 7))];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};

/** Earned in `period` (in the ledger's view: revenue left in revenue by the close). */
export function earnedIn(doc: DeferralInput, period: string): number {
  if (doc.voidedPeriod !== null && doc.voidedPeriod <= period) return 0;
  if (doc.issuedPeriod > period) return 0;
  let amount = 0;
  for (const o of doc.obligations) {
    for (const e of o.schedule) {
      const month = e.month < doc.issuedPeriod ? doc.issuedPeriod : e.month;
      if (month === period) amount += e.amountMinor;
    }
  }
  return doc.sign * amount + 0;
}

export interface PeriodDeferral {
  deferMinor: number;
  deferredAtEnd: number;
  explanation: string;
}

export function periodDeferral(doc: DeferralInput, period: string): PeriodDeferral {
  const before = deferredAt(doc, previousPeriod(period));
  const after = deferredAt(doc, period);
  const deferMinor = after - before;
  const voided = doc.voidedPeriod === period ? ' (voided this month: nothing stays deferred)' : '';
  return {
    deferMinor,
    deferredAtEnd: after,
    explanation:
      `deferred ${before} at the start, ${after} at the end${voided}; ` +
      (deferMinor >= 0 ? `defers ${deferMinor}` : `releases ${-deferMinor}`) +
      `; next month ${nextPeriod(period)}`,
  };
}
