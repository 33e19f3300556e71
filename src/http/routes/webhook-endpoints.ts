/**
 * /api/v1/webhook-endpoints and /api/v1/webhook-deliveries (issue #14, webhooks out), admin only:
 * register an endpoint for the org's own events (its Standard Webhooks signing secret is returned
 * once), change or disable it, read its delivery log, and resend a delivery (a new job, the same
 * `webhook-id`). The deliveries themselves are jobs (src/jobs/webhooks-out.ts).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { atomic } from '../../db/atomic.js';
import { auditStatement } from '../../db/repos/audit.js';
import {
  createEndpoint,
  type DeliveryWithState,
  deliveryJobStatement,
  findDelivery,
  findEndpoint,
  listDeliveriesPage,
  listEndpoints,
  updateEndpoint,
  type WebhookEndpoint,
} from '../../db/repos/webhooks-out.js';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events.js';
import { enqueueStatement } from '../../jobs/queue.js';
import { webhookDeliveryJob } from '../../jobs/webhooks-out.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { invalidRequest, problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';
import { webhookUrlProblem } from './webhook-url.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const MAX_DESCRIPTION = 200;

const eventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1, 'name at least one event type')
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((list) => new Set(list).size === list.length, 'names an event type twice');

const endpointBody = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    event_types: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    enabled: z.boolean(),
    created_at: z.string(),
    disabled_at: z.string().nullable(),
  })
  .openapi('WebhookEndpoint');

const createdEndpointBody = endpointBody
  .extend({
    secret: z.string().openapi({
      description: 'The Standard Webhooks signing secret (`whsec_…`): returned only in this answer',
    }),
  })
  .openapi('CreatedWebhookEndpoint');

const deliveryBody = z
  .object({
    id: z.string().openapi({ description: 'The `webhook-id` header of every attempt' }),
    endpoint_id: z.string(),
    event_type: z.enum(WEBHOOK_EVENT_TYPES),
    state: z.enum(['pending', 'delivered', 'failed']).openapi({
      description: 'pending: queued or being sent; delivered: a 2xx came back; failed: the retries gave up',
    }),
    attempts: z.number().int(),
    last_attempt_at: z.string().nullable(),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
    payload: z.unknown().openapi({ description: 'The body sent: {type, timestamp, data}' }),
  })
  .openapi('WebhookDelivery');

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  body: { required: true, content: { 'application/json': { schema } } },
});

const listRoute = createRoute({
  method: 'get',
  path: '/webhook-endpoints',
  summary: "The org's webhook endpoints, newest first",
  responses: {
    200: {
      description: 'Every endpoint (an org has few: next_cursor is always null)',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(endpointBody), next_cursor: z.null() }).openapi('WebhookEndpointList'),
        },
      },
    },
  },
});

const createRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints',
  summary: 'Register an endpoint for events; its signing secret is returned once; audit-logged',
  request: jsonBody(
    z
      .object({
        url: z.string().min(1).max(2000).openapi({ example: 'https://example.com/hub-events' }),
        description: z.string().max(MAX_DESCRIPTION).optional(),
        event_types: eventTypes,
      })
      .strict(),
  ),
  responses: {
    201: {
      description: 'The endpoint and its secret',
      content: { 'application/json': { schema: createdEndpointBody } },
    },
    400: { description: 'A bad URL or event type (the problem names it)', content: problemContent },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/webhook-endpoints/{id}',
  summary: 'One webhook endpoint (never its secret)',
  request: { params: idParam },
  responses: {
    200: { description: 'The endpoint', content: { 'application/json': { schema: endpointBody } } },
    404: { description: 'No such endpoint in this org', content: problemContent },
  },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/webhook-endpoints/{id}',
  summary: 'Change an endpoint’s URL, description or events, or disable / enable it; audit-logged',
  request: {
    params: idParam,
    ...jsonBody(
      z
        .object({
          url: z.string().min(1).max(2000).optional(),
          description: z.string().max(MAX_DESCRIPTION).optional(),
          event_types: eventTypes.optional(),
          enabled: z.boolean().optional(),
        })
        .strict(),
    ),
  },
  responses: {
    200: { description: 'The endpoint as changed', content: { 'application/json': { schema: endpointBody } } },
    400: { description: 'A bad field (the problem names it)', content: problemContent },
    404: { description: 'No such endpoint in this org', content: problemContent },
  },
});

const deliveriesRoute = createRoute({
  method: 'get',
  path: '/webhook-endpoints/{id}/deliveries',
  summary: 'The endpoint’s delivery log, newest first',
  request: {
    params: idParam,
    query: z
      .object({
        limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
        cursor: z
          .string()
          .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
          .optional(),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'One page of deliveries',
      content: {
        'application/json': {
          schema: z
            .object({ data: z.array(deliveryBody), next_cursor: z.string().nullable() })
            .openapi('WebhookDeliveryPage'),
        },
      },
    },
    400: { description: 'A bad cursor or limit', content: problemContent },
    404: { description: 'No such endpoint in this org', content: problemContent },
  },
});

const getDeliveryRoute = createRoute({
  method: 'get',
  path: '/webhook-deliveries/{id}',
  summary: 'One delivery: its state, attempts, last answer and the body sent',
  request: { params: idParam },
  responses: {
    200: { description: 'The delivery', content: { 'application/json': { schema: deliveryBody } } },
    404: { description: 'No such delivery in this org', content: problemContent },
  },
});

const resendRoute = createRoute({
  method: 'post',
  path: '/webhook-deliveries/{id}/resend',
  summary: 'Send a delivery again (a new job with a fresh attempt budget; the same webhook-id); audit-logged',
  request: { params: idParam },
  responses: {
    202: { description: 'Queued', content: { 'application/json': { schema: deliveryBody } } },
    404: { description: 'No such delivery in this org', content: problemContent },
    409: { description: 'It is being delivered now, or its endpoint is disabled', content: problemContent },
  },
});

export const toEndpointBody = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  event_types: e.eventTypes,
  enabled: e.disabledAt === null,
  created_at: e.createdAt,
  disabled_at: e.disabledAt,
});

/** The job's state in words a receiver's owner uses. */
export function deliveryState(d: Pick<DeliveryWithState, 'state'>): 'pending' | 'delivered' | 'failed' {
  if (d.state === 'succeeded') return 'delivered';
  return d.state === 'dead' ? 'failed' : 'pending';
}

export const toDeliveryBody = (d: DeliveryWithState) => ({
  id: d.id,
  endpoint_id: d.endpointId,
  event_type: d.eventType as (typeof WEBHOOK_EVENT_TYPES)[number],
  state: deliveryState(d),
  attempts: d.attempts,
  last_attempt_at: d.lastAttemptAt,
  last_status: d.lastStatus,
  last_error: d.lastError,
  delivered_at: d.deliveredAt,
  created_at: d.createdAt,
  payload: JSON.parse(d.payload) as unknown,
});

/** How many times a delivery was resent, read off its job key (`…:resend:N`). */
const resendsOf = (jobKey: string) => Number(/:resend:(\d+)$/.exec(jobKey)?.[1] ?? 0);

/**
 * Resends a delivery that is not on its way: a new job (the old one keeps its history), the
 * delivery pointed at it, audit-logged, in one write. Returns why not, or the refreshed delivery.
 */
export async function resendDelivery(
  hub: HubContext,
  orgId: string,
  id: string,
  actor: string,
): Promise<{ ok: true; delivery: DeliveryWithState } | { ok: false; status: 404 | 409; detail: string }> {
  const delivery = await findDelivery(hub.db, orgId, id);
  if (!delivery) return { ok: false, status: 404, detail: `no webhook delivery ${id} in this org` };
  if (delivery.state === 'queued' || delivery.state === 'running') {
    return { ok: false, status: 409, detail: `delivery ${id} is being sent now (its job is ${delivery.state})` };
  }
  const endpoint = await findEndpoint(hub.db, orgId, delivery.endpointId);
  if (!endpoint || endpoint.disabledAt) {
    return { ok: false, status: 409, detail: `the endpoint of delivery ${id} is disabled: enable it first` };
  }
  const job = webhookDeliveryJob(orgId, delivery, `webhook:${endpoint.id}`, resendsOf(delivery.jobKey) + 1);
  const enqueued = enqueueStatement(hub.db, hub.clock, job);
  const now = hub.clock.now().toISOString();
  await atomic(hub.db, [
    enqueued.statement,
    deliveryJobStatement(hub.db, orgId, id, job.dedupeKey),
    auditStatement(hub.db, orgId, {
      actor,
      action: 'webhook.delivery_resent',
      subject: id,
      detail: { endpointId: endpoint.id, eventType: delivery.eventType },
      at: now,
    }),
  ]);
  await hub.driver.notify([enqueued.id]);
  return { ok: true, delivery: (await findDelivery(hub.db, orgId, id))! };
}

export function webhookEndpointRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  for (const path of ['/webhook-endpoints', '/webhook-endpoints/*', '/webhook-deliveries/*']) {
    app.use(path, requireRole('admin'));
  }

  app.openapi(listRoute, async (c) => {
    const endpoints = await listEndpoints(hub.db, c.get('orgId'));
    return c.json({ data: endpoints.map(toEndpointBody), next_cursor: null }, 200);
  });

  app.openapi(createRouteDef, async (c) => {
    const body = c.req.valid('json');
    const bad = webhookUrlProblem(body.url, hub.mode);
    if (bad) return invalidRequest(c, [{ field: 'url', message: bad }]) as never;
    const { endpoint, secret } = await createEndpoint(hub.db, hub.encryptionKey, hub.clock.now().toISOString(), {
      orgId: c.get('orgId'),
      url: body.url,
      description: body.description ?? '',
      eventTypes: body.event_types,
      actor: c.get('apiKeyId'),
    });
    return c.json({ ...toEndpointBody(endpoint), secret }, 201);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const endpoint = await findEndpoint(hub.db, c.get('orgId'), id);
    if (!endpoint) return problem(c, 404, 'Not found', `no webhook endpoint ${id} in this org`) as never;
    return c.json(toEndpointBody(endpoint), 200);
  });

  app.openapi(patchRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const orgId = c.get('orgId');
    if (!(await findEndpoint(hub.db, orgId, id))) {
      return problem(c, 404, 'Not found', `no webhook endpoint ${id} in this org`) as never;
    }
    const bad = body.url === undefined ? undefined : webhookUrlProblem(body.url, hub.mode);
    if (bad) return invalidRequest(c, [{ field: 'url', message: bad }]) as never;
    const updated = await updateEndpoint(hub.db, hub.clock.now().toISOString(), orgId, id, {
      ...(body.url !== undefined ? { url: body.url } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.event_types !== undefined ? { eventTypes: body.event_types } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      actor: c.get('apiKeyId'),
    });
    return c.json(toEndpointBody(updated!), 200);
  });

  app.openapi(deliveriesRoute, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const orgId = c.get('orgId');
    if (!(await findEndpoint(hub.db, orgId, id))) {
      return problem(c, 404, 'Not found', `no webhook endpoint ${id} in this org`) as never;
    }
    const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
    const page = await listDeliveriesPage(hub.db, orgId, id, {
      limit: q.limit ?? DEFAULT_LIMIT,
      ...(after ? { after } : {}),
    });
    return c.json({ data: page.rows.map(toDeliveryBody), next_cursor: page.next && encodeCursor(page.next) }, 200);
  });

  app.openapi(getDeliveryRoute, async (c) => {
    const { id } = c.req.valid('param');
    const delivery = await findDelivery(hub.db, c.get('orgId'), id);
    if (!delivery) return problem(c, 404, 'Not found', `no webhook delivery ${id} in this org`) as never;
    return c.json(toDeliveryBody(delivery), 200);
  });

  app.openapi(resendRoute, async (c) => {
    const { id } = c.req.valid('param');
    const result = await resendDelivery(hub, c.get('orgId'), id, c.get('apiKeyId'));
    if (!result.ok) {
      return problem(c, result.status, result.status === 404 ? 'Not found' : 'Conflict', result.detail) as never;
    }
    return c.json(toDeliveryBody(result.delivery), 202);
  });

  return app;
}
