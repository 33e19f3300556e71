/**
 * Minimum commitment per billing period (Lago's "minimum commitment", Orb's "minimum"): when a
 * period's charges after discounts fall short of the minimum, the shortfall is billed.
 * - 'extra_line' (default): a true_up line for the shortfall; every usage line stays as rated.
 * - 'replace': the usage lines (and their item discounts) are replaced by one line billing the
 *   minimum less the period's other charges, so the period totals exactly the minimum.
 * It is measured on the invoice that settles the period — the arrears invoice when the phase has
 * any in-arrears item (a usage minimum), else the advance invoice — and prorated by the share of
 * the full period a partial period covers. It counts every charge of the period, whichever
 * invoice carried it: on the arrears invoice, the same period's in-advance fees count too
 * (`otherInvoicesMinor`, see advanceChargesIn in lines.ts), so 'replace' bills the minimum less
 * the fees already invoiced in advance.
 */
import type { z } from 'zod';
import type { minimumCommitmentSchema } from '../contracts/terms.js';
import { decimal, majorToMinor, minorToMajor, roundMinor } from '../money.js';
import type { LineContext } from './context.js';
import { sumOf } from './totals.js';
import type { InvoiceLineComputation } from './types.js';

type MinimumCommitment = z.infer<typeof minimumCommitmentSchema>;

export function commitmentLines(
  ctx: LineContext,
  commitment: MinimumCommitment,
  lines: InvoiceLineComputation[],
  usageItemIds: ReadonlySet<string>,
  fraction: string | null,
  /** Charges of the same period that another invoice carried (the in-advance fees), net. */
  otherInvoicesMinor = 0,
): InvoiceLineComputation[] {
  const fullMinor = majorToMinor(commitment.amount, ctx.currency, ctx.rounding);
  const minimum = fraction === null ? fullMinor : roundMinor(decimal(fullMinor).mul(fraction), ctx.rounding);
  const charged = sumOf(lines) + otherInvoicesMinor;
  if (charged >= minimum) return lines;
  const shortfall = minimum - charged;
  const basis = {
    minimumMinor: minimum,
    fullMinimumMinor: fullMinor,
    prorationFraction: fraction,
    chargesMinor: charged,
    otherInvoicesMinor,
  };
  if (commitment.trueUp === 'extra_line') {
    return [
      ...lines,
      {
        lineKind: 'true_up',
        sourceRef: null,
        sku: null,
        description: 'Minimum commitment true-up',
        quantity: '1',
        unitAmount: minorToMajor(shortfall, ctx.currency),
        amountMinor: shortfall,
        detail: { mode: 'extra_line', ...basis, shortfallMinor: shortfall },
      },
    ];
  }
  const isUsage = (l: InvoiceLineComputation) =>
    l.sourceRef !== null && usageItemIds.has(l.sourceRef) && l.lineKind !== 'credit';
  const replaced = lines.filter(isUsage);
  const amount = shortfall + sumOf(replaced);
  return [
    ...lines.filter((l) => !isUsage(l)),
    {
      lineKind: 'true_up',
      sourceRef: null,
      sku: null,
      description: 'Minimum commitment (replaces usage charges)',
      quantity: '1',
      unitAmount: minorToMajor(amount, ctx.currency),
      amountMinor: amount,
      detail: {
        mode: 'replace',
        ...basis,
        shortfallMinor: shortfall,
        replacedLines: replaced.map((l) => ({
          sourceRef: l.sourceRef,
          lineKind: l.lineKind,
          amountMinor: l.amountMinor,
          quantity: l.quantity,
        })),
      },
    },
  ];
}
