/**
 * Every conversion between the hub's minor units (ISO 4217 exponent, src/domain/money.ts) and a
 * Stripe `amount`, for charges and refunds alike. Stripe's special cases
 * (https://docs.stripe.com/currencies#special-cases):
 * - ISK: zero-decimal in ISO 4217, but Stripe's API keeps it two-decimal for backwards
 *   compatibility and takes only whole krónur (an amount divisible by 100): 5 ISK is `500`
 *   (https://support.stripe.com/questions/deprecation-of-fractional-isk-charges-and-refunds,
 *   which applies the same rule to refunds). Hub minor × 100, any whole krona.
 * - HUF and TWD: two decimals in both, but Stripe treats them as zero-decimal for payouts and
 *   the hub charges them in whole units only (a multiple of 100 minor units).
 * - BHD, JOD, KWD, OMR, TND: three decimals in both, and the last digit must be 0 ("5.124 KWD
 *   must be rounded to 5120 or 5130"): a multiple of 10 minor units, for Payment Intents and
 *   Refunds alike.
 * - UGX: a zero-decimal currency in ISO 4217 and in Stripe's list of zero-decimal currencies,
 *   so the amount is the hub's minor units as they are.
 * Other currencies: the amount is the hub's minor units, any integer.
 *
 * A hub amount off the step is never rounded here: rounding would lose the difference. The hub
 * rounds where it can show it (an invoice's rounding_minor at finalize, a refund's rest kept as
 * customer credit), asking the adapter for the step (PaymentPort.amountStep).
 */
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';

export interface StripeCurrencyRule {
  /** Stripe amount units per hub minor unit (ISK: 100). */
  factor: number;
  /** The multiple of the hub's minor unit Stripe takes (HUF: 100, KWD: 10; 1: any). */
  stepMinor: number;
  /** Why, in words, for error messages and the pricing preview. */
  why: string;
}

const WHOLE_UNITS = 'Stripe charges and refunds it in whole units only';
const TENS = 'Stripe needs the last of the three decimals to be 0';

const RULES: Readonly<Record<string, StripeCurrencyRule>> = Object.freeze({
  ISK: {
    factor: 100,
    stepMinor: 1,
    why: "Stripe's API takes ISK with two decimals, in whole krónur (amount divisible by 100)",
  },
  HUF: { factor: 1, stepMinor: 100, why: WHOLE_UNITS },
  TWD: { factor: 1, stepMinor: 100, why: WHOLE_UNITS },
  BHD: { factor: 1, stepMinor: 10, why: TENS },
  JOD: { factor: 1, stepMinor: 10, why: TENS },
  KWD: { factor: 1, stepMinor: 10, why: TENS },
  OMR: { factor: 1, stepMinor: 10, why: TENS },
  TND: { factor: 1, stepMinor: 10, why: TENS },
});

const PLAIN: StripeCurrencyRule = Object.freeze({ factor: 1, stepMinor: 1, why: 'any amount' });

/** The rule for `currency` (ISO code, either case). */
export function stripeCurrencyRule(currency: string): StripeCurrencyRule {
  return RULES[currency.toUpperCase()] ?? PLAIN;
}

/** The multiple of the hub's minor unit a Stripe charge or refund in `currency` must be. */
export function stripeAmountStep(currency: string): number {
  return stripeCurrencyRule(currency).stepMinor;
}

/**
 * Hub minor units → the Stripe `amount`. Refused (permanent, naming the step) when the amount is
 * not a positive multiple of the step: Stripe would refuse it, and rounding here would lose the
 * difference.
 */
export function toStripeAmount(hubMinor: number, currency: string, what: 'payment' | 'refund'): Outcome<number> {
  if (!Number.isSafeInteger(hubMinor) || hubMinor <= 0) {
    return permanent(`${what} amount must be a positive integer of minor units, got ${hubMinor}`, {
      field: 'amountMinor',
    });
  }
  const rule = stripeCurrencyRule(currency);
  if (hubMinor % rule.stepMinor !== 0) {
    const hint =
      what === 'payment'
        ? 'set the contract rounding policy providerAmounts to "round_to_provider" so the invoice total is rounded, with the difference shown'
        : 'refund a multiple of the step and keep the rest as customer credit';
    return permanent(
      `a Stripe ${what} in ${currency.toUpperCase()} must be a multiple of ${rule.stepMinor} minor units (${rule.why}); ${hubMinor} is not: ${hint}`,
      { field: 'amountMinor' },
    );
  }
  return ok(hubMinor * rule.factor);
}

/**
 * A Stripe `amount` (of a PaymentIntent, refund, fee) → hub minor units. An ISK amount with
 * fractional krónur (charges made before Stripe required whole ones, and fees) is rounded half up
 * to the krona, the hub's smallest ISK unit.
 */
export function fromStripeAmount(stripeAmount: number, currency: string): number {
  const { factor } = stripeCurrencyRule(currency);
  return factor === 1 ? stripeAmount : Math.round(stripeAmount / factor);
}
