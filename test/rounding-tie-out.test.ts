/**
 * One RoundingPolicy from the invoice to the tax engine and the ERP: a contract whose line and
 * document rounding differ (three lines of 33.5 cents: 102 vs 101 cents) ties out to the cent
 * under either policy at the AvaTax simulator's engine and the QuickBooks simulator's invoice,
 * fed the way flows/finalize-invoice.ts and flows/post-invoice-to-erp.ts feed them (the stored
 * lines, in major units). Pure: the simulators' models are called directly, no server, no network.
 */
import { describe, expect, it } from 'vitest';
import { fromTransaction, toCreateOrAdjustModel } from '../adapters/avalara/map.js';
import {
  DEFAULT_RATES,
  parseCreateModel,
  type SimTransaction,
  toTransactionModel,
} from '../adapters/avalara/simulator/transactions-model.js';
import { toInvoice } from '../adapters/quickbooks/map.js';
import { createEntity } from '../adapters/quickbooks/simulator/entities.js';
import type { Realm } from '../adapters/quickbooks/simulator/state.js';
import { IdempotencyCache } from '../adapters/sandbox/idempotency.js';
import { computeInvoice } from '../src/domain/billing/index.js';
import { phase, seats, terms } from '../src/domain/billing/testing.js';
import type { InvoiceComputation } from '../src/domain/billing/types.js';
import { allocateTax } from '../src/domain/invoice.js';
import { decimal, majorToMinor, minorToMajor, type RoundingPolicy } from '../src/domain/money.js';

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

/** The tax engine's answer for the invoice's lines (the finalize step's request), in minor units. */
function taxAtEngine(inv: InvoiceComputation, policy: RoundingPolicy) {
  const model = toCreateOrAdjustModel(
    {
      documentCode: 'INV-1',
      customerCode: 'cus_1',
      date: inv.issueDate,
      currency: inv.currency,
      shipTo: { line1: '1 Main St', city: 'Albany', region: 'NY', postalCode: '12207', country: 'US' },
      commit: true,
      lines: inv.lines.map((l, i) => ({
        number: String(i + 1),
        itemCode: l.sku ?? 'hub:line',
        description: l.description,
        quantity: l.quantity,
        amount: minorToMajor(l.amountMinor, inv.currency),
      })),
    },
    'DEFAULT',
  );
  if (!model.ok) throw new Error('tax request refused');
  const parsed = parseCreateModel(model.value.createTransactionModel);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const tx: SimTransaction = {
    ...parsed.value,
    id: 1,
    code: 'INV-1',
    companyId: 1,
    status: 'Committed',
    version: 1,
    modifiedDate: '2026-03-01T00:00:00Z',
  };
  const answer = toTransactionModel(tx, DEFAULT_RATES) as { totalAmount: number };
  const result = fromTransaction(answer as Parameters<typeof fromTransaction>[0]);
  return {
    taxableMinor: majorToMinor(String(answer.totalAmount), inv.currency, policy),
    taxMinor: majorToMinor(result.totalTax, inv.currency, policy),
  };
}

/** QuickBooks' own TotalAmt for the invoice as post-invoice-to-erp sends it. */
function totalAtErp(inv: InvoiceComputation, taxMinor: number): number {
  const realm: Realm = {
    id: 'realm-1',
    nextId: 1,
    entities: {
      Customer: new Map(),
      Item: new Map(),
      Invoice: new Map(),
      Payment: new Map(),
      CreditMemo: new Map(),
      RefundReceipt: new Map(),
      JournalEntry: new Map(),
    },
    accounts: new Set(['1']),
    chart: new Set(['1']),
    homeCurrency: 'USD',
    requests: new IdempotencyCache(),
  };
  const now = new Date('2026-03-01T00:00:00Z');
  const customer = createEntity(realm, 'Customer', { DisplayName: 'Acme' }, now).body.Customer as { Id: string };
  const item = createEntity(realm, 'Item', { Name: 'Seat', Type: 'Service', IncomeAccountRef: { value: '1' } }, now)
    .body.Item as { Id: string };
  const lineTaxes = allocateTax(
    inv.lines.map((l) => l.amountMinor),
    taxMinor,
  );
  expect(lineTaxes.reduce((a, b) => a + b, 0)).toBe(taxMinor);
  const body = toInvoice({
    invoiceNumber: 'INV-1',
    customerExternalId: customer.Id,
    currency: inv.currency,
    issueDate: inv.issueDate,
    dueDate: inv.dueDate,
    lines: inv.lines.map((l) => ({
      itemExternalId: item.Id,
      description: l.description,
      quantity: l.quantity,
      unitPrice: l.unitAmount,
      amount: minorToMajor(l.amountMinor, inv.currency),
    })),
    totalTax: minorToMajor(taxMinor, inv.currency),
    total: minorToMajor(inv.totalMinor + taxMinor, inv.currency),
  });
  if (!body.ok) throw new Error(body.reason);
  const created = createEntity(realm, 'Invoice', body.value as unknown as Record<string, unknown>, now);
  expect(created.status).toBe(200);
  const totalAmt = (created.body.Invoice as { TotalAmt: number }).TotalAmt;
  return decimal(String(totalAmt)).mul(100).toNumber();
}

describe('line and document rounding tie out at the tax engine and the ERP', () => {
  const line: RoundingPolicy = { mode: 'half_up', level: 'line' };
  const document: RoundingPolicy = { mode: 'half_up', level: 'document' };

  it('gives different invoices for the two policies', () => {
    expect(invoiceUnder(line).totalMinor).toBe(102);
    expect(invoiceUnder(document).totalMinor).toBe(101);
  });

  it.each([
    ['line', line],
    ['document', document],
  ])('%s rounding: engine taxable amount and ERP total equal the invoice to the cent', (_name, policy) => {
    const inv = invoiceUnder(policy);
    const { taxableMinor, taxMinor } = taxAtEngine(inv, policy);
    expect(taxableMinor).toBe(inv.totalMinor);
    expect(totalAtErp(inv, taxMinor)).toBe(inv.totalMinor + taxMinor);
  });
});
