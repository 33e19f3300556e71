/**
 * The public domain module: pure functions with JSON-serialisable inputs and outputs, usable from
 * the API, the UI, mappings and tests alike. No I/O, no clock (dates are parameters).
 */

/**
 * Billing a contract (pure; dates are parameters):
 * - `duePeriods(terms, through)`: every (period, kind) whose bill date is on or before `through`;
 *   advance periods bill on their start, arrears periods on their end; periods follow the shortest
 *   cadence of their kind and the alignment, clipped to phases and the contract.
 * - `computeInvoice(terms, period, usage, options)`: the invoice for one period and kind — rated,
 *   prorated, discounted, minimum commitment, prepaid credits — or `{ ok: false, issues }`.
 * - `amendmentInvoices(previous, next, effectiveDate, billedAdvancePeriods, options)`: the credit
 *   note for unused advance time (positive amounts = credited) and the prorated charge under the
 *   new terms.
 * @example computeInvoice(terms, duePeriods(terms, '2026-03-01')[0], {})
 */
export {
  type AmendmentResult,
  amendmentInvoices,
  type BillingIssue,
  type BillingPeriod,
  BillingTermsError,
  type ComputeOptions,
  type ComputeResult,
  computeInvoice,
  duePeriods,
  type InvoiceComputation,
  type InvoiceKind,
  type InvoiceLineComputation,
} from './billing/index.js';
/** The first invoice of a contract (flat-fee and per-unit lines, monthly in advance). */
export { firstInvoice, type InvoiceDraft } from './invoice.js';
/**
 * Aggregates a period's usage events for one billable metric (count, sum, max, unique count,
 * latest, time-weighted sum) with property filters, group-by and metric rounding.
 */
export { aggregate, type MeteredEvent, type MetricAggregate, type Period } from './metering/index.js';
/** Money: integer minor units, ISO 4217 exponents, one rounding policy, exact allocation. */
export { allocate, DEFAULT_ROUNDING, type Money, majorToMinor, minorToMajor, type RoundingPolicy } from './money.js';
/**
 * Rates one price against a period's usage. Every rated price carries a tier-by-tier breakdown.
 * Throws `PricingError` (issues name the field) on bad input; `tryRatePrice` returns it as a value.
 * @example ratePrice({ model: 'per_unit', unit_amount: '40.00' }, { quantity: '25', currency: 'USD' })
 */
export {
  type PriceSpec,
  parsePriceSpec,
  type RatedPrice,
  type RatingOptions,
  ratePrice,
  tryRatePrice,
  type Usage,
} from './pricing/index.js';
/**
 * Prorates an amount for a billing period to the part a service period covers; the day-count
 * convention and rounding are options (default: actual calendar days, half-up).
 */
export {
  type DateRange,
  type DayCount,
  DEFAULT_PRORATION,
  type Prorated,
  type ProrationPolicy,
  prorate,
} from './proration.js';
