/**
 * @hubspot/api-client wiring: the SDK's generated CRM object and associations-v4 APIs, on a
 * transport built from `fetch`, pointed at a configurable base URL.
 *
 * Why not `new Client({ basePath, numberOfApiCallRetries: 0 })` (@hubspot/api-client 13.5):
 * - `basePath` is honoured, but `Client` has no way to pass a fetch: its generated APIs always
 *   send through node-fetch v2 (node:http underneath). The generated code itself does accept a
 *   transport (`createConfiguration({ httpApi })`); `Client` just never forwards one. So this
 *   file builds the generated APIs directly, with the SDK's own `createConfiguration`,
 *   `ServerConfiguration` and `wrapHttpLibrary`, and a transport on the injected fetch (the
 *   global fetch by default, which is what workerd has).
 * - `Client` retries (RetryDecorator: 5xx and 429, sleeping up to 10 s) and rate-limits
 *   (Bottleneck) through a process-wide singleton (ApiDecoratorService) that the last
 *   constructed `Client` configures for every other one. The hub's job queue owns retries,
 *   with Retry-After it can see; building the APIs without `Client` means no decorator is
 *   ever applied to them, whatever other code in the process does.
 * Auth is a private-app access token sent as Bearer (the SDK's oauth2 auth method), or, when
 * the connection holds OAuth app credentials (`oauth`), an access token kept fresh by the token
 * provider in oauth.ts and set on each request by the transport. An expired or revoked token the
 * provider cannot renew comes back as a failure asking for a reconnect (errors.ts).
 * https://developers.hubspot.com/docs/api/private-apps
 */
import * as associations from '@hubspot/api-client/lib/codegen/crm/associations/v4/index.js';
import * as objects from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import { createTokenProvider, type HubSpotOAuthCredentials, HubSpotOAuthError, type TokenProvider } from './oauth.js';

export interface HubSpotConfig {
  /** Private-app access token (pat-...). */
  accessToken: string;
  /** https://api.hubapi.com (default) or the simulator's loopback URL. */
  baseUrl?: string;
  /** Clock for Retry-After dates (default: system time). */
  now?: () => Date;
  /** Transport (default: the global fetch). */
  fetch?: typeof fetch;
  /** Deal stage ids that count as won for the poller (default ["closedwon"]). */
  triggerStageIds?: string[];
  /** OAuth app credentials: the access token is refreshed through /oauth/v3/token before it expires. */
  oauth?: HubSpotOAuthCredentials;
  /** Called with refreshed credentials (accessToken, refreshToken, accessTokenExpiresAt) to store. */
  onTokenRefresh?: (secrets: Record<string, string>) => void;
}

export const DEFAULT_BASE_URL = 'https://api.hubapi.com';
/** Bounded wait for one HTTP exchange; a read that hangs longer is retried by the job queue. */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * A non-2xx answer whose body is not JSON (a proxy's HTML page, an empty 502). The SDK would
 * fail parsing it and lose the status, so the transport reports it itself.
 */
export class HubSpotHttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly bodyText: string,
  ) {
    super(`HubSpot answered HTTP ${status} with a non-JSON body`);
    this.name = 'HubSpotHttpError';
  }
}

/** The parts of the SDK's RequestContext a transport reads (the same in every generated module). */
interface SdkRequest {
  getUrl(): string;
  getHttpMethod(): string;
  getHeaders(): Record<string, string>;
  getBody(): unknown;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function send(fetchImpl: typeof fetch, request: SdkRequest, tokens?: TokenProvider): Promise<RawResponse> {
  const requestHeaders = { ...request.getHeaders() };
  if (tokens) {
    for (const name of Object.keys(requestHeaders))
      if (name.toLowerCase() === 'authorization') delete requestHeaders[name];
    let token: string;
    try {
      token = await tokens.accessToken();
    } catch (error) {
      // A refresh token HubSpot rejects (400 BAD_REFRESH_TOKEN) needs a reconnect, like a 401.
      if (error instanceof HubSpotOAuthError) {
        const status = error.status === 400 ? 401 : error.status;
        throw new HubSpotHttpError(status, {}, error.bodyText);
      }
      throw error;
    }
    requestHeaders.Authorization = `Bearer ${token}`;
  }
  const response = await fetchImpl(request.getUrl(), {
    method: request.getHttpMethod(),
    headers: requestHeaders,
    body: request.getBody() as RequestInit['body'],
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  // Reading the whole body here means a connection dropped mid-body rejects now, as a
  // transport failure, instead of inside the SDK's deserializer.
  const text = await response.text();
  if ((response.status < 200 || response.status > 299) && !isJson(text)) {
    throw new HubSpotHttpError(response.status, headers, text);
  }
  // The SDK picks its parser by content type; HubSpot always answers JSON.
  if (!headers['content-type'] && text !== '') headers['content-type'] = 'application/json';
  return { status: response.status, headers, text };
}

function body(text: string) {
  return {
    text: async () => text,
    binary: async () => Buffer.from(text, 'utf8'),
  };
}

export interface HubSpotClient {
  /** GET /crm/v3/objects/{type}/{id}, PATCH, ... */
  readonly objects: objects.BasicApi;
  /** POST /crm/v3/objects/{type}/batch/read, ... */
  readonly batch: objects.BatchApi;
  /** POST /crm/v3/objects/{type}/search */
  readonly search: objects.SearchApi;
  /** GET /crm/v4/objects/{type}/{id}/associations/{toType} */
  readonly associations: associations.BasicApi;
}

export function createHubSpotClient(config: HubSpotConfig): HubSpotClient {
  const baseUrl = (config.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  // Resolved per call, so a test or runtime that swaps the global fetch later is followed.
  const fetchImpl: typeof fetch = (input, init) => (config.fetch ?? globalThis.fetch)(input, init);
  const authMethods = { oauth2: { accessToken: config.accessToken } };
  const tokens = config.oauth
    ? createTokenProvider({
        baseUrl,
        accessToken: config.accessToken,
        oauth: config.oauth,
        now: config.now ?? (() => new Date()),
        fetch: fetchImpl,
        ...(config.onTokenRefresh ? { onTokenRefresh: config.onTokenRefresh } : {}),
      })
    : undefined;

  const objectsConfig = objects.createConfiguration({
    baseServer: new objects.ServerConfiguration<Record<string, string>>(baseUrl, {}),
    authMethods,
    httpApi: objects.wrapHttpLibrary({
      send: async (request) => {
        const raw = await send(fetchImpl, request as unknown as SdkRequest, tokens);
        return new objects.ResponseContext(raw.status, raw.headers, body(raw.text));
      },
    }),
  });
  const associationsConfig = associations.createConfiguration({
    baseServer: new associations.ServerConfiguration<Record<string, string>>(baseUrl, {}),
    authMethods,
    httpApi: associations.wrapHttpLibrary({
      send: async (request) => {
        const raw = await send(fetchImpl, request as unknown as SdkRequest, tokens);
        return new associations.ResponseContext(raw.status, raw.headers, body(raw.text));
      },
    }),
  });

  return {
    objects: new objects.BasicApi(objectsConfig),
    batch: new objects.BatchApi(objectsConfig),
    search: new objects.SearchApi(objectsConfig),
    associations: new associations.BasicApi(associationsConfig),
  };
}

/**
 * Where a HubSpot connection may send requests in live mode (adapters/hosts.ts): the API and
 * its OAuth token endpoint both live on api.hubapi.com.
 * https://developers.hubspot.com/docs/api/overview
 */
export const API_HOSTS = { urlKeys: ['baseUrl'], hosts: ['api.hubapi.com'] } as const;
