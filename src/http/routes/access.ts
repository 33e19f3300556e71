/**
 * Users, keys and the audit log through the API (issue #14), admin only, the same as the console's
 * Users and keys page: invite a person with a role (a one-time console sign-in link, returned once),
 * create an API key with a role (returned once, stored as its SHA-256) and revoke one, and read the
 * audit log filtered by action, actor, subject and time. Lists page newest first ({data, next_cursor}).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createApiKey, findApiKey, listApiKeysPage, revokeApiKey } from '../../db/repos/api-keys.js';
import { listAuditPage } from '../../db/repos/audit.js';
import { createInvitation, listInvitationsPage } from '../../db/repos/console-invitations.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext, Role } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { timestampInput } from '../input.js';
import { problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

export const ROLE_NAMES = ['admin', 'finance', 'sales_ops', 'viewer'] as const satisfies readonly Role[];
/** An invitation link works for a week. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;
/** Names and labels are shown in the console and the audit log. */
export const MAX_LABEL = 120;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

const label = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .max(MAX_LABEL, `${what} must be at most ${MAX_LABEL} characters`);

const pageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .optional()
    .openapi({ description: `Rows per page: default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}` }),
  cursor: z
    .string()
    .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
    .optional()
    .openapi({ description: 'next_cursor of the previous page' }),
};

const pageOf = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() }).openapi(name);

const apiKeyBody = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLE_NAMES),
    prefix: z.string().openapi({ description: 'The first characters of the key, to recognise it' }),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

const createdKeyBody = apiKeyBody
  .extend({ key: z.string().openapi({ description: 'The key itself: returned only in this answer' }) })
  .openapi('CreatedApiKey');

const invitationBody = z
  .object({
    id: z.string(),
    label: z.string(),
    role: z.enum(ROLE_NAMES),
    created_by: z.string(),
    created_at: z.string(),
    expires_at: z.string(),
    used_at: z.string().nullable(),
  })
  .openapi('Invitation');

const createdInvitationBody = invitationBody
  .extend({
    url: z.string().openapi({ description: 'The one-time console sign-in link: returned only in this answer' }),
  })
  .openapi('CreatedInvitation');

const auditBody = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string().openapi({ description: 'The API key id or invitation id that acted' }),
    action: z.string(),
    subject: z.string(),
    detail: z.unknown(),
  })
  .openapi('AuditEntry');

const keyId = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const listKeysRoute = createRoute({
  method: 'get',
  path: '/api-keys',
  summary: "The org's API keys, newest first (never the key or its hash)",
  request: { query: z.object({ ...pageQuery }).strict() },
  responses: {
    200: {
      description: 'One page of keys',
      content: { 'application/json': { schema: pageOf(apiKeyBody, 'ApiKeyPage') } },
    },
    400: { description: 'A bad cursor or limit', content: problemContent },
  },
});

const createKeyRoute = createRoute({
  method: 'post',
  path: '/api-keys',
  summary: 'Create an API key with a role; the key is returned once and stored hashed; audit-logged',
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: z.object({ name: label('name'), role: z.enum(ROLE_NAMES) }).strict() },
      },
    },
  },
  responses: {
    201: {
      description: 'The new key, with its plain text',
      content: { 'application/json': { schema: createdKeyBody } },
    },
    400: { description: 'A missing name or unknown role (the problem names it)', content: problemContent },
  },
});

const revokeKeyRoute = createRoute({
  method: 'post',
  path: '/api-keys/{id}/revoke',
  summary: 'Revoke a key: requests and console sessions with it are refused from now on; audit-logged',
  request: { params: keyId },
  responses: {
    200: { description: 'The revoked key', content: { 'application/json': { schema: apiKeyBody } } },
    404: { description: 'No such key in this org', content: problemContent },
    409: { description: 'The key was already revoked', content: problemContent },
  },
});

const listInvitationsRoute = createRoute({
  method: 'get',
  path: '/invitations',
  summary: 'Console invitations, newest first (the links themselves are not stored)',
  request: { query: z.object({ ...pageQuery }).strict() },
  responses: {
    200: {
      description: 'One page of invitations',
      content: { 'application/json': { schema: pageOf(invitationBody, 'InvitationPage') } },
    },
    400: { description: 'A bad cursor or limit', content: problemContent },
  },
});

const createInvitationRoute = createRoute({
  method: 'post',
  path: '/invitations',
  summary: 'Invite a person to the console with a role: a sign-in link that works once, for 7 days; audit-logged',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              label: label('label').openapi({ description: 'Who it is for (a name or an email)' }),
              role: z.enum(ROLE_NAMES),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'The invitation, with its link',
      content: { 'application/json': { schema: createdInvitationBody } },
    },
    400: { description: 'A missing label or unknown role (the problem names it)', content: problemContent },
  },
});

const listAuditRoute = createRoute({
  method: 'get',
  path: '/audit-log',
  summary: 'Who changed what, when: newest first, filtered by action prefix, actor, subject and time',
  request: {
    query: z
      .object({
        action: z
          .string()
          .min(1)
          .max(100)
          .optional()
          .openapi({ description: 'Actions starting with this: `mapping.`, `api_key.revoked`, ...' }),
        actor: z.string().min(1).max(200).optional().openapi({ description: 'An API key id or invitation id' }),
        subject: z.string().min(1).max(200).optional().openapi({ description: 'The id of what changed' }),
        since: timestampInput.optional().openapi({ description: 'At or after this instant' }),
        until: timestampInput.optional().openapi({ description: 'Before this instant' }),
        ...pageQuery,
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'One page of the audit log',
      content: { 'application/json': { schema: pageOf(auditBody, 'AuditPage') } },
    },
    400: { description: 'A bad filter or cursor (the problem names it)', content: problemContent },
  },
});

type KeyListing = Awaited<ReturnType<typeof findApiKey>> & {};
const toKeyBody = (k: KeyListing) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  prefix: k.prefix,
  created_at: k.createdAt,
  revoked_at: k.revokedAt,
});

function parseDetail(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const afterOf = (cursor: string | undefined) => {
  const after = cursor === undefined ? null : decodeCursor(cursor);
  return after ? { after } : {};
};

export function accessRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  for (const path of ['/api-keys', '/api-keys/*', '/invitations', '/audit-log']) app.use(path, requireRole('admin'));

  app.openapi(listKeysRoute, async (c) => {
    const q = c.req.valid('query');
    const page = await listApiKeysPage(hub.db, c.get('orgId'), {
      limit: q.limit ?? DEFAULT_LIMIT,
      ...afterOf(q.cursor),
    });
    return c.json({ data: page.rows.map(toKeyBody), next_cursor: page.next && encodeCursor(page.next) }, 200);
  });

  app.openapi(createKeyRoute, async (c) => {
    const { name, role } = c.req.valid('json');
    const orgId = c.get('orgId');
    const { id, key } = await createApiKey(hub.db, hub.clock.now().toISOString(), {
      orgId,
      name,
      role,
      actor: c.get('apiKeyId'),
    });
    const row = (await findApiKey(hub.db, orgId, id))!;
    return c.json({ ...toKeyBody(row), key }, 201);
  });

  app.openapi(revokeKeyRoute, async (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.get('orgId');
    const existing = await findApiKey(hub.db, orgId, id);
    if (!existing) return problem(c, 404, 'Not found', `no API key ${id} in this org`) as never;
    const revoked = await revokeApiKey(hub.db, hub.clock.now().toISOString(), orgId, id, c.get('apiKeyId'));
    if (!revoked) return problem(c, 409, 'Conflict', `API key ${id} was already revoked`) as never;
    return c.json(toKeyBody((await findApiKey(hub.db, orgId, id))!), 200);
  });

  app.openapi(listInvitationsRoute, async (c) => {
    const q = c.req.valid('query');
    const page = await listInvitationsPage(hub.db, c.get('orgId'), {
      limit: q.limit ?? DEFAULT_LIMIT,
      ...afterOf(q.cursor),
    });
    const data = page.rows.map((i) => ({
      id: i.id,
      label: i.label,
      role: i.role,
      created_by: i.createdBy,
      created_at: i.createdAt,
      expires_at: i.expiresAt,
      used_at: i.usedAt,
    }));
    return c.json({ data, next_cursor: page.next && encodeCursor(page.next) }, 200);
  });

  app.openapi(createInvitationRoute, async (c) => {
    const { label: who, role } = c.req.valid('json');
    const now = hub.clock.now();
    const createdBy = c.get('apiKeyId');
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS).toISOString();
    const { id, token } = await createInvitation(hub.db, now.toISOString(), {
      orgId: c.get('orgId'),
      role,
      label: who,
      createdBy,
      expiresAt,
    });
    const url = `${new URL(c.req.url).origin}/ui/invite/${token}`;
    return c.json(
      {
        id,
        label: who,
        role,
        created_by: createdBy,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
        url,
      },
      201,
    );
  });

  app.openapi(listAuditRoute, async (c) => {
    const q = c.req.valid('query');
    // Stored instants are UTC with milliseconds; a filter with an offset compares as the same instant.
    const instant = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
    const since = instant(q.since);
    const until = instant(q.until);
    const page = await listAuditPage(
      hub.db,
      c.get('orgId'),
      {
        ...(q.action ? { actionPrefix: q.action } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.subject ? { subject: q.subject } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
      },
      { limit: q.limit ?? DEFAULT_LIMIT, ...afterOf(q.cursor) },
    );
    const data = page.rows.map((a) => ({
      id: a.id,
      at: a.at,
      actor: a.actor,
      action: a.action,
      subject: a.subject,
      detail: parseDetail(a.detail),
    }));
    return c.json({ data, next_cursor: page.next && encodeCursor(page.next) }, 200);
  });

  return app;
}
