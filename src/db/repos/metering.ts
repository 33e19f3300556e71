/** Billable metrics and usage events; every function takes an org id. */
import { and, asc, count, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { BillableMetric, MetricFilter, MetricRounding } from '../../domain/metering/index.js';
import { isBatchDb, maxBoundParameters, syncPreparedWrite } from '../atomic.js';
import type { Db, Statement } from '../client.js';
import { newId } from '../client.js';
import { billableMetrics, customers, invoices, usageEvents } from '../schema.js';

export type MetricRow = typeof billableMetrics.$inferSelect;
export type NewUsageEvent = Omit<typeof usageEvents.$inferInsert, 'id'>;

/** Columns bound per usage_events row in a multi-row insert. */
const EVENT_COLUMNS = 8;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The domain view of a stored metric. */
export function toBillableMetric(row: MetricRow): BillableMetric {
  return {
    code: row.code,
    aggregation: row.aggregation,
    field: row.field,
    filters: JSON.parse(row.filters) as MetricFilter[],
    groupBy: JSON.parse(row.groupBy) as string[],
    rounding: row.rounding ? (JSON.parse(row.rounding) as MetricRounding) : null,
    recurring: row.recurring,
  };
}

/** Insert of a new metric; ON CONFLICT DO NOTHING, so 0 rows changed means the code is taken. */
export function metricInsert(
  db: Db,
  orgId: string,
  now: string,
  input: {
    code: string;
    name: string;
    aggregation: MetricRow['aggregation'];
    field: string | null;
    filters: MetricFilter[];
    groupBy: string[];
    rounding: MetricRounding | null;
    recurring?: boolean;
  },
) {
  const row: MetricRow = {
    id: newId('bm'),
    orgId,
    code: input.code,
    name: input.name,
    aggregation: input.aggregation,
    field: input.field,
    filters: JSON.stringify(input.filters),
    groupBy: JSON.stringify(input.groupBy),
    rounding: input.rounding ? JSON.stringify(input.rounding) : null,
    recurring: input.recurring ?? false,
    createdAt: now,
  };
  return {
    row,
    statement: db
      .insert(billableMetrics)
      .values(row)
      .onConflictDoNothing({ target: [billableMetrics.orgId, billableMetrics.code] }),
  };
}

export async function listMetrics(db: Db, orgId: string): Promise<MetricRow[]> {
  return db.select().from(billableMetrics).where(eq(billableMetrics.orgId, orgId)).orderBy(asc(billableMetrics.code));
}

/** The org's metrics among `codes`, by code. */
export async function metricsByCode(db: Db, orgId: string, codes: readonly string[]): Promise<Map<string, MetricRow>> {
  const found = new Map<string, MetricRow>();
  for (const chunk of chunks(codes, maxBoundParameters(db) - 1)) {
    const rows = await db
      .select()
      .from(billableMetrics)
      .where(and(eq(billableMetrics.orgId, orgId), inArray(billableMetrics.code, chunk)));
    for (const row of rows) found.set(row.code, row);
  }
  return found;
}

/** Which of `ids` are customers of this org (another org's customer id is unknown here). */
export async function existingCustomerIds(db: Db, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (isBatchDb(db) && ids.length > 0) {
    // One query on D1 (each query counts against its per-invocation limit): the ids as one JSON value.
    const rows = await db
      .select({ id: customers.id })
      .from(customers)
      .where(
        and(eq(customers.orgId, orgId), sql`${customers.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`),
      );
    for (const row of rows) found.add(row.id);
    return found;
  }
  for (const chunk of chunks(ids, maxBoundParameters(db) - 1)) {
    const rows = await db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.orgId, orgId), inArray(customers.id, chunk)));
    for (const row of rows) found.add(row.id);
  }
  return found;
}

const INSERT_EVENTS =
  'INSERT INTO "usage_events" ("org_id", "transaction_id", "customer_id", "metric_code", "timestamp", "properties", "received_at", "late") VALUES ';
const ROW_PLACEHOLDERS = `(${Array(EVENT_COLUMNS).fill('?').join(', ')})`;
const ON_CONFLICT = ' ON CONFLICT ("org_id", "transaction_id") DO NOTHING';

const insertTexts = new Map<number, string>();
/** The text of a better-sqlite3 insert of `rows` events (see usageEventInserts), built once per size. */
function insertText(rows: number): string {
  let text = insertTexts.get(rows);
  if (text === undefined) {
    text = INSERT_EVENTS + Array(rows).fill(ROW_PLACEHOLDERS).join(', ') + ON_CONFLICT;
    insertTexts.set(rows, text);
  }
  return text;
}

/**
 * Events of one org received at one instant, column by column (index i of every array is
 * event i): ingestion fills these directly, without an object per event.
 */
export interface UsageEventColumns {
  orgId: string;
  receivedAt: number;
  transactionIds: string[];
  customerIds: string[];
  metricCodes: string[];
  /** Epoch ms. */
  timestamps: number[];
  /** JSON text of each event's properties. */
  properties: string[];
  late: boolean[];
}

/**
 * Statement sizes for `total` rows on better-sqlite3: full statements, then the remainder split
 * into powers of two (e.g. 10,000 → 4095, 4095, 1024, 512, 256, 16, 2), so at most 13 distinct
 * texts ever exist and every one is prepared once per connection (syncPreparedWrite).
 */
function sqliteStatementSizes(total: number, perStatement: number): number[] {
  const sizes: number[] = [];
  let left = total;
  while (left >= perStatement) {
    sizes.push(perStatement);
    left -= perStatement;
  }
  for (let bit = 1 << 30; bit >= 1; bit >>>= 1) if (left & bit) sizes.push(bit);
  return sizes;
}

/**
 * Characters of event JSON per D1 statement. D1 takes at most 2,000,000 bytes in one value
 * (https://developers.cloudflare.com/d1/platform/limits/); a UTF-16 unit is at most 3 UTF-8
 * bytes, so 600,000 characters always fit. A 10,000-event batch of small events is 2–4 statements.
 */
const D1_EVENT_JSON_CHARS = 600_000;

/**
 * Usage events on D1: INSERT … SELECT over json_each of ONE JSON parameter per statement (3
 * bound parameters, whatever the rows), cut where the JSON would pass D1_EVENT_JSON_CHARS. The
 * 12-row VALUES inserts this replaces took 834 statements for 10,000 events, most of D1's 1,000
 * queries per invocation (50 on the Free plan). All-or-nothing holds as before: every event was
 * checked before any statement is built (events.ts), and the statements run in ONE atomic()
 * unit, i.e. one D1 batch(), which D1 runs as one transaction — a failure stores nothing. No
 * write is split across invocations, so no staging is needed.
 */
function d1EventInserts(db: Db, events: UsageEventColumns): Statement[] {
  const { orgId, receivedAt, transactionIds, customerIds, metricCodes, timestamps, properties, late } = events;
  const statements: Statement[] = [];
  const insert = (rows: string[]) => {
    // Column order = schema order of usage_events (insert … select lists every column; id is the rowid).
    statements.push(
      db
        .insert(usageEvents)
        .select(
          sql`SELECT NULL, ${orgId}, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, ${receivedAt},
                j.value->>5, NULL FROM json_each(${`[${rows.join(',')}]`}) j WHERE true`,
        )
        .onConflictDoNothing({ target: [usageEvents.orgId, usageEvents.transactionId] }),
    );
  };
  let rows: string[] = [];
  let chars = 0;
  for (let i = 0; i < transactionIds.length; i++) {
    const row = JSON.stringify([
      transactionIds[i],
      customerIds[i],
      metricCodes[i],
      timestamps[i],
      properties[i],
      late[i] ? 1 : 0,
    ]);
    if (rows.length > 0 && chars + row.length + 1 > D1_EVENT_JSON_CHARS) {
      insert(rows);
      rows = [];
      chars = 0;
    }
    rows.push(row);
    chars += row.length + 1;
  }
  if (rows.length > 0) insert(rows);
  return statements;
}

/**
 * Multi-row inserts of usage events, chunked to the driver's bound-parameter limit, each
 * ON CONFLICT (org_id, transaction_id) DO NOTHING. Run them in one atomic() unit; the rows
 * changed add up to the number of new events (the rest were duplicates).
 *
 * On better-sqlite3 the text is fixed (placeholders only), built without db.insert() and
 * prepared once per connection and size: drizzle's builder costs microseconds per value, which
 * at 80,000 values per 10,000-event batch was most of the ingest time (bench/ingest.ts), and
 * preparing a 4,095-row INSERT costs about as much as running it. On D1 (12 rows per statement)
 * the builder's cost is small next to the round trip, and its batch() only binds builder
 * queries. The column list mirrors schema.ts; the tests read the rows back through the schema
 * on both drivers. On D1 see d1EventInserts.
 */
export function usageEventInserts(db: Db, events: UsageEventColumns): Statement[] {
  if (isBatchDb(db)) return d1EventInserts(db, events);
  const { orgId, receivedAt, transactionIds, customerIds, metricCodes, timestamps, properties, late } = events;
  const total = transactionIds.length;
  const perStatement = Math.max(1, Math.floor(maxBoundParameters(db) / EVENT_COLUMNS));
  const statements: Statement[] = [];
  let i = 0;
  for (const size of sqliteStatementSizes(total, perStatement)) {
    const params: unknown[] = new Array(size * EVENT_COLUMNS);
    for (let p = 0; p < params.length; i++) {
      params[p++] = orgId;
      params[p++] = transactionIds[i];
      params[p++] = customerIds[i];
      params[p++] = metricCodes[i];
      params[p++] = timestamps[i];
      params[p++] = properties[i];
      params[p++] = receivedAt;
      params[p++] = late[i] ? 1 : 0;
    }
    statements.push(syncPreparedWrite(db, insertText(size), params));
  }
  return statements;
}

export async function countUsageEvents(db: Db, orgId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(usageEvents).where(eq(usageEvents.orgId, orgId));
  return row?.n ?? 0;
}

/**
 * Each customer's "invoiced through" date among `customerIds`: the latest period_end of its
 * arrears invoices (any status). One query whatever the number of customers (they travel as one
 * JSON parameter). Customers without an arrears invoice are absent.
 */
export async function invoicedThroughByCustomer(
  db: Db,
  orgId: string,
  customerIds: readonly string[],
): Promise<Map<string, string>> {
  if (customerIds.length === 0) return new Map();
  const rows = await db
    .select({ customerId: invoices.customerId, through: sql<string>`max(${invoices.periodEnd})` })
    .from(invoices)
    .where(
      and(
        eq(invoices.orgId, orgId),
        eq(invoices.kind, 'arrears'),
        sql`${invoices.customerId} IN (SELECT value FROM json_each(${JSON.stringify(customerIds)}))`,
      ),
    )
    .groupBy(invoices.customerId);
  return new Map(rows.map((r) => [r.customerId, r.through]));
}

/** A late event as the billing run reads it. */
export interface LateEventRow {
  id: number;
  customerId: string;
  metricCode: string;
  timestamp: number;
  properties: string;
}

/** `late = 1` written literally so SQLite can use the partial index usage_events_late_idx. */
const isLateRow = sql`${usageEvents.late} = 1`;

/**
 * Every late event of the org that no invoice has billed yet, in one query (late events are few,
 * and usage_events_late_idx holds only them). Ordered by timestamp, then id.
 */
export async function unbilledLateEvents(db: Db, orgId: string): Promise<LateEventRow[]> {
  return db
    .select({
      id: usageEvents.id,
      customerId: usageEvents.customerId,
      metricCode: usageEvents.metricCode,
      timestamp: usageEvents.timestamp,
      properties: usageEvents.properties,
    })
    .from(usageEvents)
    .where(and(eq(usageEvents.orgId, orgId), isLateRow, isNull(usageEvents.lateBilledInvoiceId)))
    .orderBy(asc(usageEvents.timestamp), asc(usageEvents.id));
}

export type UsageEventRow = typeof usageEvents.$inferSelect;

/** Events of the org for GET /events: late or not, unbilled late ones only, one customer; oldest first. */
export async function listUsageEvents(
  db: Db,
  orgId: string,
  filter: { late?: boolean; unbilled?: boolean; customerId?: string; limit: number },
): Promise<UsageEventRow[]> {
  const where: SQL[] = [eq(usageEvents.orgId, orgId)];
  if (filter.late === true) where.push(isLateRow);
  if (filter.late === false) where.push(sql`${usageEvents.late} = 0`);
  if (filter.unbilled) where.push(isLateRow, isNull(usageEvents.lateBilledInvoiceId));
  if (filter.customerId !== undefined) where.push(eq(usageEvents.customerId, filter.customerId));
  return db
    .select()
    .from(usageEvents)
    .where(and(...where))
    .orderBy(asc(usageEvents.timestamp), asc(usageEvents.id))
    .limit(filter.limit);
}
