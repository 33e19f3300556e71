/**
 * Usage of many (customer, metric, period) requests at once, for the billing run.
 *
 * - count, sum and max of a metric WITHOUT filters and group_by are computed in SQL: one query
 *   per aggregation type (and, for sum and max, per field read) over every period of the run. The
 *   periods travel as one JSON parameter; each one is a correlated scalar subquery, i.e. one index
 *   range scan on usage_events_lookup_idx aggregated as it streams (no temp b-tree over the
 *   events). sum and max only take JSON integers in SQL (exact 64-bit arithmetic, returned as
 *   text); a period with any other value (a real, a string, a boolean) falls back to aggregate(),
 *   which reads decimals exactly.
 * - Everything else (unique_count, latest, weighted_sum, filters, group_by, odd values) falls back
 *   to metering's aggregate() on the fetched events, so the rules live in one place. Events are
 *   fetched with one query per fallback batch, not one per contract.
 * - weighted_sum carries the last level reported before the period into it (priorEvents below):
 *   a seat count does not drop to zero at midnight on the 1st.
 * Metric rounding is applied to every result, SQL or not.
 */
import { sql } from 'drizzle-orm';
import {
  aggregate,
  type BillableMetric,
  levelBefore,
  type MeteredEvent,
  roundQuantity,
} from '../../domain/metering/index.js';
import { Dec, plain } from '../../domain/pricing/decimal.js';
import type { Db } from '../client.js';
import { type MetricRow, toBillableMetric } from './metering.js';

export interface UsageRequest {
  /** Caller's key for the answer. */
  key: string;
  customerId: string;
  metric: string;
  /** Epoch ms, [start, end). */
  start: number;
  end: number;
  /** Epoch ms the contract started: a recurring metric reads from here instead of `start`. */
  since?: number;
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

/**
 * The events of period `p` (a json_each row [key, customer, metric, start, end]), for a correlated
 * subquery: one range scan of usage_events_lookup_idx per period, aggregated as it streams. (A
 * join grouped by period made SQLite sort every event in a temp b-tree first: half the time.)
 */
const periodEvents = (orgId: string) => sql`FROM usage_events e
  WHERE e.org_id = ${orgId} AND e.customer_id = p.value->>1 AND e.metric_code = p.value->>2
    AND e.timestamp >= p.value->>3 AND e.timestamp < p.value->>4`;

async function countInSql(db: Db, orgId: string, requests: readonly UsageRequest[]) {
  const rows = await db.all<{ k: string; n: number }>(
    sql`SELECT p.value->>0 AS k, (SELECT count(*) ${periodEvents(orgId)}) AS n FROM json_each(${periodsJson(requests)}) p`,
  );
  return new Map(rows.map((r) => [r.k, String(r.n)]));
}

/**
 * sum or max over JSON integer values, per request; `odd` > 0 when the period holds a value SQL
 * leaves to aggregate() (a real, a string, a boolean: anything but an integer or null), which then
 * reads the period exactly. Each row's value is read once (json_extract, the path one constant of
 * the query). json_extract reads true/false as 1/0, so a row whose text holds "true" or "false"
 * anywhere is checked with json_type, and a boolean field becomes 0.5: a real, hence odd. A sum is
 * odd when it came out real (SQLite's sum() is an integer only when every value is); a max counts
 * the values that are not integers.
 */
async function numericInSql(
  db: Db,
  orgId: string,
  aggregation: 'sum' | 'max',
  field: string,
  requests: readonly UsageRequest[],
) {
  // The path is bound once (CTE f) and read as f.path: each `?` is a distinct parameter to
  // SQLite, so repeating ${path} would keep it from seeing that both sums below are the same one.
  const v = sql`(CASE WHEN (instr(e.properties, 'true') OR instr(e.properties, 'false'))
    AND json_type(e.properties, f.path) IN ('true', 'false') THEN 0.5 ELSE json_extract(e.properties, f.path) END)`;
  const odd =
    aggregation === 'sum'
      ? sql`(typeof(sum(${v})) = 'real')`
      : sql`ifnull(sum(typeof(${v}) NOT IN ('integer', 'null')), 0)`;
  const fn = aggregation === 'sum' ? sql.raw('sum') : sql.raw('max');
  // One text per period, "odd:value" (a scalar subquery returns one column; value is empty when null).
  const rows = await db.all<{ k: string; r: string }>(
    sql`WITH f(path) AS (SELECT ${`$."${field}"`})
        SELECT p.value->>0 AS k, (SELECT (${odd}) || ':' || ifnull(CAST(${fn}(${v}) AS TEXT), '') ${periodEvents(orgId)}) AS r
        FROM f CROSS JOIN json_each(${periodsJson(requests)}) p`,
  );
  return rows.map((row) => {
    const at = row.r.indexOf(':');
    return { k: row.k, odd: Number(row.r.slice(0, at)), v: at + 1 < row.r.length ? row.r.slice(at + 1) : null };
  });
}

const eventOf = (row: { t: number; props: string }): MeteredEvent => ({
  timestamp: row.t,
  properties: JSON.parse(row.props) as Record<string, unknown>,
});

/**
 * The events a weighted_sum request needs from before its period, to know the level it starts at
 * (levelBefore). Ungrouped and unfiltered: only the latest event with a numeric field, one index
 * range scan backwards per request (ingestion refuses a non-decimal value in a weighted_sum
 * field, so a JSON number or decimal text is a level). Grouped or filtered: every earlier event
 * of the customer and metric, since which group each belongs to is only known after parsing it.
 */
async function priorEvents(
  db: Db,
  orgId: string,
  requests: readonly UsageRequest[],
  metrics: Map<string, BillableMetric>,
): Promise<Map<string, MeteredEvent[]>> {
  const out = new Map<string, MeteredEvent[]>();
  const weighted = requests.filter((r) => metrics.get(r.metric)!.aggregation === 'weighted_sum');
  const simple = (m: BillableMetric) =>
    (m.groupBy ?? []).length === 0 && (m.filters ?? []).length === 0 && !!m.field && !/["\\]/.test(m.field);
  const add = (rows: { k: string; t: number; props: string }[]) => {
    for (const row of rows) {
      const list = out.get(row.k) ?? [];
      if (list.length === 0) out.set(row.k, list);
      list.push(eventOf(row));
    }
  };
  const latest = weighted.filter((r) => simple(metrics.get(r.metric)!));
  if (latest.length > 0) {
    // [key, customer, metric, start, end, json path]: the path is per request (metrics differ).
    const json = JSON.stringify(
      latest.map((r) => [r.key, r.customerId, r.metric, r.start, r.end, `$."${metrics.get(r.metric)!.field}"`]),
    );
    add(
      await db.all<{ k: string; t: number; props: string }>(
        sql`SELECT p.value->>0 AS k, e.timestamp AS t, e.properties AS props
            FROM json_each(${json}) p JOIN usage_events e ON e.id = (
              SELECT b.id FROM usage_events b
              WHERE b.org_id = ${orgId} AND b.customer_id = p.value->>1 AND b.metric_code = p.value->>2
                AND b.timestamp < p.value->>3 AND json_type(b.properties, p.value->>5) IN ('integer', 'real', 'text')
              ORDER BY b.timestamp DESC, b.id DESC LIMIT 1)`,
      ),
    );
  }
  const history = weighted.filter((r) => !simple(metrics.get(r.metric)!));
  if (history.length > 0) {
    add(
      await db.all<{ k: string; t: number; props: string }>(
        sql`SELECT p.value->>0 AS k, e.timestamp AS t, e.properties AS props
            FROM json_each(${periodsJson(history)}) p CROSS JOIN usage_events e
            WHERE e.org_id = ${orgId} AND e.customer_id = p.value->>1 AND e.metric_code = p.value->>2
              AND e.timestamp < p.value->>3
            ORDER BY p.key, e.timestamp, e.id`,
      ),
    );
  }
  return out;
}

async function fallback(
  db: Db,
  orgId: string,
  requests: readonly UsageRequest[],
  metrics: Map<string, BillableMetric>,
) {
  const out = new Map<string, UsageAnswer>();
  if (requests.length === 0) return out;
  const before = await priorEvents(db, orgId, requests, metrics);
  const rows = await db.all<{ k: string; t: number; props: string }>(
    sql`SELECT p.value->>0 AS k, e.timestamp AS t, e.properties AS props ${periodJoin(orgId, periodsJson(requests))}
        ORDER BY p.key, e.timestamp, e.id`,
  );
  const byKey = new Map<string, { timestamp: number; properties: Record<string, unknown> }[]>();
  for (const row of rows) {
    const list = byKey.get(row.k) ?? [];
    if (list.length === 0) byKey.set(row.k, list);
    list.push(eventOf(row));
  }
  for (const r of requests) {
    const metric = metrics.get(r.metric)!;
    const prior =
      metric.aggregation === 'weighted_sum' ? levelBefore(metric, before.get(r.key) ?? [], r.start) : undefined;
    const results = aggregate(
      metric,
      byKey.get(r.key) ?? [],
      { start: r.start, end: r.end },
      prior === undefined ? {} : { prior },
    );
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
  for (const asked of requests) {
    const metric = metrics.get(asked.metric);
    if (!metric) continue;
    // A recurring count / sum is the same aggregation over a window opened at the contract's start.
    const r =
      metric.recurring && asked.since !== undefined ? { ...asked, start: Math.min(asked.since, asked.start) } : asked;
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
    // One query per field read, so the JSON path is a constant of the query.
    const byField = new Map<string, UsageRequest[]>();
    for (const r of byType.get(aggregation) ?? []) {
      const field = metrics.get(r.metric)!.field!;
      const list = byField.get(field) ?? [];
      if (list.length === 0) byField.set(field, list);
      list.push(r);
    }
    for (const [field, list] of byField) {
      const rows = new Map((await numericInSql(db, orgId, aggregation, field, list)).map((row) => [row.k, row]));
      for (const r of list) {
        const row = rows.get(r.key);
        if (row && row.odd > 0) slow.push(r);
        else answers.set(r.key, { quantity: rounded(r.metric, row?.v ?? '0') });
      }
    }
  }
  for (const [key, answer] of await fallback(db, orgId, slow, metrics)) answers.set(key, answer);
  return answers;
}
