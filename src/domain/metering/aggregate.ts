/**
 * Aggregating usage events into a metric's quantity for one period. Pure: no I/O, no clock.
 *
 * - A period is half-open, [start, end) in epoch ms, so adjacent periods never share an event.
 * - Quantities are decimal strings computed with decimal.js (80 significant digits), never floats.
 * - Filters (AND across properties, OR across one filter's values) pick the events; group_by
 *   splits them into one result per distinct combination of values (for matrix pricing).
 * - An event whose `field` is missing or not a decimal number is skipped by the numeric
 *   aggregations (the API rejects such events at ingest, so this only guards stored data).
 */
import type DecimalBase from 'decimal.js';
import { isDecimalString } from '../grammar.js';
import { Dec, plain, ZERO } from '../pricing/decimal';
import type { Aggregation, BillableMetric, MetricRounding } from './metric';

/** Property values the hub accepts on an event; anything else counts as missing. */
export type PropertyValue = string | number | boolean;

export interface MeteredEvent {
  /** Epoch milliseconds. */
  timestamp: number;
  properties: Readonly<Record<string, unknown>>;
}

export interface Period {
  /** Inclusive, epoch ms. */
  start: number;
  /** Exclusive, epoch ms. */
  end: number;
}

export interface AggregateOptions {
  /**
   * weighted_sum only: the level in force when the period starts (before its first event).
   * A string for an ungrouped metric, or a record keyed by groupKey() for a grouped one.
   * Default "0".
   */
  prior?: string | Readonly<Record<string, string>>;
}

export interface MetricAggregate {
  /** The group_by properties and their values (null where an event lacks the property). */
  group: Record<string, string | null>;
  /** Stable key of the group (see groupKey). */
  key: string;
  /** The quantity, a plain decimal string, rounded by the metric's rounding when it has one. */
  value: string;
  /** Events that matched the filters in this group and period. */
  events: number;
}

/** Decimal places a weighted_sum keeps when the metric has no rounding (its division may not end). */
export const WEIGHTED_SUM_SCALE = 12;

/** The value as text for filters, groups and unique counts; null when missing or not a scalar. */
export function propertyText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return String(value);
  return null;
}

/** True when propertyDecimal() would read a number from the value (cheap: no decimal is built). */
export function isDecimalValue(value: unknown): boolean {
  return typeof value === 'number' ? Number.isFinite(value) : isDecimalString(value);
}

/** The value as a decimal; null when missing or not a plain decimal number. */
export function propertyDecimal(value: unknown): Dec | null {
  if (typeof value === 'number') return Number.isFinite(value) ? new Dec(value) : null;
  if (isDecimalString(value)) return new Dec(value);
  return null;
}

/** Key of a group: the JSON array of its values in group_by order ("[]" without group_by). */
export function groupKey(groupBy: readonly string[], properties: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(groupBy.map((p) => propertyText(properties[p])));
}

const ROUNDING_MODES: Record<MetricRounding['mode'], DecimalBase.Rounding> = {
  round: Dec.ROUND_HALF_UP,
  ceil: Dec.ROUND_CEIL,
  floor: Dec.ROUND_FLOOR,
};

export function roundQuantity(value: Dec, rounding: MetricRounding | null | undefined): Dec {
  if (!rounding) return value;
  const mode = ROUNDING_MODES[rounding.mode];
  if (rounding.precision >= 0) return value.toDecimalPlaces(rounding.precision, mode);
  // Negative precision: round the number of tens (hundreds, …) and scale back; exact in decimal.
  const unit = new Dec(10).pow(-rounding.precision);
  return value.div(unit).toDecimalPlaces(0, mode).mul(unit);
}

/** True when the event passes every filter of the metric. */
export function matchesFilters(metric: BillableMetric, properties: Readonly<Record<string, unknown>>): boolean {
  for (const filter of metric.filters ?? []) {
    const text = propertyText(properties[filter.property]);
    if (text === null || !filter.values.includes(text)) return false;
  }
  return true;
}

function priorFor(options: AggregateOptions, key: string): Dec {
  const { prior } = options;
  if (prior === undefined) return ZERO;
  const text = typeof prior === 'string' ? prior : prior[key];
  if (text === undefined) return ZERO;
  if (!isDecimalString(text)) throw new RangeError(`prior value must be a decimal string, got "${text}"`);
  return new Dec(text);
}

/** Events of one group, in timestamp order (ties keep input order: the later one wins). */
function reduceGroup(
  aggregation: Aggregation,
  field: string | null | undefined,
  events: readonly MeteredEvent[],
  period: Period,
  prior: Dec,
): Dec {
  const values = (e: MeteredEvent) => propertyDecimal(field ? e.properties[field] : undefined);
  switch (aggregation) {
    case 'count':
      return new Dec(events.length);
    case 'sum': {
      let total = ZERO;
      for (const e of events) total = total.add(values(e) ?? ZERO);
      return total;
    }
    case 'max': {
      let max: Dec | null = null;
      for (const e of events) {
        const v = values(e);
        if (v !== null && (max === null || v.gt(max))) max = v;
      }
      return max ?? ZERO;
    }
    case 'unique_count': {
      const seen = new Set<string>();
      for (const e of events) {
        const text = propertyText(field ? e.properties[field] : undefined);
        if (text !== null) seen.add(text);
      }
      return new Dec(seen.size);
    }
    case 'latest': {
      let latest: Dec | null = null;
      for (const e of events) latest = values(e) ?? latest;
      return latest ?? ZERO;
    }
    case 'weighted_sum': {
      // Time-weighted average level: each value holds from its event until the next one (the
      // prior level holds from the period start), integrated over the period, divided by its length.
      let level = prior;
      let since = period.start;
      let area = ZERO;
      for (const e of events) {
        const v = values(e);
        if (v === null) continue;
        area = area.add(level.mul(e.timestamp - since));
        level = v;
        since = e.timestamp;
      }
      area = area.add(level.mul(period.end - since));
      return area.div(period.end - period.start);
    }
  }
}

/**
 * The metric's quantity over `period`, one result per group (exactly one, keyed "[]", when the
 * metric has no group_by). Groups come sorted by key. A grouped metric with no matching events
 * and no prior level has no results.
 */
export function aggregate(
  metric: BillableMetric,
  events: readonly MeteredEvent[],
  period: Period,
  options: AggregateOptions = {},
): MetricAggregate[] {
  if (!Number.isSafeInteger(period.start) || !Number.isSafeInteger(period.end) || period.end <= period.start) {
    throw new RangeError('period must have integer start < end (epoch ms)');
  }
  const groupBy = metric.groupBy ?? [];
  const groups = new Map<string, MeteredEvent[]>();
  const labels = new Map<string, Record<string, string | null>>();
  const ensure = (key: string, properties: Readonly<Record<string, unknown>>) => {
    let list = groups.get(key);
    if (!list) {
      list = [];
      groups.set(key, list);
      labels.set(key, Object.fromEntries(groupBy.map((p) => [p, propertyText(properties[p])])));
    }
    return list;
  };
  if (groupBy.length === 0) ensure('[]', {});
  // Grouped weighted sums start from their prior level even when the period has no event.
  if (
    metric.aggregation === 'weighted_sum' &&
    groupBy.length > 0 &&
    options.prior &&
    typeof options.prior !== 'string'
  ) {
    for (const key of Object.keys(options.prior)) {
      const values = JSON.parse(key) as (string | null)[];
      if (!Array.isArray(values) || values.length !== groupBy.length) {
        throw new RangeError(`prior key ${key} does not match group_by ${JSON.stringify(groupBy)}`);
      }
      ensure(key, Object.fromEntries(groupBy.map((p, i) => [p, values[i]])));
    }
  }

  const inPeriod = events
    .map((e, index) => ({ e, index }))
    .filter(({ e }) => e.timestamp >= period.start && e.timestamp < period.end && matchesFilters(metric, e.properties))
    .sort((a, b) => a.e.timestamp - b.e.timestamp || a.index - b.index);
  for (const { e } of inPeriod) ensure(groupKey(groupBy, e.properties), e.properties).push(e);

  const results: MetricAggregate[] = [];
  for (const [key, list] of groups) {
    let value = reduceGroup(metric.aggregation, metric.field, list, period, priorFor(options, key));
    if (metric.aggregation === 'weighted_sum' && !metric.rounding) {
      value = value.toDecimalPlaces(WEIGHTED_SUM_SCALE, Dec.ROUND_HALF_UP);
    }
    value = roundQuantity(value, metric.rounding);
    results.push({ group: labels.get(key)!, key, value: plain(value), events: list.length });
  }
  return results.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
