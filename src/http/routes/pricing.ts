/** POST /api/v1/pricing/preview: ratePrice over HTTP, for the config UI and for integrators. */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { tryRatePrice } from '../../domain/index.js';
import type { AppEnv } from '../context.js';
import { problem } from '../problem.js';

const optionsSchema = z
  .object({
    rounding: z
      .object({ mode: z.enum(['half_up', 'half_even', 'down', 'up']), level: z.enum(['line', 'document']) })
      .optional(),
    packageRounding: z.enum(['up', 'down']).optional(),
    zeroUsageBillsFirstTierFlat: z.boolean().optional(),
  })
  .strict();

const previewRoute = createRoute({
  method: 'post',
  path: '/pricing/preview',
  summary: 'Rate a price spec against usage and explain the result tier by tier',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            price: z.record(z.string(), z.unknown()).openapi({ example: { model: 'per_unit', unit_amount: '40.00' } }),
            usage: z.record(z.string(), z.unknown()).openapi({ example: { quantity: '25', currency: 'USD' } }),
            options: optionsSchema.optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The rated price with its breakdown',
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
    },
    400: {
      description: 'Bad price, usage or options; errors name the field',
      content: { 'application/problem+json': { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

export function mountPricingRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(previewRoute, async (c) => {
    const { price, usage, options } = c.req.valid('json');
    const result = tryRatePrice(price, usage, options);
    if (!result.ok) {
      const errors = result.issues.map((i) => ({ field: i.path, message: i.message }));
      // problem() builds the documented problem+json body; the typed-response helper cannot express it.
      return problem(
        c,
        400,
        'Invalid price',
        errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      ) as never;
    }
    return c.json(result.rated, 200);
  });
}
