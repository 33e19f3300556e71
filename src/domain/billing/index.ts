/**
 * Billing: which invoices a contract owes (duePeriods), what each one says (computeInvoice) and
 * what an amendment mid-period credits and charges (amendmentInvoices). Pure: no I/O, no clock.
 */
export { amendmentInvoices, changeSplit } from './amend.js';
export { periodsBeforeCancellation } from './cancellation.js';
export { computeInvoice } from './compute.js';
export { roundingOf } from './context.js';
export {
  balanceAmounts,
  couponKey,
  remainingBalances,
  remainingTermBalances,
  topUpGrants,
  topUpKey,
} from './credits.js';
export { duePeriods, duePeriodsOfChecked } from './periods.js';
export type {
  AmendmentResult,
  BillingIssue,
  BillingPeriod,
  ComputeOptions,
  ComputeResult,
  InvoiceComputation,
  InvoiceKind,
  InvoiceLineComputation,
} from './types.js';
export { BillingTermsError, semanticIssues } from './validate.js';
