/**
 * Xero's error answers (../../../../shared/apispecs/xero.json `errors`): a validation failure is
 * 400 {ErrorNumber: 10, Type: "ValidationException", Message, Elements: [{..., ValidationErrors: [{Message}]}]};
 * an unknown id is 404; a bad token is 401 {Title, Status, Detail} with WWW-Authenticate.
 */
import type { Context } from 'hono';

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });

export function validationResponse(messages: string[], element: Record<string, unknown> = {}): Response {
  return json(
    {
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [{ ...element, ValidationErrors: messages.map((Message) => ({ Message })) }],
    },
    400,
  );
}

export function unauthorized(detail: string): Response {
  return json({ Type: null, Title: 'Unauthorized', Status: 401, Detail: detail }, 401, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${detail}"`,
  });
}

export function notFound(what: string): Response {
  return json({ Title: 'Not Found', Status: 404, Detail: `${what} could not be found` }, 404);
}

/** The body a planned fault answers with (adapters/sandbox/faults.ts). */
export function faultResponse(status: number, _c: Context): Response {
  if (status === 401) return unauthorized('TokenExpired: token expired');
  if (status === 429) {
    return json({ Title: 'Too Many Requests', Status: 429 }, 429, { 'x-rate-limit-problem': 'minute' });
  }
  return json({ ErrorNumber: 500, Type: 'UnknownErrorException', Message: 'An error occurred in Xero.' }, status);
}

/** Thrown by a resource's validation: answered as Xero's 400. */
export class SimValidationError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('; '));
  }
}

export const refuse = (...messages: string[]): never => {
  throw new SimValidationError(messages);
};
