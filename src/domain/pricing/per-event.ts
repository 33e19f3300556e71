/**
 * Usage billed in advance, per event (Lago's pay_in_advance charges,
 * https://getlago.com/docs/guide/plans/charges/charge-models/graduated-percentage): each event
 * is charged as it arrives, as the cost of the period's cumulative quantity after it minus the
 * cost before it. A tier's flat fee is so charged once, on the event that enters the tier, and
 * the charges of a period add up exactly to one bill of its total (each cost is rounded once, and
 * the differences telescope). Before the first event nothing is billed, so a first tier's flat
 * fee is charged with the first event whatever zeroUsageBillsFirstTierFlat says.
 *
 * Models that rate a quantity can be billed this way; `percent` (per transaction already) and
 * `tiered_2d` (two quantities) cannot.
 */
import { isNonNegativeDecimalString } from '../grammar';
import { dec, plain } from './decimal';
import { ratePrice } from './index';
import { PricingError, type RatedPrice, type RatingOptions, type Usage } from './types';

export interface EventCharge {
  /** The event's quantity (decimal string). */
  quantity: string;
  /** The period's cumulative quantity before and after it. */
  before: string;
  after: string;
  /** cost(after) − cost(before), minor units. */
  amountMinor: number;
}

export interface PerEventResult {
  charges: EventCharge[];
  /** Sum of the charges = one bill of (prior + every event) minus one bill of prior. */
  totalMinor: number;
  /** The bill of the cumulative quantity after the last event. */
  cumulative: RatedPrice;
}

const NOT_PER_EVENT = new Set(['percent', 'tiered_2d']);

/**
 * Charges each of `quantities` (events in arrival order) against `price`. `usage` gives the
 * currency (and properties for `matrix`); `usage.quantity` is the quantity already billed this
 * period before these events ("0" for a new period). Throws PricingError naming the field.
 */
export function ratePerEvent(
  price: unknown,
  usage: Usage,
  quantities: readonly string[],
  options?: RatingOptions,
): PerEventResult {
  const model = (price as { model?: unknown } | null)?.model;
  if (typeof model === 'string' && NOT_PER_EVENT.has(model)) {
    throw new PricingError([
      { path: 'price.model', message: `${model} cannot be billed per event: it does not rate one cumulative quantity` },
    ]);
  }
  if (!Array.isArray(quantities) || quantities.length === 0 || quantities.length > 10_000) {
    throw new PricingError([{ path: 'events', message: 'must list 1 to 10,000 event quantities' }]);
  }
  const bad = quantities.findIndex((q) => typeof q !== 'string' || !isNonNegativeDecimalString(q));
  if (bad >= 0) throw new PricingError([{ path: `events.${bad}`, message: 'must be a non-negative decimal string' }]);
  const cost = (quantity: string): { minor: number; rated: RatedPrice } => {
    const rated = ratePrice(price as Parameters<typeof ratePrice>[0], { ...usage, quantity }, options);
    // Nothing used yet, nothing billed: the baseline of the first event is zero.
    return { minor: dec(quantity).isZero() ? 0 : rated.amountMinor, rated };
  };
  let before = plain(dec(usage.quantity ?? '0'));
  let last = cost(before);
  const start = last.minor;
  const charges: EventCharge[] = [];
  for (const quantity of quantities) {
    const after = plain(dec(before).add(dec(quantity)));
    const next = cost(after);
    charges.push({ quantity, before, after, amountMinor: next.minor - last.minor });
    before = after;
    last = next;
  }
  return { charges, totalMinor: last.minor - start, cumulative: last.rated };
}

/** ratePerEvent with bad input as a value. */
export function tryRatePerEvent(
  price: unknown,
  usage: unknown,
  quantities: readonly string[],
  options?: RatingOptions,
): { ok: true; result: PerEventResult } | { ok: false; issues: { path: string; message: string }[] } {
  try {
    return { ok: true, result: ratePerEvent(price, usage as Usage, quantities, options) };
  } catch (error) {
    if (error instanceof PricingError) return { ok: false, issues: error.issues };
    throw error;
  }
}
