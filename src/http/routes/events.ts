/**
 * /api/v1/events and /api/v1/metrics: usage ingestion and billable metric definitions.
 *
 * Ingestion is all-or-nothing: every event is checked first (shape, known customer, known
 * metric, numeric field, not more than 24 h ahead of the hub clock), then all rows are written
 * in ONE atomic() unit, chunked to the driver's bound-parameter limit. Each event is idempotent
 * per (org, transaction_id): a resent one is counted as a duplicate and never stored twice.
 *
 * Late events (src/domain/metering/late.ts): an event stamped before its customer's "invoiced
 * through" watermark (latest period_end of the customer's arrears invoices, one query per call)
 * is stored with late = true and counted in the answer's `late`. GET /events lists events, e.g.
 * the late ones no invoice has billed yet (?late=true&unbilled=true), for a manual correction.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { atomic, rowsChanged } from '../../db/atomic.js';
import {
  existingCustomerIds,
  invoicedThroughByCustomer,
  listMetrics,
  listUsageEvents,
  type MetricRow,
  metricInsert,
  metricsByCode,
  toBillableMetric,
  type UsageEventColumns,
  type UsageEventRow,
  usageEventInserts,
} from '../../db/repos/metering.js';
import { parseTimestamp } from '../../domain/grammar.js';
import {
  billableMetricSchema,
  invoicedThroughMs,
  isDecimalValue,
  isLate,
  NUMERIC_AGGREGATIONS,
} from '../../domain/metering/index.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { timestampInput as timestampSchema } from '../input.js';
import { type FieldProblem, invalidRequest, problem, zodProblemHook } from '../problem.js';
import { readJson } from '../read-body.js';
import { problemContent } from './schemas.js';

export const MAX_BATCH_EVENTS = 10_000;
/** Bounds on one event's properties (scalars only, so depth is one): a metric reads a few, never a document. */
export const MAX_PROPERTIES = 50;
export const MAX_PROPERTY_KEY_LENGTH = 128;
export const MAX_PROPERTY_VALUE_LENGTH = 1024;
/** Events may be stamped at most this far ahead of the hub clock (clock skew at the sender). */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

const usageEventSchema = z
  .object({
    transaction_id: z
      .string()
      .min(1, 'must not be empty')
      .max(255, 'must be at most 255 characters')
      .openapi({ description: 'Unique per org; a resent event with the same id is a duplicate', example: 'tx_0001' }),
    customer_id: z
      .string()
      .min(1, 'must not be empty')
      .openapi({ description: 'The hub customer id (customers.id)', example: 'cus_3f2a…' }),
    metric: z
      .string()
      .min(1, 'must not be empty')
      .openapi({ description: 'Billable metric code', example: 'api_calls' }),
    timestamp: timestampSchema.openapi({ example: '2026-03-02T09:00:00Z' }),
    properties: z
      .record(
        z.string().max(MAX_PROPERTY_KEY_LENGTH, `names must be at most ${MAX_PROPERTY_KEY_LENGTH} characters`),
        z.union([
          z.string().max(MAX_PROPERTY_VALUE_LENGTH, `must be at most ${MAX_PROPERTY_VALUE_LENGTH} characters`),
          z
            .number()
            .min(-Number.MAX_SAFE_INTEGER, 'must be within ±(2^53 - 1)')
            .max(Number.MAX_SAFE_INTEGER, 'must be within ±(2^53 - 1)'),
          z.boolean(),
        ]),
      )
      .refine((p) => Object.keys(p).length <= MAX_PROPERTIES, `at most ${MAX_PROPERTIES} properties`)
      .optional()
      .openapi({
        description: `Free-form: scalar properties read by metrics (field, filters, group_by); at most ${MAX_PROPERTIES}, names up to ${MAX_PROPERTY_KEY_LENGTH} and strings up to ${MAX_PROPERTY_VALUE_LENGTH} characters`,
      }),
  })
  .strict()
  .openapi('UsageEvent');

type UsageEventInput = z.infer<typeof usageEventSchema>;

const ingestResult = z
  .object({
    received: z.number().int(),
    new: z.number().int().openapi({ description: 'Events stored by this call' }),
    duplicates: z.number().int().openapi({ description: 'Events whose transaction_id was already stored' }),
    late: z.number().int().openapi({
      description:
        "Events of this request stamped before their customer's invoiced-through date (latest arrears period end): stored and flagged late, billed on the next invoice (count, sum) or left for a correction",
    }),
  })
  .openapi('IngestResult');

const metricSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    aggregation: z.enum(['count', 'sum', 'max', 'unique_count', 'latest', 'weighted_sum']),
    field: z.string().nullable(),
    filters: z.array(z.object({ property: z.string(), values: z.array(z.string()) })),
    group_by: z.array(z.string()),
    rounding: z.object({ mode: z.enum(['round', 'ceil', 'floor']), precision: z.number().int() }).nullable(),
    recurring: z.boolean().openapi({ description: 'count / sum over everything since the contract started' }),
    created_at: z.string(),
  })
  .openapi('BillableMetric');

const storedEventSchema = z
  .object({
    id: z.number().int(),
    transaction_id: z.string(),
    customer_id: z.string(),
    metric: z.string(),
    timestamp: z.string().openapi({ example: '2026-01-20T00:00:00.000Z' }),
    properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    received_at: z.string(),
    late: z.boolean(),
    late_billed_invoice_id: z
      .string()
      .nullable()
      .openapi({ description: 'Late events: the invoice that billed it; null while unbilled' }),
  })
  .openapi('StoredUsageEvent');

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

const booleanParam = (description: string) =>
  z.enum(['true', 'false'], { error: 'must be true or false' }).optional().openapi({ description });

const listEventsRoute = createRoute({
  method: 'get',
  path: '/events',
  summary: 'Stored usage events, oldest first; e.g. late events no invoice has billed (?late=true&unbilled=true)',
  request: {
    query: z
      .object({
        late: booleanParam('true: late events only; false: on-time events only; absent: both'),
        unbilled: booleanParam('true: late events that no invoice has billed yet (implies late=true)'),
        customer_id: z.string().min(1, 'must not be empty').optional().openapi({ description: 'One hub customer' }),
        limit: z.coerce
          .number({ error: 'must be a number' })
          .int('must be an integer')
          .min(1, 'must be at least 1')
          .max(MAX_LIST_LIMIT, `must be at most ${MAX_LIST_LIMIT}`)
          .default(DEFAULT_LIST_LIMIT)
          .openapi({ description: `At most this many events (default ${DEFAULT_LIST_LIMIT})` }),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'Events, by timestamp then id',
      content: { 'application/json': { schema: z.object({ events: z.array(storedEventSchema) }) } },
    },
    400: { description: 'Bad query parameter', content: problemContent },
  },
});

function toEventBody(row: UsageEventRow) {
  return {
    id: row.id,
    transaction_id: row.transactionId,
    customer_id: row.customerId,
    metric: row.metricCode,
    timestamp: new Date(row.timestamp).toISOString(),
    properties: JSON.parse(row.properties) as Record<string, string | number | boolean>,
    received_at: new Date(row.receivedAt).toISOString(),
    late: row.late,
    late_billed_invoice_id: row.lateBilledInvoiceId ?? null,
  };
}

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

const ingestOneRoute = createRoute({
  method: 'post',
  path: '/events',
  summary: 'Ingest one usage event (idempotent per transaction_id)',
  request: { body: json(usageEventSchema) },
  responses: {
    200: {
      description: 'Stored, or recognised as a duplicate',
      content: { 'application/json': { schema: ingestResult } },
    },
    400: {
      description: 'Bad event, unknown customer or metric, or more than 24 h in the future',
      content: problemContent,
    },
  },
});

const ingestBatchRoute = createRoute({
  method: 'post',
  path: '/events/batch',
  summary: `Ingest up to ${MAX_BATCH_EVENTS} usage events at once; one bad event rejects the whole batch`,
  request: {
    body: json(
      z
        .object({
          events: z
            .array(usageEventSchema)
            .min(1, 'needs at least one event')
            .max(MAX_BATCH_EVENTS, `must hold at most ${MAX_BATCH_EVENTS} events; split the batch`),
        })
        .strict(),
    ),
  },
  responses: {
    200: { description: 'All stored (or duplicates)', content: { 'application/json': { schema: ingestResult } } },
    400: { description: 'The batch is invalid; nothing was stored', content: problemContent },
  },
});

const createMetricRoute = createRoute({
  method: 'post',
  path: '/metrics',
  summary: 'Define a billable metric',
  request: { body: json(billableMetricSchema) },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: metricSchema } } },
    400: { description: 'Invalid definition', content: problemContent },
    409: { description: 'A metric with this code exists', content: problemContent },
  },
});

const listMetricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Billable metrics of this org',
  responses: {
    200: {
      description: 'Metrics, by code',
      content: { 'application/json': { schema: z.object({ metrics: z.array(metricSchema) }) } },
    },
  },
});

function toMetricBody(row: MetricRow) {
  const metric = toBillableMetric(row);
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    aggregation: row.aggregation,
    field: row.field,
    filters: metric.filters ?? [],
    group_by: metric.groupBy ?? [],
    rounding: metric.rounding ?? null,
    recurring: row.recurring,
    created_at: row.createdAt,
  };
}

/**
 * Checks every event against the org's customers and metrics and the hub clock, and builds the
 * rows (column by column, no object per event). `field(i, name)` names a field of event i as
 * the client sent it ("events.12.timestamp").
 */
async function prepareEvents(
  hub: HubContext,
  orgId: string,
  events: readonly UsageEventInput[],
  field: (index: number, name: string) => string,
  parsedTimestamps?: readonly number[],
): Promise<{ ok: true; rows: UsageEventColumns; late: number } | { ok: false; errors: FieldProblem[] }> {
  const now = hub.clock.now().getTime();
  const latest = now + MAX_FUTURE_MS;
  const n = events.length;
  const rows: UsageEventColumns = {
    orgId,
    receivedAt: now,
    transactionIds: new Array(n),
    customerIds: new Array(n),
    metricCodes: new Array(n),
    timestamps: new Array(n),
    properties: new Array(n),
    late: new Array(n),
  };
  const metricCodes = new Set<string>();
  const customerSet = new Set<string>();
  for (let i = 0; i < n; i++) {
    const event = events[i]!;
    rows.transactionIds[i] = event.transaction_id;
    rows.customerIds[i] = event.customer_id;
    rows.metricCodes[i] = event.metric;
    metricCodes.add(event.metric);
    customerSet.add(event.customer_id);
  }
  const metrics = await metricsByCode(hub.db, orgId, [...metricCodes]);
  const distinctCustomers = [...customerSet];
  const customerIds = await existingCustomerIds(hub.db, orgId, distinctCustomers);
  // Each customer's "invoiced through" watermark, one query for the whole call (see late.ts).
  const through = await invoicedThroughByCustomer(hub.db, orgId, distinctCustomers);
  const watermarks = new Map([...through].map(([customer, end]) => [customer, invoicedThroughMs(end)]));

  const errors: FieldProblem[] = [];
  let late = 0;
  for (let i = 0; i < n; i++) {
    const event = events[i]!;
    // Checked by the schema or wellFormedBatch (grammar.ts), which hands over what it parsed.
    const timestamp = parsedTimestamps?.[i] ?? parseTimestamp(event.timestamp)!;
    if (timestamp > latest) {
      errors.push({
        field: field(i, 'timestamp'),
        message: `is more than 24 hours ahead of the hub clock (${new Date(now).toISOString()})`,
      });
    }
    if (!customerIds.has(event.customer_id)) {
      errors.push({ field: field(i, 'customer_id'), message: `no customer ${event.customer_id} in this org` });
    }
    const metric = metrics.get(event.metric);
    if (!metric) {
      errors.push({ field: field(i, 'metric'), message: `no billable metric ${event.metric} in this org` });
    } else if (
      metric.field &&
      NUMERIC_AGGREGATIONS.has(metric.aggregation) &&
      event.properties &&
      Object.hasOwn(event.properties, metric.field)
    ) {
      // A missing field is allowed (the aggregation skips the event); a present one must be a number.
      if (!isDecimalValue(event.properties[metric.field])) {
        errors.push({
          field: field(i, `properties.${metric.field}`),
          message: `must be a decimal number (metric ${metric.code} takes the ${metric.aggregation} of it)`,
        });
      }
    }
    if (errors.length > 0) continue; // the batch is rejected; only the checks still matter
    const isLateEvent = isLate(timestamp, watermarks.get(event.customer_id) ?? null);
    rows.timestamps[i] = timestamp;
    rows.properties[i] = event.properties ? JSON.stringify(event.properties) : '{}';
    rows.late[i] = isLateEvent;
    if (isLateEvent) late++;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rows, late };
}

async function ingest(
  hub: HubContext,
  c: Context<AppEnv>,
  events: readonly UsageEventInput[],
  field: (index: number, name: string) => string,
  parsedTimestamps?: readonly number[],
) {
  const prepared = await prepareEvents(hub, c.get('orgId'), events, field, parsedTimestamps);
  if (!prepared.ok) return { response: invalidRequest(c, prepared.errors) };
  const results = await atomic(hub.db, usageEventInserts(hub.db, prepared.rows));
  const stored = results.reduce<number>((n, r) => n + rowsChanged(r), 0);
  // `late` counts this request's events by the watermark now (a duplicate keeps its stored flag).
  return {
    body: { received: events.length, new: stored, duplicates: events.length - stored, late: prepared.late },
  };
}

/** Media types for which both of the route's gates (media type, JSON validator) read the body as JSON. */
const PLAIN_JSON = /^application\/json(?:;\s*charset=utf-8)?$/i;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const BATCH_KEYS = new Set(['events']);
const EVENT_KEYS = new Set(Object.keys(usageEventSchema.shape));

function hasOnlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

function isScalarRecord(value: unknown): value is Record<string, string | number | boolean> {
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    // zod rebuilds a record key by key: "__proto__" would not survive that as a key; let zod decide.
    if (key === '__proto__') return false;
    const v = value[key];
    if (
      typeof v === 'number'
        ? Math.abs(v) > Number.MAX_SAFE_INTEGER || Number.isNaN(v)
        : typeof v !== 'string' && typeof v !== 'boolean'
    ) {
      return false;
    }
  }
  return true;
}

/**
 * The batch body's events if zod would accept the body and hand back the same values (the
 * common, well-formed case), else null. A hand-written subset of the batch schema: every check
 * mirrors a rule of usageEventSchema and the events array; anything else (a bad field, an
 * unusual shape) goes to the zod validator, which accepts it or writes today's 400 naming every
 * field at fault. An unknown key sends the body to zod too, which refuses it by name.
 */
function wellFormedBatch(body: unknown): { events: readonly UsageEventInput[]; timestamps: number[] } | null {
  if (!isPlainObject(body) || !hasOnlyKeys(body, BATCH_KEYS)) return null;
  const events = body.events;
  if (!Array.isArray(events) || events.length < 1 || events.length > MAX_BATCH_EVENTS) return null;
  // The epoch ms of each timestamp, parsed once here for prepareEvents (it was parsed twice).
  const timestamps: number[] = new Array(events.length);
  let i = 0;
  for (const event of events as unknown[]) {
    if (!isPlainObject(event) || !hasOnlyKeys(event, EVENT_KEYS)) return null;
    const { transaction_id, customer_id, metric, timestamp, properties } = event;
    if (typeof transaction_id !== 'string' || transaction_id.length < 1 || transaction_id.length > 255) return null;
    if (typeof customer_id !== 'string' || customer_id.length < 1) return null;
    if (typeof metric !== 'string' || metric.length < 1) return null;
    const ms = parseTimestamp(timestamp);
    if (ms === null) return null;
    timestamps[i++] = ms;
    if (properties !== undefined && !isScalarRecord(properties)) return null;
  }
  return { events: events as UsageEventInput[], timestamps };
}

const batchField = (i: number, name: string) => `events.${i}.${name}`;

export function eventRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });

  app.use('/events', requireRole('admin', 'finance'));
  app.use('/events/*', requireRole('admin', 'finance'));
  app.on('POST', '/metrics', requireRole('admin', 'finance'));

  app.openapi(ingestOneRoute, async (c) => {
    const outcome = await ingest(hub, c, [c.req.valid('json')], (_, name) => name);
    // problem() builds the documented problem+json body; the typed-response helper cannot express it.
    if (outcome.response) return outcome.response as never;
    return c.json(outcome.body, 200);
  });

  // Fast path for a well-formed batch: JSON body read once, checked by wellFormedBatch() instead
  // of zod (about as costly as the database write for 10,000 events). Anything else falls
  // through to the route's zod validator, so every error answer is the one zod gives.
  app.on('POST', '/events/batch', async (c, next) => {
    if (!PLAIN_JSON.test(c.req.header('content-type') ?? '')) return next();
    let body: unknown;
    try {
      body = await readJson(c);
    } catch {
      return next(); // the validator answers malformed JSON as before
    }
    const batch = wellFormedBatch(body);
    if (!batch) return next();
    const outcome = await ingest(hub, c, batch.events, batchField, batch.timestamps);
    return outcome.response ?? c.json(outcome.body, 200);
  });

  app.openapi(ingestBatchRoute, async (c) => {
    const outcome = await ingest(hub, c, c.req.valid('json').events, batchField);
    if (outcome.response) return outcome.response as never;
    return c.json(outcome.body, 200);
  });

  app.openapi(listEventsRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listUsageEvents(hub.db, c.get('orgId'), {
      ...(q.late !== undefined ? { late: q.late === 'true' } : {}),
      unbilled: q.unbilled === 'true',
      ...(q.customer_id !== undefined ? { customerId: q.customer_id } : {}),
      limit: q.limit,
    });
    return c.json({ events: rows.map(toEventBody) }, 200);
  });

  app.openapi(createMetricRoute, async (c) => {
    const input = c.req.valid('json');
    const orgId = c.get('orgId');
    const { row, statement } = metricInsert(hub.db, orgId, hub.clock.now().toISOString(), {
      code: input.code,
      name: input.name ?? input.code,
      aggregation: input.aggregation,
      field: input.field ?? null,
      filters: input.filters,
      groupBy: input.group_by,
      rounding: input.rounding ?? null,
      recurring: input.recurring ?? false,
    });
    const [result] = await atomic(hub.db, [statement]);
    if (rowsChanged(result) === 0) {
      return problem(c, 409, 'Conflict', `a metric with code ${input.code} exists in this org`, [
        { field: 'code', message: 'is taken' },
      ]) as never;
    }
    return c.json(toMetricBody(row), 201);
  });

  app.openapi(listMetricsRoute, async (c) =>
    c.json({ metrics: (await listMetrics(hub.db, c.get('orgId'))).map(toMetricBody) }, 200),
  );

  return app;
}
