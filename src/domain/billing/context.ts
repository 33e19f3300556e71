/** Options resolved once per computation, so every line rounds and prorates the same way. */
import type { ContractTerms } from '../contracts/terms.js';
import { DEFAULT_ROUNDING, type RoundingPolicy } from '../money.js';
import type { RatingOptions } from '../pricing/index.js';
import { DEFAULT_PRORATION, type ProrationPolicy } from '../proration.js';
import type { ComputeOptions } from './types.js';

export interface LineContext {
  terms: ContractTerms;
  /** "terms", "previous" or "next": the prefix of every issue path. */
  prefix: string;
  currency: string;
  rounding: RoundingPolicy;
  proration: ProrationPolicy;
  rating: RatingOptions;
  basis: 'rate_then_prorate' | 'prorate_quantity';
  creditBalances: Record<string, number> | undefined;
}

/** The rounding policy of a contract's invoices: its terms' own, else the fallback, else the default. */
export function roundingOf(terms: Pick<ContractTerms, 'rounding'>, fallback?: RoundingPolicy): RoundingPolicy {
  return terms.rounding ?? fallback ?? DEFAULT_ROUNDING;
}

export function resolveContext(terms: ContractTerms, prefix: string, options: ComputeOptions = {}): LineContext {
  const rounding = options.rounding ?? roundingOf(terms, options.rating?.rounding);
  return {
    terms,
    prefix,
    currency: terms.currency,
    rounding,
    // One rounding policy for the whole document: proration rounds like every other line.
    // The caller's options win, then the terms' day count, then actual days.
    proration: {
      ...(options.proration ??
        (terms.proration?.dayCount !== undefined
          ? { ...DEFAULT_PRORATION, dayCount: terms.proration.dayCount }
          : DEFAULT_PRORATION)),
      ...(terms.proration?.changeDay !== undefined && options.proration?.changeDay === undefined
        ? { changeDay: terms.proration.changeDay }
        : {}),
      rounding,
    },
    rating: { ...options.rating, rounding },
    basis: options.prorationBasis ?? 'rate_then_prorate',
    creditBalances: options.creditBalances,
  };
}
