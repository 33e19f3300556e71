/**
 * What every company call goes through: a Bearer token (any non-empty one, or exactly the
 * configured one), not among the tokens a test has expired mid-sync.
 */
import type { Hono } from 'hono';
import { answer, statusFault } from './errors.js';
import type { QuickBooksSimulatorOptions, QuickBooksSimulatorState } from './state.js';

export function sessionRoutes(
  app: Hono,
  state: QuickBooksSimulatorState,
  options: QuickBooksSimulatorOptions,
  now: () => Date,
): void {
  app.use('/v3/company/*', async (c, next) => {
    const match = /^Bearer\s+(\S+)$/.exec(c.req.header('authorization') ?? '');
    const token = match?.[1];
    const accepted =
      token !== undefined &&
      !state.expiredTokens.has(token) &&
      (options.accessToken === undefined || token === options.accessToken);
    if (!accepted) return answer(c, 401, statusFault(401, now().toISOString()));
    await next();
  });
}
