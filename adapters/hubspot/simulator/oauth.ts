/**
 * The simulator's OAuth token endpoint: the refresh grant, every parameter in the form body.
 * https://developers.hubspot.com/docs/api/oauth/tokens
 */
import type { Hono } from 'hono';
import { hsError } from './errors.js';
import type { HubSpotSim } from './state.js';

/** How long an access token from the refresh grant lives (HubSpot: 30 minutes). */
const ACCESS_TOKEN_SECONDS = 1800;

export function oauthRoutes(app: Hono, sim: HubSpotSim): void {
  const { state } = sim;
  app.post('/oauth/v3/token', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    if (form.get('grant_type') !== 'refresh_token') {
      return hsError(sim, c, 400, 'VALIDATION_ERROR', 'unsupported grant_type', { status: 'BAD_GRANT_TYPE' });
    }
    if (form.get('client_id') !== state.oauth.clientId || form.get('client_secret') !== state.clientSecret) {
      return hsError(sim, c, 400, 'VALIDATION_ERROR', 'missing or unknown client id', { status: 'BAD_CLIENT_ID' });
    }
    if (!state.oauth.refreshTokens.has(form.get('refresh_token') ?? '')) {
      return hsError(sim, c, 400, 'VALIDATION_ERROR', 'missing or unknown refresh token', {
        status: 'BAD_REFRESH_TOKEN',
      });
    }
    state.refreshes += 1;
    const token = `sim-oauth-access-${state.refreshes}`;
    state.oauthTokens.set(token, sim.now().getTime() + ACCESS_TOKEN_SECONDS * 1000);
    return c.json({
      token_type: 'bearer',
      refresh_token: form.get('refresh_token'),
      access_token: token,
      expires_in: ACCESS_TOKEN_SECONDS,
    });
  });
}
