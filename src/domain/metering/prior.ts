/**
 * The level a weighted_sum carries into a period: a seat count or a storage level does not drop
 * to zero at midnight on the 1st, so a period starts at the last level reported before it (per
 * group for a grouped metric). Feed the result to aggregate()'s `prior` option.
 */

import { plain } from '../pricing/decimal';
import { groupKey, type MeteredEvent, matchesFilters, propertyDecimal } from './aggregate';
import type { BillableMetric } from './metric';

/**
 * The last level of each group among `events` stamped before `start` (epoch ms) that pass the
 * metric's filters and carry a decimal value; ties on timestamp go to the later event in input
 * order, as in aggregate(). A string for an ungrouped metric, a record keyed by groupKey() for a
 * grouped one; undefined when no level was reported before the period (the period starts at 0).
 */
export function levelBefore(
  metric: BillableMetric,
  events: readonly MeteredEvent[],
  start: number,
): string | Record<string, string> | undefined {
  const groupBy = metric.groupBy ?? [];
  const last = new Map<string, { timestamp: number; value: string }>();
  for (const e of events) {
    if (e.timestamp >= start || !matchesFilters(metric, e.properties)) continue;
    const value = propertyDecimal(metric.field ? e.properties[metric.field] : undefined);
    if (value === null) continue;
    const key = groupKey(groupBy, e.properties);
    const seen = last.get(key);
    if (!seen || e.timestamp >= seen.timestamp) last.set(key, { timestamp: e.timestamp, value: plain(value) });
  }
  if (groupBy.length === 0) return last.get('[]')?.value;
  return last.size === 0 ? undefined : Object.fromEntries([...last].map(([k, v]) => [k, v.value]));
}
