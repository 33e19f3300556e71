/**
 * The first invoice of a contract: one line per contract line, each rounded by the document's
 * rounding policy; the total is the sum of the rounded lines. Tax is added later from the tax
 * engine, allocated to lines so they still add up.
 */
import type { ContractDraft, SimplePrice } from './contract.js';
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

/** Monthly in advance: the first period starts on the contract start date and is billed on it. */
export function firstInvoice(contract: ContractDraft, policy: RoundingPolicy = DEFAULT_ROUNDING): InvoiceDraft {
  const periodStart = contract.startDate;
  const periodEnd = addMonths(periodStart, 1);
  const rated = contract.lines.map((line) => lineAmount(line.price, line.quantity, contract.currency));
  const amounts =
    policy.level === 'line'
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
