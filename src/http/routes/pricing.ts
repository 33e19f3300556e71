/**
 * POST /api/v1/pricing/preview: ratePrice over HTTP, for the config UI and for integrators. The
 * `payable` block is what the customer is charged for the rated amount (plus `tax_minor`, when
 * given): the grand total rounded as an invoice's is at finalize (src/domain/payable.ts), by the
 * policy's cash increment and, with providerAmounts round_to_provider, the step of the org's
 * payment provider (PaymentPort.amountStep; Stripe: adapters/stripe/amounts.ts).
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { cashIncrementMinor, payableTotal, tryRatePerEvent, tryRatePrice } from '../../domain/index.js';
import { DEFAULT_ROUNDING, isKnownCurrency } from '../../domain/money.js';
import { usageSchema } from '../../domain/pricing/types.js';
import type { AppEnv, HubContext } from '../context.js';
import { problem } from '../problem.js';

const USAGE_FIELDS: ReadonlySet<string> = new Set(Object.keys(usageSchema.shape));

const optionsSchema = z
  .object({
    rounding: z
      .object({
        mode: z.enum(['half_up', 'half_even', 'down', 'up']),
        level: z.enum(['line', 'document']),
        cashIncrement: z
          .string()
          .regex(/^\d+(\.\d+)?$/)
          .optional()
          .openapi({ description: 'Cash rounding of the total in major units, e.g. "0.05" for CHF', example: '0.05' }),
        providerAmounts: z.enum(['exact', 'round_to_provider']).optional().openapi({
          description: "round_to_provider: the total also follows the org's payment provider's amount step",
        }),
      })
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
              tax_minor: z.number().int().min(0).optional().openapi({
                description:
                  'Tax on the rated amount, in minor units (an invoice rounds its grand total after tax); default 0',
              }),
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
      description:
        'The rated price with its breakdown, and `payable`: {exact_minor, amount_minor, rounding_minor, step_minor, rules, provider, why}, what the customer is charged once the total (amount + tax_minor) is rounded as the invoice rounds it',
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
    },
    400: {
      description: 'Bad price, usage or options; errors name the field',
      content: { 'application/problem+json': { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

/** The org's payment provider and its amount step in `currency` (none: no provider, step 1). */
async function providerStep(hub: HubContext, orgId: string, currency: string) {
  const adapters = await hub.adaptersFor(orgId);
  if (!adapters.ok) return { provider: null, stepMinor: 1 };
  const { payment } = adapters.value;
  return { provider: payment.vendor, stepMinor: payment.amountStep?.(currency) ?? 1 };
}

export function mountPricingRoutes(api: OpenAPIHono<AppEnv>, hub: HubContext): void {
  api.openapi(previewRoute, async (c) => {
    const { price, usage, options, events, tax_minor: taxMinor = 0 } = c.req.valid('json');
    // Rating reads the usage fields it knows; one it does not know is a mistake to name, not to skip.
    const unknownUsage = Object.keys(usage)
      .filter((key) => !USAGE_FIELDS.has(key))
      .map((key) => ({ field: `usage.${key}`, message: 'is not a known field' }));
    const result = tryRatePrice(price, usage, options);
    const currency = typeof usage.currency === 'string' ? usage.currency : '';
    const increment = options?.rounding?.cashIncrement;
    const badIncrement =
      increment !== undefined && isKnownCurrency(currency) && cashIncrementMinor(increment, currency) === null
        ? [{ field: 'options.rounding.cashIncrement', message: `is not a whole number of ${currency} minor units` }]
        : [];
    if (!result.ok || unknownUsage.length > 0 || badIncrement.length > 0) {
      const errors = [
        ...unknownUsage,
        ...badIncrement,
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
    const payable = await payableOf(hub, c.get('orgId'), result.rated.amountMinor + taxMinor, result.rated.currency, {
      ...DEFAULT_ROUNDING,
      ...options?.rounding,
    });
    if (events === undefined) return c.json({ ...result.rated, payable }, 200);
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
        payable,
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

/** The `payable` block: the total rounded as finalize rounds an invoice's, and why. */
async function payableOf(
  hub: HubContext,
  orgId: string,
  exactMinor: number,
  currency: string,
  policy: Parameters<typeof payableTotal>[2],
) {
  const wantsProvider = policy.providerAmounts === 'round_to_provider';
  const { provider, stepMinor } = wantsProvider
    ? await providerStep(hub, orgId, currency)
    : { provider: null, stepMinor: 1 };
  const p = payableTotal(exactMinor, currency, policy, stepMinor);
  return {
    exact_minor: exactMinor,
    amount_minor: p.totalMinor,
    rounding_minor: p.roundingMinor,
    step_minor: p.stepMinor,
    rules: p.rules,
    provider,
    why:
      p.stepMinor === 1
        ? wantsProvider && provider !== null
          ? `${provider} takes any ${currency} amount; no rounding`
          : 'no rounding'
        : `${p.explanation}${p.rules.includes('provider') ? `, the amount step of ${provider} in ${currency}` : ''}`,
  };
}
