/**
 * What every CRM call goes through: a Bearer token the portal accepts (a private-app token, or
 * an OAuth access token not yet expired), and the rate-limit window header on the answer.
 * https://developers.hubspot.com/docs/api/private-apps
 */
import type { Hono } from 'hono';
import { hsError, RATE_WINDOW_MS } from './errors.js';
import type { HubSpotSim } from './state.js';

export function sessionRoutes(app: Hono, sim: HubSpotSim): void {
  const { state } = sim;
  const tokenAccepted = (token: string) =>
    state.accessTokens.has(token) || (state.oauthTokens.get(token) ?? 0) > sim.now().getTime();

  app.use('/crm/*', async (c, next) => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token || !tokenAccepted(token)) {
      return hsError(
        sim,
        c,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
      );
    }
    await next();
    c.res.headers.set('X-HubSpot-RateLimit-Interval-Milliseconds', String(RATE_WINDOW_MS));
  });
}
