/**
 * The first invoice of a contract: the first in-advance period of its terms, computed by the
 * billing engine (computeInvoice, the same one billing runs and the invoice preview use), so any
 * price model and cadence is rated as the billing run would. Tax is added later from the tax
 * engine, allocated to lines so they still add up.
 */
import { computeInvoice } from './billing/compute.js';
import { duePeriods } from './billing/periods.js';
import type { BillingIssue, ComputeOptions, InvoiceComputation } from './billing/types.js';
import { checkTerms } from './billing/validate.js';
import type { ContractDraft } from './contract.js';
import { termsFromDraft } from './contracts/from-draft.js';
import type { ContractTerms } from './contracts/terms.js';
import { DEFAULT_ROUNDING, type RoundingPolicy, type SplitConvention, splitAmount } from './money.js';

export interface InvoiceLineDraft {
  lineNo: number;
  sku: string;
  description: string;
  quantity: string;
  /** Unit price in major units, decimal string. */
  unitAmount: string;
  amountMinor: number;
}

export interface InvoiceDraft {
  periodStart: string;
  periodEnd: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  lines: InvoiceLineDraft[];
  subtotalMinor: number;
  rounding: RoundingPolicy;
}

export type FirstInvoiceResult =
  | { ok: true; invoice: InvoiceComputation | null }
  | { ok: false; issues: BillingIssue[] };

/**
 * The invoice of the first in-advance period of `terms` (the one billed on the start date; with
 * anniversary alignment it starts on the start date), or null when nothing is billed in advance
 * then (every item in arrears). Issues name the terms field ("terms.phases.0.items.1.prices.0…").
 * No usage: in-advance items have fixed quantities. Rounding as options.rounding says (default line).
 */
export function firstAdvanceInvoice(
  terms: ContractTerms,
  options: Pick<ComputeOptions, 'rounding' | 'rating'> = {},
): FirstInvoiceResult {
  const checked = checkTerms(terms, 'terms');
  if (!checked.ok) return checked;
  const first = duePeriods(checked.terms, checked.terms.startDate).find((p) => p.kind === 'advance');
  if (first === undefined) return { ok: true, invoice: null };
  const computed = computeInvoice(checked.terms, first, {}, { ...options, validated: true });
  return computed.ok ? { ok: true, invoice: computed.invoice } : computed;
}

/**
 * The first invoice of a mapped deal, as the mapping dry run previews it: the billing engine's
 * first in-advance invoice of termsFromDraft(contract). Throws RangeError for a draft the
 * mapping engine would refuse (terms that do not validate, nothing billed in advance). Line or
 * document rounding, as `policy` says (the policy the tax request and the ERP payload reuse).
 */
export function firstInvoice(contract: ContractDraft, policy: RoundingPolicy = DEFAULT_ROUNDING): InvoiceDraft {
  const result = firstAdvanceInvoice(termsFromDraft(contract), { rounding: policy });
  if (!result.ok) throw new RangeError(result.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  if (result.invoice === null) throw new RangeError('no line of the contract is billed in advance');
  const invoice = result.invoice;
  return {
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    currency: invoice.currency,
    lines: invoice.lines.map((line, index) => ({
      lineNo: index + 1,
      sku: line.sku ?? '',
      description: line.description,
      quantity: line.quantity,
      unitAmount: line.unitAmount,
      amountMinor: line.amountMinor,
    })),
    subtotalMinor: invoice.totalMinor,
    rounding: policy,
  };
}

/**
 * Spreads the tax engine's document tax over the lines in proportion to their amounts, so the
 * per-line tax always adds up to the document tax (the number the tax engine committed).
 */
export function allocateTax(
  lineAmountsMinor: readonly number[],
  totalTaxMinor: number,
  split: SplitConvention = 'largest_remainder',
): number[] {
  if (lineAmountsMinor.every((a) => a === 0))
    return splitAmount(
      totalTaxMinor,
      lineAmountsMinor.map(() => 1),
      split,
    );
  return splitAmount(
    totalTaxMinor,
    lineAmountsMinor.map((a) => Math.abs(a)),
    split,
  );
}
