/**
 * Late events. An event is late when the period it belongs to was already invoiced when it
 * arrived: its timestamp is before its CUSTOMER's "invoiced through" watermark, the latest
 * `period_end` (YYYY-MM-DD, exclusive, read as UTC midnight, epoch ms here) of that customer's
 * invoices of kind 'arrears' (any status, drafts included: the billing run never re-invoices a
 * period whose invoice exists). A customer without an arrears invoice has no watermark (null) and
 * none of its events is late.
 *
 * A late event is still stored (never dropped) and flagged. The billing run bills it on the
 * customer's next arrears invoice when its metric is additive (count, sum) and marks it with that
 * invoice (usage_events.late_billed_invoice_id); late events of other metrics stay unbilled and are
 * listed by GET /api/v1/events?late=true&unbilled=true for a manual correction.
 */
export function isLate(timestampMs: number, invoicedThroughMs: number | null): boolean {
  return invoicedThroughMs !== null && timestampMs < invoicedThroughMs;
}

/** The watermark in epoch ms from a period_end date (YYYY-MM-DD, exclusive, UTC midnight); null stays null. */
export function invoicedThroughMs(periodEnd: string | null | undefined): number | null {
  return periodEnd ? Date.parse(`${periodEnd}T00:00:00Z`) : null;
}

/**
 * Aggregations whose late events can simply be added to a later invoice: the quantity of the
 * late events alone is exactly what the earlier period missed. max, unique_count, latest and
 * weighted_sum are not additive (the earlier period's value depends on all its events together).
 */
export const ADDITIVE_AGGREGATIONS: ReadonlySet<string> = new Set(['count', 'sum']);
