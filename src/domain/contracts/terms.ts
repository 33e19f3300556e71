/**
 * Contract terms: one immutable version of a contract, as plain JSON validated with zod, so
 * mappings, the API and the UI can all produce it. An amendment is a new version with an
 * effective date; versions are never edited.
 *
 * Money in terms is a decimal string in MAJOR units of the contract currency (like PriceSpec).
 * Dates are YYYY-MM-DD; every range is start-inclusive, end-exclusive.
 */
import { z } from 'zod';
import { isoDateSchema } from '../grammar.js';
import { isDecimalString, isKnownCurrency } from '../money.js';
import { cashIncrementMinor } from '../payable.js';
import { priceSpecSchema } from '../pricing/schema.js';

const isoDate = isoDateSchema;
const amount = z
  .string()
  .refine((v) => isDecimalString(v) && !v.startsWith('-'), 'must be a non-negative decimal string such as "12.50"');

/**
 * How often an item is billed: once, every N months (monthly = 1, quarterly = 3, annual = 12),
 * every N weeks ({ weeks: 1 } is weekly) or every N days (trials, short passes). Week and day cadences cut
 * their periods on a day grid (calendar.ts); a partial one is prorated by days like a month.
 */
export const cadenceSchema = z.union([
  z.literal('one_time'),
  z.literal('monthly'),
  z.literal('quarterly'),
  z.literal('annual'),
  z.object({ months: z.number().int().min(1).max(120) }).strict(),
  z.object({ weeks: z.number().int().min(1).max(520) }).strict(),
  z.object({ days: z.number().int().min(1).max(3660) }).strict(),
]);

/**
 * Where periods start. 'calendar': on the 1st of the month (months), on Mondays (weeks);
 * 'anniversary': on the start date's day; or an explicit billing anchor: `anchorDay` (1-31) for
 * month cadences and `anchorWeekday` (1 = Monday … 7 = Sunday) for week cadences, the first such
 * day on or after the start date (what is left of the other anchor follows the start date). The
 * time from the start date to the first anchor is a partial period, prorated. Stripe's
 * billing_cycle_anchor: https://docs.stripe.com/billing/subscriptions/billing-cycle
 */
export const alignmentSchema = z.union([
  z.enum(['calendar', 'anniversary']),
  z
    .object({
      anchorDay: z.number().int().min(1).max(31).optional(),
      anchorWeekday: z.number().int().min(1).max(7).optional(),
    })
    .strict()
    .refine((a) => a.anchorDay !== undefined || a.anchorWeekday !== undefined, {
      message: 'a billing anchor names anchorDay (1-31), anchorWeekday (1-7) or both',
      path: ['anchorDay'],
    }),
]);

/** A discount on an item or on the whole invoice, optionally limited in time. */
export const discountSchema = z
  .object({
    kind: z.enum(['percent', 'amount']),
    /** Percent (e.g. "10" for 10 %) or an amount in major units per billing period. */
    value: amount,
    from: isoDate.optional(),
    until: isoDate.optional(),
    label: z.string().max(200).optional(),
  })
  .strict();

/** A price that changes on a date: the version whose effectiveFrom is the latest not after the period start applies. */
export const priceVersionSchema = z.object({ effectiveFrom: isoDate, price: priceSpecSchema }).strict();

export const contractItemSchema = z
  .object({
    id: z.string().min(1).max(100),
    sku: z.string().min(1).max(100),
    description: z.string().max(500),
    /** Price versions sorted by effectiveFrom; a single price is one version from the phase start. */
    prices: z.array(priceVersionSchema).min(1),
    /** A fixed quantity (seats, licences) — or — a billable metric code whose usage is the quantity. */
    quantity: amount.optional(),
    metric: z.string().min(1).max(100).optional(),
    cadence: cadenceSchema,
    timing: z.enum(['in_advance', 'in_arrears']),
    /** Units free each period before the price applies. */
    freeUnits: amount.optional(),
    discounts: z.array(discountSchema).max(20).optional(),
    /**
     * A usage item in a partial period (a contract starting or ending mid-period): 'none'
     * (default) bills the usage in full; 'per_unit_part' rates the full quantity (the tier is
     * picked on it), prorates the per-unit part by the days covered and keeps tier flat fees whole
     * (Lago's prorated charges, https://getlago.com/docs/guide/plans/charges/prorated-vs-full-charges).
     */
    usageProration: z.enum(['none', 'per_unit_part']).optional(),
  })
  .strict()
  .refine((i) => i.usageProration === undefined || i.metric !== undefined, {
    message: 'usageProration is for usage (metric) items',
    path: ['usageProration'],
  })
  .refine((i) => (i.quantity === undefined) !== (i.metric === undefined), {
    message: 'an item has either a quantity or a metric, not both and not neither',
    path: ['quantity'],
  })
  .refine((i) => !(i.metric !== undefined && i.timing === 'in_advance'), {
    message: 'usage (metric) items are billed in arrears',
    path: ['timing'],
  });

export const minimumCommitmentSchema = z
  .object({
    /** Minimum spend per billing period, major units. */
    amount,
    /** How the shortfall is billed: an extra "true-up" line (default) or by replacing the usage amount. */
    trueUp: z.enum(['extra_line', 'replace']).default('extra_line'),
  })
  .strict();

export const phaseSchema = z
  .object({
    name: z.string().min(1).max(100),
    kind: z.enum(['trial', 'ramp', 'standard', 'step_up', 'amendment']),
    start: isoDate,
    /** Exclusive; null = open-ended (until the contract ends). */
    end: isoDate.nullable(),
    items: z.array(contractItemSchema).max(500),
    discounts: z.array(discountSchema).max(20).optional(),
    minimumCommitment: minimumCommitmentSchema.optional(),
  })
  .strict();

/** Prepaid commitment / credit wallet: drawn down by invoices in priority order, postpaid overage beyond it. */
export const creditGrantSchema = z
  .object({
    id: z.string().min(1).max(100),
    amount,
    /** Lower number is used first. */
    priority: z.number().int().min(0).max(1000),
    grantedOn: isoDate,
    expiresOn: isoDate.optional(),
  })
  .strict();

/**
 * A fixed-amount coupon used as a balance (Lago's fixed_amount coupon of frequency "once",
 * https://getlago.com/docs/guide/coupons): worth `amount` once, taken off invoices before tax
 * (after discounts, before prepaid credits) from `appliesFrom` on; what one invoice cannot use
 * carries to the next invoices until it is spent or expires. A coupon worth an amount every
 * period (Lago's "recurring" / "forever") is a discount of kind 'amount' with from / until.
 */
export const couponSchema = z
  .object({
    id: z.string().min(1).max(100),
    amount,
    label: z.string().max(200).optional(),
    /** Default: the contract's start date. */
    appliesFrom: isoDate.optional(),
    /** Exclusive: not used on invoices issued on or after it. */
    expiresOn: isoDate.optional(),
  })
  .strict();

/**
 * A prepaid wallet (Lago's wallets, https://getlago.com/docs/guide/wallet-and-top-up/prepaid-credits):
 * credits bought at `rate` credits per currency unit, topped up over time, each top-up with its
 * own expiry; consumed by invoices after coupons and credit grants, the earliest expiry first,
 * each credit once across every invoice of the contract. A top-up's money value is its credits
 * ÷ rate, rounded down to the minor unit (credits never buy more than they cost).
 */
export const walletSchema = z
  .object({
    id: z.string().min(1).max(100),
    /** Credits per one unit of the contract currency ("1" = 1 credit per unit, "10" = 10 credits per unit). */
    rate: amount.refine((v) => !/^0*(\.0*)?$/.test(v), 'must be more than 0'),
    topUps: z
      .array(
        z
          .object({
            credits: amount,
            /** The day the credits are bought and usable. */
            on: isoDate,
            /** Exclusive. */
            expiresOn: isoDate.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(200),
  })
  .strict();

/**
 * How a partial period is prorated (proration.ts): the day count. Default actual days, as
 * Stripe, Chargebee and Lago count; 'thirty_day_month' is 30/360; { fixedMonthDays: N } counts
 * actual covered days against N days a month (Zuora's "assume 30 days" with N = 30).
 */
export const prorationTermsSchema = z
  .object({
    /** 'by_second': Stripe's way, elapsed seconds over the period's (an amendment may name an instant). */
    dayCount: z
      .union([
        z.enum(['actual_days', 'thirty_day_month', 'by_second']),
        z.object({ fixedMonthDays: z.number().int().min(1).max(31) }).strict(),
      ])
      .optional(),
    /** The day of an amendment billed under the new terms ('new_side', default) or the old ones ('old_side'). */
    changeDay: z.enum(['new_side', 'old_side']).optional(),
  })
  .strict();

export const roundingTermsSchema = z
  .object({
    mode: z.enum(['half_up', 'half_even', 'down', 'up']),
    level: z.enum(['line', 'document']),
    split: z.enum(['largest_remainder', 'last_line']).optional(),
    /** Cash rounding of the grand total after tax, major units ("0.05": CHF to 5 Rappen); a whole number of minor units. */
    cashIncrement: amount.optional(),
    /** 'round_to_provider': the grand total follows the payment provider's amount rule (payable.ts); default 'exact'. */
    providerAmounts: z.enum(['exact', 'round_to_provider']).optional(),
  })
  .strict();

export const contractTermsSchema = z
  .object({
    currency: z.string().refine(isKnownCurrency, 'unknown currency'),
    startDate: isoDate,
    /** Exclusive; null = evergreen. */
    endDate: isoDate.nullable(),
    /** calendar: periods start on the 1st of the month; anniversary: on the start date's day; or an anchor. */
    alignment: alignmentSchema,
    /**
     * A month grid whose day a short month lacks (the 31st in April): 'anchor_day' (default) clamps
     * that one boundary and goes back to the day after it (Jan 31 → Feb 28 → Mar 31, Stripe's
     * rule); 'stay_clamped' keeps the clamped day from then on (Jan 31 → Feb 28 → Mar 28).
     */
    endOfMonth: z.enum(['anchor_day', 'stay_clamped']).optional(),
    /** Proration of partial periods; absent = actual days (or what the caller's options say). */
    proration: prorationTermsSchema.optional(),
    /**
     * One rounding policy for the contract's invoices, their tax requests and ERP payloads:
     * mode, line or document level, and how amounts split across lines (largest remainder, or
     * the rest on the last line as Stripe does). Absent = half up, per line, largest remainder.
     */
    rounding: roundingTermsSchema.optional(),
    /** A free trial before the first paid period (trial.ts). */
    trial: z
      .object({
        days: z.number().int().min(1).max(730),
        firstPeriod: z.enum(['trial_end', 'anchor']).optional(),
      })
      .strict()
      .optional(),
    paymentTermsDays: z.number().int().min(0).max(365),
    renewal: z
      .object({ policy: z.enum(['none', 'auto_renew']), termMonths: z.number().int().min(1).max(120).optional() })
      .strict(),
    phases: z.array(phaseSchema).min(1).max(50),
    credits: z.array(creditGrantSchema).max(100).optional(),
    /** Fixed-amount coupons drawn as balances, carried over until spent. */
    coupons: z.array(couponSchema).max(20).optional(),
    /** Prepaid wallets (credits at a conversion rate, top-ups, expiry). */
    wallets: z.array(walletSchema).max(20).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    // A cash increment is a whole number of the currency's minor units (CHF "0.05" = 5 Rappen).
    const increment = t.rounding?.cashIncrement;
    if (increment !== undefined && isKnownCurrency(t.currency) && cashIncrementMinor(increment, t.currency) === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['rounding', 'cashIncrement'],
        message: `must be a positive whole number of ${t.currency} minor units (such as "0.05"), at most 1,000,000 of them`,
      });
    }
  });

export type Cadence = z.infer<typeof cadenceSchema>;
export type Discount = z.infer<typeof discountSchema>;
export type ContractItem = z.infer<typeof contractItemSchema>;
export type Phase = z.infer<typeof phaseSchema>;
export type CreditGrant = z.infer<typeof creditGrantSchema>;
export type Coupon = z.infer<typeof couponSchema>;
export type Wallet = z.infer<typeof walletSchema>;
export type ContractTerms = z.infer<typeof contractTermsSchema>;

/**
 * Usage for one invoice period, per metric code: the aggregated quantity, and per-group
 * quantities for matrix prices (the output of metering's aggregate()).
 */
export type PeriodUsage = Record<
  string,
  { quantity: string; groups?: { group: Record<string, string | null>; quantity: string }[] }
>;
