/** Sums lines into an invoice; the total is the sum of the rounded lines, nothing else. */
import type { InvoiceComputation, InvoiceLineComputation } from './types.js';

export function sumOf(lines: readonly InvoiceLineComputation[], kinds?: InvoiceLineComputation['lineKind'][]): number {
  // A plain loop: this runs several times per invoice in a billing run.
  let total = 0;
  for (const l of lines) if (kinds === undefined || kinds.includes(l.lineKind)) total += l.amountMinor;
  return total;
}

const SUBTOTAL_KINDS: InvoiceLineComputation['lineKind'][] = ['charge', 'proration', 'true_up'];
const DISCOUNT_KINDS: InvoiceLineComputation['lineKind'][] = ['discount'];
const CREDIT_KINDS: InvoiceLineComputation['lineKind'][] = ['credit'];

export function assemble(
  head: Pick<InvoiceComputation, 'currency' | 'periodStart' | 'periodEnd' | 'kind' | 'issueDate' | 'dueDate'>,
  lines: InvoiceLineComputation[],
  creditsUsed: InvoiceComputation['creditsUsed'],
): InvoiceComputation {
  // Fields listed one by one (not `...head`): object spread was the slowest step of an invoice.
  return {
    currency: head.currency,
    periodStart: head.periodStart,
    periodEnd: head.periodEnd,
    kind: head.kind,
    issueDate: head.issueDate,
    dueDate: head.dueDate,
    lines,
    subtotalMinor: sumOf(lines, SUBTOTAL_KINDS),
    discountMinor: sumOf(lines, DISCOUNT_KINDS),
    creditsAppliedMinor: sumOf(lines, CREDIT_KINDS),
    totalMinor: sumOf(lines),
    creditsUsed,
  };
}
