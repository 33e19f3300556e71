/**
 * Usage of many (customer, metric, period) requests at once, for the billing run.
 *
 * - count, sum and max of a metric WITHOUT filters and group_by are computed in SQL: one
 *   GROUP BY query per aggregation type over every period of the run (the periods travel as one
 *   JSON parameter; each one is an index range scan on usage_events_lookup_idx). sum and max only
 *   take JSON integers in SQL (exact 64-bit arithmetic, returned as text); a period with a real
 *   or a string value falls back to aggregate(), which reads decimals exactly.
 * - Everything else (unique_count, latest, weighted_sum, filters, group_by, odd values) falls back
 *   to metering's aggregate() on the fetched events, so the rules live in one place. Events are
 *   fetched with one query per fallback batch, not one per contract.
 *   Known gap: weighted_sum starts each period from level 0 (the level before the period is not fetched).
 * Metric rounding is applied to every result, SQL or not.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type MetricRow, toBillableMetric } from '../db/repos/metering.js';
import { aggregate, type BillableMetric, roundQuantity } from '../domain/metering/index.js';
import { Dec, plain } from '../domain/pricing/decimal.js';

export interface UsageRequest {
  /** Caller's key for the answer. */
  key: string;
  customerId: string;
  metric: string;
  /** Epoch ms, [start, end). */
  start: number;
  end: number;
}

export interface UsageAnswer {
  quantity: string;
  groups?: { group: Record<string, string | null>; quantity: string }[];
}

const SQL_AGGREGATIONS = new Set(['count', 'sum', 'max']);

function sqlCapable(metric: BillableMetric): boolean {
  if (!SQL_AGGREGATIONS.has(metric.aggregation)) return false;
  if ((metric.filters ?? []).length > 0 || (metric.groupBy ?? []).length > 0) return false;
  // The field becomes a JSON path '$."field"'; a quote or backslash in it is left to aggregate().
  return metric.aggregation === 'count' || (!!metric.field && !/["\\]/.test(metric.field));
}

const periodsJson = (requests: readonly UsageRequest[]) =>
  JSON.stringify(requests.map((r) => [r.key, r.customerId, r.metric, r.start, r.end]));

/** CROSS JOIN keeps json_each as the outer loop, so each period is one range scan of the lookup index. */
const periodJoin = (orgId: string, json: string) => sql`FROM json_each(${json}) p CROSS JOIN usage_events e
  WHERE e.org_id = ${orgId} AND e.customer_id = p.value->>1 AND e.metric_code = p.value->>2
    AND e.timestamp >= p.value->>3 AND e.timestamp < p.value->>4`;

async function countInSql(db: Db, orgId: string, requests: readonly UsageRequest[]) {
  const rows = await db.all<{ k: string; n: number }>(
    sql`SELECT p.value->>0 AS k, count(*) AS n ${periodJoin(orgId, periodsJson(requests))} GROUP BY p.key`,
  );
  return new Map(rows.map((r) => [r.k, String(r.n)]));
}

/** sum or max over integer values; `odd` counts values SQL leaves to aggregate() (reals, strings). */
async function numericInSql(
  db: Db,
  orgId: string,
  aggregation: 'sum' | 'max',
  requests: readonly UsageRequest[],
  metrics: ReadonlyMap<string, BillableMetric>,
) {
  // Requests of one aggregation may read different fields: the path travels with each period.
  const json = JSON.stringify(
    requests.map((r) => [r.key, r.customerId, r.metric, r.start, r.end, `$."${metrics.get(r.metric)!.field}"`]),
  );
  const fn = aggregation === 'sum' ? sql.raw('sum') : sql.raw('max');
  const rows = await db.all<{ k: string; v: string | null; odd: number }>(
    sql`SELECT k, CAST(${fn}(iv) AS TEXT) AS v, sum(odd) AS odd FROM (
          SELECT p.key AS g, p.value->>0 AS k,
            CASE json_type(e.properties, p.value->>5) WHEN 'integer' THEN json_extract(e.properties, p.value->>5) END AS iv,
            json_type(e.properties, p.value->>5) IN ('real', 'text') AS odd
          ${periodJoin(orgId, json)}) GROUP BY g`,
  );
  return rows;
}

async function fallback(
  db: Db,
  orgId: string,
  requests: readonly UsageRequest[],
  metrics: Map<string, BillableMetric>,
) {
  const out = new Map<string, UsageAnswer>();
  if (requests.length === 0) return out;
  const rows = await db.all<{ k: string; t: number; props: string }>(
    sql`SELECT p.value->>0 AS k, e.timestamp AS t, e.properties AS props ${periodJoin(orgId, periodsJson(requests))}
        ORDER BY p.key, e.timestamp, e.id`,
  );
  const byKey = new Map<string, { timestamp: number; properties: Record<string, unknown> }[]>();
  for (const row of rows) {
    const list = byKey.get(row.k) ?? [];
    if (list.length === 0) byKey.set(row.k, list);
    list.push({ timestamp: row.t, properties: JSON.parse(row.props) as Record<string, unknown> });
  }
  for (const r of requests) {
    const metric = metrics.get(r.metric)!;
    const results = aggregate(metric, byKey.get(r.key) ?? [], { start: r.start, end: r.end });
    const grouped = (metric.groupBy ?? []).length > 0;
    const total = results.reduce((acc, g) => acc.add(g.value), new Dec(0));
    out.set(
      r.key,
      grouped
        ? { quantity: plain(total), groups: results.map((g) => ({ group: g.group, quantity: g.value })) }
        : { quantity: results[0]?.value ?? '0' },
    );
  }
  return out;
}

/**
 * Usage for every request. A request whose metric the org does not define gets no answer (the
 * caller leaves the metric out of the period's usage, and computeInvoice reports it).
 */
export async function aggregateUsage(
  db: Db,
  orgId: string,
  requests: readonly UsageRequest[],
  metricRows: ReadonlyMap<string, MetricRow>,
): Promise<Map<string, UsageAnswer>> {
  const metrics = new Map([...metricRows].map(([code, row]) => [code, toBillableMetric(row)]));
  const byType = new Map<string, UsageRequest[]>();
  const slow: UsageRequest[] = [];
  for (const r of requests) {
    const metric = metrics.get(r.metric);
    if (!metric) continue;
    if (!sqlCapable(metric)) {
      slow.push(r);
      continue;
    }
    const list = byType.get(metric.aggregation) ?? [];
    list.push(r);
    byType.set(metric.aggregation, list);
  }
  const answers = new Map<string, UsageAnswer>();
  const rounded = (metric: string, value: string) =>
    plain(roundQuantity(new Dec(value), metrics.get(metric)!.rounding));

  const counted = byType.get('count') ?? [];
  if (counted.length > 0) {
    const found = await countInSql(db, orgId, counted);
    for (const r of counted) answers.set(r.key, { quantity: rounded(r.metric, found.get(r.key) ?? '0') });
  }
  for (const aggregation of ['sum', 'max'] as const) {
    const list = byType.get(aggregation) ?? [];
    if (list.length === 0) continue;
    const rows = new Map((await numericInSql(db, orgId, aggregation, list, metrics)).map((row) => [row.k, row]));
    for (const r of list) {
      const row = rows.get(r.key);
      if (row && row.odd > 0) slow.push(r);
      else answers.set(r.key, { quantity: rounded(r.metric, row?.v ?? '0') });
    }
  }
  for (const [key, answer] of await fallback(db, orgId, slow, metrics)) answers.set(key, answer);
  return answers;
}
