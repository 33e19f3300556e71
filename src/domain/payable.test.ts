import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RoundingPolicy } from './money.js';
import { cashIncrementMinor, creditWithinStep, payableTotal, splitRefundToStep } from './payable.js';

const halfUp: RoundingPolicy = { mode: 'half_up', level: 'line' };
const toProvider: RoundingPolicy = { ...halfUp, providerAmounts: 'round_to_provider' };
/** Stripe's steps (adapters/stripe/amounts.ts), as its adapter answers PaymentPort.amountStep. */
const STEP: Record<string, number> = { KWD: 10, BHD: 10, JOD: 10, OMR: 10, TND: 10, HUF: 100, TWD: 100 };

describe('payableTotal', () => {
  it("Stripe's three-decimal example: 5.124 KWD is charged as 5.120 (5124 → 5120 fils), 4 fils shown", () => {
    // https://docs.stripe.com/currencies: "5.124 KWD must be rounded to 5120 or 5130".
    expect(payableTotal(5124, 'KWD', toProvider, 10)).toMatchObject({
      totalMinor: 5120,
      roundingMinor: -4,
      stepMinor: 10,
      rules: ['provider'],
    });
    expect(payableTotal(5125, 'KWD', toProvider, 10).totalMinor).toBe(5130);
  });

  it.each(['BHD', 'JOD', 'OMR', 'TND'])('%s rounds to tens of the minor unit at Stripe', (currency) => {
    expect(payableTotal(12_345, currency, toProvider, STEP[currency]!).totalMinor).toBe(12_350);
  });

  it('HUF and TWD at Stripe: whole units only (HUF 1,234.56 → 1,235.00; TWD 99.49 → 99.00)', () => {
    expect(payableTotal(123_456, 'HUF', toProvider, 100)).toMatchObject({
      totalMinor: 123_500,
      roundingMinor: 44,
    });
    expect(payableTotal(9949, 'TWD', toProvider, 100)).toMatchObject({ totalMinor: 9900, roundingMinor: -49 });
  });

  it('another provider, or the option left out, gets the exact amount', () => {
    expect(payableTotal(5124, 'KWD', toProvider, 1).roundingMinor).toBe(0);
    expect(payableTotal(5124, 'KWD', halfUp, 10).roundingMinor).toBe(0);
  });

  it('CHF cash rounding to 0.05: 11.29 → 11.30, 11.22 → 11.20, 11.27 → 11.25, 11.28 → 11.30', () => {
    const cash: RoundingPolicy = { ...halfUp, cashIncrement: '0.05' };
    expect(payableTotal(1129, 'CHF', cash, 1)).toMatchObject({
      totalMinor: 1130,
      roundingMinor: 1,
      rules: ['cash'],
    });
    expect(payableTotal(1122, 'CHF', cash, 1)).toMatchObject({ totalMinor: 1120, roundingMinor: -2 });
    expect(payableTotal(1127, 'CHF', cash, 1).totalMinor).toBe(1125);
    expect(payableTotal(1128, 'CHF', cash, 1).totalMinor).toBe(1130);
  });

  it('the policy mode rounds: down keeps the customer from paying more', () => {
    expect(payableTotal(1129, 'CHF', { mode: 'down', level: 'line', cashIncrement: '0.05' }, 1).totalMinor).toBe(1125);
  });

  it('cash and provider rules together round to a multiple of both', () => {
    const both: RoundingPolicy = { ...toProvider, cashIncrement: '0.025' };
    // KWD: cash 25 fils, Stripe 10 fils → 50 fils.
    expect(payableTotal(5124, 'KWD', both, 10)).toMatchObject({ stepMinor: 50, totalMinor: 5100 });
  });

  it('cashIncrementMinor refuses what is not a whole number of minor units', () => {
    expect(cashIncrementMinor('0.05', 'CHF')).toBe(5);
    expect(cashIncrementMinor('0.005', 'CHF')).toBeNull();
    expect(cashIncrementMinor('0', 'CHF')).toBeNull();
    expect(cashIncrementMinor('10', 'JPY')).toBe(10);
  });

  it('property: the rounded total is a multiple of the step and within half a step of the exact one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.constantFrom('KWD', 'HUF', 'TWD', 'BHD'), (minor, currency) => {
        const p = payableTotal(minor, currency, toProvider, STEP[currency]!);
        expect(p.totalMinor % p.stepMinor).toBe(0);
        expect(Math.abs(p.roundingMinor)).toBeLessThanOrEqual(p.stepMinor / 2);
        expect(p.totalMinor - p.roundingMinor).toBe(minor);
      }),
    );
  });
});

describe('creditWithinStep', () => {
  it('applies credit so that what is left to charge stays a multiple of the step', () => {
    expect(creditWithinStep(5120, 1234, 10)).toBe(1230); // 3890 left to charge
    expect(creditWithinStep(5120, 9999, 10)).toBe(5120); // covers it all
    expect(creditWithinStep(5120, 5, 10)).toBe(0);
    expect(creditWithinStep(5120, 1234, 1)).toBe(1234);
  });

  it('property: never more than the balance or the amount due; the rest is a multiple or nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }), (k, balance) => {
        const due = k * 10;
        const applied = creditWithinStep(due, balance, 10);
        expect(applied).toBeLessThanOrEqual(Math.min(due, balance));
        expect(applied).toBeGreaterThanOrEqual(0);
        expect((due - applied) % 10).toBe(0);
      }),
    );
  });
});

describe('splitRefundToStep', () => {
  it('refunds the largest multiple of the step and keeps the rest as customer credit', () => {
    expect(splitRefundToStep(5125, 10)).toEqual({ refundMinor: 5120, customerCreditMinor: 5 });
    expect(splitRefundToStep(123_456, 100)).toEqual({ refundMinor: 123_400, customerCreditMinor: 56 });
    expect(splitRefundToStep(5120, 10)).toEqual({ refundMinor: 5120, customerCreditMinor: 0 });
    expect(splitRefundToStep(7, 10)).toEqual({ refundMinor: 0, customerCreditMinor: 7 });
    expect(splitRefundToStep(1234, 1)).toEqual({ refundMinor: 1234, customerCreditMinor: 0 });
  });

  it('property: the two parts add up to the credit and the refund is on the step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.constantFrom(1, 5, 10, 100), (credit, step) => {
        const s = splitRefundToStep(credit, step);
        expect(s.refundMinor + s.customerCreditMinor).toBe(credit);
        expect(s.refundMinor % step).toBe(0);
        expect(s.customerCreditMinor).toBeLessThan(step === 1 ? 1 : step);
      }),
    );
  });
});
