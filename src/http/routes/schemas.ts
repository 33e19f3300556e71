/** OpenAPI schemas shared by the /api/v1 route files. */
import { z } from '@hono/zod-openapi';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');
export const problemContent = { 'application/problem+json': { schema: problemSchema } };
