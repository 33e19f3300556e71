/**
 * The simulator's error answers in AvaTax's `{"error":{...}}` envelope, and what an injected
 * fault looks like. https://developer.avalara.com/avatax/errors/
 */
import type { Context } from 'hono';

/** The `error` object of AvaTax's envelope. */
export interface SimError {
  status: number;
  code: string;
  number: number;
  message: string;
  target: string;
  refersTo?: string;
  faultCode?: 'Client' | 'Server';
}

export function errorEnvelope(e: SimError): unknown {
  return {
    error: {
      code: e.code,
      message: e.message,
      target: e.target,
      details: [
        {
          code: e.code,
          number: e.number,
          message: e.message,
          description: e.message,
          faultCode: e.faultCode ?? 'Client',
          helpLink: `https://developer.avalara.com/avatax/errors/${e.code}`,
          ...(e.refersTo ? { refersTo: e.refersTo } : {}),
          severity: 'Error',
        },
      ],
    },
  };
}

export const ERRORS = {
  auth: {
    status: 401,
    code: 'AuthenticationException',
    number: 30,
    message: 'Authentication failed.',
    target: 'HttpRequestHeaders',
  },
  rate: {
    status: 429,
    code: 'RateLimitExceededError',
    number: 1723,
    message: 'Too many requests: the rate limit was exceeded.',
    target: 'HttpRequest',
  },
  server: {
    status: 500,
    code: 'ServerConfiguration',
    number: 1,
    message: 'An unexpected error occurred on the server.',
    target: 'AvaTaxApiServer',
    faultCode: 'Server',
  },
} satisfies Record<string, SimError>;

export const send = (c: Context, e: SimError): Response => c.json(errorEnvelope(e), e.status as 400);

export function faultError(status: number): SimError {
  if (status === 401) return ERRORS.auth;
  if (status === 429) return ERRORS.rate;
  return { ...ERRORS.server, status };
}
