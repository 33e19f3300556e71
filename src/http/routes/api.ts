/**
 * /api/v1: manual sync, the deal trace, dead letters and replay; mounts the other route files
 * (connections, events, billing runs, contracts, ...). zod validates every input.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { dealAmendmentJob, dealCorrelationId, dealToContractJob } from '../../../flows/index.js';
import { atomic } from '../../db/atomic.js';
import { unhealthyConnectionReasons } from '../../db/repos/connections.js';
import { findJob, type JobRow, listJobs } from '../../db/repos/jobs.js';
import { dealTrace } from '../../db/repos/trace.js';
import { enqueueStatement, findJobByDedupeKey, replayJob } from '../../jobs/queue.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { problem, zodProblemHook } from '../problem.js';
import { toSnakeCaseKeys } from '../snake-case.js';
import { accessRoutes } from './access.js';
import { billingRunRoutes } from './billing-runs.js';
import { connectionRoutes } from './connections.js';
import { contractRoutes } from './contracts.js';
import { creditNoteActionRoutes } from './credit-note-actions.js';
import { crmPollRoutes } from './crm-poll.js';
import { customerRoutes } from './customers.js';
import { dunningRoutes } from './dunning.js';
import { erpRoutes } from './erp.js';
import { eventRoutes } from './events.js';
import { invoiceActionRoutes } from './invoice-actions.js';
import { invoiceDocumentRoutes } from './invoice-document.js';
import { invoiceRoutes } from './invoices.js';
import { jobActionRoutes } from './job-actions.js';
import { ledgerRoutes } from './ledger.js';
import { mountMappingRoutes } from './mappings.js';
import { oauthStartRoutes } from './oauth.js';
import { parkedWebhookRoutes } from './parked-webhooks.js';
import { mountPricingRoutes } from './pricing.js';
import { receivablesRoutes } from './receivables.js';
import { reconciliationRoutes } from './reconciliation.js';
import { revenueRoutes } from './revenue.js';
import { salesforceOAuthApiRoutes } from './salesforce-oauth.js';
import { problemContent } from './schemas.js';
import { searchRoutes } from './search.js';
import { taxRoutes } from './tax.js';
import { webhookEndpointRoutes } from './webhook-endpoints.js';
import { hasContract } from './webhooks.js';

/** Salesforce record ids: 15 or 18 characters; Opportunities start with key prefix 006. */
const opportunityId = z
  .string()
  .regex(
    /^006[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/,
    'must be a Salesforce Opportunity id (15 or 18 characters, prefix 006)',
  )
  .openapi({ param: { name: 'id', in: 'path' }, example: '006Hs00001AbCdEIAV' });

const jobSummary = z
  .object({
    id: z.string(),
    kind: z.string(),
    state: z.enum(['queued', 'running', 'succeeded', 'dead']),
    attempts: z.number(),
    maxAttempts: z.number(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    correlationId: z.string(),
    paused: z.boolean().optional().openapi({
      description: 'Present (true) on a queued job whose connection is unhealthy: it waits for a reconnect',
    }),
    pausedReason: z.string().optional().openapi({ description: "The connection's status reason" }),
  })
  .openapi('Job');

/** `unhealthy` maps a connection key (vendor) to why it is unhealthy; its queued jobs show as paused. */
function toJobSummary(row: JobRow, unhealthy?: ReadonlyMap<string, string>) {
  const pausedReason = row.state === 'queued' && row.connectionKey ? unhealthy?.get(row.connectionKey) : undefined;
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    nextAttemptAt: new Date(row.nextAttemptAt).toISOString(),
    lastError: row.lastError,
    correlationId: row.correlationId,
    ...(pausedReason !== undefined ? { paused: true, pausedReason } : {}),
  };
}

/** HubSpot record ids are numeric. */
const hubspotDealId = z
  .string()
  .regex(/^\d{1,20}$/, 'must be a HubSpot deal id (digits)')
  .openapi({ param: { name: 'id', in: 'path' }, example: '15301278452' });

/** The per-CRM deal routes: a manual pull and the trace. */
const CRM_DEAL_ROUTES = [
  { system: 'salesforce', label: 'Salesforce Opportunity', collection: 'opportunities', id: opportunityId },
  { system: 'hubspot', label: 'HubSpot Deal', collection: 'deals', id: hubspotDealId },
] as const;

function dealRoutes(crm: (typeof CRM_DEAL_ROUTES)[number]) {
  const params = z.object({ id: crm.id });
  return {
    sync: createRoute({
      method: 'post',
      path: `/sync/${crm.system}/${crm.collection}/{id}`,
      summary: `Pull one ${crm.label} now (same flow and dedupe as its webhook)`,
      request: { params },
      responses: {
        202: {
          description: 'Sync job queued (or the existing one)',
          content: { 'application/json': { schema: jobSummary } },
        },
        400: { description: 'Bad deal id', content: problemContent },
      },
    }),
    trace: createRoute({
      method: 'get',
      path: `/deals/${crm.system}/{id}/trace`,
      summary: 'Everything the hub did for one deal: contract, invoices, tax, payment, ERP refs, ledger, jobs',
      request: { params },
      responses: {
        200: {
          description: 'The chain for one deal (snake_case keys throughout)',
          content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
        },
        400: { description: 'Bad deal id', content: problemContent },
      },
    }),
  };
}

const listJobsRoute = createRoute({
  method: 'get',
  path: '/jobs',
  summary: 'List jobs, e.g. the dead letters with state=dead',
  request: {
    query: z
      .object({
        state: z.enum(['queued', 'running', 'succeeded', 'dead']).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'Jobs, newest first',
      content: { 'application/json': { schema: z.object({ jobs: z.array(jobSummary) }) } },
    },
  },
});

const replayRoute = createRoute({
  method: 'post',
  path: '/jobs/{id}/replay',
  summary: 'Put a dead job back in the queue with a fresh attempt budget',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: {
    202: { description: 'Requeued', content: { 'application/json': { schema: jobSummary } } },
    404: { description: 'No such job in this org', content: problemContent },
    409: { description: 'The job is not dead', content: problemContent },
  },
});

export function apiRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });

  api.use('/sync/*', requireRole('admin', 'sales_ops'));
  for (const crm of CRM_DEAL_ROUTES) {
    const routes = dealRoutes(crm);
    api.openapi(routes.sync, async (c) => {
      const { id } = c.req.valid('param');
      const orgId = c.get('orgId');
      const job = dealToContractJob(orgId, crm.system, id);
      const { statement } = enqueueStatement(hub.db, hub.clock, job);
      // A deal with a contract also gets the amendment check. A pull carries no change stamp, so
      // its key is the current clock minute: repeated pulls within a minute share one check.
      const amend = (await hasContract(hub, orgId, crm.system, id))
        ? enqueueStatement(
            hub.db,
            hub.clock,
            dealAmendmentJob(orgId, crm.system, id, `pull:${hub.clock.now().toISOString().slice(0, 16)}`),
          )
        : null;
      await atomic(hub.db, amend ? [statement, amend.statement] : [statement]);
      const row = (await findJobByDedupeKey(hub.db, orgId, job.dedupeKey))!;
      await hub.driver.notify(amend ? [row.id, amend.id] : [row.id]);
      return c.json(toJobSummary(row), 202);
    });
    api.openapi(routes.trace, async (c) => {
      const { id } = c.req.valid('param');
      const trace = await dealTrace(hub.db, c.get('orgId'), crm.system, id, dealCorrelationId(crm.system, id));
      // snake_case like the rest of the public API (the embed page reads the typed object).
      return c.json(toSnakeCaseKeys(trace) as Record<string, unknown>, 200);
    });
  }

  api.use('/jobs/*', requireRole('admin', 'finance'));
  api.use('/jobs', requireRole('admin', 'finance'));
  api.openapi(listJobsRoute, async (c) => {
    const { state, limit } = c.req.valid('query');
    const orgId = c.get('orgId');
    const rows = await listJobs(hub.db, orgId, { ...(state ? { state } : {}), limit });
    const unhealthy = await unhealthyConnectionReasons(hub.db, orgId);
    return c.json({ jobs: rows.map((row) => toJobSummary(row, unhealthy)) }, 200);
  });

  api.openapi(replayRoute, async (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.get('orgId');
    const replayed = await replayJob(hub.db, hub.clock, orgId, id);
    if (replayed) {
      await hub.driver.notify([replayed.id]);
      return c.json(toJobSummary(replayed), 202);
    }
    const existing = await findJob(hub.db, orgId, id);
    // problem() builds the documented problem+json body; the typed-response helper cannot express it.
    if (!existing) return problem(c, 404, 'Not found', `no job ${id} in this org`) as never;
    return problem(c, 409, 'Conflict', `job ${id} is ${existing.state}; only dead jobs can be replayed`) as never;
  });

  mountPricingRoutes(api, hub);
  mountMappingRoutes(api, hub);

  api.route('/', eventRoutes(hub));
  api.route('/', billingRunRoutes(hub));
  api.route('/', contractRoutes(hub));
  api.route('/', oauthStartRoutes(hub));
  api.route('/', salesforceOAuthApiRoutes(hub));
  api.route('/', connectionRoutes(hub));
  api.route('/', crmPollRoutes(hub));
  api.route('/', invoiceRoutes(hub));
  api.route('/', receivablesRoutes(hub));
  api.route('/', dunningRoutes(hub));
  api.route('/', parkedWebhookRoutes(hub));
  api.route('/', invoiceActionRoutes(hub));
  api.route('/', invoiceDocumentRoutes(hub));
  api.route('/', creditNoteActionRoutes(hub));
  api.route('/', ledgerRoutes(hub));
  api.route('/', revenueRoutes(hub));
  api.route('/', erpRoutes(hub));
  api.route('/', reconciliationRoutes(hub));
  // Reads and the PATCH of /customers, as one router.
  api.route('/', customerRoutes(hub));
  api.route('/', accessRoutes(hub));
  api.route('/', webhookEndpointRoutes(hub));
  api.route('/', taxRoutes(hub));
  api.route('/', searchRoutes(hub));
  api.route('/', jobActionRoutes(hub));

  // Every /api/v1 route takes the org's API key as a bearer token (the openapi.json itself is public).
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'hub_…',
    description: 'An API key of the org (admin, finance, sales_ops or viewer)',
  });
  api.doc('/openapi.json', {
    openapi: '3.0.3',
    info: { title: 'CPQ-to-cash hub API', version: '1' },
    // Paths in this document are relative to /api/v1 on whichever host serves it.
    servers: [{ url: '/api/v1', description: 'This hub' }],
    security: [{ bearer: [] }],
  });
  return api;
}
