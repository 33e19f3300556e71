/**
 * A thin fetch-based client for the QuickBooks Online Accounting API v3, used on Node AND on
 * Cloudflare Workers.
 *
 * Why not the `node-quickbooks` package: it fails at construction in workerd
 * (`EvalError: Code generation from strings disallowed`) and sits on the deprecated `request`
 * library, while the hub must run unchanged on Node and on Workers. The hub needs a few
 * creates, a read, the void operation and one query, all plain JSON over HTTPS, so global `fetch` is enough on both runtimes.
 *
 * REST conventions: https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 * This file only moves bytes; errors.ts decides what a response means.
 */
import { describeFetchError, parseJsonText } from '../response-text.js';

export const QBO_PRODUCTION_BASE_URL = 'https://quickbooks.api.intuit.com';
export const QBO_SANDBOX_BASE_URL = 'https://sandbox-quickbooks.api.intuit.com';
export const DEFAULT_MINOR_VERSION = '75';

export type QboEntity = 'customer' | 'item' | 'invoice' | 'payment' | 'creditmemo' | 'refundreceipt' | 'journalentry';

export interface QboClientConfig {
  baseUrl: string;
  realmId: string;
  accessToken: string;
  minorVersion?: string;
  fetch?: typeof fetch;
}

/** What came back: an HTTP answer (body parsed when it was JSON), or no usable answer at all. */
export type QboResponse =
  | { kind: 'http'; status: number; headers: Headers; body: unknown }
  /** `stage` says whether the request failed before any answer or while reading the body. */
  | { kind: 'network'; stage: 'request' | 'body'; message: string };

export interface QboClient {
  /**
   * POST /v3/company/{realmId}/{entity}?requestid=…&minorversion=…
   * `requestid` is Intuit's idempotency key: unique per realm, ≤ 50 characters; a repeated
   * requestid returns the original response instead of creating again.
   * https://blogs.intuit.com/2015/04/06/15346/ (Request ID for QuickBooks Online)
   */
  create(entity: QboEntity, body: unknown, requestId: string): Promise<QboResponse>;
  /**
   * GET /v3/company/{realmId}/query?query=<select statement>&minorversion=…
   * https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
   */
  query(statement: string): Promise<QboResponse>;
  /** GET /v3/company/{realmId}/{entity}/{id}?minorversion=… (for the current SyncToken). */
  read(entity: QboEntity, id: string): Promise<QboResponse>;
  /**
   * POST /v3/company/{realmId}/{entity}?operation=<op>&requestid=…&minorversion=… — e.g. the
   * invoice void operation, body {Id, SyncToken}.
   * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice#void-an-invoice
   */
  operation(entity: QboEntity, operation: 'void', body: unknown, requestId: string): Promise<QboResponse>;
}

export function createQboClient(config: QboClientConfig): QboClient {
  const base = `${config.baseUrl.replace(/\/+$/, '')}/v3/company/${encodeURIComponent(config.realmId)}`;
  const minorVersion = config.minorVersion ?? DEFAULT_MINOR_VERSION;
  // Resolve global fetch at call time so test interceptors installed later still see the call.
  const doFetch: typeof fetch = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const headers = {
    Accept: 'application/json',
    Authorization: `Bearer ${config.accessToken}`,
  };

  async function send(url: string, init: RequestInit): Promise<QboResponse> {
    let res: Response;
    try {
      res = await doFetch(url, init);
    } catch (error) {
      return { kind: 'network', stage: 'request', message: describeFetchError(error) };
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      // The server answered but the connection dropped mid-body: the write may have happened.
      return { kind: 'network', stage: 'body', message: describeFetchError(error) };
    }
    return { kind: 'http', status: res.status, headers: res.headers, body: parseJsonText(text) };
  }

  return {
    create(entity, body, requestId) {
      return send(`${base}/${entity}?${queryString({ requestid: requestId, minorversion: minorVersion })}`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    },
    read(entity, id) {
      return send(`${base}/${entity}/${encodeURIComponent(id)}?${queryString({ minorversion: minorVersion })}`, {
        method: 'GET',
        headers,
      });
    },
    operation(entity, operation, body, requestId) {
      const query = queryString({ operation, requestid: requestId, minorversion: minorVersion });
      return send(`${base}/${entity}?${query}`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    },
    query(statement) {
      return send(`${base}/query?${queryString({ query: statement, minorversion: minorVersion })}`, {
        method: 'GET',
        headers,
      });
    },
  };
}

/** Percent-encodes with %20 for spaces (as Intuit's examples do) rather than form-style '+'. */
function queryString(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
}

/**
 * Where a QuickBooks connection may send requests in live mode (adapters/hosts.ts): production
 * and the sandbox company host.
 * https://developer.intuit.com/app/developer/qbo/docs/develop/sandboxes
 */
export const API_HOSTS = {
  urlKeys: ['baseUrl'],
  hosts: ['quickbooks.api.intuit.com', 'sandbox-quickbooks.api.intuit.com'],
} as const;
