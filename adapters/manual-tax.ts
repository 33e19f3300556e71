/**
 * The TaxPort of an org with no tax engine: its manual rate table (src/domain/manual-tax.ts),
 * read when a document is taxed, so an edit applies to the next invoice. Nothing is sent
 * anywhere: a document's "transaction" is the computation itself, marked `manual`
 * (transaction id `manual:<document code>`), and the invoice says so.
 */
import type { PostalAddress } from '../src/domain/deal.js';
import { type ManualTaxRate, manualLineTax, manualRateFor } from '../src/domain/manual-tax.js';
import { isKnownCurrency, majorToMinor, minorToMajor } from '../src/domain/money.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import type { TaxDocumentState, TaxLineRequest, TaxPort, TaxRequest, TaxResult } from './ports.js';

export const MANUAL_STATUS = 'manual';

export function createManualTaxPort(loadRates: () => Promise<readonly ManualTaxRate[]>): TaxPort {
  async function compute(
    request: Pick<TaxRequest, 'documentCode' | 'currency' | 'shipTo' | 'exemptionNumber'> & {
      lines: (TaxLineRequest & { tax?: string })[];
    },
    state: TaxDocumentState,
  ): Promise<Outcome<TaxResult>> {
    if (!isKnownCurrency(request.currency)) {
      return permanent(`currency "${request.currency}" has no known exponent`, { field: 'currency' });
    }
    const rates = await loadRates();
    const lines = request.lines.map((line) => {
      if (line.tax !== undefined) return { number: line.number, tax: line.tax };
      // An exemption certificate on the customer exempts it from the manual table as well.
      const rate = request.exemptionNumber ? null : manualRateFor(rates, request.shipTo, line.taxCode);
      return { number: line.number, tax: manualLineTax(line.amount, rate?.rate ?? '0', request.currency) };
    });
    const totalMinor = lines.reduce((sum, l) => sum + majorToMinor(l.tax, request.currency), 0);
    return ok({
      transactionId: `manual:${request.documentCode}`,
      documentCode: request.documentCode,
      status: MANUAL_STATUS,
      state,
      totalTax: minorToMajor(totalMinor, request.currency),
      lines,
    });
  }

  return {
    vendor: 'manual',
    fixesReturnTax: true,
    quote: (request) => compute(request, 'estimate'),
    validateAddress: async (address: PostalAddress) => ok({ valid: true, address }),
    recordSale: (request) => compute(request, request.commit ? 'committed' : 'estimate'),
    // Nothing is kept outside the hub: a rerun computes the same answer again.
    findByDocumentCode: async () => ok(null),
    recordReturn: (request) => compute(request, 'committed'),
    findReturnByDocumentCode: async () => ok(null),
    voidDocument: async (documentCode) =>
      ok({
        transactionId: `manual:${documentCode}`,
        documentCode,
        status: MANUAL_STATUS,
        state: 'voided',
        totalTax: '0',
        lines: [],
      }),
  };
}
