/**
 * A fetch-based client for the Xero Accounting API 2.0 (https://api.xero.com/api.xro/2.0), used on
 * Node AND on Cloudflare Workers.
 *
 * Why not xero-node (the SDK the issue names): it is built on axios and openid-client. Its
 * ApiError reads Node's http.ClientRequest (`request.getHeaders()`, `request.socket`), its token
 * handling goes through openid-client's Node http stack, and it takes no fetch to call through, so
 * it can neither run in workerd nor be pointed at the hub's injected transport (BuildContext.fetch,
 * the loopback simulators). The hub needs a handful of JSON calls, so plain fetch does it, with the
 * SDK's conventions: an OAuth 2.0 bearer token and `xero-tenant-id` on every call, and
 * `Idempotency-Key` on every write.
 *   https://developer.xero.com/documentation/api/accounting/overview
 *   ../../../shared/apispecs/xero.json (operations, idempotency, rate_limits)
 *
 * Every call takes its tenant's limiter (limiter.ts) first. A 401 refreshes the access token once
 * (when the connection holds a refresh token) and sends the call again: Xero refused it before
 * doing anything, so the resend is safe. This file only moves bytes; errors.ts decides what an
 * answer means.
 */

import { describeFetchError, parseJsonText } from '../response-text.js';
import { type LimiterDeps, limiterFor, type TenantLimiter, XERO_LIMITS, type XeroLimits } from './limiter.js';
import { createTokenProvider, type XeroOAuthCredentials, XeroRefreshError } from './oauth.js';
import type { XeroResponse } from './response.js';

export type { XeroResponse } from './response.js';

export const XERO_API_BASE_URL = 'https://api.xero.com/api.xro/2.0';
/** Xero takes idempotency keys of up to 128 characters (apispecs/xero.json idempotency). */
export const MAX_IDEMPOTENCY_KEY = 128;

export interface XeroClientConfig {
  /** The organisation's tenant id (from GET https://api.xero.com/connections after consent). */
  tenantId: string;
  accessToken: string;
  /** With these, an expiring or rejected access token is refreshed (oauth.ts). */
  oauth?: XeroOAuthCredentials;
  /** Default https://api.xero.com/api.xro/2.0; a simulator's URL in sandbox. */
  baseUrl?: string;
  /** Default https://identity.xero.com/connect/token. */
  tokenUrl?: string;
  limits?: Partial<XeroLimits>;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Waits out the minute window (tests pass one that does not use wall time). */
  sleep?: (ms: number) => Promise<void>;
  onTokenRefresh?: (secrets: Record<string, string>) => void;
}

export interface XeroClient {
  /** GET {base}/{path}?{query}. */
  get(path: string, query?: Record<string, string>): Promise<XeroResponse>;
  /** PUT (create) or POST (update) {base}/{path} with a JSON body and the Idempotency-Key header. */
  write(method: 'PUT' | 'POST', path: string, body: unknown, idempotencyKey: string): Promise<XeroResponse>;
  readonly limiter: TenantLimiter;
}

export function createXeroClient(config: XeroClientConfig): XeroClient {
  const root = (config.baseUrl ?? XERO_API_BASE_URL).replace(/\/+$/, '');
  // Resolved at call time so test interceptors installed later still see the call.
  const doFetch: typeof fetch = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = config.now ?? (() => new Date());
  const deps: LimiterDeps = {
    now,
    sleep: config.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
  const limiter = limiterFor(config.tenantId, { ...XERO_LIMITS, ...config.limits }, deps);
  const tokens = createTokenProvider({
    accessToken: config.accessToken,
    ...(config.oauth ? { oauth: config.oauth } : {}),
    ...(config.tokenUrl ? { tokenUrl: config.tokenUrl } : {}),
    now,
    fetch: doFetch,
    ...(config.onTokenRefresh ? { onTokenRefresh: config.onTokenRefresh } : {}),
  });

  async function once(method: string, url: string, token: string, body?: unknown, key?: string) {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${token}`,
      'xero-tenant-id': config.tenantId,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (key !== undefined) headers['Idempotency-Key'] = key;
    const admission = await limiter.admit();
    if (!admission.admitted) return { kind: 'quota', waitMs: admission.dayUntilMs } as const;
    try {
      let res: Response;
      try {
        res = await doFetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      } catch (error) {
        return { kind: 'network', stage: 'request', message: describeFetchError(error) } as const;
      }
      limiter.observe(res.headers);
      let text: string;
      try {
        text = await res.text();
      } catch (error) {
        // Xero answered but the connection dropped mid-body: the write may have happened.
        return { kind: 'network', stage: 'body', message: describeFetchError(error) } as const;
      }
      return { kind: 'http', status: res.status, headers: res.headers, body: parseJsonText(text) } as const;
    } finally {
      admission.release();
    }
  }

  async function send(method: string, url: string, body?: unknown, key?: string): Promise<XeroResponse> {
    let token: string;
    try {
      token = await tokens.accessToken();
    } catch (error) {
      return refreshFailed(error);
    }
    const first = await once(method, url, token, body, key);
    if (first.kind !== 'http' || first.status !== 401 || !config.oauth) return first;
    // The token expired mid-sync (or was revoked): refresh once and send again.
    try {
      if (!(await tokens.refreshAfterRejection(token))) return first;
      token = await tokens.accessToken();
    } catch (error) {
      return refreshFailed(error);
    }
    return once(method, url, token, body, key);
  }

  return {
    limiter,
    get: (path, query) => {
      const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
      return send('GET', `${root}/${path}${search}`);
    },
    write: (method, path, body, idempotencyKey) =>
      send(method, `${root}/${path}`, body, idempotencyKey.slice(0, MAX_IDEMPOTENCY_KEY)),
  };
}

/** A refresh Xero refused (invalid_grant: the refresh token expired or was used) needs a reconnect; anything else is passing. */
function refreshFailed(error: unknown): XeroResponse {
  if (error instanceof XeroRefreshError && error.status >= 400 && error.status < 500) {
    return { kind: 'auth', message: `${error.message}: ${error.bodyText.slice(0, 200)}` };
  }
  return { kind: 'network', stage: 'request', message: `token refresh: ${describeFetchError(error)}` };
}

/** Where a Xero connection may send requests in live mode (adapters/hosts.ts). */
export const API_HOSTS = {
  urlKeys: ['baseUrl', 'tokenUrl'],
  hosts: ['api.xero.com', 'identity.xero.com'],
} as const;
