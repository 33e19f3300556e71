/**
 * A month close, pure: for each booked document, its obligations and the period's change in
 * deferred revenue, as the journal entry the close books (none where nothing changes).
 */
import { periodBounds } from '../books/periods.js';
import { addDays } from '../dates.js';
import { type JournalEntry, revenueRecognizedEntry } from '../ledger.js';
import { type DeferralInput, periodDeferral } from './deferral.js';
import {
  type BilledDocument,
  type PerformanceObligation,
  performanceObligations,
  type SspTable,
} from './obligations.js';

export interface CloseDocument extends BilledDocument {
  sign: 1 | -1;
  issuedPeriod: string;
  voidedPeriod: string | null;
}

export interface CloseLine {
  documentId: string;
  documentNumber: string;
  currency: string;
  deferMinor: number;
  deferredAtEnd: number;
  obligations: readonly PerformanceObligation[];
  entry: JournalEntry;
}

export function deferralInput(doc: CloseDocument, ssp: SspTable): DeferralInput & { currency: string } {
  return {
    obligations: performanceObligations(doc, ssp),
    sign: doc.sign,
    issuedPeriod: doc.issuedPeriod,
    voidedPeriod: doc.voidedPeriod,
    currency: doc.currency,
  };
}

export function closeLines(
  docs: readonly CloseDocument[],
  sspOf: (currency: string) => SspTable,
  period: string,
): CloseLine[] {
  const lines: CloseLine[] = [];
  for (const doc of docs) {
    const input = deferralInput(doc, sspOf(doc.currency));
    const change = periodDeferral(input, period);
    if (change.deferMinor === 0) continue;
    const entry = revenueRecognizedEntry({
      documentNumber: doc.number,
      period,
      currency: doc.currency,
      deferMinor: change.deferMinor,
      explanation: change.explanation,
    });
    // Amounts are integers by construction; an unbalanced entry here would be a bug.
    if (!entry.ok) throw new Error(entry.reason);
    lines.push({
      documentId: doc.id,
      documentNumber: doc.number,
      currency: doc.currency,
      deferMinor: change.deferMinor,
      deferredAtEnd: change.deferredAtEnd,
      obligations: input.obligations,
      entry: entry.value,
    });
  }
  return lines;
}

/** The close's entries are dated on the period's last day. */
export const closeDate = (period: string): string => addDays(periodBounds(period).until, -1);
