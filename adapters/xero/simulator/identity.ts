/**
 * Xero's identity server, the part the hub uses: POST /connect/token with grant_type=refresh_token,
 * the app's client id and secret as HTTP Basic credentials. Each refresh token works once: the
 * answer carries a new access token (30 minutes) and a new refresh token.
 * https://developer.xero.com/documentation/guides/oauth2/auth-flow/#refreshing-access-and-refresh-tokens
 */
import type { Hono } from 'hono';
import { json } from './errors.js';
import type { XeroSimulatorState } from './state.js';

export const ACCESS_TOKEN_SECONDS = 1800;

export interface IdentityOptions {
  now: () => Date;
  clientId: string;
  clientSecret: string;
}

/** A new access token valid for 30 minutes from `now`, and a fresh refresh token. */
export function issueTokens(state: XeroSimulatorState, now: Date): { accessToken: string; refreshToken: string } {
  const n = state.nextToken++;
  const accessToken = `xero-sim-access-${n}`;
  const refreshToken = `xero-sim-refresh-${n}`;
  state.accessTokens.set(accessToken, now.getTime() + ACCESS_TOKEN_SECONDS * 1000);
  state.refreshTokens.add(refreshToken);
  return { accessToken, refreshToken };
}

export function identityRoutes(app: Hono, state: XeroSimulatorState, options: IdentityOptions): void {
  app.post('/connect/token', async (c) => {
    const expected = `Basic ${btoa(`${options.clientId}:${options.clientSecret}`)}`;
    if (c.req.header('authorization') !== expected) return json({ error: 'invalid_client' }, 400);
    const form = new URLSearchParams(await c.req.text());
    if (form.get('grant_type') !== 'refresh_token') return json({ error: 'unsupported_grant_type' }, 400);
    const presented = form.get('refresh_token') ?? '';
    if (!state.refreshTokens.delete(presented)) return json({ error: 'invalid_grant' }, 400);
    const { accessToken, refreshToken } = issueTokens(state, options.now());
    return json({
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: ACCESS_TOKEN_SECONDS,
      token_type: 'Bearer',
      scope: 'offline_access accounting.transactions accounting.contacts accounting.settings',
    });
  });
}
