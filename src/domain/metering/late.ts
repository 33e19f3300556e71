/**
 * Late events. An event is late when the period it belongs to was already invoiced when it
 * arrived: its timestamp is older than the org's "invoiced through" watermark (epoch ms, the end
 * of the last usage period whose invoice was finalized). A late event is still stored and
 * counted by later aggregations; the flag lets a billing run or a person decide on a correction.
 *
 * The hub keeps no such watermark yet (usage is not invoiced yet), so callers pass null and
 * every event is on time.
 */
export function isLate(timestampMs: number, invoicedThroughMs: number | null): boolean {
  return invoicedThroughMs !== null && timestampMs < invoicedThroughMs;
}
