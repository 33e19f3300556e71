/**
 * What every REST call goes through: a Token-Based Authentication header (OAuth 1.0a with
 * realm = the account id, oauth_signature_method HMAC-SHA256, a consumer key, a token, a nonce, a
 * timestamp and a signature; the simulator checks they are there, not the signature's value), a
 * token not revoked, and a free slot of the account's concurrency limit.
 */
import type { Context, Hono } from 'hono';
import { errorResponse } from './errors.js';
import { accountOf, type NetSuiteSimulatorState, type SimAccount } from './state.js';

const REQUIRED = ['oauth_consumer_key', 'oauth_token', 'oauth_nonce', 'oauth_timestamp', 'oauth_signature'];

/** The parameters of an `Authorization: OAuth k="v", ...` header, or null when it is not one. */
export function parseOAuthHeader(header: string | undefined): Record<string, string> | null {
  if (!header?.startsWith('OAuth ')) return null;
  const params: Record<string, string> = {};
  for (const match of header.slice(6).matchAll(/([A-Za-z_]+)="([^"]*)"/g)) {
    params[match[1]!] = decodeURIComponent(match[2]!);
  }
  return params;
}

export type AccountResolver = (c: Context) => SimAccount;

export function accountFromContext(c: Context, resolve: AccountResolver): SimAccount {
  return resolve(c);
}

export interface SessionOptions {
  /** When set, only this consumer key and token id are accepted. */
  consumerKey?: string;
  tokenId?: string;
  /** Awaited inside each request's concurrency slot: tests make requests overlap without wall time. */
  latency?: () => Promise<void>;
}

export function sessionRoutes(app: Hono, state: NetSuiteSimulatorState, options: SessionOptions): AccountResolver {
  const inFlight = new Map<string, number>();
  app.use('/services/rest/*', async (c, next) => {
    const params = parseOAuthHeader(c.req.header('authorization'));
    const denied = () => errorResponse(401, 'INVALID_LOGIN_ATTEMPT', 'Invalid login attempt.');
    if (!params?.realm || params.oauth_signature_method !== 'HMAC-SHA256') return denied();
    if (REQUIRED.some((key) => !params[key])) return denied();
    if (state.revokedTokens.has(params.oauth_token!)) return denied();
    if (options.consumerKey !== undefined && params.oauth_consumer_key !== options.consumerKey) return denied();
    if (options.tokenId !== undefined && params.oauth_token !== options.tokenId) return denied();
    const account = accountOf(state, params.realm);
    c.set('nsAccount' as never, account as never);

    const busy = inFlight.get(account.id) ?? 0;
    if (busy >= state.concurrencyLimit) {
      state.concurrencyRejections += 1;
      return errorResponse(429, 'CONCURRENCY_LIMIT_EXCEEDED', 'Concurrent request limit exceeded. Request blocked.');
    }
    inFlight.set(account.id, busy + 1);
    state.peakInFlight.set(account.id, Math.max(state.peakInFlight.get(account.id) ?? 0, busy + 1));
    try {
      await options.latency?.();
      await next();
    } finally {
      inFlight.set(account.id, (inFlight.get(account.id) ?? 1) - 1);
    }
  });
  return (c) => c.get('nsAccount' as never) as SimAccount;
}
