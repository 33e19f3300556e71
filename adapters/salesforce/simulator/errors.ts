/**
 * The simulator's error answers: Salesforce's error array for the REST API, and what an injected
 * fault looks like (an OAuth error body, Salesforce's array, or a proxy's plain page).
 */
import type { Context } from 'hono';

export type SalesforceError = { message: string; errorCode: string; fields?: string[] };

export function sfErrors(c: Context, status: number, errors: SalesforceError[]): Response {
  return c.json(errors, status as 400);
}

export const notFound = (c: Context) =>
  sfErrors(c, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);

/** Error bodies for injected faults: Salesforce's array, or a proxy's page where Salesforce never answers so. */
export function faultBody(status: number, c: Context): Response {
  if (new URL(c.req.url).pathname.startsWith('/services/oauth2/')) {
    return c.json({ error: 'server_error', error_description: 'simulated failure' }, status as 500);
  }
  if (status === 401)
    return sfErrors(c, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  if (status === 500) {
    return sfErrors(c, 500, [
      {
        message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1',
        errorCode: 'UNKNOWN_EXCEPTION',
      },
    ]);
  }
  if (status === 503) {
    return sfErrors(c, 503, [{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }]);
  }
  // The REST API signals limits with 403 REQUEST_LIMIT_EXCEEDED; a 429 or 502 comes from
  // something in between, with a plain body.
  return c.text(status === 429 ? 'Too Many Requests' : 'Bad Gateway', status as 429);
}
