/**
 * GET /payments/parked-webhooks (issue #12): the payment webhooks still parked because the hub's
 * own record of the payment they name does not exist yet (flows/parked-webhooks.ts), newest
 * first: the provider, the event's type, the payment reference it waits for, since when, and how
 * many deliveries of it came in. Admin and finance: an event's payload is not for every role.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { type ParkedWebhook, parkedPage } from '../../db/repos/parked-webhooks.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

const parkedBody = z
  .object({
    id: z.string(),
    provider: z.string().openapi({ example: 'stripe' }),
    event_id: z.string().openapi({ description: "The provider's event id" }),
    event_type: z.string().openapi({ description: "The hub's event type (payment.succeeded, payment.failed, ...)" }),
    waiting_for: z.string().openapi({
      description: "The provider's payment reference (a Stripe PaymentIntent id) our record of the attempt must carry",
    }),
    parked_at: z.string(),
    attempts: z.number().int().openapi({ description: 'Deliveries of this event received while parked' }),
  })
  .openapi('ParkedWebhook');

const listRoute = createRoute({
  method: 'get',
  path: '/payments/parked-webhooks',
  summary: 'Payment webhooks parked until the payment they name is recorded, newest first',
  request: {
    query: z
      .object({
        limit: z.coerce.number().int().min(1).max(200).optional(),
        cursor: z
          .string()
          .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
          .optional(),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'One page of parked webhooks',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(parkedBody), next_cursor: z.string().nullable() }),
        },
      },
    },
    400: { description: 'Bad limit or cursor', content: problemContent },
  },
});

function eventType(row: ParkedWebhook): string {
  try {
    const type = (JSON.parse(row.event) as { type?: unknown }).type;
    return typeof type === 'string' ? type : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function parkedWebhookRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.use('/payments/parked-webhooks', requireRole('admin', 'finance'));
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor)!;
    const page = await parkedPage(hub.db, c.get('orgId'), { limit: q.limit ?? 50, ...(after ? { after } : {}) });
    const data = page.rows.map((r) => ({
      id: r.id,
      provider: r.provider,
      event_id: r.eventId,
      event_type: eventType(r),
      waiting_for: r.paymentExternalId,
      parked_at: r.parkedAt,
      attempts: r.attempts,
    }));
    return c.json({ data, next_cursor: page.next ? encodeCursor(page.next) : null }, 200);
  });
  return app;
}
