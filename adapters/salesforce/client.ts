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
 */
import { Connection, type HttpRequest, type HttpResponse, type StreamPromise } from 'jsforce';
import { exchangeJwt, type JwtCredentials } from './oauth.js';

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
  /** Called with each new access token so the caller can store it (encrypted) for the next run. */
  onTokenRefresh?: (accessToken: string) => void;
  /** Clock for Retry-After dates (default: system time). */
  now?: () => Date;
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
 */
class HubConnection extends Connection {
  // biome-ignore lint/complexity/noBannedTypes: jsforce types the options parameter as Object.
  override request<R = unknown>(request: string | HttpRequest, options: Object = {}): StreamPromise<R> {
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
function reportToken(onTokenRefresh: SalesforceConfig['onTokenRefresh'], accessToken: string): void {
  if (!onTokenRefresh) return;
  try {
    Promise.resolve(onTokenRefresh(accessToken) as unknown).catch(() => undefined);
  } catch {
    // See above: a failing callback must not fail the read.
  }
}

export interface SalesforceClient {
  readonly connection: Connection;
  /** Marks the start of one port call: allows one token refresh within it (see refreshFn). */
  beginCall(): void;
}

export function createSalesforceClient(config: SalesforceConfig): SalesforceClient {
  const canRefresh = Boolean((config.refreshToken && config.clientId) || config.jwt);
  const loginUrl = (config.loginUrl ?? DEFAULT_LOGIN_URL).replace(/\/+$/, '');
  const now = config.now ?? (() => new Date());
  // jsforce replays a request after every refresh and refreshes again on the next 401, so a
  // token the API keeps rejecting would loop forever; one refresh per port call is enough.
  let refreshesThisCall = 0;

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
          refreshFn: (conn, callback) => {
            if (refreshesThisCall >= 1) {
              callback(new Error('the refreshed access token was rejected too'));
              return;
            }
            refreshesThisCall += 1;
            const jwt = config.jwt;
            const next = jwt
              ? exchangeJwt(jwt, loginUrl, now()).then((r) => {
                  if (!r.ok) throw Object.assign(new Error(r.reason), { name: 'invalid_grant' });
                  return r.token;
                })
              : conn.oauth2.refreshToken(conn.refreshToken ?? '');
            next.then(
              (token) => {
                // The token response names the org's instance; follow it as jsforce does.
                conn._establish({ accessToken: token.access_token, instanceUrl: token.instance_url });
                callback(undefined, token.access_token, token as never);
                reportToken(config.onTokenRefresh, token.access_token);
              },
              (error: Error) => callback(error),
            );
          },
        }
      : {}),
  });

  return {
    connection,
    beginCall() {
      refreshesThisCall = 0;
    },
  };
}
