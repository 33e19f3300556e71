/**
 * Metering: billable metrics and the aggregation of usage events into quantities. Pure.
 *
 *   aggregate(metric, events, period, options?) → one MetricAggregate per group
 *   billableMetricSchema                        → validates a metric definition (API shape)
 *   isLate(timestamp, invoicedThrough)          → the rule behind usage_events.late
 *   invoicedThroughMs(periodEnd)                → a customer's watermark from its latest arrears period_end
 */
export {
  type AggregateOptions,
  aggregate,
  groupKey,
  isDecimalValue,
  type MeteredEvent,
  type MetricAggregate,
  type Period,
  type PropertyValue,
  propertyDecimal,
  propertyText,
  roundQuantity,
  WEIGHTED_SUM_SCALE,
} from './aggregate';
export { ADDITIVE_AGGREGATIONS, invoicedThroughMs, isLate } from './late';
export {
  AGGREGATIONS,
  type Aggregation,
  type BillableMetric,
  type BillableMetricInput,
  billableMetricSchema,
  type MetricFilter,
  type MetricRounding,
  metricFilterSchema,
  metricRoundingSchema,
  NUMERIC_AGGREGATIONS,
} from './metric';
export { levelBefore } from './prior';
