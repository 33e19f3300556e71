/**
 * jsforce wiring. One Connection per adapter; the instance URL is configurable so the real SDK
 * talks to the simulator in sandbox mode and tests.
 *
 * Transport notes (jsforce 3.10):
 * - On Node, jsforce sends requests with node-fetch v2 and retries GETs itself on
 *   420/429/500/502/503/504 and socket errors, sleeping 0.5 s, 1 s, 2 s... up to 5 times. The
 *   hub's job queue owns retries (with backoff it can see and Retry-After), so the adapter turns
 *   the SDK's retries off and sets a bounded timeout (the SDK default is 30 minutes).
 * - Bundled for workerd (wrangler resolves the package.json "browser" field), jsforce uses its
 *   browser build, which calls the global fetch and never retries.
 * - On a 401 the SDK refreshes the token through the refresh function below and replays the
 *   request once per refresh.
 *   https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_oauth_and_connected_apps.htm
 * - Ahead of expiry: when the token's issue time is known, the adapter refreshes it at the start
 *   of a port call that falls within 5 minutes of the session's end (see `expiresAtMs` below),
 *   and the call's requests wait for the new token; the 401 path above stays as the fallback.
 */
import { Connection, type HttpRequest, type HttpResponse, type StreamPromise } from 'jsforce';
import { exchangeJwt, type JwtCredentials, receivedTokenIssuedAtMs, tokenIssuedAtMs } from './oauth.js';

export interface SalesforceConfig {
  /** https://MyDomain.my.salesforce.com (or the simulator's loopback URL). */
  instanceUrl: string;
  accessToken: string;
  /** REST API version without the "v" (default "62.0"). */
  apiVersion?: string;
  refreshToken?: string;
  /** Connected app consumer key; needed with refreshToken for the SDK to refresh a session. */
  clientId?: string;
  clientSecret?: string;
  /** OAuth host of the token endpoint `${loginUrl}/services/oauth2/token` (default https://login.salesforce.com). */
  loginUrl?: string;
  /** JWT bearer credentials (connected via POST /connections/salesforce/jwt): a new token is minted instead of refreshed. */
  jwt?: JwtCredentials;
  /**
   * When the stored access token was issued (ISO 8601, or Salesforce's `issued_at`: ms since the
   * epoch). Unknown: no refresh ahead of expiry, only on 401 (which then records the issue time).
   */
  accessTokenIssuedAt?: string;
  /**
   * The org's session timeout in minutes (Setup › Session Settings, or the connected app's own
   * timeout for JWT bearer tokens): how long a token lives after its issue time. Default 120.
   */
  sessionTimeoutMinutes?: number;
  /**
   * Called with each new access token so the caller can store it (encrypted) for the next run,
   * with its issue time (ISO 8601) and the refresh token when Salesforce rotated it.
   */
  onTokenRefresh?: (accessToken: string, details: RefreshedToken) => void;
  /** Clock for Retry-After dates and token expiry (default: system time). */
  now?: () => Date;
}

export interface RefreshedToken {
  /** ISO 8601: the token response's `issued_at`, or the time it arrived (see receivedTokenIssuedAtMs). */
  issuedAt: string;
  /** Only when the token response carried a new one (refresh token rotation). */
  refreshToken?: string;
}

/** Refresh this long before the session is expected to end (as the HubSpot adapter does). */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** Salesforce's default session timeout (Setup › Session Settings). */
export const DEFAULT_SESSION_TIMEOUT_MINUTES = 120;
export const MIN_SESSION_TIMEOUT_MINUTES = 15;
export const MAX_SESSION_TIMEOUT_MINUTES = 1440;

/**
 * The connection config `sessionTimeoutMinutes`: absent or empty means the default (120); else
 * an integer from 15 to 1440 written in decimal digits.
 */
export function parseSessionTimeoutMinutes(
  value: string | undefined,
): { ok: true; value: number } | { ok: false; message: string } {
  const text = value?.trim() ?? '';
  if (text === '') return { ok: true, value: DEFAULT_SESSION_TIMEOUT_MINUTES };
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < MIN_SESSION_TIMEOUT_MINUTES || n > MAX_SESSION_TIMEOUT_MINUTES) {
    return {
      ok: false,
      message: `must be a whole number of minutes from ${MIN_SESSION_TIMEOUT_MINUTES} to ${MAX_SESSION_TIMEOUT_MINUTES}`,
    };
  }
  return { ok: true, value: n };
}

export const DEFAULT_API_VERSION = '62.0';
const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';
/** Bounded wait for one HTTP exchange; a read that hangs longer is retried by the job queue. */
const REQUEST_TIMEOUT_MS = 60_000;

/** Options jsforce's Node transport reads per request (ignored by its fetch-only browser build). */
const TRANSPORT_OPTIONS = { retry: { maxRetries: 0 }, timeout: REQUEST_TIMEOUT_MS };

/** What jsforce leaves off its errors and the classifier needs: the HTTP status and headers. */
export interface HttpFacts {
  statusCode?: number;
  headers?: Record<string, string>;
}

/**
 * A Connection whose every request (queries included) carries the transport options above,
 * and whose errors carry the status and headers of the response that caused them. jsforce
 * accepts a per-request `transport`; ours delegates to the SDK's own and remembers the last
 * response of this request (the one after a token refresh, when there was one).
 *
 * While a refresh ahead of expiry is in flight (`sessionGate`), a request waits for it and then
 * goes out with the new token; when the refresh fails, the request fails with the SDK's own
 * "Unable to refresh session" error without being sent.
 */
class HubConnection extends Connection {
  sessionGate: Promise<void> | undefined;

  // biome-ignore lint/complexity/noBannedTypes: jsforce types the options parameter as Object.
  override request<R = unknown>(request: string | HttpRequest, options: Object = {}): StreamPromise<R> {
    const gate = this.sessionGate;
    if (gate) {
      const after = gate.then(() => this.request<R>(request, options));
      // Nothing in the adapter streams a response; a stream cannot be handed out before the
      // request exists.
      return Object.assign(after, {
        stream: () => {
          throw new Error('a response cannot be streamed while the Salesforce session is being refreshed');
        },
      }) as unknown as StreamPromise<R>;
    }
    let last: HttpResponse | undefined;
    const inner = this._transport;
    const transport = {
      httpRequest(req: HttpRequest, opts?: object) {
        const pending = inner.httpRequest(req, opts);
        pending.then(
          (response) => {
            last = response;
          },
          () => undefined,
        );
        return pending;
      },
    };
    const pending = super.request<R>(request, { ...TRANSPORT_OPTIONS, transport, ...options });
    const annotated = (async () => {
      try {
        return await pending;
      } catch (error) {
        if (error instanceof Error && last) {
          Object.assign(error, { statusCode: last.statusCode, headers: last.headers } satisfies HttpFacts);
        }
        throw error;
      }
    })();
    // Callers await the result or ask for the stream; keep both. (StreamPromise itself is not
    // reachable through the package's ESM entry, so the promise is extended instead.)
    return Object.assign(annotated, { stream: () => pending.stream() }) as StreamPromise<R>;
  }
}

/**
 * Hands a new token to the caller. Storing it is the caller's business: if that fails (or
 * throws, or rejects), the read still goes on with the token in memory, and the next refresh
 * reports again. Nothing is left to crash the process as an unhandled rejection.
 */
function reportToken(
  onTokenRefresh: SalesforceConfig['onTokenRefresh'],
  accessToken: string,
  details: RefreshedToken,
): void {
  if (!onTokenRefresh) return;
  try {
    Promise.resolve(onTokenRefresh(accessToken, details) as unknown).catch(() => undefined);
  } catch {
    // See above: a failing callback must not fail the read.
  }
}

/** What the hub reads from a token response, whichever grant produced it. */
interface IssuedToken {
  access_token: string;
  instance_url: string;
  issued_at?: string;
  refresh_token?: string;
}

export interface SalesforceClient {
  readonly connection: Connection;
  /**
   * Marks the start of one port call: allows one token refresh on 401 within it (see refreshFn),
   * and starts a refresh first when the session ends within REFRESH_MARGIN_MS (the call's
   * requests wait for it).
   */
  beginCall(): void;
  /** When the current token is expected to expire; undefined when its issue time is unknown. */
  tokenExpiresAt(): Date | undefined;
}

export function createSalesforceClient(config: SalesforceConfig): SalesforceClient {
  const canRefresh = Boolean((config.refreshToken && config.clientId) || config.jwt);
  const loginUrl = (config.loginUrl ?? DEFAULT_LOGIN_URL).replace(/\/+$/, '');
  const now = config.now ?? (() => new Date());
  // jsforce replays a request after every refresh and refreshes again on the next 401, so a
  // token the API keeps rejecting would loop forever; one refresh per port call is enough.
  let refreshesThisCall = 0;
  // Salesforce's token response has no expires_in: a session lasts the org's session timeout
  // after `issued_at`. That timeout is an inactivity timeout which use can extend, so issue time
  // plus timeout is the earliest the session may end, and refreshing ahead of it is always safe.
  // The introspection endpoint (POST /services/oauth2/introspect → `exp`) is not used: it needs
  // the consumer secret, which JWT bearer connections do not have (they sign with a key), costs
  // a round trip per token, and reports the same session timeout the connection config names.
  const lifetimeMs = (config.sessionTimeoutMinutes ?? DEFAULT_SESSION_TIMEOUT_MINUTES) * 60_000;
  let issuedAtMs = config.accessTokenIssuedAt ? tokenIssuedAtMs(config.accessTokenIssuedAt) : undefined;
  const expiresAtMs = () => (issuedAtMs === undefined ? undefined : issuedAtMs + lifetimeMs);

  const connection = new HubConnection({
    instanceUrl: config.instanceUrl.replace(/\/+$/, ''),
    accessToken: config.accessToken,
    version: config.apiVersion ?? DEFAULT_API_VERSION,
    ...(canRefresh
      ? {
          ...(config.refreshToken ? { refreshToken: config.refreshToken } : {}),
          oauth2: {
            clientId: config.clientId ?? config.jwt?.clientId,
            clientSecret: config.clientSecret,
            loginUrl,
          },
          refreshFn: (_conn, callback) => {
            if (refreshesThisCall >= 1) {
              callback(new Error('the refreshed access token was rejected too'));
              return;
            }
            refreshesThisCall += 1;
            renew().then(
              (token) => callback(undefined, token.access_token, token as never),
              (error: Error) => callback(error),
            );
          },
        }
      : {}),
  });

  async function requestToken(): Promise<IssuedToken> {
    const jwt = config.jwt;
    if (jwt) {
      const result = await exchangeJwt(jwt, loginUrl, now());
      if (!result.ok) throw Object.assign(new Error(result.reason), { name: 'invalid_grant' });
      return result.token;
    }
    return connection.oauth2.refreshToken(connection.refreshToken ?? '');
  }

  // One token request at a time per adapter, whether a 401 or the clock asked for it: callers
  // arriving while one is in flight share its result.
  let renewing: Promise<IssuedToken> | undefined;
  function renew(): Promise<IssuedToken> {
    renewing ??= (async () => {
      const token = await requestToken();
      // The token response names the org's instance; follow it as jsforce does.
      connection._establish({
        accessToken: token.access_token,
        instanceUrl: token.instance_url,
        ...(token.refresh_token ? { refreshToken: token.refresh_token } : {}),
      });
      issuedAtMs = receivedTokenIssuedAtMs(token, now());
      reportToken(config.onTokenRefresh, token.access_token, {
        issuedAt: new Date(issuedAtMs).toISOString(),
        ...(token.refresh_token ? { refreshToken: token.refresh_token } : {}),
      });
      return token;
    })().finally(() => {
      renewing = undefined;
    });
    return renewing;
  }

  /** Starts a refresh when the session ends within the margin (or has ended); requests wait for it. */
  function refreshAhead(): void {
    const expiresAt = expiresAtMs();
    if (!canRefresh || expiresAt === undefined || connection.sessionGate) return;
    if (now().getTime() < expiresAt - REFRESH_MARGIN_MS) return;
    const gate: Promise<void> = renew()
      .then(
        () => undefined,
        (error: Error) => {
          // Worded as jsforce words a failed refresh after a 401, so it is classified the same
          // way (errors.ts: session expired; reconnect).
          throw new Error(`Unable to refresh session due to: ${error.message}`);
        },
      )
      .finally(() => {
        if (connection.sessionGate === gate) connection.sessionGate = undefined;
      });
    // The port call's requests report the failure; this keeps it from also being unhandled.
    gate.catch(() => undefined);
    connection.sessionGate = gate;
  }

  return {
    connection,
    beginCall() {
      refreshesThisCall = 0;
      refreshAhead();
    },
    tokenExpiresAt() {
      const at = expiresAtMs();
      return at === undefined ? undefined : new Date(at);
    },
  };
}

/**
 * Where a Salesforce connection may send requests: the config keys holding URLs, and the hosts
 * they may name in live mode (adapters/hosts.ts). Login is login.salesforce.com,
 * test.salesforce.com or the org's My Domain (`*.my.salesforce.com`, sandboxes
 * `*.sandbox.my.salesforce.com`); instances are `*.salesforce.com` too.
 * https://help.salesforce.com/s/articleView?id=sf.domain_name_url_formats.htm
 */
export const API_HOSTS = { urlKeys: ['loginUrl', 'instanceUrl'], hosts: ['.salesforce.com'] } as const;
