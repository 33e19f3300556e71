/**
 * NetSuite's REST error envelope: {type, title, status, "o:errorDetails": [{detail, "o:errorCode", "o:errorPath"}]}
 * (../../../../shared/apispecs/netsuite.json `errors`), as application/vnd.oracle.resource+json; type=error.
 */
import type { Context } from 'hono';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function errorResponse(status: number, code: string, detail: string, path?: string): Response {
  const body = {
    type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html',
    title: TITLES[status] ?? 'Error',
    status,
    'o:errorDetails': [{ detail, 'o:errorCode': code, ...(path ? { 'o:errorPath': path } : {}) }],
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/vnd.oracle.resource+json; type=error; charset=UTF-8' },
  });
}

/** The body a planned fault answers with (adapters/sandbox/faults.ts). */
export function faultResponse(status: number, _c: Context): Response {
  if (status === 401) return errorResponse(401, 'INVALID_LOGIN_ATTEMPT', 'Invalid login attempt.');
  if (status === 429) return errorResponse(429, 'REQUEST_LIMIT_EXCEEDED', 'Request rate limit exceeded.');
  return errorResponse(status, 'UNEXPECTED_ERROR', 'An unexpected error occurred.');
}

/** A validation failure: 400 with the field path NetSuite names. */
export class SimValidationError extends Error {
  constructor(
    readonly code: string,
    detail: string,
    readonly path?: string,
  ) {
    super(detail);
  }
  response(): Response {
    return errorResponse(400, this.code, this.message, this.path);
  }
}
