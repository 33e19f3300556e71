/**
 * Fixing failed syncs through the API, as the console's sync log does (src/http/job-actions.ts):
 * POST /jobs/{id}/payload replaces a dead flow job's input and retries it; POST /jobs/replay
 * requeues every dead job a filter matches. Admin or finance, audit-logged, org-scoped.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { JobRow } from '../../db/repos/jobs.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { editDeadJobInput, MAX_BULK_REPLAY, redact, replayMatchingDeadJobs } from '../job-actions.js';
import { problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

/** An edited input, as JSON text: the same bound the console's editor has. */
const MAX_INPUT_CHARS = 64 * 1024;

const editedJob = z
  .object({
    id: z.string(),
    state: z.enum(['queued', 'running', 'succeeded', 'dead']),
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    flow: z.string(),
    input: z.unknown().openapi({ description: 'The stored input, secret-named keys shown as "[redacted]"' }),
  })
  .openapi('EditedJob');

const editRoute = createRoute({
  method: 'post',
  path: '/jobs/{id}/payload',
  summary: "Replace a dead flow job's input and retry it with a fresh attempt budget",
  description:
    'A value sent as "[redacted]" keeps its stored value, so an input read from the console or the audit log can be sent back with one field changed. Audit-logged (job.payload_edited) with the input before and after.',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              input: z
                .record(z.string(), z.unknown())
                .refine(
                  (v) => JSON.stringify(v).length <= MAX_INPUT_CHARS,
                  `must be at most ${MAX_INPUT_CHARS} characters as JSON`,
                )
                .openapi({ description: "The flow's new input (a JSON object)" }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    202: { description: 'Saved and requeued', content: { 'application/json': { schema: editedJob } } },
    400: { description: 'The input is not a JSON object (the problem names it)', content: problemContent },
    404: { description: 'No such job in this org', content: problemContent },
    409: { description: 'The job is not a dead flow job (or stopped being dead meanwhile)', content: problemContent },
  },
});

const replayBody = z
  .object({
    connection: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'The vendor connection, e.g. quickbooks' }),
    flow: z.string().min(1).max(200).optional().openapi({ description: 'A flow name, e.g. post-invoice-to-erp' }),
    error: z.string().min(1).max(200).optional().openapi({ description: 'Text the last error contains' }),
    resolved: z
      .boolean()
      .optional()
      .openapi({ description: 'false: only dead jobs nobody marked resolved; true: only resolved ones' }),
  })
  .strict();

const replayRoute = createRoute({
  method: 'post',
  path: '/jobs/replay',
  summary: `Requeue every dead job a filter matches (up to ${MAX_BULK_REPLAY} per call)`,
  description:
    'An empty filter matches every dead job. Audit-logged (job.bulk_replayed) with the filter and the job ids.',
  request: { body: { required: true, content: { 'application/json': { schema: replayBody } } } },
  responses: {
    202: {
      description: 'What was requeued (none when nothing matched)',
      content: {
        'application/json': {
          schema: z
            .object({
              replayed: z.number().int(),
              job_ids: z.array(z.string()),
              more: z
                .boolean()
                .openapi({ description: `True when the limit of ${MAX_BULK_REPLAY} was reached: call again` }),
            })
            .openapi('BulkReplay'),
        },
      },
    },
    400: { description: 'A bad filter (the problem names it)', content: problemContent },
  },
});

const toEditedJob = (job: JobRow) => {
  const payload = JSON.parse(job.payload) as { flow: string; input?: unknown };
  return {
    id: job.id,
    state: job.state,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    flow: payload.flow,
    input: redact(payload.input ?? null),
  };
};

export function jobActionRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.use('/jobs/*', requireRole('admin', 'finance'));

  app.openapi(editRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { input } = c.req.valid('json');
    const who = { orgId: c.get('orgId'), actor: c.get('apiKeyId') };
    const result = await editDeadJobInput(hub, who, id, input);
    // problem() builds the documented problem+json body; the typed-response helper cannot express it.
    switch (result.outcome) {
      case 'not_found':
        return problem(c, 404, 'Not found', `no job ${id} in this org`) as never;
      case 'not_editable':
        return problem(
          c,
          409,
          'Conflict',
          `job ${id} is ${result.state}; only a dead flow job's payload can be edited`,
        ) as never;
      case 'raced':
        return problem(
          c,
          409,
          'Conflict',
          `job ${id} stopped being dead before the edit landed; nothing changed`,
        ) as never;
      case 'requeued':
        return c.json(toEditedJob(result.job), 202);
    }
  });

  app.openapi(replayRoute, async (c) => {
    const body = c.req.valid('json');
    const filter = {
      ...(body.connection ? { connection: body.connection } : {}),
      ...(body.flow ? { flow: body.flow } : {}),
      ...(body.error ? { error: body.error } : {}),
      ...(body.resolved === undefined ? {} : { open: !body.resolved }),
    };
    const auditFilter = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]));
    const ids = await replayMatchingDeadJobs(hub, { orgId: c.get('orgId'), actor: c.get('apiKeyId') }, filter, {
      state: 'dead',
      ...auditFilter,
    });
    return c.json({ replayed: ids.length, job_ids: ids, more: ids.length === MAX_BULK_REPLAY }, 202);
  });

  return app;
}
