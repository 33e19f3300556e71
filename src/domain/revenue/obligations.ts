/**
 * Performance obligations of one billed document (ASC 606 step 2–4): each priced line is an
 * obligation; the transaction price (every line, discounts and wallet draw-downs included) is
 * allocated to them by relative standalone selling price, split by largest remainder so the parts
 * add up to the minor unit. A line's SSP comes from the org's SSP table (unit price × quantity)
 * or, without an entry, is the line's own billed amount (its observable price).
 */
import Decimal from 'decimal.js';
import type { InvoiceDocumentKind } from '../invoice-lifecycle.js';
import { allocate, type Currency, majorToMinor } from '../money.js';
import type { DateRange } from '../proration.js';
import { type Obligation, type RecognitionEntry, recognitionSchedule } from '../recognition.js';

/** How an obligation is earned: evenly by day, all at once, or as the usage it bills is billed. */
export type RecognitionPattern = 'ratable_daily' | 'point_in_time' | 'as_billed';

export interface BilledLine {
  lineId: string;
  lineNo: number;
  productId: string;
  description: string;
  quantity: string;
  amountMinor: number;
  /** A consolidated invoice's line carries its own service period. */
  servicePeriod: DateRange | null;
}

export interface BilledDocument {
  id: string;
  number: string;
  currency: Currency;
  documentKind: InvoiceDocumentKind;
  issueDate: string;
  servicePeriod: DateRange;
  lines: readonly BilledLine[];
}

export interface PerformanceObligation {
  lineId: string;
  lineNo: number;
  description: string;
  pattern: RecognitionPattern;
  sspMinor: number;
  allocatedMinor: number;
  schedule: RecognitionEntry[];
  explanation: string;
}

/** The pattern a document's lines follow: usage and true-ups as billed, one-offs at issue. */
export function patternOf(kind: InvoiceDocumentKind): RecognitionPattern {
  if (kind === 'usage' || kind === 'true_up') return 'as_billed';
  if (kind === 'manual') return 'point_in_time';
  return 'ratable_daily';
}

/** SSP unit prices (decimal strings in major units) by product id, in the document's currency. */
export type SspTable = ReadonlyMap<string, string>;

export function performanceObligations(doc: BilledDocument, ssp: SspTable): PerformanceObligation[] {
  const priced = doc.lines.filter((l) => l.amountMinor > 0);
  if (priced.length === 0) return [];
  const price = doc.lines.reduce((s, l) => s + l.amountMinor, 0);
  const weights = priced.map((l) => {
    const unit = ssp.get(l.productId);
    return unit === undefined
      ? l.amountMinor
      : majorToMinor(new Decimal(unit).mul(l.quantity).toString(), doc.currency);
  });
  const usable = weights.some((w) => w > 0) ? weights : priced.map((l) => l.amountMinor);
  const allocated = price <= 0 ? priced.map(() => 0) : allocate(price, usable);
  const pattern = patternOf(doc.documentKind);
  return priced.map((line, i) => {
    const period = line.servicePeriod ?? doc.servicePeriod;
    const obligation: Obligation =
      pattern === 'ratable_daily' && period.end > period.start
        ? { amountMinor: allocated[i]!, servicePeriod: period, method: 'ratable_daily' }
        : { amountMinor: allocated[i]!, servicePeriod: period, method: 'point_in_time', recognizedOn: doc.issueDate };
    const built = recognitionSchedule(obligation);
    const schedule = built.ok ? built.entries : [];
    const sspSource = ssp.has(line.productId)
      ? `SSP table ${ssp.get(line.productId)} × ${line.quantity}`
      : 'its billed amount';
    return {
      lineId: line.lineId,
      lineNo: line.lineNo,
      description: line.description,
      pattern,
      sspMinor: usable[i]!,
      allocatedMinor: allocated[i]!,
      schedule,
      explanation:
        `line ${line.lineNo}: SSP ${usable[i]} (${sspSource}) of ${usable.reduce((a, b) => a + b, 0)}; ` +
        `allocated ${allocated[i]} of the transaction price ${price}; ${pattern.replace('_', ' ')}`,
    };
  });
}
