/**
 * Stripe SDK wiring. The fetch-based transport works on Node and on workerd alike
 * (https://github.com/stripe/stripe-node#configuration); the SDK's own retries are off
 * because the hub's durable job queue owns retrying (with the same idempotency key).
 */
import Stripe from 'stripe';

export interface StripeClientConfig {
  apiKey: string;
  /** e.g. `http://127.0.0.1:4242` for the simulator; defaults to https://api.stripe.com. */
  baseUrl?: string;
  /** A fetch to use instead of the global one (e.g. a simulator's `app.fetch` inside one worker). */
  fetch?: typeof fetch;
  /** Request timeout in ms; the SDK default is 80 s. */
  timeoutMs?: number;
}

/**
 * The Stripe API version every request is pinned to: the SDK's own default constant
 * (`Stripe.API_VERSION`, "2026-10-28.endive" for stripe@23.1.0), the version its types
 * describe. Upgrading the SDK moves this pin; review the Stripe changelog when it does.
 * https://docs.stripe.com/api/versioning
 */
export const STRIPE_API_VERSION = Stripe.API_VERSION;

export function createStripeClient(config: StripeClientConfig): Stripe {
  const settings: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION,
    httpClient: Stripe.createFetchHttpClient(config.fetch),
    maxNetworkRetries: 0,
    ...(config.timeoutMs !== undefined ? { timeout: config.timeoutMs } : {}),
  };
  if (config.baseUrl) {
    const url = new URL(config.baseUrl);
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    settings.protocol = protocol;
    settings.host = url.hostname;
    settings.port = url.port || (protocol === 'http' ? 80 : 443);
  }
  return new Stripe(config.apiKey, settings);
}

/**
 * Where a Stripe connection may send requests in live mode (adapters/hosts.ts); test mode uses
 * the same host with a test key. https://docs.stripe.com/api
 */
export const API_HOSTS = { urlKeys: ['baseUrl'], hosts: ['api.stripe.com'] } as const;
