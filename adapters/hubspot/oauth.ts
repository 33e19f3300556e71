/**
 * HubSpot OAuth access tokens for a connection made through an OAuth app (rather than a
 * private-app token): the token lasts `expires_in` seconds (1800 today; always honoured), and is
 * refreshed with POST /oauth/v3/token (every parameter in the form body) shortly before it expires.
 * https://developers.hubspot.com/docs/api/oauth/tokens
 */

export interface HubSpotOAuthCredentials {
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  /** ISO time the stored access token expires; unknown or past means refresh before the first call. */
  accessTokenExpiresAt?: string;
}

/** Refresh this long before the stated expiry, so a token never dies mid-call. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export interface TokenProviderOptions {
  baseUrl: string;
  accessToken: string;
  oauth: HubSpotOAuthCredentials;
  now: () => Date;
  fetch: typeof fetch;
  /** New credentials to store: accessToken, accessTokenExpiresAt and refreshToken (HubSpot may rotate it). */
  onTokenRefresh?: (secrets: Record<string, string>) => void;
}

export class HubSpotOAuthError extends Error {
  constructor(
    readonly status: number,
    readonly bodyText: string,
  ) {
    super(`HubSpot token refresh failed with HTTP ${status}`);
    this.name = 'HubSpotOAuthError';
  }
}

export interface TokenProvider {
  accessToken(): Promise<string>;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  let token = options.accessToken;
  let refreshToken = options.oauth.refreshToken;
  let expiresAt = options.oauth.accessTokenExpiresAt ? Date.parse(options.oauth.accessTokenExpiresAt) : 0;
  let inflight: Promise<string> | undefined;

  async function refresh(): Promise<string> {
    const response = await options.fetch(`${options.baseUrl}/oauth/v3/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: options.oauth.clientId,
        client_secret: options.oauth.clientSecret,
        refresh_token: refreshToken,
      }).toString(),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new HubSpotOAuthError(response.status, text);
    const body = JSON.parse(text) as { access_token: string; refresh_token?: string; expires_in?: number };
    token = body.access_token;
    if (body.refresh_token) refreshToken = body.refresh_token;
    expiresAt = options.now().getTime() + (body.expires_in ?? 1800) * 1000;
    try {
      options.onTokenRefresh?.({
        accessToken: token,
        refreshToken,
        accessTokenExpiresAt: new Date(expiresAt).toISOString(),
      });
    } catch {
      // Storing is the caller's business; the token in memory still works.
    }
    return token;
  }

  return {
    async accessToken() {
      if (options.now().getTime() < expiresAt - REFRESH_MARGIN_MS) return token;
      inflight ??= refresh().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
  };
}
