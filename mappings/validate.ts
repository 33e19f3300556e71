/**
 * What a mapping must produce: a complete contract draft, every field checked. The draft is a
 * flat view of contract terms (src/domain/contracts/terms.ts): prices, cadences, timing, metric,
 * free units, discounts, minimum commitment and renewal reuse the terms' own zod schemas, so
 * termsFromDraft is a copy and a price the pricing engine accepts is a price a mapping may set.
 */
import { z } from 'zod';
import {
  cadenceSchema,
  contractItemSchema,
  contractTermsSchema,
  discountSchema,
  minimumCommitmentSchema,
} from '../src/domain/contracts/terms.js';
import { isoDateSchema } from '../src/domain/grammar.js';
import { decimal, isDecimalString, isKnownCurrency } from '../src/domain/money.js';
import { priceSpecSchema } from '../src/domain/pricing/schema.js';

const decimalString = z
  .string({ error: 'must be a decimal string' })
  // abort: the checks after this one read the value as a decimal.
  .refine(isDecimalString, { message: 'must be a decimal number such as "12.50"', abort: true })
  .refine((v) => !v.startsWith('-'), 'must not be negative');

const isoDate = isoDateSchema;

const addressSchema = z.object({
  line1: z.string(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  country: z.string().length(2, 'country must be an ISO 3166 alpha-2 code'),
});

const timingSchema = z.enum(['in_advance', 'in_arrears'], { error: "must be 'in_advance' or 'in_arrears'" });

const lineSchema = z
  .object({
    sourceLineId: z.string().min(1),
    sku: z.string().min(1),
    productName: z.string().min(1),
    description: z.string(),
    /** Billed quantity; optional on a metered line (usage of `metric` is billed instead). */
    quantity: decimalString
      .refine((v) => decimal(v).gt(0), 'quantity must be greater than zero')
      .nullable()
      .optional(),
    /** Any price the pricing engine accepts (src/domain/pricing). */
    price: priceSpecSchema,
    /** Default: the draft's billingCadence. */
    cadence: cadenceSchema.nullable().optional(),
    /** Default: the draft's billingTiming. */
    timing: timingSchema.nullable().optional(),
    /** A billable metric code: the line is metered (quantity from usage, billed in arrears). */
    metric: contractItemSchema.shape.metric.nullable(),
    /** Units free each period before the price applies. */
    freeUnits: contractItemSchema.shape.freeUnits.nullable(),
    /** Discounts on this line, optionally limited in time. */
    discounts: contractItemSchema.shape.discounts.nullable(),
    /** A metered line in a partial period: 'none' (default) or 'per_unit_part' (Lago's prorated charges). */
    usageProration: contractItemSchema.shape.usageProration.nullable(),
  })
  .superRefine((line, ctx) => {
    if (line.metric == null && line.quantity == null)
      ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'a line needs a quantity unless it has a metric' });
  });

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
  startDate: isoDate,
  /** Every line's cadence unless the line sets its own. */
  billingCadence: cadenceSchema,
  /** Every line's timing unless the line sets its own. */
  billingTiming: timingSchema,
  paymentTermsDays: z.number().int().min(0).max(365),
  /** Exclusive end of the contract; null or absent = evergreen. At most one of endDate and termMonths. */
  endDate: isoDate.nullable().optional(),
  /** Initial term in months: the end date is startDate + termMonths. */
  termMonths: z.number().int().min(1).max(120).nullable().optional(),
  /** Default { policy: 'none' }. */
  renewal: contractTermsSchema.shape.renewal.nullable().optional(),
  /** Minimum spend per billing period (major units), with its true-up. */
  minimumCommitment: minimumCommitmentSchema.nullable().optional(),
  /** Invoice-level discounts. */
  discounts: z.array(discountSchema).max(20).nullable().optional(),
  /** Where periods start (default 'anniversary': the start date's day), as in terms. */
  alignment: contractTermsSchema.shape.alignment.nullable().optional(),
  /** The end-of-month rule of an anchor day a short month lacks, as in terms. */
  endOfMonth: contractTermsSchema.shape.endOfMonth.nullable().optional(),
  /** A free trial before the first paid period, as in terms. */
  trial: contractTermsSchema.shape.trial.nullable().optional(),
  /** Day count and the side of a change day (as in terms), e.g. { "dayCount": "by_second" }. */
  proration: contractTermsSchema.shape.proration.nullable().optional(),
  /** The contract's rounding policy (as in terms), cash rounding and payment-provider units included. */
  rounding: contractTermsSchema.shape.rounding.nullable().optional(),
  /** Fixed-amount coupons drawn as balances (as in terms). */
  coupons: contractTermsSchema.shape.coupons.nullable().optional(),
  /** Prepaid wallets (as in terms). */
  wallets: contractTermsSchema.shape.wallets.nullable().optional(),
  lines: z
    .array(lineSchema, { error: 'the deal has no line items' })
    .min(1, 'the deal has no line items')
    .max(500, 'a contract holds at most 500 lines'),
});

export type ContractDraftOutput = z.output<typeof contractDraftSchema>;
