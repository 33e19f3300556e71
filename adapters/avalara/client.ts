/**
 * AvaTax SDK wiring (`avatax` v26, https://github.com/avadev/AvaTax-REST-V2-JS-SDK).
 *
 * How the SDK does HTTP: every API method builds its URL with `buildUrl` (base URL + path + query)
 * and the `X-Avalara-Client` value, then calls `restCall`, which uses the GLOBAL `fetch` (not
 * node-fetch; `node-fetch` is only a types dependency) — so it is usable in workerd with
 * nodejs_compat (`withSecurity` uses `Buffer`, and the module requires `form-data` at load).
 * `environment` accepts a full `http://` / `https://` URL, which is how we point it at the
 * simulator; any other value silently means production, so we check the URL first.
 *
 * Why `restCall` is overridden: the SDK's `restCall` throws an `AvalaraError` carrying only the
 * envelope's code/message/target/details — the HTTP status and the `Retry-After` header are lost,
 * a 429 or 5xx without a JSON body becomes a generic `FormatException`, and a connection cut after
 * the status line is indistinguishable from a malformed body. Our error rules need all three, so
 * the override keeps the SDK's request shape (same headers, same JSON body, same URL) and throws
 * `AvaTaxHttpError` / `AvaTaxTransportError` instead. Everything else (URLs, query strings,
 * models, client id header) is the SDK's.
 */
import AvaTaxClient from 'avatax';
import { type AvalaraErrorInfo, AvaTaxHttpError, AvaTaxTransportError } from './errors.js';

export interface AvaTaxClientOptions {
  baseUrl: string;
  accountId: string;
  licenseKey: string;
  appName?: string;
  appVersion?: string;
  machineName?: string;
  /** Per-request timeout; a timed-out write is indeterminate. */
  timeoutMs?: number;
}

interface RestCallRequest {
  url: string;
  verb: string;
  payload: unknown;
  clientId?: string;
  mapHeader?: Map<string, string>;
}

class HubAvaTaxClient extends AvaTaxClient {
  // The SDK types restCall as returning T; the override keeps that contract.
  override async restCall<T extends object>(request: RestCallRequest, _toType: { new (): T }): Promise<T> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      Authorization: this.auth,
      'X-Avalara-Client': request.clientId ?? '',
    };
    for (const [key, value] of request.mapHeader ?? []) headers[key] = value;
    let response: Response;
    try {
      // Resolved per call so test interceptors and runtime polyfills of fetch are honoured.
      response = await globalThis.fetch(request.url, {
        method: request.verb.toUpperCase(),
        headers,
        body: request.payload == null ? undefined : JSON.stringify(request.payload),
        signal: AbortSignal.timeout(this.timeout),
      });
    } catch (cause) {
      throw new AvaTaxTransportError('request', cause);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      throw new AvaTaxTransportError('response', cause, response.status);
    }
    const json = parseJson(text);
    const info = errorInfoOf(json);
    if (!response.ok || info || json === undefined || json === null) {
      throw new AvaTaxHttpError(response.status, response.headers.get('retry-after'), info, text);
    }
    return json as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorInfoOf(json: unknown): AvalaraErrorInfo | undefined {
  if (typeof json !== 'object' || json === null || !('error' in json)) return undefined;
  const error = (json as { error: unknown }).error;
  return typeof error === 'object' && error !== null ? (error as AvalaraErrorInfo) : undefined;
}

export type AvaTaxSdkClient = AvaTaxClient;

export function createAvaTaxClient(options: AvaTaxClientOptions): AvaTaxSdkClient {
  if (!/^https?:\/\//.test(options.baseUrl)) {
    // The SDK would silently fall back to production for anything else.
    throw new TypeError(`Avalara baseUrl must start with http:// or https://, got ${options.baseUrl}`);
  }
  const client = new HubAvaTaxClient({
    appName: options.appName ?? 'cpq-to-cash-hub',
    appVersion: options.appVersion ?? '0.1.0',
    machineName: options.machineName ?? 'hub',
    // The SDK appends '/api/v2/...' to this string as is.
    environment: options.baseUrl.replace(/\/+$/, ''),
    timeout: options.timeoutMs ?? 30_000,
  });
  return client.withSecurity({ username: options.accountId, password: options.licenseKey });
}

/**
 * Where an AvaTax connection may send requests in live mode (adapters/hosts.ts): production and
 * the sandbox environment. https://developer.avalara.com/avatax/dev-guide/getting-started-with-avatax/
 */
export const API_HOSTS = { urlKeys: ['baseUrl'], hosts: ['rest.avatax.com', 'sandbox-rest.avatax.com'] } as const;
