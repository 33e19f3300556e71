/**
 * The rounding tie-out of test/rounding-tie-out.test.ts with Anrok as the engine: three lines of
 * 33.5 cents (102 cents under line rounding, 101 under document rounding) go to the Anrok
 * simulator's engine as finalize-invoice sends them (integer cents per line); the invoice keeps
 * Anrok's own line taxes (src/domain/tax-lines.ts), and the QuickBooks invoice built from them
 * totals the invoice plus Anrok's tax to the cent, under both policies. Pure: no server.
 */
import { describe, expect, it } from 'vitest';
import { fromCalculation, toTransactionBody } from '../adapters/anrok/map.js';
import { calculationAnswer, DEFAULT_RATES, parseAndTax } from '../adapters/anrok/simulator/engine.js';
import { AnrokSimState } from '../adapters/anrok/simulator/state.js';
import { toInvoice } from '../adapters/quickbooks/map.js';
import { computeInvoice } from '../src/domain/billing/index.js';
import { phase, seats, terms } from '../src/domain/billing/testing.js';
import type { InvoiceComputation } from '../src/domain/billing/types.js';
import { majorToMinor, minorToMajor, type RoundingPolicy } from '../src/domain/money.js';
import { lineTaxesFromEngine } from '../src/domain/tax-lines.js';

const march = { start: '2026-03-01', end: '2026-04-01', kind: 'advance' as const, billOn: '2026-03-01' };
const thirds = terms([
  phase(
    ['a', 'b', 'c'].map((id) =>
      seats({
        id,
        sku: id.toUpperCase(),
        prices: [{ effectiveFrom: '2000-01-01', price: { model: 'per_unit', unit_amount: '0.335' } }],
      }),
    ),
  ),
]);

function invoiceUnder(policy: RoundingPolicy): InvoiceComputation {
  const result = computeInvoice(thirds, march, {}, { rounding: policy });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.invoice;
}

/** Anrok's answer for the invoice's lines, and the line taxes the invoice keeps. */
function atAnrok(inv: InvoiceComputation, policy: RoundingPolicy) {
  const request = {
    documentCode: 'INV-1',
    customerCode: 'cus_1',
    date: inv.issueDate,
    currency: inv.currency,
    // New York's 8.875% puts a half cent on the lines, where line and document rounding part.
    shipTo: { line1: '1 Main St', city: 'Albany', region: 'NY', postalCode: '12207', country: 'US' },
    lines: inv.lines.map((l, i) => ({
      number: String(i + 1),
      itemCode: l.sku ?? 'hub:line',
      description: l.description,
      quantity: l.quantity,
      amount: minorToMajor(l.amountMinor, inv.currency),
    })),
  };
  const body = toTransactionBody(request, { id: 'INV-1' });
  if (!body.ok) throw new Error(body.reason);
  const state = new AnrokSimState();
  for (const l of body.value.lineItems) state.addProduct(l.productExternalId);
  const parsed = parseAndTax(body.value, state, DEFAULT_RATES, '2026-03-01');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const answer = calculationAnswer(parsed.value.lines, 'us-NY');
  const result = fromCalculation(answer, request, { id: 'INV-1', state: 'committed', isReturn: false });
  const taxMinor = majorToMinor(result.totalTax, inv.currency, policy);
  const lines = inv.lines.map((l, i) => ({ lineNo: i + 1, amountMinor: l.amountMinor }));
  return {
    taxableMinor: Number(answer.preTaxAmount),
    taxMinor,
    engineLineTaxes: parsed.value.lines.map((l) => l.tax),
    kept: lineTaxesFromEngine(lines, result.lines, taxMinor, inv.currency, policy),
  };
}

function totalAtErp(inv: InvoiceComputation, taxMinor: number): number {
  const body = toInvoice({
    invoiceNumber: 'INV-1',
    customerExternalId: '1',
    currency: inv.currency,
    issueDate: inv.issueDate,
    dueDate: inv.dueDate,
    lines: inv.lines.map((l) => ({
      itemExternalId: '1',
      description: l.description,
      quantity: l.quantity,
      unitPrice: l.unitAmount,
      amount: minorToMajor(l.amountMinor, inv.currency),
    })),
    totalTax: minorToMajor(taxMinor, inv.currency),
    total: minorToMajor(inv.totalMinor + taxMinor, inv.currency),
  });
  if (!body.ok) throw new Error(body.reason);
  const value = body.value as unknown as { Line: { Amount: number }[]; TxnTaxDetail?: { TotalTax: number } };
  const lineSum = value.Line.reduce((s, l) => s + Math.round(l.Amount * 100), 0);
  return lineSum + Math.round((value.TxnTaxDetail?.TotalTax ?? 0) * 100);
}

describe('line and document rounding tie out at Anrok and the ERP', () => {
  const line: RoundingPolicy = { mode: 'half_up', level: 'line' };
  const document: RoundingPolicy = { mode: 'half_up', level: 'document' };

  it.each([
    ['line', line],
    ['document', document],
  ])("%s rounding: Anrok's taxable amount, its line taxes and the ERP total equal the invoice's", (_n, policy) => {
    const inv = invoiceUnder(policy);
    const { taxableMinor, taxMinor, engineLineTaxes, kept } = atAnrok(inv, policy);
    expect(taxableMinor).toBe(inv.totalMinor);
    // The invoice keeps Anrok's own line taxes, which add up to Anrok's total.
    expect(kept).toEqual({ taxes: engineLineTaxes, source: 'engine' });
    expect(kept.taxes.reduce((a, b) => a + b, 0)).toBe(taxMinor);
    expect(totalAtErp(inv, taxMinor)).toBe(inv.totalMinor + taxMinor);
  });

  it('the two policies send Anrok different invoices and get different tax, each tying out', () => {
    expect(atAnrok(invoiceUnder(line), line).taxableMinor).toBe(102);
    expect(atAnrok(invoiceUnder(document), document).taxableMinor).toBe(101);
  });
});
