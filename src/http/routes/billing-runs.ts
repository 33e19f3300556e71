/**
 * /api/v1/billing-runs: start a billing run (it runs as a job, in the background) and read its
 * progress. Runs are org-scoped: another org's run id is a 404.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { startBillingRun } from '../../../flows/billing-run/jobs.js';
import { type BillingRunRow, getBillingRun } from '../../db/repos/billing-runs.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { isoDateInput as isoDateSchema } from '../input.js';
import { problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

const runBody = z
  .object({
    id: z.string(),
    at: z.string(),
    state: z.enum(['running', 'succeeded', 'failed']),
    progress: z.object({
      contracts_total: z.number().int(),
      contracts_done: z.number().int(),
      invoices_created: z.number().int(),
    }),
    error: z.unknown().nullable().openapi({ description: 'Contracts that could not be invoiced, with reasons' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('BillingRun');

function toBody(row: BillingRunRow): z.infer<typeof runBody> {
  let error: unknown = row.error;
  try {
    error = row.error ? JSON.parse(row.error) : null;
  } catch {
    // A plain message (the run failed outright), not the JSON list of contract failures.
  }
  return {
    id: row.id,
    at: row.at,
    state: row.state,
    progress: {
      contracts_total: row.contractsTotal,
      contracts_done: row.contractsDone,
      invoices_created: row.invoicesCreated,
    },
    error,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

const startRoute = createRoute({
  method: 'post',
  path: '/billing-runs',
  summary: 'Invoice every contract period due through `at` (default: today by the hub clock), in the background',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .object({
              at: isoDateSchema.optional().openapi({ example: '2026-03-01' }),
            })
            .strict(),
        },
      },
      required: false,
    },
  },
  responses: {
    202: { description: 'Run started', content: { 'application/json': { schema: runBody } } },
    400: { description: 'Bad `at`', content: problemContent },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/billing-runs/{id}',
  summary: 'State and progress of a billing run',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: {
    200: { description: 'The run', content: { 'application/json': { schema: runBody } } },
    404: { description: 'No such run in this org', content: problemContent },
  },
});

export function billingRunRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.on('POST', '/billing-runs', requireRole('admin', 'finance'));

  app.openapi(startRoute, async (c) => {
    const at = c.req.valid('json')?.at ?? hub.clock.now().toISOString().slice(0, 10);
    const orgId = c.get('orgId');
    const id = await startBillingRun(hub, orgId, at);
    // The Node driver may already have run it; read back whatever state it is in.
    const row = (await getBillingRun(hub.db, orgId, id))!;
    return c.json(toBody(row), 202);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const row = await getBillingRun(hub.db, c.get('orgId'), id);
    // problem() builds the documented problem+json body; the typed-response helper cannot express it.
    if (!row) return problem(c, 404, 'Not found', `no billing run ${id} in this org`) as never;
    return c.json(toBody(row), 200);
  });
  return app;
}
