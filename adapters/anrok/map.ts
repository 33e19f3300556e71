/**
 * Pure mapping between the TaxPort and Anrok's transaction shapes
 * (../shared/apispecs/anrok.json: CreateOrUpdateTransaction, TransactionLineItem,
 * NormalTransactionResponse). Anrok takes and answers amounts as INTEGER minor units.
 */
import Decimal from 'decimal.js';
import { exponentOf, isDecimalString, isKnownCurrency, minorToMajor } from '../../src/domain/money.js';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { TaxDocumentState, TaxRequest, TaxResult, TaxReturnRequest } from '../ports.js';

/** A return is its own Anrok transaction; its id is kept apart from every sale's. */
export const returnTransactionId = (documentCode: string) => `return-${documentCode}`;

export interface AnrokLineItem {
  id: string;
  productExternalId: string;
  amount: number;
  quantity: string;
  isTaxIncludedInAmount: false;
}

export interface AnrokTransactionBody {
  id?: string;
  currencyCode: string;
  customerAddress: { line1: string; city: string; region: string; postalCode: string; country: string };
  customerId?: string;
  accountingDate: string;
  taxDate?: string;
  lineItems: AnrokLineItem[];
}

/** "1200.00" USD → 120000; refused (null) when the amount has more decimals than the currency. */
export function toMinorExact(amount: string, currency: string): number | null {
  if (!isDecimalString(amount) || !isKnownCurrency(currency)) return null;
  const minor = new Decimal(amount).mul(new Decimal(10).pow(exponentOf(currency)));
  return minor.isInteger() && Number.isSafeInteger(minor.toNumber()) ? minor.toNumber() : null;
}

/**
 * The createOrUpdate / createEphemeral body. A line's product is its Anrok product external id
 * (the product's tax code at Anrok), else our product id. The customer is named only when it
 * holds an exemption: Anrok keeps exemption certificates on its customer record and applies them
 * to the transactions naming it, and refuses an id it does not know (customerIdNotFound).
 */
export function toTransactionBody(
  request: Omit<TaxRequest, 'commit'>,
  options: { id?: string; sign?: 1 | -1; taxDate?: string } = {},
): Outcome<AnrokTransactionBody> {
  if (!isKnownCurrency(request.currency)) {
    return permanent(`currency "${request.currency}" has no known exponent`, { field: 'currency' });
  }
  const lineItems: AnrokLineItem[] = [];
  for (const [index, line] of request.lines.entries()) {
    const minor = toMinorExact(line.amount, request.currency);
    if (minor === null) {
      return permanent(`line ${line.number}: amount "${line.amount}" is not an exact ${request.currency} amount`, {
        field: `lines[${index}].amount`,
      });
    }
    lineItems.push({
      id: line.number,
      productExternalId: line.taxCode ?? line.itemCode,
      amount: minor === 0 ? 0 : minor * (options.sign ?? 1),
      quantity: line.quantity,
      isTaxIncludedInAmount: false,
    });
  }
  const { line1, city, region, postalCode, country } = request.shipTo;
  return ok({
    ...(options.id ? { id: options.id } : {}),
    currencyCode: request.currency,
    customerAddress: { line1, city, region, postalCode, country },
    ...(request.exemptionNumber ? { customerId: request.customerCode } : {}),
    accountingDate: request.date,
    ...(options.taxDate ? { taxDate: options.taxDate } : {}),
    lineItems,
  });
}

/** A return as a transaction of its own: negative amounts, taxed as of the sale's date. */
export function toReturnBody(request: TaxReturnRequest): Outcome<AnrokTransactionBody> {
  return toTransactionBody(request, {
    id: returnTransactionId(request.documentCode),
    sign: -1,
    taxDate: request.originalDate,
  });
}

const int = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) ? v : 0);

/** A line's tax in an Anrok answer: `taxAmountToCollect` (calculation answers) or `taxAmountDue` (stored ones). */
const lineTax = (line: Record<string, unknown>) =>
  typeof line.taxAmountToCollect === 'number' ? int(line.taxAmountToCollect) : int(line.taxAmountDue);

/** The tax as the port states it: major units, POSITIVE for a return (Anrok's are negative). */
function render(
  minor: number,
  currency: string,
  lines: { id: string; tax: number }[],
  head: { id: string; documentCode: string; status: string; state: TaxDocumentState },
  isReturn: boolean,
): TaxResult {
  const out = (m: number) => minorToMajor(isReturn ? Math.abs(m) : m, currency);
  return {
    transactionId: head.id,
    documentCode: head.documentCode,
    status: head.status,
    state: head.state,
    totalTax: out(minor),
    lines: lines.map((l) => ({ number: l.id, tax: out(l.tax) })),
  };
}

/** createOrUpdate's / createEphemeral's answer (`taxAmountToCollect`, `lineItems[]`) → TaxResult. */
export function fromCalculation(
  answer: Record<string, unknown>,
  request: { documentCode: string; currency: string },
  head: { id: string; state: TaxDocumentState; isReturn: boolean },
): TaxResult {
  const lines = (Array.isArray(answer.lineItems) ? answer.lineItems : []) as Record<string, unknown>[];
  return render(
    int(answer.taxAmountToCollect),
    request.currency,
    lines.map((l) => ({ id: String(l.id ?? ''), tax: lineTax(l) })),
    {
      id: head.id,
      documentCode: request.documentCode,
      status: head.state === 'estimate' ? 'ephemeral' : 'normal',
      state: head.state,
    },
    head.isReturn,
  );
}

/**
 * A listed transaction (NormalTransactionResponse or VoidedTransactionResponse) → TaxResult.
 * A voided one carries no body, so its tax reads as zero with no lines.
 */
export function fromListed(tx: Record<string, unknown>, documentCode: string, isReturn: boolean): TaxResult {
  const id = String(tx.id ?? '');
  if (tx.type === 'void') {
    return { transactionId: id, documentCode, status: 'void', state: 'voided', totalTax: '0', lines: [] };
  }
  const body = (typeof tx.body === 'object' && tx.body ? tx.body : {}) as Record<string, unknown>;
  const currency = typeof body.currencyCode === 'string' ? body.currencyCode : 'USD';
  const lines = (Array.isArray(body.lineItems) ? body.lineItems : []) as Record<string, unknown>[];
  return render(
    int(body.taxAmountDue),
    currency,
    lines.map((l) => ({ id: String(l.id ?? ''), tax: lineTax(l) })),
    { id, documentCode, status: 'normal', state: 'committed' },
    isReturn,
  );
}
