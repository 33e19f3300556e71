/**
 * Billable metrics: how the usage events of one code become a quantity for a period.
 * The schema is the wire shape (snake_case) the API accepts and the database stores.
 */
import { z } from 'zod';

export const AGGREGATIONS = ['count', 'sum', 'max', 'unique_count', 'latest', 'weighted_sum'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Aggregations that read a numeric property (`field`). unique_count reads `field` as a key. */
export const NUMERIC_AGGREGATIONS: ReadonlySet<Aggregation> = new Set(['sum', 'max', 'latest', 'weighted_sum']);

export interface MetricFilter {
  /** Event property to test. */
  property: string;
  /** The event matches when its property, as text, is one of these. */
  values: string[];
}

export interface MetricRounding {
  /** round = half away from zero; ceil / floor toward +∞ / −∞. */
  mode: 'round' | 'ceil' | 'floor';
  /**
   * Decimal places kept (0 = whole units); negative rounds to the left of the point (-1 = tens,
   * -2 = hundreds), as Lago's rounding_precision: 123.4567 at -1 → 120,
   * https://getlago.com/docs/guide/billable-metrics/rounding
   */
  precision: number;
}

export interface BillableMetric {
  code: string;
  aggregation: Aggregation;
  /** Property read by every aggregation but count. */
  field?: string | null;
  /** All filters must match (AND); values within one filter are alternatives (OR). */
  filters?: MetricFilter[];
  /** Property names; one result per distinct combination of their values. */
  groupBy?: string[];
  rounding?: MetricRounding | null;
  /**
   * count / sum only: a period bills everything since its contract started, not only the
   * period's own events (a recurring metric, as Lago's: seats added and removed as +1 / -1).
   */
  recurring?: boolean;
}

const propertyName = z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

export const metricFilterSchema = z.strictObject({
  property: propertyName,
  values: z.array(z.string()).min(1, 'needs at least one value'),
});

export const metricRoundingSchema = z.strictObject({
  mode: z.enum(['round', 'ceil', 'floor']),
  precision: z.number().int('must be an integer').min(-20, 'must be at least -20').max(20, 'must be at most 20'),
});

/** A metric definition as the API takes it; `field` is required for every aggregation but count. */
export const billableMetricSchema = z
  .strictObject({
    code: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'must be 1-100 characters: lower-case letters, digits, "_", "-", "."'),
    name: z.string().min(1).max(200).optional(),
    aggregation: z.enum(AGGREGATIONS),
    field: propertyName.optional(),
    filters: z.array(metricFilterSchema).default([]),
    group_by: z.array(propertyName).max(5, 'at most 5 group properties').default([]),
    rounding: metricRoundingSchema.nullable().optional(),
    recurring: z.boolean().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.aggregation !== 'count' && m.field === undefined) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: `is required for aggregation ${m.aggregation}` });
    }
    if (m.aggregation === 'count' && m.field !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: 'must not be set for aggregation count' });
    }
    if (m.recurring === true && m.aggregation !== 'count' && m.aggregation !== 'sum') {
      ctx.addIssue({
        code: 'custom',
        path: ['recurring'],
        message: `only count and sum metrics recur (${m.aggregation} already reads the period as a whole)`,
      });
    }
    if (new Set(m.group_by).size !== m.group_by.length) {
      ctx.addIssue({ code: 'custom', path: ['group_by'], message: 'must not repeat a property' });
    }
    const filtered = m.filters.map((f) => f.property);
    if (new Set(filtered).size !== filtered.length) {
      ctx.addIssue({ code: 'custom', path: ['filters'], message: 'must not filter one property twice' });
    }
  });

export type BillableMetricInput = z.input<typeof billableMetricSchema>;
