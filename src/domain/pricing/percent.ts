/**
 * percent: a percentage of transaction amounts (payments, transfers, GMV).
 *
 * Without per-transaction terms it applies to the usage total: (total − free_amount) × rate.
 * With any of fixed_amount_per_txn, min_per_txn, max_per_txn or free_events it is priced per
 * transaction, in the order given in usage.transactions:
 *  - Free allowance: transactions are free (no rate, no fixed fee, no minimum) while every
 *    allowance that is set still has room: fewer than `free_events` free transactions so far and
 *    `free_amount` not used up. "First 3 events or $500, whichever ends first" (Lago's example).
 *    A transaction that crosses the rest of `free_amount` is charged on the part above it.
 *  - Each charged transaction costs amount × rate / 100 + fixed fee, then is raised to
 *    min_per_txn or capped at max_per_txn.
 *  - `fixed_fee_on_zero_total`: 'charge' (default) bills the fixed fee on every charged
 *    transaction, even when the period's transactions add up to zero; 'waive' bills no fixed fee
 *    at all in such a period (Lago's percentage model, where the fixed fee rides on the amount:
 *    https://getlago.com/docs/guide/plans/charges/charge-models/percentage).
 *  - At RoundingPolicy level 'line' each transaction is rounded on its own (each is a chargeable
 *    event); at 'document' the exact sum is rounded once. unroundedAmount is the exact sum either way.
 */
import type Decimal from 'decimal.js';
import { z } from 'zod';
import { roundMinor } from '../money';
import { amountSchema, dec, plain, specBaseShape, sum, ZERO } from './decimal';
import { type BreakdownLine, fail, type Rater, type RatingContext } from './types';

export const percentSpecSchema = z
  .strictObject({
    model: z.literal('percent'),
    ...specBaseShape,
    rate_percent: amountSchema,
    fixed_amount_per_txn: amountSchema.optional(),
    min_per_txn: amountSchema.optional(),
    max_per_txn: amountSchema.optional(),
    free_events: z.number().int('must be a whole number').min(0, 'must not be negative').optional(),
    free_amount: amountSchema.optional(),
    fixed_fee_on_zero_total: z.enum(['charge', 'waive']).optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.min_per_txn !== undefined && spec.max_per_txn !== undefined) {
      if (dec(spec.min_per_txn).gt(dec(spec.max_per_txn))) {
        ctx.addIssue({ code: 'custom', path: ['max_per_txn'], message: 'must not be less than min_per_txn' });
      }
    }
  });
export type PercentSpec = z.output<typeof percentSpecSchema>;

export function pricesPerTransaction(spec: PercentSpec): boolean {
  return (
    spec.fixed_amount_per_txn !== undefined ||
    spec.min_per_txn !== undefined ||
    spec.max_per_txn !== undefined ||
    spec.free_events !== undefined
  );
}

/** How one transaction was priced; `charge` is exact (major units), before any rounding. */
export interface TransactionCharge {
  amount: Decimal;
  free: Decimal;
  base: Decimal;
  ratePart: Decimal;
  fixed: Decimal;
  adjustment: Decimal;
  charge: Decimal;
  isFree: boolean;
}

export function chargeTransactions(spec: PercentSpec, transactions: readonly Decimal[]): TransactionCharge[] {
  const rate = dec(spec.rate_percent).div(100);
  const waived = spec.fixed_fee_on_zero_total === 'waive' && sum(transactions).isZero();
  const fixedFee = spec.fixed_amount_per_txn === undefined || waived ? ZERO : dec(spec.fixed_amount_per_txn);
  const min = spec.min_per_txn === undefined ? null : dec(spec.min_per_txn);
  const max = spec.max_per_txn === undefined ? null : dec(spec.max_per_txn);
  let freeEventsLeft = spec.free_events ?? null;
  let freeAmountLeft = spec.free_amount === undefined ? null : dec(spec.free_amount);
  const hasAllowance = freeEventsLeft !== null || freeAmountLeft !== null;

  return transactions.map((amount) => {
    let free = ZERO;
    const allowanceOpen =
      hasAllowance &&
      (freeEventsLeft === null || freeEventsLeft > 0) &&
      (freeAmountLeft === null || freeAmountLeft.gt(0));
    if (allowanceOpen) {
      if (freeAmountLeft === null || amount.lte(freeAmountLeft)) {
        if (freeAmountLeft !== null) freeAmountLeft = freeAmountLeft.sub(amount);
        if (freeEventsLeft !== null) freeEventsLeft -= 1;
        return {
          amount,
          free: amount,
          base: ZERO,
          ratePart: ZERO,
          fixed: ZERO,
          adjustment: ZERO,
          charge: ZERO,
          isFree: true,
        };
      }
      free = freeAmountLeft;
      freeAmountLeft = ZERO;
    }
    const base = amount.sub(free);
    const ratePart = base.mul(rate);
    const raw = ratePart.add(fixedFee);
    let charge = raw;
    if (min !== null && charge.lt(min)) charge = min;
    if (max !== null && charge.gt(max)) charge = max;
    return { amount, free, base, ratePart, fixed: fixedFee, adjustment: charge.sub(raw), charge, isFree: false };
  });
}

function transactionTotal(usageQuantity: Decimal, transactions: readonly Decimal[] | undefined): Decimal {
  if (transactions === undefined) return usageQuantity;
  const total = sum(transactions);
  if (!total.eq(usageQuantity)) {
    fail('usage.quantity', `must equal the sum of transactions (${plain(total)}), got ${plain(usageQuantity)}`);
  }
  return total;
}

function ratePerTransaction(spec: PercentSpec, transactions: readonly Decimal[], ctx: RatingContext) {
  const charges = chargeTransactions(spec, transactions);
  const charged = charges.filter((c) => !c.isFree);
  const lines: BreakdownLine[] = [];
  const freeCount = charges.length - charged.length;
  const freeAmount = sum(charges.map((c) => c.free));
  if (freeCount > 0 || !freeAmount.isZero()) {
    lines.push({ label: `Free allowance (${freeCount} free transactions)`, quantity: plain(freeAmount), amount: '0' });
  }
  lines.push({
    label: `${plain(dec(spec.rate_percent))}% of ${charged.length} charged transactions`,
    quantity: plain(sum(charged.map((c) => c.base))),
    rate_percent: spec.rate_percent,
    amount: plain(sum(charged.map((c) => c.ratePart))),
  });
  if (spec.fixed_amount_per_txn !== undefined) {
    lines.push({
      label:
        spec.fixed_fee_on_zero_total === 'waive' && sum(transactions).isZero()
          ? 'Fixed fee per charged transaction (waived: the period total is zero)'
          : 'Fixed fee per charged transaction',
      quantity: String(charged.length),
      unit_amount: spec.fixed_amount_per_txn,
      amount: plain(sum(charged.map((c) => c.fixed))),
    });
  }
  const raised = charged.filter((c) => c.adjustment.gt(0));
  if (raised.length > 0) {
    lines.push({
      label: `Raised to the per-transaction minimum of ${spec.min_per_txn}`,
      quantity: String(raised.length),
      amount: plain(sum(raised.map((c) => c.adjustment))),
    });
  }
  const capped = charged.filter((c) => c.adjustment.lt(0));
  if (capped.length > 0) {
    lines.push({
      label: `Capped at the per-transaction maximum of ${spec.max_per_txn}`,
      quantity: String(capped.length),
      amount: plain(sum(capped.map((c) => c.adjustment))),
    });
  }
  const policy = ctx.options.rounding;
  const roundedMinor =
    policy.level === 'line'
      ? charges.reduce((acc, c) => acc + roundMinor(c.charge.mul(ctx.minorPerMajor), policy), 0)
      : undefined;
  return { amount: sum(charges.map((c) => c.charge)), breakdown: lines, roundedMinor };
}

export const ratePercent: Rater<PercentSpec> = (spec, usage, ctx) => {
  const total = transactionTotal(usage.quantity, usage.transactions);
  if (pricesPerTransaction(spec)) {
    if (usage.transactions === undefined) {
      fail('usage.transactions', 'the price has per-transaction terms, so usage must list the transaction amounts');
    }
    return { quantity: total, ...ratePerTransaction(spec, usage.transactions, ctx) };
  }
  const freeAmount = spec.free_amount === undefined ? ZERO : dec(spec.free_amount);
  const free = freeAmount.gt(total) ? total : freeAmount;
  const base = total.sub(free);
  const amount = base.mul(dec(spec.rate_percent)).div(100);
  const breakdown: BreakdownLine[] = [];
  if (spec.free_amount !== undefined) {
    breakdown.push({ label: `Free amount (first ${spec.free_amount})`, quantity: plain(free), amount: '0' });
  }
  breakdown.push({
    label: `${plain(dec(spec.rate_percent))}% of the transaction total`,
    quantity: plain(base),
    rate_percent: spec.rate_percent,
    amount: plain(amount),
  });
  return { quantity: total, amount, breakdown };
};
