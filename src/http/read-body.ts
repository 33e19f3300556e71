/** Reads a JSON body against a zod schema, answering the problem (400, naming each field) itself. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { invalidRequest, zodFieldProblems } from './problem.js';

export async function readBody<T>(
  c: Context,
  schema: z.ZodType<T>,
): Promise<{ value: T; response?: undefined } | { response: Response }> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { response: invalidRequest(c, [{ field: '(body)', message: 'must be a JSON object' }]) };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      response: invalidRequest(c, zodFieldProblems(parsed.error.issues, { root: '(body)' })),
    };
  }
  return { value: parsed.data };
}
