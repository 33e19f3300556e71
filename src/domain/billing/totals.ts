/** Sums lines into an invoice; the total is the sum of the rounded lines, nothing else. */
import type { InvoiceComputation, InvoiceLineComputation } from './types.js';

export function sumOf(lines: readonly InvoiceLineComputation[], kinds?: InvoiceLineComputation['lineKind'][]): number {
  return lines.filter((l) => kinds === undefined || kinds.includes(l.lineKind)).reduce((a, l) => a + l.amountMinor, 0);
}

export function assemble(
  head: Pick<InvoiceComputation, 'currency' | 'periodStart' | 'periodEnd' | 'kind' | 'issueDate' | 'dueDate'>,
  lines: InvoiceLineComputation[],
  creditsUsed: InvoiceComputation['creditsUsed'],
): InvoiceComputation {
  return {
    ...head,
    lines,
    subtotalMinor: sumOf(lines, ['charge', 'proration', 'true_up']),
    discountMinor: sumOf(lines, ['discount']),
    creditsAppliedMinor: sumOf(lines, ['credit']),
    totalMinor: sumOf(lines),
    creditsUsed,
  };
}
