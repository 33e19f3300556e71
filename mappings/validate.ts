/** What a mapping must produce: a complete contract draft, every field checked. */
import { z } from 'zod';
import { isIsoDate } from '../src/domain/dates.js';
import { decimal, isDecimalString, isKnownCurrency } from '../src/domain/money.js';

const decimalString = z
  .string({ error: 'must be a decimal string' })
  .refine(isDecimalString, 'must be a decimal number such as "12.50"')
  .refine((v) => !v.startsWith('-'), 'must not be negative');

const addressSchema = z.object({
  line1: z.string(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  country: z.string().length(2, 'country must be an ISO 3166 alpha-2 code'),
});

const priceSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('flat_fee'), amount: decimalString }),
  z.object({ model: z.literal('per_unit'), unit_amount: decimalString }),
]);

export const contractDraftSchema = z.object({
  customer: z.object({
    sourceId: z.string({ error: 'the deal has no account' }).min(1),
    name: z.string({ error: 'the account has no name' }).min(1),
    email: z.string().nullable(),
    address: addressSchema.nullable(),
  }),
  currency: z.string({ error: 'currency is missing' }).superRefine((value, ctx) => {
    if (!isKnownCurrency(value)) ctx.addIssue({ code: 'custom', message: `unknown currency "${value}"` });
  }),
  startDate: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'),
  billingCadence: z.literal('monthly'),
  billingTiming: z.literal('in_advance'),
  paymentTermsDays: z.number().int().min(0).max(365),
  lines: z
    .array(
      z.object({
        sourceLineId: z.string().min(1),
        sku: z.string().min(1),
        productName: z.string().min(1),
        description: z.string(),
        quantity: decimalString.refine((v) => decimal(v).gt(0), 'quantity must be greater than zero'),
        price: priceSchema,
      }),
      { error: 'the deal has no line items' },
    )
    .min(1, 'the deal has no line items'),
});
