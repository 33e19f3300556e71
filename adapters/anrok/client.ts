/**
 * Anrok's REST API over fetch (Anrok publishes no SDK). Every call is an HTTP POST with a JSON
 * body and `Authorization: Bearer <API key>` (../shared/apispecs/anrok.json: auth), under
 * `/v1/seller/...`. Errors become AnrokHttpError / AnrokTransportError (errors.ts).
 */
import { AnrokHttpError, AnrokTransportError } from './errors.js';

export interface AnrokClientOptions {
  /** https://api.anrok.com, or the simulator's loopback URL. */
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout in ms (default 30 s); a timed-out write is indeterminate. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type AnrokClient = (path: string, body: object) => Promise<unknown>;

export function createAnrokClient(options: AnrokClientOptions): AnrokClient {
  if (!/^https?:\/\//.test(options.baseUrl)) {
    throw new TypeError(`Anrok baseUrl must start with http:// or https://, got ${options.baseUrl}`);
  }
  const base = options.baseUrl.replace(/\/+$/, '');
  return async (path, body) => {
    // Resolved per call so test interceptors (nock) see the global fetch.
    const doFetch = options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          Authorization: `Bearer ${options.apiKey}`,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw new AnrokTransportError('request', cause);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      throw new AnrokTransportError('response', cause, response.status);
    }
    const json = parseJson(text);
    if (!response.ok) throw new AnrokHttpError(response.status, response.headers.get('retry-after'), json ?? text);
    if (json === undefined || typeof json !== 'object' || json === null) {
      throw new AnrokHttpError(response.status, null, text);
    }
    return json;
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `id:{transactionId}` path segment Anrok addresses a transaction by. */
export const transactionPath = (id: string, action: string) =>
  `/v1/seller/transactions/id:${encodeURIComponent(id)}/${action}`;

/** Where an Anrok connection may send requests in live mode (adapters/hosts.ts). */
export const API_HOSTS = { urlKeys: ['baseUrl'], hosts: ['api.anrok.com'] } as const;
