/**
 * A fetch-based client for NetSuite's SuiteTalk REST web services (record API v1 and SuiteQL),
 * used on Node AND on Cloudflare Workers.
 *
 * Authentication is Token-Based Authentication: every request carries an OAuth 1.0a
 * Authorization header signed HMAC-SHA256 with the consumer secret and token secret, and
 * `realm` = the account id. The signing is the registry's `oauth-1.0a`; its hash callback is
 * synchronous, so it gets node:crypto's createHmac (workerd provides it under nodejs_compat,
 * see wrangler.toml). JSON bodies are not part of the OAuth base string (only form bodies are),
 * so only the URL's query parameters are signed with the oauth_* ones.
 *   https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1534941295.html (The Authorization Headers)
 *
 * Every request takes a slot of the account's concurrency pool (limiter.ts). An answer saying the
 * account's limit is exhausted anyway (another integration holds slots) waits and is sent again:
 * NetSuite refused it before doing anything, so the resend is safe.
 * This file only moves bytes; errors.ts decides what an answer means.
 */
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { describeFetchError, parseJsonText } from '../response-text.js';
import { isConcurrencyLimited } from './errors.js';
import { type Limiter, limiterFor } from './limiter.js';
import type { NsResponse } from './response.js';

export type { NsResponse } from './response.js';

/** NetSuite's default concurrency limit of an account on the shared tier. */
export const DEFAULT_CONCURRENCY = 5;
/** How often a request refused for the account's concurrency limit is sent again before giving up. */
export const DEFAULT_CONCURRENCY_RETRIES = 5;
const CONCURRENCY_BACKOFF_MS = 250;

export interface NetSuiteCredentials {
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

export interface NetSuiteClientConfig extends NetSuiteCredentials {
  /** The account id as NetSuite shows it (e.g. 1234567 or 1234567_SB1): the OAuth realm. */
  accountId: string;
  /** Default https://<account>.suitetalk.api.netsuite.com (see accountHost); a simulator's URL in sandbox. */
  baseUrl?: string;
  /** Requests in flight at once for this account (default 5). */
  concurrency?: number;
  concurrencyRetries?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Waits between concurrency retries (tests pass one that does not use wall time). */
  sleep?: (ms: number) => Promise<void>;
  /** OAuth nonce source (tests fix it); default 32 random alphanumerics. */
  nonce?: () => string;
}

export interface NsClient {
  /**
   * GET /services/rest/record/v1/{type}/{id} — id may be `eid:<external id>`; `expand` adds
   * expandSubResources=true so sublists (lines) come inline.
   */
  get(recordType: string, id: string, expand?: boolean): Promise<NsResponse>;
  /**
   * PUT /services/rest/record/v1/{type}/eid:{externalId}: upsert by external id (creates the record,
   * or updates the one already holding the id), so a resend can never make a second record.
   * Answers 204 with the record's URL in Location.
   */
  upsert(recordType: string, externalId: string, body: unknown): Promise<NsResponse>;
  /** PATCH /services/rest/record/v1/{type}/{id}[?replace=<sublists>]: changes the fields sent. */
  patch(recordType: string, id: string, body: unknown, replace?: string[]): Promise<NsResponse>;
  /** POST /services/rest/query/v1/suiteql with Prefer: transient. */
  suiteql(query: string): Promise<NsResponse>;
  readonly limiter: Limiter;
}

/**
 * The REST host of an account: its id in lower case with `_` as `-` (1234567_SB1 →
 * 1234567-sb1.suitetalk.api.netsuite.com), while the OAuth realm keeps the id as shown.
 */
export function accountHost(accountId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(accountId)) throw new Error(`not a NetSuite account id: ${JSON.stringify(accountId)}`);
  return `${accountId.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com`;
}

/** The realm NetSuite expects: the account id in upper case with `_` (1234567-sb1 → 1234567_SB1). */
export function accountRealm(accountId: string): string {
  return accountId.toUpperCase().replace(/-/g, '_');
}

/** HMAC-SHA256 over the base string, base64: the signature TBA's HMAC-SHA256 method asks for. */
export function hmacSha256Base64(baseString: string, key: string): string {
  return createHmac('sha256', key).update(baseString).digest('base64');
}

const NONCE_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => NONCE_CHARS[b % NONCE_CHARS.length]).join('');
}

/** The OAuth 1.0a signer for one account's credentials, with the clock and nonce injected. */
export function createSigner(config: NetSuiteClientConfig): (method: string, url: string) => string {
  const oauth = new OAuth({
    consumer: { key: config.consumerKey, secret: config.consumerSecret },
    signature_method: 'HMAC-SHA256',
    hash_function: hmacSha256Base64,
    realm: accountRealm(config.accountId),
  });
  const now = config.now ?? (() => new Date());
  oauth.getTimeStamp = () => Math.floor(now().getTime() / 1000);
  oauth.getNonce = config.nonce ?? randomNonce;
  const token = { key: config.tokenId, secret: config.tokenSecret };
  return (method, url) => oauth.toHeader(oauth.authorize({ url, method }, token)).Authorization;
}

export function createNsClient(config: NetSuiteClientConfig): NsClient {
  const root = `${(config.baseUrl ?? `https://${accountHost(config.accountId)}`).replace(/\/+$/, '')}/services/rest`;
  const doFetch: typeof fetch = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const sleep = config.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const retries = config.concurrencyRetries ?? DEFAULT_CONCURRENCY_RETRIES;
  const limiter = limiterFor(config.accountId, config.concurrency ?? DEFAULT_CONCURRENCY);
  const sign = createSigner(config);

  async function once(method: string, url: string, body?: unknown, extra: Record<string, string> = {}) {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: sign(method, url), ...extra };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      return { kind: 'network', stage: 'request', message: describeFetchError(error) } as const;
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      // The server answered but the connection dropped mid-body: the write may have happened.
      return { kind: 'network', stage: 'body', message: describeFetchError(error) } as const;
    }
    return { kind: 'http', status: res.status, headers: res.headers, body: parseJsonText(text) } as const;
  }

  async function send(method: string, url: string, body?: unknown, extra?: Record<string, string>) {
    for (let attempt = 0; ; attempt += 1) {
      // Signed inside the slot: a request that waited keeps a fresh timestamp and nonce.
      const response: NsResponse = await limiter.run(() => once(method, url, body, extra));
      if (!isConcurrencyLimited(response) || attempt >= retries) return response;
      await sleep(CONCURRENCY_BACKOFF_MS * 2 ** attempt);
    }
  }

  const record = (recordType: string, id: string) =>
    `${root}/record/v1/${recordType}/${id.startsWith('eid:') ? `eid:${encodeURIComponent(id.slice(4))}` : encodeURIComponent(id)}`;

  return {
    limiter,
    get: (recordType, id, expand) =>
      send('GET', `${record(recordType, id)}${expand ? '?expandSubResources=true' : ''}`),
    upsert: (recordType, externalId, body) => send('PUT', record(recordType, `eid:${externalId}`), body),
    patch: (recordType, id, body, replace) =>
      send('PATCH', `${record(recordType, id)}${replace?.length ? `?replace=${replace.join(',')}` : ''}`, body),
    suiteql: (query) => send('POST', `${root}/query/v1/suiteql`, { q: query }, { Prefer: 'transient' }),
  };
}

/** Where a NetSuite connection may send requests in live mode (adapters/hosts.ts): the account's REST host. */
export const API_HOSTS = {
  urlKeys: ['baseUrl'],
  hosts: ['.suitetalk.api.netsuite.com'],
} as const;
