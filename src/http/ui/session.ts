/**
 * Console sessions: a JWT (HS256, Hono's own `hono/jwt`, on Node and Workers alike) in an HttpOnly,
 * SameSite=Strict cookie, or, for a sign-in made inside a frame (the console embedded in a
 * Salesforce or HubSpot page), a `SameSite=None; Secure; Partitioned` one (see `cookieFor`). It
 * carries the org, the role, who signed in (an API key id or an invitation id) and the session's
 * CSRF token. Expiry is checked against the hub's clock, not the wall clock, so
 * it is the same clock every other deadline of the hub uses (and tests can move it).
 *
 * Every request re-checks that the key is still unrevoked (or the invitation still exists): revoking
 * a key ends the sessions it started at their next request.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sign, verify } from 'hono/jwt';
import type { CookieOptions } from 'hono/utils/cookie';
import { findActiveApiKeyById } from '../../db/repos/api-keys.js';
import { invitationExists } from '../../db/repos/console-invitations.js';
import { constantTimeEqual } from '../../db/secrets.js';
import type { HubContext, Role } from '../context.js';
import { problem } from '../problem.js';
import type { ConsoleSession, UiEnv } from './env.js';

export type { ConsoleSession } from './env.js';

export const SESSION_COOKIE = 'hub_console';
/** Eight hours: a working day, after which the admin signs in again. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;
/** The form field and the header that carry the CSRF token (htmx sends the header, forms the field). */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export const ROLES: readonly Role[] = ['admin', 'finance', 'sales_ops', 'viewer'];

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as string[]).includes(value);

/** Signs a new session for the hub's clock and sets its cookie. */
export async function startSession(
  c: Context,
  hub: HubContext,
  secret: string,
  input: Omit<ConsoleSession, 'csrf' | 'expiresAt'>,
): Promise<ConsoleSession> {
  const now = Math.floor(hub.clock.now().getTime() / 1000);
  const session: ConsoleSession = { ...input, csrf: randomToken(), expiresAt: now + SESSION_TTL_SECONDS };
  const token = await sign(
    {
      sub: session.actor,
      org: session.orgId,
      role: session.role,
      via: session.via,
      label: session.label,
      csrf: session.csrf,
      iat: now,
      exp: session.expiresAt,
    },
    secret,
    'HS256',
  );
  setCookie(c, SESSION_COOKIE, token, { ...cookieFor(c), maxAge: SESSION_TTL_SECONDS });
  return session;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The cookie's attributes. On its own the console's cookie is SameSite=Strict. Framed by another
 * site (the console inside a Salesforce or HubSpot page, which `frame-ancestors` allows), a Strict
 * or Lax cookie is neither stored nor sent, so a sign-in made inside a frame (`Sec-Fetch-Dest:
 * iframe`, set by the browser, not by page script) gets a `SameSite=None; Secure; Partitioned` one:
 * CHIPS keys it to the framing site, so it is sent only inside frames on that site and is no
 * tracking cookie (https://developer.mozilla.org/en-US/docs/Web/Privacy/Guides/Privacy_sandbox/Partitioned_cookies).
 * Cross-site requests carrying it stay harmless: every state-changing request needs the session's
 * CSRF token, and only the allowed hosts may frame the pages. `Secure` needs https, which browsers
 * also grant to loopback (the sandbox); framed over plain http elsewhere the sign-in does not stick.
 */
function cookieFor(c: Context): CookieOptions {
  const url = new URL(c.req.url);
  const trusted = url.protocol === 'https:' || LOOPBACK.has(url.hostname);
  if (c.req.header('sec-fetch-dest') === 'iframe' && trusted) {
    return { httpOnly: true, sameSite: 'None', secure: true, partitioned: true, path: '/ui' };
  }
  return { httpOnly: true, sameSite: 'Strict', secure: url.protocol === 'https:', path: '/ui' };
}

/** Clears the cookie in both of its forms (a partitioned cookie is only cleared by a partitioned Set-Cookie). */
export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/ui' });
  if (c.req.header('sec-fetch-dest') === 'iframe') {
    deleteCookie(c, SESSION_COOKIE, { path: '/ui', sameSite: 'None', secure: true, partitioned: true });
  }
}

/** The session in the request's cookie, if its signature holds, it has not expired and its key stands. */
export async function readSession(c: Context, hub: HubContext, secret: string): Promise<ConsoleSession | undefined> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return undefined;
  let claims: Record<string, unknown>;
  try {
    // exp is checked below against the hub's clock; the signature and algorithm here.
    claims = await verify(token, secret, { alg: 'HS256', exp: false, nbf: false, iat: false });
  } catch {
    return undefined;
  }
  const { sub, org, role, via, label, csrf, exp } = claims;
  if (typeof sub !== 'string' || typeof org !== 'string' || !isRole(role) || typeof csrf !== 'string') return undefined;
  if (via !== 'api_key' && via !== 'invitation') return undefined;
  if (typeof exp !== 'number' || exp <= hub.clock.now().getTime() / 1000) return undefined;
  const stands =
    via === 'api_key'
      ? (await findActiveApiKeyById(hub.db, org, sub))?.role === role
      : await invitationExists(hub.db, org, sub);
  if (!stands) return undefined;
  return {
    orgId: org,
    role,
    actor: sub,
    via,
    label: typeof label === 'string' ? label : role,
    csrf,
    expiresAt: exp,
  };
}

/** A page load a browser makes (it gets the sign-in page), as opposed to a fetch (it gets a 401). */
function isPageNavigation(c: Context): boolean {
  if (c.req.method !== 'GET' || c.req.header('hx-request')) return false;
  return (c.req.header('accept') ?? '').includes('text/html');
}

/** Requires a session; a page load without one goes to the sign-in page, anything else gets a 401. */
export function requireSession(hub: HubContext, secret: string): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const session = await readSession(c, hub, secret);
    if (!session) {
      if (getCookie(c, SESSION_COOKIE)) endSession(c);
      if (isPageNavigation(c)) {
        const next = new URL(c.req.url);
        return c.redirect(`/ui/sign-in?next=${encodeURIComponent(next.pathname + next.search)}`, 302);
      }
      const refused = problem(c, 401, 'Unauthorized', 'sign in to the console: no session, or it expired');
      // htmx (the live preview, a job's status) follows this header to the sign-in page.
      if (c.req.header('hx-request')) refused.headers.set('HX-Redirect', '/ui/sign-in');
      return refused;
    }
    c.set('session', session);
    c.set('orgId', session.orgId);
    c.set('role', session.role);
    c.set('apiKeyId', session.actor);
    await next();
  };
}

/** The CSRF token a state-changing request sent: the header (htmx) or the form field. */
async function sentCsrfToken(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return undefined;
  try {
    const body = await c.req.parseBody();
    const value = body[CSRF_FIELD];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Every request but GET and HEAD must carry the session's CSRF token (403 otherwise). */
export const requireCsrf: MiddlewareHandler<UiEnv> = async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  const sent = await sentCsrfToken(c);
  if (!sent || !constantTimeEqual(sent, c.get('session').csrf)) {
    return problem(c, 403, 'Forbidden', 'the form or request is missing its CSRF token, or it is not this session’s');
  }
  await next();
};

/** The server's check of a role, whatever the page showed (403 for everyone else). */
export function requireConsoleRole(...roles: Role[]): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (!roles.includes(c.get('session').role)) {
      return problem(c, 403, 'Forbidden', `this action needs one of the roles: ${roles.join(', ')}`);
    }
    await next();
  };
}

/**
 * A sign-in form is posted before there is a session to hold a CSRF token, so it must come from the
 * console's own origin (login CSRF: a foreign page must not sign a browser in to another org).
 */
export function fromOwnOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return false;
  if (!origin) return site === 'same-origin' || site === 'none' || site === undefined;
  return origin === new URL(c.req.url).origin;
}
