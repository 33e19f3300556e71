/**
 * Connecting Salesforce with OAuth 2.0, without any key in a URL:
 * - web-server flow: POST /api/v1/connections/salesforce/oauth/start (admin, API key) answers the
 *   authorize URL with a signed `state`; Salesforce sends the user back to
 *   GET /oauth/salesforce/callback?code&state, which checks the state, exchanges the code and
 *   stores the tokens (encrypted) on the org's Salesforce connection;
 * - JWT bearer flow (server to server): POST /api/v1/connections/salesforce/jwt (admin) with the
 *   connected app's consumer key, the user and the PKCS #8 private key; the key is stored
 *   (encrypted) so the adapter can mint new tokens itself.
 * Both store the token's issue time (`accessTokenIssuedAt`) with it, from which the adapter
 * knows when to refresh ahead of the session's end (adapters/salesforce/client.ts).
 */
import { and, eq, lte } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { disallowedUrlReason } from '../../../adapters/hosts.js';
import {
  DEFAULT_LOGIN_URL,
  exchangeJwt,
  orgIdFromIdentityUrl,
  requestToken,
  type SalesforceTokenResponse,
  tokenIssuedAt,
} from '../../../adapters/salesforce/oauth.js';
import { atomic } from '../../db/atomic.js';
import { newId } from '../../db/client.js';
import {
  connectionInsert,
  connectionReconnectStatements,
  findConnection,
  issueInboundToken,
  isVendorAccountConflict,
  vendorAccountOwner,
} from '../../db/repos/connections.js';
import { auditLog, jobs } from '../../db/schema.js';
import { decryptSecret, encryptSecret } from '../../db/secrets.js';
import { outboundMessagePath } from '../../db/seed.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { signState, verifyState } from '../oauth-state.js';
import { invalidRequest, problem } from '../problem.js';

const url = z.string().url('must be an absolute URL');
const startBody = z
  .object({
    /** Connected app consumer key and secret (default: the ones stored on the connection). */
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    loginUrl: url.optional(),
    /** Must match the connected app's callback URL (default: this hub's /oauth/salesforce/callback). */
    redirectUri: url.optional(),
  })
  .strict();

const jwtBody = z
  .object({
    clientId: z.string().min(1, 'must not be empty'),
    username: z.string().min(1, 'must not be empty'),
    privateKeyPem: z.string().min(1, 'must not be empty'),
    loginUrl: url,
  })
  .strict();

async function readBody<T>(c: Parameters<typeof invalidRequest>[0], schema: z.ZodType<T>) {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { response: invalidRequest(c, [{ field: '(body)', message: 'must be a JSON object' }]) };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      response: invalidRequest(
        c,
        parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
      ),
    };
  }
  return { value: parsed.data };
}

interface StoreInput {
  orgId: string;
  actor: string;
  action: string;
  token: SalesforceTokenResponse;
  loginUrl: string;
  secrets: Record<string, string>;
}

type StoreResult =
  | { ok: true; externalAccountId: string | undefined; outboundMessagePath?: string }
  | { ok: false; status: 400 | 409; title: string; detail: string; field: string };

/**
 * Creates or updates the org's Salesforce connection (healthy), with an audit row, in one atomic
 * unit. The Salesforce org id comes from the token's identity URL, as Salesforce issued it; an org
 * id another hub org already holds is refused (409), as is an instance URL outside Salesforce's
 * hosts. A connection without an Outbound Message URL gets one, returned this once.
 */
async function storeConnection(hub: HubContext, input: StoreInput): Promise<StoreResult> {
  const now = hub.clock.now().toISOString();
  const externalAccountId = orgIdFromIdentityUrl(input.token.id);
  const instanceProblem = disallowedUrlReason('salesforce', input.token.instance_url ?? '', hub.mode);
  if (instanceProblem) {
    const detail = `Salesforce answered an instance URL the hub will not call: ${instanceProblem}`;
    return { ok: false, status: 400, title: 'Invalid request', detail, field: 'loginUrl' };
  }
  if (externalAccountId) {
    const owner = await vendorAccountOwner(hub.db, 'salesforce', externalAccountId);
    if (owner && owner.orgId !== input.orgId) {
      const detail = `the Salesforce org ${externalAccountId} is connected to another org of this hub`;
      return { ok: false, status: 409, title: 'Vendor account already connected', detail, field: '(credentials)' };
    }
  }
  const config = { instanceUrl: input.token.instance_url, loginUrl: input.loginUrl };
  const existing = await findConnection(hub.db, input.orgId, 'salesforce');
  let connectionId: string;
  try {
    if (existing) {
      connectionId = existing.id;
      const { statements } = await connectionReconnectStatements(hub.db, hub.encryptionKey, now, {
        orgId: input.orgId,
        connection: existing,
        config,
        secrets: input.secrets,
        actor: input.actor,
        action: input.action,
        ...(externalAccountId ? { externalAccountId } : {}),
      });
      await atomic(hub.db, statements);
    } else {
      const { statement, id } = await connectionInsert(hub.db, hub.encryptionKey, now, {
        orgId: input.orgId,
        vendor: 'salesforce',
        mode: 'live',
        ...(externalAccountId ? { externalAccountId } : {}),
        config,
        secrets: input.secrets,
      });
      connectionId = id;
      const audit = hub.db.insert(auditLog).values({
        id: newId('aud'),
        orgId: input.orgId,
        actor: input.actor,
        action: input.action,
        subject: 'salesforce',
        detail: JSON.stringify({ vendor: 'salesforce', secretKeys: Object.keys(input.secrets).sort() }),
        at: now,
      });
      await atomic(hub.db, [statement, audit]);
    }
  } catch (error) {
    // Another org connected the same Salesforce org between the check and the write.
    if (!isVendorAccountConflict(error)) throw error;
    const detail = `the Salesforce org ${externalAccountId} is connected to another org of this hub`;
    return { ok: false, status: 409, title: 'Vendor account already connected', detail, field: '(credentials)' };
  }
  hub.invalidateAdapters(input.orgId);
  const waiting = await hub.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.orgId, input.orgId),
        eq(jobs.connectionKey, 'salesforce'),
        eq(jobs.state, 'queued'),
        lte(jobs.nextAttemptAt, hub.clock.now().getTime()),
      ),
    )
    .limit(1000);
  await hub.driver.notify(waiting.map((j) => j.id));
  if (existing?.inboundTokenHash) return { ok: true, externalAccountId };
  const token = await issueInboundToken(hub.db, input.orgId, connectionId, now, input.actor);
  return { ok: true, externalAccountId, outboundMessagePath: outboundMessagePath(connectionId, token) };
}

async function storedSecrets(hub: HubContext, orgId: string): Promise<Record<string, string>> {
  const row = await findConnection(hub.db, orgId, 'salesforce');
  return row ? decryptSecret<Record<string, string>>(hub.encryptionKey, row.secretsEnc) : {};
}

/** Under /api/v1 (API key, admin). */
export function salesforceOAuthApiRoutes(hub: HubContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/connections/salesforce/oauth/*', requireRole('admin'));
  app.use('/connections/salesforce/jwt', requireRole('admin'));

  app.post('/connections/salesforce/oauth/start', async (c) => {
    const body = await readBody(c, startBody);
    if (body.response) return body.response;
    const orgId = c.get('orgId');
    const row = await findConnection(hub.db, orgId, 'salesforce');
    const stored = await storedSecrets(hub, orgId);
    const clientId = body.value.clientId ?? stored.clientId;
    if (!clientId) return invalidRequest(c, [{ field: 'clientId', message: 'required: no consumer key is stored' }]);
    if (!body.value.clientSecret && !stored.clientSecret) {
      return invalidRequest(c, [{ field: 'clientSecret', message: 'required: no consumer secret is stored' }]);
    }
    const storedLogin = row ? (JSON.parse(row.config) as Record<string, string>).loginUrl : undefined;
    const loginUrl = (body.value.loginUrl ?? storedLogin ?? DEFAULT_LOGIN_URL).replace(/\/+$/, '');
    const loginProblem = disallowedUrlReason('salesforce', loginUrl, hub.mode);
    if (loginProblem) return invalidRequest(c, [{ field: 'loginUrl', message: loginProblem }]);
    const redirectUri = body.value.redirectUri ?? `${new URL(c.req.url).origin}/oauth/salesforce/callback`;
    const state = await signState(
      hub.encryptionKey,
      {
        orgId,
        actor: c.get('apiKeyId'),
        clientId,
        loginUrl,
        redirectUri,
        // The secret travels sealed (AES-GCM) inside the signed state, never in clear.
        ...(body.value.clientSecret
          ? { sealedSecret: await encryptSecret(hub.encryptionKey, body.value.clientSecret) }
          : {}),
      },
      hub.clock.now(),
    );
    const authorize = new URL(`${loginUrl}/services/oauth2/authorize`);
    authorize.searchParams.set('response_type', 'code');
    authorize.searchParams.set('client_id', clientId);
    authorize.searchParams.set('redirect_uri', redirectUri);
    authorize.searchParams.set('state', state);
    return c.json({ authorizeUrl: authorize.toString(), redirectUri, expiresInSeconds: 600 }, 200);
  });

  app.post('/connections/salesforce/jwt', async (c) => {
    const body = await readBody(c, jwtBody);
    if (body.response) return body.response;
    const { clientId, username, privateKeyPem } = body.value;
    const loginUrl = body.value.loginUrl.replace(/\/+$/, '');
    // Checked before any request: the hub calls only Salesforce's login hosts (adapters/hosts.ts).
    const loginProblem = disallowedUrlReason('salesforce', loginUrl, hub.mode);
    if (loginProblem) return invalidRequest(c, [{ field: 'loginUrl', message: loginProblem }]);
    const result = await exchangeJwt({ clientId, username, privateKeyPem }, loginUrl, hub.clock.now(), hub.fetch);
    if (!result.ok) {
      const field = result.reason.startsWith('could not sign') ? 'privateKeyPem' : '(credentials)';
      return problem(c, 400, 'Invalid request', `Salesforce did not issue a token: ${result.reason}`, [
        { field, message: result.reason },
      ]);
    }
    const orgId = c.get('orgId');
    const stored = await storeConnection(hub, {
      orgId,
      actor: c.get('apiKeyId'),
      action: 'connection.jwt_connected',
      token: result.token,
      loginUrl,
      secrets: {
        accessToken: result.token.access_token,
        accessTokenIssuedAt: tokenIssuedAt(result.token, hub.clock.now()),
        clientId,
        username,
        privateKeyPem,
      },
    });
    if (!stored.ok) {
      return problem(c, stored.status, stored.title, stored.detail, [{ field: stored.field, message: stored.detail }]);
    }
    return c.json(
      {
        vendor: 'salesforce',
        status: 'healthy',
        instanceUrl: result.token.instance_url,
        externalAccountId: stored.externalAccountId,
        // Shown once: the Outbound Message endpoint, with its secret (rotate to get a new one).
        ...(stored.outboundMessagePath
          ? { outbound_message_url: `${new URL(c.req.url).origin}${stored.outboundMessagePath}` }
          : {}),
      },
      200,
    );
  });
  return app;
}

function page(title: string, message: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1><p>${esc(message)}</p></body></html>`;
}

/** Under /oauth (no API key: the signed state is the proof). */
export function salesforceOAuthCallbackRoutes(hub: HubContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/salesforce/callback', async (c) => {
    const refuse = (detail: string, field: string) =>
      problem(c, 400, 'Invalid request', detail, [{ field, message: detail }]);
    const error = c.req.query('error');
    if (error) return refuse(`Salesforce refused: ${error} ${c.req.query('error_description') ?? ''}`.trim(), 'error');
    const code = c.req.query('code');
    const rawState = c.req.query('state');
    if (!rawState) return refuse('state is missing', 'state');
    if (!code) return refuse('code is missing', 'code');
    const checked = await verifyState(hub.encryptionKey, rawState, hub.clock.now());
    if (!checked.ok) return refuse(checked.reason, 'state');
    const s = checked.state as typeof checked.state & {
      actor: string;
      clientId: string;
      loginUrl: string;
      redirectUri: string;
      sealedSecret?: string;
    };
    const stored = await storedSecrets(hub, s.orgId);
    const clientSecret = s.sealedSecret
      ? await decryptSecret<string>(hub.encryptionKey, s.sealedSecret)
      : stored.clientSecret;
    if (!clientSecret) return refuse('no consumer secret for this connection', 'state');
    const result = await requestToken(
      s.loginUrl,
      {
        grant_type: 'authorization_code',
        code,
        client_id: s.clientId,
        client_secret: clientSecret,
        redirect_uri: s.redirectUri,
      },
      hub.fetch,
    );
    if (!result.ok) return refuse(`Salesforce did not issue a token: ${result.reason}`, 'code');
    const { privateKeyPem: _k, username: _u, ...kept } = stored;
    const connected = await storeConnection(hub, {
      orgId: s.orgId,
      actor: s.actor,
      action: 'connection.oauth_connected',
      token: result.token,
      loginUrl: s.loginUrl,
      secrets: {
        ...kept,
        accessToken: result.token.access_token,
        accessTokenIssuedAt: tokenIssuedAt(result.token, hub.clock.now()),
        ...(result.token.refresh_token ? { refreshToken: result.token.refresh_token } : {}),
        clientId: s.clientId,
        clientSecret,
      },
    });
    if (!connected.ok) {
      return problem(c, connected.status, connected.title, connected.detail, [
        { field: 'code', message: connected.detail },
      ]);
    }
    const outbound = connected.outboundMessagePath
      ? ` Set this as the Endpoint URL of your Outbound Message (it is shown only now): ${new URL(c.req.url).origin}${connected.outboundMessagePath}`
      : '';
    return c.html(
      page('Salesforce connected', `The hub is connected to Salesforce. You can close this window.${outbound}`),
      200,
    );
  });
  return app;
}
