/**
 * Dunning through the API (issue #12): the org's retry schedule and final action (GET/PUT
 * /dunning/settings, the `dunning_settings` row flows/dunning.ts reads at each retry), its
 * notification templates (GET /notification-templates, PUT /notification-templates/{kind}) and
 * the notification outbox (GET /notifications, POST /notifications/{id}/replay). Any role reads;
 * admin and finance write. A malformed body is a 400 like everywhere in the API; a well-formed
 * one the rules refuse (the schedule, an unknown placeholder) is a 422 naming the field.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { atomic } from '../../db/atomic.js';
import { auditStatement } from '../../db/repos/audit.js';
import {
  dunningSettingsOf,
  dunningSettingsUpsert,
  getNotification,
  listNotifications,
  type NotificationRow,
  notificationReplayStatement,
  templatesOf,
  templateUpsert,
} from '../../db/repos/dunning.js';
import {
  DEFAULT_DUNNING,
  DEFAULT_TEMPLATES,
  DUNNING_ACTIONS,
  type DunningSettings,
  invalidRetryDays,
  NOTIFICATION_KINDS,
  TEMPLATE_PLACEHOLDERS,
  unknownPlaceholders,
} from '../../domain/dunning.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { type FieldProblem, problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

const json = <T extends z.ZodTypeAny>(schema: T) => ({ 'application/json': { schema } });

/** A 422 problem naming each field at fault. */
function unprocessable(c: Context, errors: FieldProblem[]): Response {
  return problem(c, 422, 'Unprocessable content', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
}

const settingsBody = z
  .object({
    retry_days: z.array(z.number().int()).openapi({
      description: 'Days after the due date a failed collection is retried on, strictly increasing',
      example: [1, 3, 5, 7],
    }),
    final_action: z.enum(DUNNING_ACTIONS).openapi({ description: 'What runs after the last retry fails' }),
    default: z.boolean().openapi({ description: 'True while the org has not set its own schedule' }),
  })
  .openapi('DunningSettings');

const putSettings = z
  .object({
    retry_days: z.array(z.number()).openapi({ description: '1 to 10 whole days, 1 to 365, strictly increasing' }),
    final_action: z.enum(DUNNING_ACTIONS),
  })
  .strict();

const kindSchema = z.enum(NOTIFICATION_KINDS);
const templateBody = z
  .object({
    kind: kindSchema,
    subject: z.string(),
    body: z.string(),
    placeholders: z.array(z.string()).openapi({ description: 'The {{name}} placeholders this kind may use' }),
    default: z.boolean().openapi({ description: "True when this is the hub's wording (the org has not set its own)" }),
    updated_at: z.string().nullable(),
  })
  .openapi('NotificationTemplate');
const putTemplate = z
  .object({ subject: z.string().trim().min(1).max(300), body: z.string().trim().min(1).max(10_000) })
  .strict();

const notificationBody = z
  .object({
    id: z.string(),
    kind: kindSchema,
    invoice_id: z.string().nullable(),
    customer_id: z.string().nullable(),
    recipient: z.string().nullable(),
    subject: z.string(),
    body: z.string(),
    status: z.enum(['pending', 'sent']),
    replays: z.number().int(),
    created_at: z.string(),
    replayed_at: z.string().nullable(),
  })
  .openapi('Notification');

const cursorParam = z
  .string()
  .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
  .optional();

const getSettingsRoute = createRoute({
  method: 'get',
  path: '/dunning/settings',
  summary: "The org's dunning schedule (retry days after the due date) and final action",
  responses: { 200: { description: 'The settings (the default 1, 3, 5, 7 until set)', content: json(settingsBody) } },
});
const putSettingsRoute = createRoute({
  method: 'put',
  path: '/dunning/settings',
  summary: "Set the org's retry days and final action (used by the next dunning step that runs)",
  request: { body: { required: true, content: json(putSettings) } },
  responses: {
    200: { description: 'The settings', content: json(settingsBody) },
    400: { description: 'Bad body: a missing or unknown field, an unknown action (names it)', content: problemContent },
    422: { description: 'A schedule the rules refuse (names retry_days)', content: problemContent },
  },
});
const listTemplatesRoute = createRoute({
  method: 'get',
  path: '/notification-templates',
  summary: "The org's notification template per kind (its own, else the hub's default)",
  responses: {
    200: { description: 'One template per kind', content: json(z.object({ data: z.array(templateBody) })) },
  },
});
const putTemplateRoute = createRoute({
  method: 'put',
  path: '/notification-templates/{kind}',
  summary: "Set the org's subject and body for a kind; {{name}} placeholders must be ones the kind supplies",
  request: {
    params: z.object({
      kind: z
        .string()
        .min(1)
        .openapi({ param: { name: 'kind', in: 'path' }, example: 'reminder' }),
    }),
    body: { required: true, content: json(putTemplate) },
  },
  responses: {
    200: { description: 'The template', content: json(templateBody) },
    400: { description: 'Bad body (names the field)', content: problemContent },
    404: { description: 'No such notification kind', content: problemContent },
    422: { description: 'A placeholder the kind does not supply (named)', content: problemContent },
  },
});
const listNotificationsRoute = createRoute({
  method: 'get',
  path: '/notifications',
  summary: 'The notification outbox, newest first',
  request: {
    query: z
      .object({
        status: z.enum(['pending', 'sent']).optional(),
        invoice_id: z.string().min(1).optional(),
        limit: z.coerce.number().int().min(1).max(200).optional(),
        cursor: cursorParam,
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'One page of notifications',
      content: json(z.object({ data: z.array(notificationBody), next_cursor: z.string().nullable() })),
    },
    400: { description: 'Bad filter, limit or cursor', content: problemContent },
  },
});
const replayRoute = createRoute({
  method: 'post',
  path: '/notifications/{id}/replay',
  summary: 'Put one notification back in the outbox (pending) to be sent again; audit-logged',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: {
    202: { description: 'Requeued', content: json(notificationBody) },
    404: { description: 'No such notification in this org', content: problemContent },
  },
});

const toSettingsBody = (s: DunningSettings, isDefault: boolean): z.infer<typeof settingsBody> => ({
  retry_days: s.retryDays,
  final_action: s.finalAction,
  default: isDefault,
});

const toNotificationBody = (n: NotificationRow): z.infer<typeof notificationBody> => ({
  id: n.id,
  kind: n.kind,
  invoice_id: n.invoiceId,
  customer_id: n.customerId,
  recipient: n.recipient,
  subject: n.subject,
  body: n.body,
  status: n.status,
  replays: n.replays,
  created_at: n.createdAt,
  replayed_at: n.replayedAt,
});

export function dunningRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.on('PUT', ['/dunning/settings', '/notification-templates/:kind'], requireRole('admin', 'finance'));
  app.on('POST', '/notifications/:id/replay', requireRole('admin', 'finance'));

  app.openapi(getSettingsRoute, async (c) => {
    const s = await dunningSettingsOf(hub.db, c.get('orgId'));
    // No row: the repo answers with the hub's default object itself.
    return c.json(toSettingsBody(s, s === DEFAULT_DUNNING), 200);
  });

  app.openapi(putSettingsRoute, async (c) => {
    const orgId = c.get('orgId');
    const b = c.req.valid('json');
    const reason = invalidRetryDays(b.retry_days);
    if (reason) return unprocessable(c, [{ field: 'retry_days', message: reason }]) as never;
    const next: DunningSettings = { retryDays: b.retry_days, finalAction: b.final_action };
    const now = hub.clock.now().toISOString();
    await atomic(hub.db, [
      dunningSettingsUpsert(hub.db, orgId, next, now),
      auditStatement(hub.db, orgId, {
        actor: c.get('apiKeyId'),
        action: 'dunning.settings_updated',
        subject: orgId,
        detail: { retryDays: next.retryDays, finalAction: next.finalAction },
        at: now,
      }),
    ]);
    return c.json(toSettingsBody(next, false), 200);
  });

  app.openapi(listTemplatesRoute, async (c) => {
    const own = new Map((await templatesOf(hub.db, c.get('orgId'))).map((t) => [t.kind, t]));
    const data = NOTIFICATION_KINDS.map((kind) => {
      const t = own.get(kind);
      return {
        kind,
        subject: t?.subject ?? DEFAULT_TEMPLATES[kind].subject,
        body: t?.body ?? DEFAULT_TEMPLATES[kind].body,
        placeholders: [...TEMPLATE_PLACEHOLDERS[kind]],
        default: !t,
        updated_at: t?.updatedAt ?? null,
      };
    });
    return c.json({ data }, 200);
  });

  app.openapi(putTemplateRoute, async (c) => {
    const orgId = c.get('orgId');
    const { kind: named } = c.req.valid('param');
    const b = c.req.valid('json');
    const kind = NOTIFICATION_KINDS.find((k) => k === named);
    if (!kind) {
      return problem(
        c,
        404,
        'Not found',
        `no notification kind ${named}; kinds: ${NOTIFICATION_KINDS.join(', ')}`,
      ) as never;
    }
    const errors: FieldProblem[] = (['subject', 'body'] as const).flatMap((field) =>
      unknownPlaceholders(kind, b[field]).map((name) => ({
        field,
        message: `unknown placeholder {{${name}}}; ${kind} supplies ${TEMPLATE_PLACEHOLDERS[kind].join(', ')}`,
      })),
    );
    if (errors.length > 0) return unprocessable(c, errors) as never;
    const now = hub.clock.now().toISOString();
    await atomic(hub.db, [
      templateUpsert(hub.db, orgId, kind, { subject: b.subject, body: b.body }, now),
      auditStatement(hub.db, orgId, {
        actor: c.get('apiKeyId'),
        action: 'notification_template.updated',
        subject: kind,
        detail: { kind },
        at: now,
      }),
    ]);
    const body = {
      kind,
      subject: b.subject,
      body: b.body,
      placeholders: [...TEMPLATE_PLACEHOLDERS[kind]],
      default: false,
      updated_at: now,
    };
    return c.json(body, 200);
  });

  app.openapi(listNotificationsRoute, async (c) => {
    const q = c.req.valid('query');
    const limit = q.limit ?? 50;
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor)!;
    const page = await listNotifications(hub.db, c.get('orgId'), {
      limit,
      ...(after ? { after } : {}),
      ...(q.invoice_id ? { invoiceId: q.invoice_id } : {}),
      ...(q.status ? { status: q.status } : {}),
    });
    return c.json(
      { data: page.rows.map(toNotificationBody), next_cursor: page.next ? encodeCursor(page.next) : null },
      200,
    );
  });

  app.openapi(replayRoute, async (c) => {
    const orgId = c.get('orgId');
    const { id } = c.req.valid('param');
    const found = await getNotification(hub.db, orgId, id);
    if (!found) return problem(c, 404, 'Not found', `no notification ${id} in this org`) as never;
    const now = hub.clock.now().toISOString();
    await atomic(hub.db, [
      notificationReplayStatement(hub.db, orgId, id, now),
      auditStatement(hub.db, orgId, {
        actor: c.get('apiKeyId'),
        action: 'notification.replayed',
        subject: id,
        detail: { kind: found.kind, invoiceId: found.invoiceId, replays: found.replays + 1 },
        at: now,
      }),
    ]);
    return c.json(toNotificationBody((await getNotification(hub.db, orgId, id))!), 202);
  });
  return app;
}
