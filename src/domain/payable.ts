/**
 * What an invoice's grand total (lines + tax) is rounded to before it is charged, and the
 * rounding difference shown beside it, never lost. Two rules, each an option of the contract's
 * rounding policy (terms.rounding), applied at finalize once the tax is known:
 * - `cashIncrement`: cash rounding of the grand total, e.g. CHF to 0.05 ("Rappenrundung").
 * - `providerAmounts: 'round_to_provider'`: the amount step of the payment provider that will
 *   charge it, asked of its adapter (PaymentPort.amountStep; Stripe's rules live in
 *   adapters/stripe/amounts.ts: HUF and TWD whole units, the three-decimal currencies tens of the
 *   minor unit). Other providers take the exact amount (step 1).
 * When both apply, the total rounds to a multiple of both steps. The rounding mode is the
 * policy's (half up by default). A credit note is never rounded here: it gives back exact lines.
 */
import { decimal, exponentOf, type RoundingPolicy, roundMinor } from './money.js';

/** A cash increment in major units ("0.05") as minor units (5), or null when it is not a whole number of them. */
export function cashIncrementMinor(increment: string, currency: string): number | null {
  const minor = decimal(increment).mul(decimal(10).pow(exponentOf(currency)));
  return minor.isInteger() && minor.gt(0) && minor.lte(1_000_000) ? minor.toNumber() : null;
}

export interface PayableTotal {
  /** The total to charge, post, and book: a multiple of `stepMinor`. */
  totalMinor: number;
  /** totalMinor − exact total (lines + tax); positive when rounded up. */
  roundingMinor: number;
  /** The multiple rounded to (1: no rounding). */
  stepMinor: number;
  /** Which rules set the step. */
  rules: ('cash' | 'provider')[];
  explanation: string;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The grand total after the policy's cash rounding and, with `providerAmounts:
 * 'round_to_provider'`, the payment provider's amount rule. `providerStepMinor` is the step of
 * the payment provider that will collect the invoice in its currency (1: any amount, or none).
 */
export function payableTotal(
  exactMinor: number,
  currency: string,
  policy: RoundingPolicy,
  providerStepMinor: number,
): PayableTotal {
  const cash = policy.cashIncrement === undefined ? 1 : (cashIncrementMinor(policy.cashIncrement, currency) ?? 1);
  const byProvider =
    policy.providerAmounts === 'round_to_provider' && Number.isSafeInteger(providerStepMinor) && providerStepMinor > 1
      ? providerStepMinor
      : 1;
  const step = (cash * byProvider) / gcd(cash, byProvider);
  const rules: PayableTotal['rules'] = [
    ...(cash > 1 ? ['cash' as const] : []),
    ...(byProvider > 1 ? ['provider' as const] : []),
  ];
  if (step === 1) {
    return { totalMinor: exactMinor, roundingMinor: 0, stepMinor: 1, rules, explanation: 'no rounding' };
  }
  const totalMinor = roundMinor(decimal(exactMinor).div(step), policy) * step;
  return {
    totalMinor,
    roundingMinor: totalMinor - exactMinor,
    stepMinor: step,
    rules,
    explanation: `${exactMinor} ${currency} minor units rounded ${policy.mode} to a multiple of ${step} (${rules.join(' and ')}) = ${totalMinor}`,
  };
}

/**
 * Customer credit applied before a provider charges the rest: the rest must still be a multiple
 * of the provider's step, so the credit applied is cut to a multiple of it unless it covers the
 * whole amount due (what is not applied stays on the customer's balance).
 */
export function creditWithinStep(dueMinor: number, balanceMinor: number, stepMinor: number): number {
  const applied = Math.max(0, Math.min(balanceMinor, dueMinor));
  if (applied === dueMinor || stepMinor <= 1) return applied;
  const rest = Math.ceil((dueMinor - applied) / stepMinor) * stepMinor;
  return Math.max(0, dueMinor - rest);
}

export interface RefundSplit {
  /** Refunded through the provider: the largest multiple of its step that fits. */
  refundMinor: number;
  /** The rest, below one step: kept as the customer's credit, never lost. */
  customerCreditMinor: number;
}

/**
 * A credit to pay back through a provider that takes only multiples of `stepMinor` (Stripe: 10
 * fils for KWD, 100 for HUF): the largest multiple is refunded, the rest becomes customer credit.
 * @example splitRefundToStep(5125, 10) // { refundMinor: 5120, customerCreditMinor: 5 }
 */
export function splitRefundToStep(creditMinor: number, stepMinor: number): RefundSplit {
  const credit = Math.max(0, creditMinor);
  const step = Number.isSafeInteger(stepMinor) && stepMinor > 1 ? stepMinor : 1;
  const refundMinor = Math.floor(credit / step) * step;
  return { refundMinor, customerCreditMinor: credit - refundMinor };
}
