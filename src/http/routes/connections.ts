/**
 * /api/v1/connections: the org's vendor connections and their health, and reconnecting one.
 *
 * A connection turns unhealthy when its credentials stop working (the job queue marks it, see
 * src/domain/reconnect.ts); its jobs then wait, queued, without spending attempts. Reconnecting
 * (PUT with new credentials) makes it healthy again and wakes those jobs.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { disallowedConfigUrls } from '../../../adapters/hosts.js';
import { VENDORS, vendorModule } from '../../../adapters/registry.js';
import { atomic } from '../../db/atomic.js';
import {
  connectionReconnectStatements,
  findConnection,
  issueInboundToken,
  isVendorAccountConflict,
  vendorAccountOwner,
} from '../../db/repos/connections.js';
import { dueJobIdsWaitingFor } from '../../db/repos/jobs.js';
import { outboundMessagePath } from '../../db/seed.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { invalidRequest, problem, zodFieldProblems, zodProblemHook } from '../problem.js';
import { connectionHealth } from './connection-health.js';
import { problemContent } from './schemas.js';

/** Queued jobs woken per reconnect; any beyond are picked up by the driver's next poll or sweep. */
const MAX_WOKEN_JOBS = 1000;

const connectionSchema = z
  .object({
    id: z.string(),
    vendor: z.string(),
    mode: z.enum(['sandbox', 'live']),
    status: z.enum(['healthy', 'unhealthy']),
    statusReason: z.string().nullable(),
    statusChangedAt: z.string().nullable(),
    external_account_id: z.string().nullable().openapi({
      description: 'The vendor account (Salesforce org id, QuickBooks realm, ...); connected to this org only',
    }),
    warnings: z.array(z.string()).openapi({
      description:
        'What keeps an inbound route of this connection from working, or weakens it (a missing secret, the org-id-only Outbound Message route enabled)',
    }),
  })
  .openapi('Connection');

const stringMap = z.record(z.string().min(1, 'must not be empty'), z.string().min(1, 'must not be empty'));

const listRoute = createRoute({
  method: 'get',
  path: '/connections',
  summary: 'Vendor connections of this org and their health',
  responses: {
    200: {
      description: 'Connections',
      content: { 'application/json': { schema: z.object({ connections: z.array(connectionSchema) }) } },
    },
  },
});

const reconnectRoute = createRoute({
  method: 'put',
  path: '/connections/{vendor}',
  summary: 'Reconnect: replace the credentials of a connection, mark it healthy and resume its paused jobs',
  request: {
    params: z.object({
      vendor: z.enum(VENDORS).openapi({ param: { name: 'vendor', in: 'path' }, example: 'salesforce' }),
    }),
    body: {
      content: {
        'application/json': {
          schema: z
            .object({
              config: stringMap.optional().openapi({ description: 'Merged over the stored settings' }),
              secrets: stringMap.openapi({ description: 'Replace the stored credentials entirely' }),
            })
            .strict(),
        },
      },
      required: true,
    },
  },
  responses: {
    200: { description: 'Reconnected', content: { 'application/json': { schema: connectionSchema } } },
    400: { description: 'Bad vendor or body, or a URL naming a host the vendor does not use', content: problemContent },
    403: { description: 'Not an admin', content: problemContent },
    404: { description: 'The org has no connection to this vendor', content: problemContent },
    409: {
      description: 'The vendor account (HubSpot portalId, QuickBooks realmId) is connected to another org',
      content: problemContent,
    },
  },
});

const outboundUrlRoute = createRoute({
  method: 'post',
  path: '/connections/salesforce/outbound-message-url',
  summary:
    'Issue a new Outbound Message endpoint URL for the Salesforce connection (the secret is in the URL, shown only in this answer); the previous URL stops working at once',
  responses: {
    200: {
      description: 'The new endpoint: set it as the Endpoint URL of the Salesforce Outbound Message',
      content: {
        'application/json': {
          schema: z
            .object({ connection_id: z.string(), outbound_message_url: z.string() })
            .openapi('OutboundMessageUrl'),
        },
      },
    },
    403: { description: 'Not an admin', content: problemContent },
    404: { description: 'The org has no Salesforce connection', content: problemContent },
  },
});

/** A module schema's issues as the problem body's fields (`secrets.accessToken`, ...). */
function fieldProblems(
  under: 'config' | 'secrets',
  parsed:
    | { success: true }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } },
) {
  if (parsed.success) return [];
  return zodFieldProblems(parsed.error.issues, { prefix: under });
}

/** Where Salesforce must send this connection's Outbound Messages: the hub's public URL when configured. */
export function outboundMessageUrl(requestUrl: string, config: Record<string, string>, path: string): string {
  const base = config.publicUrl?.trim().replace(/\/+$/, '') || new URL(requestUrl).origin;
  return `${base}${path}`;
}

export function connectionRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.on('PUT', '/connections/*', requireRole('admin'), async (c, next) => {
    // Malformed JSON would otherwise surface as the validator's HTTPException (a 500 at the app).
    try {
      await c.req.json();
    } catch {
      return invalidRequest(c, [{ field: '(body)', message: 'must be a JSON object' }]);
    }
    await next();
  });

  app.use('/connections/salesforce/outbound-message-url', requireRole('admin'));
  app.openapi(outboundUrlRoute, async (c) => {
    const orgId = c.get('orgId');
    const connection = await findConnection(hub.db, orgId, 'salesforce');
    if (!connection) return problem(c, 404, 'Not found', 'this org has no salesforce connection') as never;
    const now = hub.clock.now().toISOString();
    const token = await issueInboundToken(hub.db, orgId, connection.id, now, c.get('apiKeyId'));
    const config = JSON.parse(connection.config) as Record<string, string>;
    const path = outboundMessagePath(connection.id, token);
    return c.json(
      { connection_id: connection.id, outbound_message_url: outboundMessageUrl(c.req.url, config, path) },
      200,
    );
  });

  app.openapi(listRoute, async (c) => c.json({ connections: await connectionHealth(hub, c.get('orgId')) }, 200));

  app.openapi(reconnectRoute, async (c) => {
    const { vendor } = c.req.valid('param');
    const { config, secrets } = c.req.valid('json');
    const orgId = c.get('orgId');
    const module = vendorModule(vendor);
    // Checked here, where a person can fix it: a bad value would otherwise fall back to a default
    // silently at every adapter build, or fail it.
    const badConfig = fieldProblems('config', module.config.safeParse(config ?? {}));
    if (badConfig.length > 0) return invalidRequest(c, badConfig) as never;
    const badSecrets = fieldProblems('secrets', module.secrets.safeParse(secrets));
    if (badSecrets.length > 0) return invalidRequest(c, badSecrets) as never;
    const connection = await findConnection(hub.db, orgId, vendor);
    // problem() builds the documented problem+json body; the typed-response helper cannot express it.
    if (!connection) return problem(c, 404, 'Not found', `this org has no ${vendor} connection`) as never;
    // The merged config is what the adapter will call: no host outside the vendor's allow-list.
    const merged = { ...(JSON.parse(connection.config) as Record<string, string>), ...config };
    const badUrls = disallowedConfigUrls(vendor, merged, hub.mode);
    if (badUrls.length > 0) return invalidRequest(c, badUrls) as never;

    // The vendor account named in config (HubSpot portal, QuickBooks realm) is this org's alone.
    const accountKey = module.accountConfigKey;
    const externalAccountId = accountKey ? merged[accountKey]?.trim() || undefined : undefined;
    const taken = () =>
      problem(
        c,
        409,
        'Vendor account already connected',
        `the ${vendor} account ${externalAccountId} is connected to another org`,
        [{ field: `config.${accountKey}`, message: 'connected to another org' }],
      ) as never;
    const owner = externalAccountId && (await vendorAccountOwner(hub.db, vendor, externalAccountId));
    if (owner && owner.orgId !== orgId) return taken();

    const now = hub.clock.now().toISOString();
    const { statements } = await connectionReconnectStatements(hub.db, hub.encryptionKey, now, {
      orgId,
      connection,
      ...(config ? { config } : {}),
      secrets,
      actor: c.get('apiKeyId'),
      ...(externalAccountId ? { externalAccountId } : {}),
    });
    try {
      await atomic(hub.db, statements);
    } catch (error) {
      if (isVendorAccountConflict(error)) return taken();
      throw error;
    }
    hub.invalidateAdapters(orgId);

    // Wake the jobs that waited for this connection (the Cloudflare driver needs their ids).
    await hub.driver.notify(
      await dueJobIdsWaitingFor(hub.db, orgId, vendor, hub.clock.now().getTime(), MAX_WOKEN_JOBS),
    );

    const updated = (await connectionHealth(hub, orgId)).find((row) => row.id === connection.id)!;
    return c.json(updated, 200);
  });
  return app;
}
