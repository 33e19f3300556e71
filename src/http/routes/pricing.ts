/** POST /api/v1/pricing/preview: ratePrice over HTTP, for the config UI and for integrators. */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { tryRatePerEvent, tryRatePrice } from '../../domain/index.js';
import { usageSchema } from '../../domain/pricing/types.js';
import type { AppEnv } from '../context.js';
import { problem } from '../problem.js';

const USAGE_FIELDS: ReadonlySet<string> = new Set(Object.keys(usageSchema.shape));

const optionsSchema = z
  .object({
    rounding: z
      .object({ mode: z.enum(['half_up', 'half_even', 'down', 'up']), level: z.enum(['line', 'document']) })
      .strict()
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
          schema: z
            .object({
              price: z.record(z.string(), z.unknown()).openapi({
                description: 'A price spec (src/domain/pricing); its fields are checked by model, unknown ones refused',
                example: { model: 'per_unit', unit_amount: '40.00' },
              }),
              usage: z.record(z.string(), z.unknown()).openapi({
                description: 'Usage to rate (src/domain/pricing/types.ts); unknown fields refused',
                example: { quantity: '25', currency: 'USD' },
              }),
              options: optionsSchema.optional(),
              events: z
                .array(z.string())
                .max(10_000)
                .optional()
                .openapi({
                  description:
                    'Usage billed in advance, per event: event quantities in arrival order after usage.quantity (already billed this period); the answer adds per_event, each event charged cost(after) − cost(before)',
                  example: ['500', '550', '4000'],
                }),
            })
            .strict(),
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
    const { price, usage, options, events } = c.req.valid('json');
    // Rating reads the usage fields it knows; one it does not know is a mistake to name, not to skip.
    const unknownUsage = Object.keys(usage)
      .filter((key) => !USAGE_FIELDS.has(key))
      .map((key) => ({ field: `usage.${key}`, message: 'is not a known field' }));
    const result = tryRatePrice(price, usage, options);
    if (!result.ok || unknownUsage.length > 0) {
      const errors = [
        ...unknownUsage,
        ...(result.ok ? [] : result.issues.map((i) => ({ field: i.path, message: i.message }))),
      ];
      // problem() builds the documented problem+json body; the typed-response helper cannot express it.
      return problem(
        c,
        400,
        'Invalid price',
        errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      ) as never;
    }
    if (events === undefined) return c.json(result.rated, 200);
    const perEvent = tryRatePerEvent(price, usage, events, options);
    if (!perEvent.ok) {
      const errors = perEvent.issues.map((i) => ({ field: i.path, message: i.message }));
      return problem(
        c,
        400,
        'Invalid price',
        errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      ) as never;
    }
    return c.json(
      {
        ...result.rated,
        per_event: {
          charges: perEvent.result.charges.map((e) => ({
            quantity: e.quantity,
            before: e.before,
            after: e.after,
            amount_minor: e.amountMinor,
          })),
          total_minor: perEvent.result.totalMinor,
        },
      },
      200,
    );
  });
}
