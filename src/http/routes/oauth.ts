/**
 * Connecting a vendor with OAuth 2.0, one route for every vendor whose module offers it
 * (adapters/oauth-connect.ts), without any key in a URL:
 * - POST /api/v1/connections/<vendor>/oauth/start (admin, API key) answers the vendor's authorize
 *   URL with a signed `state` (a secret given here travels sealed inside it, never in clear);
 * - the vendor sends the user back to GET /oauth/<vendor>/callback?code&state, which checks the
 *   state, lets the vendor exchange the code, and stores the connection encrypted (oauth-store.ts).
 */
import { type Context, Hono } from 'hono';
import { disallowedUrlReason } from '../../../adapters/hosts.js';
import type { VendorOAuth } from '../../../adapters/oauth-connect.js';
import { isOAuthProblem } from '../../../adapters/oauth-connect.js';
import { VENDOR_MODULES } from '../../../adapters/registry.js';
import { decryptSecret, encryptSecret } from '../../db/secrets.js';
import type { Vendor } from '../../domain/vendors.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { STATE_TTL_MS, signState, verifyState } from '../oauth-state.js';
import { invalidRequest, problem } from '../problem.js';
import { readBody } from '../read-body.js';
import { storeConnection, storedConnection } from './oauth-store.js';

/** What the signed state carries from start to callback. */
interface CarriedState {
  vendor: Vendor;
  actor: string;
  carry: Record<string, string>;
  sealedSecret?: string;
}

/** Who starts a connection, for which org, and where the hub answers (its origin). */
export interface OAuthStarter {
  orgId: string;
  actor: string;
  origin: string;
}

/**
 * The vendor's authorize URL for a validated start body, with the signed state (a secret given at
 * start sealed inside it), or the vendor's problem naming the field. Shared by the API's start
 * route and the console's Connect button.
 */
export async function beginOAuth(
  hub: HubContext,
  who: OAuthStarter,
  vendor: Vendor,
  oauth: VendorOAuth<unknown>,
  body: unknown,
): Promise<{ ok: true; authorizeUrl: string; redirectUri: string } | { ok: false; field: string; problem: string }> {
  const authorization = oauth.start({
    body,
    stored: await storedConnection(hub, who.orgId, vendor),
    callbackUrl: `${who.origin}/oauth/${vendor}/callback`,
    urlProblem: (url) => disallowedUrlReason(vendor, url, hub.mode),
  });
  if (isOAuthProblem(authorization)) return { ok: false, field: authorization.field, problem: authorization.problem };
  const carried: CarriedState = {
    vendor,
    actor: who.actor,
    carry: authorization.carry,
    ...(authorization.secretToSeal
      ? { sealedSecret: await encryptSecret(hub.encryptionKey, authorization.secretToSeal) }
      : {}),
  };
  const state = await signState(hub.encryptionKey, { orgId: who.orgId, ...carried }, hub.clock.now());
  return { ok: true, authorizeUrl: authorization.authorizeUrl(state), redirectUri: authorization.redirectUri };
}

/** The vendors whose module connects with OAuth, and how. */
export const oauthVendors = () =>
  VENDOR_MODULES.flatMap((m) => (m.oauth ? [{ vendor: m.id, oauth: m.oauth as VendorOAuth<unknown> }] : []));

/** How long a state (and so an authorize URL) stays good. */
export const OAUTH_START_TTL_SECONDS = STATE_TTL_MS / 1000;

async function start(hub: HubContext, c: Context<AppEnv>, vendor: Vendor, oauth: VendorOAuth<unknown>) {
  const body = await readBody(c, oauth.startBody);
  if (body.response) return body.response;
  const begun = await beginOAuth(
    hub,
    { orgId: c.get('orgId'), actor: c.get('apiKeyId'), origin: new URL(c.req.url).origin },
    vendor,
    oauth,
    body.value,
  );
  if (!begun.ok) return invalidRequest(c, [{ field: begun.field, message: begun.problem }]);
  return c.json(
    { authorizeUrl: begun.authorizeUrl, redirectUri: begun.redirectUri, expiresInSeconds: OAUTH_START_TTL_SECONDS },
    200,
  );
}

/** Under /api/v1 (API key, admin). */
export function oauthStartRoutes(hub: HubContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const { vendor, oauth } of oauthVendors()) {
    app.use(`/connections/${vendor}/oauth/*`, requireRole('admin'));
    app.post(`/connections/${vendor}/oauth/start`, (c) => start(hub, c, vendor, oauth));
  }
  return app;
}

function page(title: string, message: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1><p>${esc(message)}</p></body></html>`;
}

async function callback(hub: HubContext, c: Context<AppEnv>, vendor: Vendor, oauth: VendorOAuth<unknown>) {
  const refuse = (detail: string, field: string) =>
    problem(c, 400, 'Invalid request', detail, [{ field, message: detail }]);
  const error = c.req.query('error');
  if (error) {
    return refuse(`${oauth.displayName} refused: ${error} ${c.req.query('error_description') ?? ''}`.trim(), 'error');
  }
  const code = c.req.query('code');
  const rawState = c.req.query('state');
  if (!rawState) return refuse('state is missing', 'state');
  if (!code) return refuse('code is missing', 'code');
  const checked = await verifyState(hub.encryptionKey, rawState, hub.clock.now());
  if (!checked.ok) return refuse(checked.reason, 'state');
  const s = checked.state as typeof checked.state & CarriedState;
  // A state is issued for one vendor: it cannot finish another's connection.
  if (s.vendor !== vendor) return refuse(`state was issued for ${s.vendor}, not ${vendor}`, 'state');
  const connection = await oauth.finish({
    code,
    carried: s.carry,
    unsealedSecret: s.sealedSecret ? await decryptSecret<string>(hub.encryptionKey, s.sealedSecret) : undefined,
    stored: await storedConnection(hub, s.orgId, vendor),
    now: hub.clock.now(),
    urlProblem: (url) => disallowedUrlReason(vendor, url, hub.mode),
    ...(hub.fetch ? { fetch: hub.fetch } : {}),
  });
  if (isOAuthProblem(connection)) return refuse(connection.problem, connection.field);
  const stored = await storeConnection(hub, {
    orgId: s.orgId,
    vendor,
    actor: s.actor,
    action: 'connection.oauth_connected',
    connection,
  });
  if (!stored.ok)
    return problem(c, stored.status, stored.title, stored.detail, [{ field: 'code', message: stored.detail }]);
  const inbound =
    stored.inboundUrlPath && oauth.inboundUrlHint
      ? ` ${oauth.inboundUrlHint} (it is shown only now): ${new URL(c.req.url).origin}${stored.inboundUrlPath}`
      : '';
  const title = `${oauth.displayName} connected`;
  return c.html(page(title, `The hub is connected to ${oauth.displayName}. You can close this window.${inbound}`), 200);
}

/** Under /oauth (no API key: the signed state is the proof). */
export function oauthCallbackRoutes(hub: HubContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const { vendor, oauth } of oauthVendors()) {
    app.get(`/${vendor}/callback`, (c) => callback(hub, c, vendor, oauth));
  }
  return app;
}
