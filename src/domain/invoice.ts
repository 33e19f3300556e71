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
import type { ContractDraft, SimplePrice } from './contract.js';
import { termsFromDraft } from './contracts/from-draft.js';
import type { ContractTerms } from './contracts/terms.js';
import { addDays, addMonths } from './dates.js';
import { allocate, DEFAULT_ROUNDING, decimal, exponentOf, type RoundingPolicy, roundMinor } from './money.js';

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

function lineAmount(price: SimplePrice, quantity: string, currency: string) {
  const scale = decimal(10).pow(exponentOf(currency));
  if (price.model === 'flat_fee') {
    return { unitAmount: price.amount, unrounded: decimal(price.amount).mul(scale), quantity: '1' };
  }
  const unrounded = decimal(price.unit_amount).mul(quantity).mul(scale);
  return { unitAmount: price.unit_amount, unrounded, quantity };
}

export type FirstInvoiceResult =
  | { ok: true; invoice: InvoiceComputation | null }
  | { ok: false; issues: BillingIssue[] };

/**
 * The invoice of the first in-advance period of `terms` (the one billed on the start date; with
 * anniversary alignment it starts on the start date), or null when nothing is billed in advance
 * then (every item in arrears). Issues name the terms field ("terms.phases.0.items.1.prices.0…").
 * No usage: in-advance items have fixed quantities. Line rounding (contract invoices).
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

function simplePrices(contract: ContractDraft): SimplePrice[] | null {
  const prices: SimplePrice[] = [];
  for (const line of contract.lines) {
    if (line.price.model !== 'flat_fee' && line.price.model !== 'per_unit') return null;
    prices.push(line.price);
  }
  return prices;
}

/**
 * The first invoice of a mapped deal, as the mapping dry run previews it: the billing engine's
 * first in-advance invoice of termsFromDraft(contract). Throws RangeError for a draft the
 * mapping engine would refuse (terms that do not validate, nothing billed in advance).
 * Document-level rounding (which contract invoices refuse) is kept for the issue-2 drafts only:
 * flat-fee and per-unit lines billed monthly in advance.
 */
export function firstInvoice(contract: ContractDraft, policy: RoundingPolicy = DEFAULT_ROUNDING): InvoiceDraft {
  if (policy.level === 'document') return simpleFirstInvoice(contract, policy);
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

/** Monthly in advance, flat fee and per unit only: the first period starts on the start date and is billed on it. */
function simpleFirstInvoice(contract: ContractDraft, policy: RoundingPolicy): InvoiceDraft {
  const prices = simplePrices(contract);
  const monthlyInAdvance = contract.lines.every(
    (l) =>
      (l.cadence ?? contract.billingCadence) === 'monthly' &&
      (l.timing ?? contract.billingTiming) === 'in_advance' &&
      l.metric == null &&
      l.freeUnits == null &&
      (l.discounts ?? []).length === 0,
  );
  if (
    prices === null ||
    !monthlyInAdvance ||
    contract.minimumCommitment != null ||
    (contract.discounts ?? []).length > 0
  )
    throw new RangeError(
      'document-level rounding is only offered for flat-fee and per-unit lines billed monthly in advance',
    );
  const periodStart = contract.startDate;
  const periodEnd = addMonths(periodStart, 1);
  const rated = contract.lines.map((line, i) => lineAmount(prices[i]!, line.quantity ?? '1', contract.currency));
  // Every line free: nothing to spread (allocate refuses all-zero weights), so each line is 0.
  const allFree = rated.every((r) => r.unrounded.isZero());
  const amounts =
    policy.level === 'line' || allFree
      ? rated.map((r) => roundMinor(r.unrounded, policy))
      : // Document-level rounding: round the exact total once, then spread it over the lines.
        allocate(
          roundMinor(
            rated.reduce((sum, r) => sum.add(r.unrounded), decimal(0)),
            policy,
          ),
          rated.map((r) => r.unrounded.abs().toString()),
        );
  const lines = contract.lines.map((line, index) => ({
    lineNo: index + 1,
    sku: line.sku,
    description: line.description,
    quantity: rated[index]!.quantity,
    unitAmount: rated[index]!.unitAmount,
    amountMinor: amounts[index]!,
  }));
  return {
    periodStart,
    periodEnd,
    issueDate: periodStart,
    dueDate: addDays(periodStart, contract.paymentTermsDays),
    currency: contract.currency,
    lines,
    subtotalMinor: amounts.reduce((a, b) => a + b, 0),
    rounding: policy,
  };
}

/**
 * Spreads the tax engine's document tax over the lines in proportion to their amounts, so the
 * per-line tax always adds up to the document tax (the number the tax engine committed).
 */
export function allocateTax(lineAmountsMinor: readonly number[], totalTaxMinor: number): number[] {
  if (lineAmountsMinor.every((a) => a === 0))
    return allocate(
      totalTaxMinor,
      lineAmountsMinor.map(() => 1),
    );
  return allocate(
    totalTaxMinor,
    lineAmountsMinor.map((a) => Math.abs(a)),
  );
}
