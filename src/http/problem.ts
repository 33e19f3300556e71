/** RFC 9457 problem bodies for every error the API returns; 4xx name the field at fault. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface FieldProblem {
  field: string;
  message: string;
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  detail: string,
  errors?: FieldProblem[],
): Response {
  const body = {
    type: `https://cpq-to-cash-hub.dev/problems/${title.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}`,
    title,
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}
