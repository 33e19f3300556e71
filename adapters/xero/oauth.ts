/**
 * Xero OAuth 2.0 access tokens: a token lasts 30 minutes (`expires_in` 1800, always honoured) and
 * is refreshed with the refresh token at the identity server's token endpoint, the app's client
 * id and secret as HTTP Basic credentials. Refresh tokens rotate: the answer carries a new one,
 * and the old one stops working, so the new pair is handed to `onTokenRefresh` to be stored.
 *   https://developer.xero.com/documentation/guides/oauth2/auth-flow/#refreshing-access-and-refresh-tokens
 *   ../../../shared/apispecs/xero.json auth.oauth2, oauth_tokens
 * The same shape as HubSpot's token provider (adapters/hubspot/oauth.ts): refresh shortly before
 * the stated expiry, one refresh in flight at a time, and on demand when Xero answers 401.
 */

export const XERO_TOKEN_URL = 'https://identity.xero.com/connect/token';

export interface XeroOAuthCredentials {
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  /** ISO time the stored access token expires; unknown means trust it until Xero says 401. */
  accessTokenExpiresAt?: string;
}

/** Refresh this long before the stated expiry, so a token never dies mid-call. */
export const REFRESH_MARGIN_MS = 2 * 60_000;

export class XeroRefreshError extends Error {
  constructor(
    readonly status: number,
    readonly bodyText: string,
  ) {
    super(`Xero token refresh failed with HTTP ${status}`);
    this.name = 'XeroRefreshError';
  }
}

export interface TokenProvider {
  /** The access token to send now (refreshed first when it is about to expire). */
  accessToken(): Promise<string>;
  /** Xero refused `rejected` (401): refresh, unless another call already did. False when it cannot refresh. */
  refreshAfterRejection(rejected: string): Promise<boolean>;
}

export interface TokenProviderOptions {
  accessToken: string;
  oauth?: XeroOAuthCredentials;
  tokenUrl?: string;
  now: () => Date;
  fetch: typeof fetch;
  /** New secrets to store: accessToken, refreshToken, accessTokenExpiresAt. */
  onTokenRefresh?: (secrets: Record<string, string>) => void;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  let token = options.accessToken;
  const oauth = options.oauth;
  let refreshToken = oauth?.refreshToken ?? '';
  const stated = oauth?.accessTokenExpiresAt ? Date.parse(oauth.accessTokenExpiresAt) : Number.NaN;
  let expiresAt = Number.isNaN(stated) ? Number.POSITIVE_INFINITY : stated;
  let inflight: Promise<string> | undefined;

  async function refresh(): Promise<string> {
    if (!oauth) throw new XeroRefreshError(401, 'no refresh token on the connection');
    const basic = btoa(`${oauth.clientId}:${oauth.clientSecret}`);
    const response = await options.fetch(options.tokenUrl ?? XERO_TOKEN_URL, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    });
    const text = await response.text();
    if (!response.ok) throw new XeroRefreshError(response.status, text);
    const body = JSON.parse(text) as { access_token?: string; refresh_token?: string; expires_in?: number };
    if (!body.access_token) throw new XeroRefreshError(response.status, 'token answer without access_token');
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

  const refreshOnce = () => {
    inflight ??= refresh().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  return {
    async accessToken() {
      if (!oauth || options.now().getTime() < expiresAt - REFRESH_MARGIN_MS) return token;
      return refreshOnce();
    },
    async refreshAfterRejection(rejected) {
      if (!oauth) return false;
      if (token !== rejected) return true; // another call refreshed meanwhile
      await refreshOnce();
      return true;
    },
  };
}
