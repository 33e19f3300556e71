/**
 * The shapes billing hands to the flows: plain JSON, integer minor units, decimal strings, so an
 * invoice computation can be stored as invoice + invoice_lines rows without a decimal library.
 */
import type { RoundingPolicy } from '../money.js';
import type { RatingOptions } from '../pricing/index.js';
import type { ProrationPolicy } from '../proration.js';

export type InvoiceKind = 'advance' | 'arrears';

/** One billable period of a contract. Dates are YYYY-MM-DD; `end` is exclusive. */
export interface BillingPeriod {
  start: string;
  end: string;
  kind: InvoiceKind;
  /** The date the invoice is issued: the start for advance periods, the end for arrears periods. */
  billOn: string;
}

export interface InvoiceLineComputation {
  lineKind: 'charge' | 'discount' | 'true_up' | 'credit' | 'proration';
  /** Contract item id, credit grant id, or null for invoice-level lines. */
  sourceRef: string | null;
  sku: string | null;
  description: string;
  /** Decimal string. */
  quantity: string;
  /** Major units, decimal string ('0' where not meaningful). */
  unitAmount: string;
  /**
   * Signed integer minor units. On an advance or arrears invoice, discounts and credits are
   * negative and charges positive. On a credit note every line is POSITIVE and means
   * "credited to the customer" (a credit note is never a negative invoice).
   */
  amountMinor: number;
  /** JSON that explains the line: rated breakdown, proration fraction and days, discount basis. */
  detail: unknown;
}

/**
 * An invoice (kind 'advance' | 'arrears') or a credit note (kind 'credit_note').
 *
 * Sign convention: for invoices, `totalMinor` is what the customer owes (never negative: credits
 * stop at zero). For a credit note, every amount is positive and is what the hub credits to the
 * customer; `subtotalMinor` = `totalMinor` = the credit, `discountMinor` and `creditsAppliedMinor`
 * are 0 (discounts the customer had are already netted into each credited line).
 */
export interface InvoiceComputation {
  currency: string;
  periodStart: string;
  periodEnd: string;
  kind: InvoiceKind | 'credit_note';
  issueDate: string;
  dueDate: string;
  lines: InvoiceLineComputation[];
  /** Sum of charge + proration + true_up lines. */
  subtotalMinor: number;
  /** Sum of discount lines (≤ 0). */
  discountMinor: number;
  /** Sum of credit lines (≤ 0). */
  creditsAppliedMinor: number;
  /** Sum of all lines; never negative for advance/arrears (credits stop at zero). */
  totalMinor: number;
  creditsUsed: { grantId: string; amountMinor: number }[];
}

export interface ComputeOptions {
  /** Rounding of every line. Default: options.rating.rounding, else money.ts DEFAULT_ROUNDING (half_up). */
  rounding?: RoundingPolicy;
  /** Day count for partial periods. Default: DEFAULT_PRORATION (actual days). */
  proration?: ProrationPolicy;
  rating?: RatingOptions;
  /** Remaining balance per credit grant (minor units) before this invoice; default: each grant's full amount. */
  creditBalances?: Record<string, number>;
  /**
   * How a partial period of a fixed item is priced when its price depends on the quantity
   * (tiered, volume, step…):
   * - 'rate_then_prorate' (default): rate the full quantity (so the tier is picked on the full
   *   units, as Stripe and Chargebee do), then prorate the amount by the covered days.
   * - 'prorate_quantity': prorate the quantity first, then rate the prorated units (the tier is
   *   picked on fewer units; tier flat amounts are then billed in full). A flat_fee price ignores
   *   the quantity, so it is always rated then prorated.
   */
  prorationBasis?: 'rate_then_prorate' | 'prorate_quantity';
  /**
   * The caller vouches that the terms are already validated: they are the data of a successful
   * contractTermsSchema parse that duePeriods (or computeInvoice) accepted, unchanged since. The
   * terms are then used as given, without parsing them again — a billing run computes every period
   * of a contract from one parsed object, and re-parsing it per invoice cost more than the invoice.
   * Period and usage are still checked. Default false: terms are validated on every call.
   */
  validated?: boolean;
}

export interface BillingIssue {
  /** Dotted path naming the argument and field: "terms.phases.0.items.1.cadence", "period.end". */
  path: string;
  message: string;
}

export type ComputeResult = { ok: true; invoice: InvoiceComputation } | { ok: false; issues: BillingIssue[] };

export type AmendmentResult =
  | { ok: true; creditNote: InvoiceComputation | null; charge: InvoiceComputation | null }
  | { ok: false; issues: BillingIssue[] };
