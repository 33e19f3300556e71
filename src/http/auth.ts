/** API keys: "Authorization: Bearer hub_…", looked up by hash; the key's org scopes everything. */
import type { MiddlewareHandler } from 'hono';
import { findActiveApiKey } from '../db/repos/api-keys.js';
import { sha256Hex } from '../db/secrets.js';
import type { AppEnv, HubContext, Role } from './context.js';
import { problem } from './problem.js';

export function apiKeyAuth(hub: HubContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(hub_[0-9a-f]{64})$/.exec(header);
    if (!match) return problem(c, 401, 'Unauthorized', 'send an API key as "Authorization: Bearer hub_…"');
    const hash = await sha256Hex(match[1]!);
    const key = await findActiveApiKey(hub.db, hash);
    if (!key) return problem(c, 401, 'Unauthorized', 'unknown or revoked API key');
    c.set('orgId', key.orgId);
    c.set('role', key.role);
    c.set('apiKeyId', key.id);
    await next();
  };
}

export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roles.includes(c.get('role'))) {
      return problem(c, 403, 'Forbidden', `this action needs one of the roles: ${roles.join(', ')}`);
    }
    await next();
  };
}
