/**
 * Adyen SDK wiring (@adyen/api-library). The SDK's own transport (HttpURLConnectionClient) is
 * built on Node's `https` module and an `https-proxy-agent`, which do not run on Workers; the SDK
 * takes any client implementing its `ClientInterface` (`request(endpoint, json, config,
 * isApiKeyRequired, requestOptions)`), so the hub hands it one over `fetch` that runs on Node and
 * workerd alike. The SDK still builds every URL, serialises every model and sets the
 * Idempotency-Key; this client only carries the bytes.
 * https://github.com/Adyen/adyen-node-api-library#using-a-custom-http-client
 */
import adyen from '@adyen/api-library';

// The library is CommonJS whose named exports Node's ESM loader cannot detect: read them off the default.
const { CheckoutAPI, Client, Config, EnvironmentEnum } = adyen;
type CheckoutAPI = InstanceType<typeof CheckoutAPI>;
type Config = InstanceType<typeof Config>;

type ClientInterface = NonNullable<ConstructorParameters<typeof Client>[1]>;
type RequestOptions = Parameters<ClientInterface['request']>[4];

export interface AdyenClientConfig {
  apiKey: string;
  /** 'TEST' (checkout-test.adyen.com) or 'LIVE' (needs the account's live URL prefix). */
  environment?: 'TEST' | 'LIVE';
  liveEndpointUrlPrefix?: string;
  /** Replaces the Checkout host, keeping the SDK's path (`/v71/...`): the simulator's URL. */
  baseUrl?: string;
  fetch?: typeof fetch;
}

/** The API answered with a non-2xx status; `body` is its ServiceError when it sent one. */
export class AdyenHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { errorCode?: string; errorType?: string; message?: string; pspReference?: string } | undefined,
    readonly retryAfter: string | null,
  ) {
    super(`Adyen HTTP ${status}${body?.message ? `: ${body.message}` : ''}`);
    this.name = 'AdyenHttpError';
  }
}

/** The request failed before a complete answer arrived (connection refused, dropped, unreadable). */
export class AdyenConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdyenConnectionError';
  }
}

/** Adyen's Checkout API host as the SDK builds it for TEST; a baseUrl replaces it. */
const TEST_ORIGIN = 'https://checkout-test.adyen.com';

export class FetchHttpClient implements ClientInterface {
  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly baseUrl?: string,
  ) {}

  async request(
    endpoint: string,
    json: string | Buffer,
    config: Config,
    _apiKeyRequired: boolean,
    options?: RequestOptions,
  ) {
    const url = new URL(
      this.baseUrl && endpoint.startsWith(TEST_ORIGIN) ? this.baseUrl + endpoint.slice(TEST_ORIGIN.length) : endpoint,
    );
    const params = options?.params;
    if (params) for (const [k, v] of new URLSearchParams(params as Record<string, string>)) url.searchParams.set(k, v);
    const headers = new Headers({ 'content-type': 'application/json', 'x-api-key': config.apiKey ?? '' });
    for (const [k, v] of Object.entries(options?.headers ?? {})) if (typeof v === 'string') headers.set(k, v);
    if (options?.idempotencyKey) headers.set('Idempotency-Key', options.idempotencyKey);
    const method = options?.method ?? 'POST';
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        ...(method === 'GET' || method === 'DELETE'
          ? {}
          : { body: typeof json === 'string' ? json : new Uint8Array(json) }),
      });
      text = await response.text();
    } catch (error) {
      throw new AdyenConnectionError(error instanceof Error ? error.message : String(error));
    }
    if (response.status < 200 || response.status >= 300) {
      let body: AdyenHttpError['body'];
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      throw new AdyenHttpError(response.status, body, response.headers.get('retry-after'));
    }
    // A cut-off answer (the connection dropped mid-body) arrives as an empty or truncated text:
    // the write may have been applied, so it is reported like a dropped connection.
    if (response.status !== 204) {
      try {
        JSON.parse(text);
      } catch {
        throw new AdyenConnectionError(`unreadable answer (${text.length} bytes) from ${url.pathname}`);
      }
    }
    return text;
  }
}

export function createAdyenCheckout(config: AdyenClientConfig): CheckoutAPI {
  const client = new Client(
    new Config({
      apiKey: config.apiKey,
      environment: config.environment === 'LIVE' ? EnvironmentEnum.LIVE : EnvironmentEnum.TEST,
      ...(config.liveEndpointUrlPrefix ? { liveEndpointUrlPrefix: config.liveEndpointUrlPrefix } : {}),
    }),
    new FetchHttpClient(config.fetch ?? ((input, init) => fetch(input, init)), config.baseUrl),
  );
  return new CheckoutAPI(client);
}

/**
 * Where an Adyen connection may send requests in live mode (adapters/hosts.ts): the test host
 * and the live hosts under the account's prefix. https://docs.adyen.com/development-resources/live-endpoints
 */
export const API_HOSTS = {
  urlKeys: ['baseUrl'],
  hosts: ['checkout-test.adyen.com', '.adyenpayments.com'],
} as const;
