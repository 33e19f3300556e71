/**
 * Per-line tax as the tax engine computed it. The invoice keeps each engine's own line taxes, so
 * the invoice, the engine's report and the ERP's lines agree to the cent whatever the rounding
 * policy; the policy's split is only the fallback when the engine's lines cannot be used (it
 * answered no lines, other line numbers, or lines that do not add up to its total).
 */
import { allocateTax } from './invoice.js';
import { majorToMinor, type RoundingPolicy } from './money.js';

export function lineTaxesFromEngine(
  lines: readonly { lineNo: number; amountMinor: number }[],
  engineLines: readonly { number: string; tax: string }[],
  taxMinor: number,
  currency: string,
  policy: RoundingPolicy,
): { taxes: number[]; source: 'engine' | 'allocated' } {
  const byNumber = new Map(engineLines.map((l) => [l.number, l.tax]));
  const taxes: number[] = [];
  for (const line of lines) {
    const tax = byNumber.get(String(line.lineNo));
    if (tax === undefined) break;
    taxes.push(majorToMinor(tax, currency, policy));
  }
  const complete = taxes.length === lines.length && engineLines.length === lines.length;
  if (complete && taxes.reduce((a, b) => a + b, 0) === taxMinor) return { taxes, source: 'engine' };
  return {
    taxes: allocateTax(
      lines.map((l) => l.amountMinor),
      taxMinor,
      policy.split,
    ),
    source: 'allocated',
  };
}
