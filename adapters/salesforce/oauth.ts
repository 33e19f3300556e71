/**
 * Salesforce OAuth 2.0 token requests the hub makes itself (fetch, form-encoded), shared by the
 * connect routes and the adapter's token refresh:
 * - web-server flow code exchange (grant_type=authorization_code)
 *   https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
 * - JWT bearer flow (grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer), RS256 signed with
 *   Web Crypto, so it runs on Node and Workers alike.
 *   https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
 */

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';

/** Salesforce's token response (refresh_token only for the web-server flow). */
export interface SalesforceTokenResponse {
  access_token: string;
  refresh_token?: string;
  instance_url: string;
  /** Identity URL: https://login.salesforce.com/id/{orgId}/{userId} */
  id: string;
  /** When the token was issued, in milliseconds since the epoch (a string). No expires_in is given. */
  issued_at?: string;
  signature?: string;
  token_type?: string;
  scope?: string;
}

export type TokenResult = { ok: true; token: SalesforceTokenResponse } | { ok: false; status: number; reason: string };

export interface JwtCredentials {
  clientId: string;
  username: string;
  privateKeyPem: string;
}

const encoder = new TextEncoder();

export function base64Url(bytes: Uint8Array | string): string {
  const raw = typeof bytes === 'string' ? encoder.encode(bytes) : bytes;
  let binary = '';
  for (const b of raw) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64UrlDecode(text: string): Uint8Array {
  const b64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** The DER bytes of a PEM block ("-----BEGIN PRIVATE KEY-----", PKCS #8). */
export function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  const binary = atob(body);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * A token's issue time in ms since the epoch, from Salesforce's `issued_at` (digits: ms since the
 * epoch) or an ISO 8601 time as the hub stores it; undefined when absent or unreadable.
 */
export function tokenIssuedAtMs(value: string | undefined): number | undefined {
  const text = value?.trim() ?? '';
  if (text === '') return undefined;
  let ms = Number.NaN;
  if (/^\d{10,16}$/.test(text)) ms = Number(text);
  else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** How far Salesforce's `issued_at` may lie behind our clock and still be taken as it is. */
export const ISSUED_AT_TOLERANCE_MS = 5 * 60_000;

/**
 * The issue time of a token just received, in ms on our clock: Salesforce's `issued_at` when it
 * lies within ISSUED_AT_TOLERANCE_MS before `receivedAt`, else `receivedAt` itself. The session's
 * age is measured on the clock it is compared with, so a skewed clock (ours or Salesforce's) can
 * neither make every call refresh nor push the refresh past the session's end; the receipt time
 * is later than the true issue time only by the token request's latency.
 */
export function receivedTokenIssuedAtMs(token: Pick<SalesforceTokenResponse, 'issued_at'>, receivedAt: Date): number {
  const received = receivedAt.getTime();
  const issued = tokenIssuedAtMs(token.issued_at);
  return issued !== undefined && issued <= received && received - issued <= ISSUED_AT_TOLERANCE_MS ? issued : received;
}

/** The issue time to store with a new token (secret `accessTokenIssuedAt`, ISO 8601); see receivedTokenIssuedAtMs. */
export function tokenIssuedAt(token: Pick<SalesforceTokenResponse, 'issued_at'>, receivedAt: Date): string {
  return new Date(receivedTokenIssuedAtMs(token, receivedAt)).toISOString();
}

/** The Salesforce org id (00D...) from the identity URL of a token response. */
export function orgIdFromIdentityUrl(id: string): string | undefined {
  return /\/id\/([A-Za-z0-9]{15,18})\/[A-Za-z0-9]{15,18}\/?$/.exec(id)?.[1];
}

/** An RS256 JWT for the bearer flow: iss=clientId, sub=username, aud=loginUrl, exp=now+3 min. */
export async function signJwtAssertion(credentials: JwtCredentials, loginUrl: string, now: Date): Promise<string> {
  if (!credentials.privateKeyPem.includes('BEGIN PRIVATE KEY')) {
    throw new Error('privateKeyPem must be a PKCS #8 PEM block ("-----BEGIN PRIVATE KEY-----")');
  }
  const key = await crypto.subtle.importKey(
    'pkcs8',
    pemToDer(credentials.privateKeyPem),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const header = base64Url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64Url(
    JSON.stringify({
      iss: credentials.clientId,
      sub: credentials.username,
      aud: loginUrl.replace(/\/+$/, ''),
      exp: Math.floor(now.getTime() / 1000) + 180,
    }),
  );
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, encoder.encode(`${header}.${claims}`));
  return `${header}.${claims}.${base64Url(new Uint8Array(signature))}`;
}

/** POSTs a form to `${loginUrl}/services/oauth2/token`; Salesforce's {error, error_description} becomes a reason. */
export async function requestToken(
  loginUrl: string,
  form: Record<string, string>,
  fetchImpl: typeof fetch = (i, init) => globalThis.fetch(i, init),
): Promise<TokenResult> {
  let response: Response;
  try {
    response = await fetchImpl(`${loginUrl.replace(/\/+$/, '')}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    return { ok: false, status: 502, reason: `Salesforce token endpoint unreachable: ${(error as Error).message}` };
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: reported below by status.
  }
  if (!response.ok || typeof body.access_token !== 'string') {
    const reason = [body.error, body.error_description].filter((x) => typeof x === 'string').join(': ');
    return { ok: false, status: response.status, reason: reason || `Salesforce answered HTTP ${response.status}` };
  }
  return { ok: true, token: body as unknown as SalesforceTokenResponse };
}

export async function exchangeJwt(
  credentials: JwtCredentials,
  loginUrl: string,
  now: Date,
  fetchImpl?: typeof fetch,
): Promise<TokenResult> {
  let assertion: string;
  try {
    assertion = await signJwtAssertion(credentials, loginUrl, now);
  } catch (error) {
    return { ok: false, status: 400, reason: `could not sign the JWT: ${(error as Error).message}` };
  }
  return requestToken(loginUrl, { grant_type: JWT_BEARER_GRANT, assertion }, fetchImpl);
}
