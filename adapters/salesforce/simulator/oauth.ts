/**
 * The simulator's OAuth 2.0 endpoints: the web-server flow (authorize redirect, then code
 * exchange), the refresh token grant, and the JWT bearer grant with RS256 checked against a
 * registered connected-app certificate.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
 */
import type { Context, Hono } from 'hono';
import { base64Url, base64UrlDecode, JWT_BEARER_GRANT } from '../oauth.js';
import type { SalesforceSim } from './state.js';

/** A single-use web-server-flow code, as if the user had approved the app. */
export function issueAuthorizationCode(
  sim: SalesforceSim,
  redirectUri: string,
  clientId = sim.credentials.clientId,
): string {
  const code = `aPrxSIM.code.${++sim.counters.code}`;
  sim.state.authorizationCodes.set(code, { clientId, redirectUri });
  return code;
}

function tokenResponse(sim: SalesforceSim, c: Context, accessToken: string, extra: Record<string, string> = {}) {
  const origin = new URL(c.req.url).origin;
  const issuedAt = String(sim.now().getTime());
  const id = `${origin}/id/${sim.organizationId}/${sim.userId}`;
  return c.json({
    access_token: accessToken,
    ...extra,
    scope: 'api refresh_token',
    instance_url: origin,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
    // Salesforce signs id + issued_at with the consumer secret; the simulator only fakes its shape.
    signature: base64Url(`${id}${issuedAt}`),
  });
}

/** Why the assertion is refused (Salesforce's error_description), or undefined when it is good. */
async function verifyJwt(sim: SalesforceSim, assertion: string): Promise<string | undefined> {
  const [h, p, sig] = assertion.split('.');
  if (!h || !p || !sig) return 'malformed assertion';
  let claims: { iss?: string; sub?: string; aud?: string; exp?: number };
  try {
    const header = JSON.parse(new TextDecoder().decode(base64UrlDecode(h))) as { alg?: string };
    if (header.alg !== 'RS256') return 'unsupported algorithm';
    claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(p)));
  } catch {
    return 'malformed assertion';
  }
  const spki = sim.state.jwtPublicKeys.get(claims.iss ?? '');
  if (!spki) return 'client identifier invalid';
  const key = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  const valid = await crypto.subtle.verify(
    'RSASSA-PKCS1-v1_5',
    key,
    base64UrlDecode(sig),
    new TextEncoder().encode(`${h}.${p}`),
  );
  if (!valid) return 'invalid assertion';
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < sim.now().getTime()) return 'expired authorization code';
  if (!claims.sub) return "user hasn't approved this consumer";
  return undefined;
}

const invalidClientId = (c: Context) =>
  c.json({ error: 'invalid_client_id', error_description: 'client identifier invalid' }, 400);
const invalidClient = (c: Context) =>
  c.json({ error: 'invalid_client', error_description: 'invalid client credentials' }, 400);

function authorizationCodeGrant(sim: SalesforceSim, c: Context, form: URLSearchParams) {
  const issued = sim.state.authorizationCodes.get(form.get('code') ?? '');
  if (form.get('client_id') !== sim.credentials.clientId) return invalidClientId(c);
  if (form.get('client_secret') !== sim.credentials.clientSecret) return invalidClient(c);
  if (!issued || issued.redirectUri !== form.get('redirect_uri')) {
    return c.json({ error: 'invalid_grant', error_description: 'invalid authorization code' }, 400);
  }
  sim.state.authorizationCodes.delete(form.get('code') ?? '');
  const accessToken = sim.issueToken();
  const refreshToken = `5Aep861SIM.refresh.code.${sim.counters.code}.${sim.counters.token}`;
  sim.state.accessTokens.add(accessToken);
  sim.state.refreshTokens.add(refreshToken);
  return tokenResponse(sim, c, accessToken, { refresh_token: refreshToken });
}

async function jwtBearerGrant(sim: SalesforceSim, c: Context, form: URLSearchParams) {
  const problem = await verifyJwt(sim, form.get('assertion') ?? '');
  if (problem) return c.json({ error: 'invalid_grant', error_description: problem }, 400);
  const accessToken = sim.issueToken();
  sim.state.accessTokens.add(accessToken);
  return tokenResponse(sim, c, accessToken);
}

function refreshTokenGrant(sim: SalesforceSim, c: Context, form: URLSearchParams) {
  if (form.get('client_id') !== sim.credentials.clientId) return invalidClientId(c);
  // The secret is optional in the refresh grant, but a wrong one is refused.
  const secret = form.get('client_secret');
  if (secret !== null && secret !== sim.credentials.clientSecret) return invalidClient(c);
  if (!sim.state.refreshTokens.has(form.get('refresh_token') ?? '')) {
    return c.json({ error: 'invalid_grant', error_description: 'expired access/refresh token' }, 400);
  }
  const accessToken = sim.issueToken();
  sim.state.accessTokens.add(accessToken);
  sim.state.refreshes += 1;
  return tokenResponse(sim, c, accessToken);
}

export function oauthRoutes(app: Hono, sim: SalesforceSim): void {
  // Web-server flow, step 1: the user approves and is sent back with ?code=&state=.
  app.get('/services/oauth2/authorize', (c) => {
    const redirectUri = c.req.query('redirect_uri');
    if (c.req.query('response_type') !== 'code' || !redirectUri) {
      return c.json(
        { error: 'invalid_request', error_description: 'response_type=code and redirect_uri required' },
        400,
      );
    }
    if (c.req.query('client_id') !== sim.credentials.clientId) return invalidClientId(c);
    const target = new URL(redirectUri);
    target.searchParams.set('code', issueAuthorizationCode(sim, redirectUri));
    const st = c.req.query('state');
    if (st) target.searchParams.set('state', st);
    return c.redirect(target.toString(), 302);
  });

  app.post('/services/oauth2/token', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') return authorizationCodeGrant(sim, c, form);
    if (grant === JWT_BEARER_GRANT) return jwtBearerGrant(sim, c, form);
    if (grant === 'refresh_token') return refreshTokenGrant(sim, c, form);
    return c.json({ error: 'unsupported_grant_type', error_description: 'grant type not supported' }, 400);
  });
}
