/**
 * Account id and license key as Basic auth on every /api/v2 call; ping never fails and reports
 * whether the credentials were accepted.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Utilities/Ping/
 */
import type { Context, Hono } from 'hono';
import { ERRORS, send } from './errors.js';
import type { AvalaraSim } from './state.js';

function authenticated(sim: AvalaraSim, c: Context): boolean {
  const { credentials } = sim;
  const header = c.req.header('authorization') ?? '';
  if (!header.startsWith('Basic ')) return false;
  let decoded: string;
  try {
    decoded = atob(header.slice(6).trim());
  } catch {
    return false;
  }
  return decoded === `${credentials.accountId}:${credentials.licenseKey}`;
}

export function sessionRoutes(app: Hono, sim: AvalaraSim): void {
  const { credentials } = sim;
  // Ping never fails; it reports whether the credentials were accepted.
  app.get('/api/v2/utilities/ping', (c) => {
    const ok = authenticated(sim, c);
    return c.json({
      version: '26.9.0-simulator',
      authenticated: ok,
      authenticationType: ok ? 'AccountIdLicenseKey' : 'None',
      ...(ok ? { authenticatedAccountId: Number(credentials.accountId) } : {}),
    });
  });

  app.use('/api/v2/*', async (c, next) => {
    if (!authenticated(sim, c)) return send(c, ERRORS.auth);
    await next();
  });
}
