/**
 * Hub minor units ↔ Stripe amounts, per Stripe's special cases
 * (https://docs.stripe.com/currencies#special-cases), for charges and refunds alike.
 */
import { describe, expect, it } from 'vitest';
import { exponentOf } from '../../src/domain/money.js';
import { fromStripeAmount, stripeAmountStep, stripeCurrencyRule, toStripeAmount } from './amounts.js';

describe('Stripe amounts', () => {
  it.each([
    // [currency, hub minor, Stripe amount]: worked examples.
    ['USD', 1000, 1000], // $10.00 is 1000 cents, as the hub stores it
    ['JPY', 500, 500], // ¥500: zero-decimal in both
    ['UGX', 5000, 5000], // zero-decimal in ISO 4217 and in Stripe's list
    ['ISK', 5, 500], // 5 ISK: zero-decimal in ISO, two decimals at Stripe ("to charge 5 ISK, provide 500")
    ['HUF', 123_400, 123_400], // HUF 1,234.00: whole units
    ['KWD', 5120, 5120], // 5.120 KWD: the last fils digit is 0
  ] as const)('%s: hub %i minor units is Stripe amount %i, and back', (currency, hub, stripe) => {
    expect(toStripeAmount(hub, currency, 'payment')).toEqual({ ok: true, value: stripe });
    expect(toStripeAmount(hub, currency, 'refund')).toEqual({ ok: true, value: stripe });
    expect(fromStripeAmount(stripe, currency.toLowerCase())).toBe(hub);
  });

  it('steps: HUF/TWD 100, the three-decimal currencies 10, ISK any whole krona, others 1', () => {
    expect(['HUF', 'TWD'].map(stripeAmountStep)).toEqual([100, 100]);
    expect(['BHD', 'JOD', 'KWD', 'OMR', 'TND'].map(stripeAmountStep)).toEqual([10, 10, 10, 10, 10]);
    expect(['ISK', 'UGX', 'USD', 'JPY', 'CHF', 'usd'].map(stripeAmountStep)).toEqual([1, 1, 1, 1, 1, 1]);
    // ISK: the hub stores krónur (ISO exponent 0); Stripe's two decimals are the factor.
    expect(exponentOf('ISK')).toBe(0);
    expect(stripeCurrencyRule('isk').factor).toBe(100);
  });

  it('an amount off the step is refused, naming the step and what to do, never rounded', () => {
    const charge = toStripeAmount(5124, 'KWD', 'payment');
    expect(charge).toMatchObject({ ok: false, kind: 'permanent', field: 'amountMinor' });
    expect(!charge.ok && charge.reason).toMatch(/multiple of 10 minor units.*round_to_provider/);
    const refund = toStripeAmount(123_456, 'HUF', 'refund');
    expect(!refund.ok && refund.reason).toMatch(/multiple of 100 minor units.*customer credit/);
  });

  it('refuses zero, negative and non-integer amounts', () => {
    for (const bad of [0, -10, 10.5, Number.NaN]) {
      expect(toStripeAmount(bad, 'USD', 'payment')).toMatchObject({ ok: false, field: 'amountMinor' });
    }
  });

  it('an ISK amount with fractional krónur from Stripe (an old charge, a fee) rounds half up to the krona', () => {
    expect(fromStripeAmount(4010, 'isk')).toBe(40);
    expect(fromStripeAmount(4050, 'ISK')).toBe(41);
    expect(fromStripeAmount(4049, 'ISK')).toBe(40);
  });

  it('property: every whole ISK amount round-trips and is divisible by 100 at Stripe', () => {
    for (const krona of [1, 7, 99, 100, 123_456]) {
      const sent = toStripeAmount(krona, 'ISK', 'payment');
      expect(sent.ok && sent.value % 100).toBe(0);
      expect(sent.ok && fromStripeAmount(sent.value, 'ISK')).toBe(krona);
    }
  });
});
