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
  balanceAmounts,
  type ComputeOptions,
  type ComputeResult,
  changeSplit,
  computeInvoice,
  duePeriods,
  type InvoiceComputation,
  type InvoiceKind,
  type InvoiceLineComputation,
  remainingTermBalances,
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
 * The grand total an invoice is charged: cash rounding (rounding.cashIncrement, CHF to 0.05) and
 * the payment provider's amount rule (rounding.providerAmounts; Stripe's HUF/TWD whole units and
 * three-decimal tens), with the rounding difference to show.
 * @example payableTotal(5124, 'KWD', { mode: 'half_up', level: 'line', providerAmounts: 'round_to_provider' }, 10) // 5120, -4
 */
export {
  cashIncrementMinor,
  type PayableTotal,
  payableTotal,
  splitRefundToStep,
} from './payable.js';
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
 * Usage billed in advance, per event (Lago's pay_in_advance): each event charged the cost of the
 * cumulative quantity after it minus the cost before it; the charges add up to one bill of the total.
 * @example ratePerEvent(spec, { quantity: '0', currency: 'USD' }, ['500', '550', '4000'])
 */
export { type EventCharge, type PerEventResult, ratePerEvent, tryRatePerEvent } from './pricing/per-event.js';
/**
 * Prorates an amount for a billing period to the part a service period covers; the day-count
 * convention and rounding are options (default: actual calendar days, half-up).
 */
export {
  type ChangeDay,
  type DateRange,
  type DayCount,
  DEFAULT_PRORATION,
  type Prorated,
  type ProrationPolicy,
  prorate,
} from './proration.js';
/**
 * Revenue recognition schedule of one obligation (ratable by day or by month, or point in time),
 * split by the largest remainder so it adds up to the amount.
 * @example recognitionSchedule({ amountMinor: 120000, servicePeriod: { start: '2026-01-15', end: '2026-03-15' }, method: 'ratable_daily' })
 */
export {
  type Obligation,
  RECOGNITION_METHODS,
  type RecognitionEntry,
  type RecognitionMethod,
  recognitionSchedule,
} from './recognition.js';
/**
 * Tax arithmetic: tax at a rate per line or per document under the rounding policy, the tax a
 * credit note gives back on a line, and a paid invoice's credit split between refund and credit.
 */
export { type CreditSplit, creditedTax, splitCreditSettlement, type TaxedLines, taxAtRate } from './tax-arithmetic.js';
