/**
 * The simulator's error answers: Stripe's error object, and what an injected fault looks like.
 * https://docs.stripe.com/api/errors
 */

export interface SimResult {
  status: number;
  body: unknown;
  /** False for requests rejected before execution began: Stripe does not store those under the key. */
  cache: boolean;
}

export function stripeError(
  status: number,
  error: { type: string; message: string; code?: string; param?: string; [extra: string]: unknown },
  cache = false,
): SimResult {
  return { status, body: { error }, cache };
}

export function invalidParam(message: string, param: string, code?: string): SimResult {
  return stripeError(400, { type: 'invalid_request_error', message, param, ...(code ? { code } : {}) });
}

export function missing(noun: string, id: string): SimResult {
  return stripeError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${noun}: '${id}'`,
    param: 'id',
  });
}

export function faultError(status: number): SimResult {
  if (status === 429) {
    return stripeError(429, {
      type: 'invalid_request_error',
      code: 'rate_limit',
      message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
    });
  }
  if (status === 401) {
    return stripeError(401, {
      type: 'invalid_request_error',
      code: 'api_key_expired',
      message: 'Expired API Key provided: sk_test_****',
    });
  }
  return stripeError(status, { type: 'api_error', message: 'An unknown error occurred' });
}
