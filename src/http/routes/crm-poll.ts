/**
 * POST /api/v1/crm/poll: run the CRM pollers for the caller's org now (they also run every five
 * minutes) and report, per CRM connection, what was found and enqueued.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { pollCrms } from '../../../flows/crm-poll/index.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { zodProblemHook } from '../problem.js';

const connectionPoll = z
  .object({
    connection_id: z.string(),
    vendor: z.enum(['salesforce', 'hubspot']),
    since: z.string().openapi({ description: 'Exclusive lower bound asked for (ISO 8601)' }),
    cursor: z.string().nullable().openapi({ description: 'The high-water mark after the poll' }),
    found: z.number().int().openapi({ description: 'Won deals the CRM returned' }),
    enqueued: z.number().int().openapi({ description: 'Deals started now (none had started them before)' }),
    error: z.string().optional().openapi({ description: 'Why the poll failed; the cursor is unchanged' }),
  })
  .openapi('CrmPoll');

const pollRoute = createRoute({
  method: 'post',
  path: '/crm/poll',
  summary: 'Poll the CRM connections now for won deals that no webhook delivered',
  responses: {
    200: {
      description: 'One entry per CRM connection',
      content: { 'application/json': { schema: z.object({ connections: z.array(connectionPoll) }) } },
    },
  },
});

export function crmPollRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.on('POST', '/crm/poll', requireRole('admin'));
  app.openapi(pollRoute, async (c) => {
    const results = await pollCrms(hub, { orgId: c.get('orgId') });
    return c.json(
      {
        connections: results.map((r) => ({
          connection_id: r.connectionId,
          vendor: r.vendor,
          since: r.since,
          cursor: r.cursor,
          found: r.found,
          enqueued: r.enqueued,
          ...(r.error !== undefined ? { error: r.error } : {}),
        })),
      },
      200,
    );
  });
  return app;
}
