/** RFC 9457 problem bodies for every error the API returns; 4xx name the field at fault. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { inputIssues } from '../domain/grammar.js';

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

/** At most this many field problems go in one body; the detail says how many there were. */
export const MAX_REPORTED_PROBLEMS = 100;

/** A 400 problem listing the fields at fault (the first MAX_REPORTED_PROBLEMS of them). */
export function invalidRequest(c: Context, errors: FieldProblem[]): Response {
  const shown = errors.slice(0, MAX_REPORTED_PROBLEMS);
  const more = errors.length - shown.length;
  const detail = shown.map((e) => `${e.field}: ${e.message}`).join('; ') + (more > 0 ? `; and ${more} more` : '');
  return problem(c, 400, 'Invalid request', detail, shown);
}

/** zod's issues as field problems under `prefix` ("terms"), each unknown key named as its own field. */
export function zodFieldProblems(
  issues: Parameters<typeof inputIssues>[0],
  options: { prefix?: string; root?: string } = {},
): FieldProblem[] {
  return inputIssues(issues).map((i) => ({
    field: [...(options.prefix ? [options.prefix] : []), ...i.path.map(String)].join('.') || (options.root ?? '(root)'),
    message: i.message,
  }));
}

/** defaultHook for OpenAPIHono: a zod failure becomes a 400 problem naming each field ("events.12.timestamp"). */
export function zodProblemHook(
  result: { success: true } | { success: false; error: { issues: Parameters<typeof inputIssues>[0] } },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  return invalidRequest(c, zodFieldProblems(result.error.issues));
}
