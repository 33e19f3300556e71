/**
 * What every REST call goes through: a known API version, a live session (Bearer), and the
 * org's daily API request allocation, which each call spends and /limits reports.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
 */
import type { Context, Hono } from 'hono';
import { notFound, sfErrors } from './errors.js';
import type { SalesforceSim } from './state.js';

/** The API version of the request's path (v62.0 → 62.0). */
export const apiVersion = (c: Context) => c.req.param('version')?.slice(1) ?? '62.0';

export function sessionRoutes(app: Hono, sim: SalesforceSim): void {
  const { state } = sim;
  app.use('/services/data/:version/*', async (c, next) => {
    if (!/^v\d{2,3}\.0$/.test(c.req.param('version'))) return notFound(c);
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token || !state.accessTokens.has(token)) {
      return sfErrors(c, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
    if (state.api.used >= state.api.max) {
      return sfErrors(c, 403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    }
    state.api.used += 1;
    await next();
    c.res.headers.set('Sforce-Limit-Info', `api-usage=${state.api.used}/${state.api.max}`);
  });
}

export function limitsRoutes(app: Hono, sim: SalesforceSim): void {
  const { api } = sim.state;
  app.get('/services/data/:version/limits', (c) =>
    c.json({ DailyApiRequests: { Max: api.max, Remaining: api.max - api.used } }),
  );
}
