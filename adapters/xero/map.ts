/**
 * Pure mapping between the hub's ERP port and Xero Accounting API objects
 * (../../../shared/apispecs/xero.json schemas Contact, Invoice, LineItem, Payment, ManualJournal;
 * Items and CreditNotes from the full spec, ../../../shared/apispecs/full/xero/xero_accounting.yaml).
 *
 * Our keys, by object, and how Xero finds them again (a `where` filter on the field):
 *   contact: ContactNumber = our customer id (the port looks customers up by Name, as Xero keeps names unique)
 *   item: Code = our SKU (Xero's line items reference items by ItemCode, so the Code is the item's id here)
 *   invoice: InvoiceNumber = our invoice number, Type ACCREC
 *   credit note: CreditNoteNumber = our credit note number, Type ACCRECCREDIT
 *   payment / refund: Reference = our payment or refund id
 *   manual journal: Narration starts with "<our entry id>: "
 */
import Decimal from 'decimal.js';
import { allocate, isDecimalString, isKnownCurrency, majorToMinor, minorToMajor } from '../../src/domain/money.js';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type {
  ErpCreditMemoRequest,
  ErpCustomerRequest,
  ErpDocumentState,
  ErpInvoiceRequest,
  ErpItemRequest,
  ErpJournalRequest,
  ErpPaymentRequest,
  ErpRefundRequest,
} from '../ports.js';

/** What the mapping needs beside the request: the connection's Xero settings. */
export interface XeroMapping {
  /** Account (code or AccountID) payments are deposited to: a bank account with payments enabled. */
  paymentAccount: string;
  /** Tax rate type put on lines carrying the tax engine's tax (the amount is ours, not Xero's). */
  taxType: string;
  /** The organisation's base currency: manual journals are always in it. */
  baseCurrency: string;
}

export const DEFAULT_MAPPING: XeroMapping = { paymentAccount: '090', taxType: 'OUTPUT', baseCurrency: 'USD' };

/** Field limits Xero documents: ContactNumber 50, Item Code 30, Item Name 50, InvoiceNumber 255. */
export const LIMITS = { contactNumber: 50, itemCode: 30, itemName: 50, documentNumber: 255 } as const;

type Json = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Xero takes an account by Code or by AccountID: a mapping may hold either. */
export function accountRef(account: string, codeField: 'Code' | 'AccountCode' = 'AccountCode'): Json {
  return UUID.test(account) ? { AccountID: account } : { [codeField]: account };
}

/**
 * A `where` filter term: `Field=="value"` (strings in double quotes, a quote or backslash escaped),
 * https://developer.xero.com/documentation/api/accounting/requests-and-responses#retrieving-a-filtered-set
 */
export function whereEquals(field: string, value: string): string {
  return `${field}=="${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function whereStartsWith(field: string, value: string): string {
  return `${field}.StartsWith("${value.replace(/["\\]/g, (c) => `\\${c}`)}")`;
}

/** Turns an exact decimal string into a JSON number, refusing one a double cannot carry exactly. */
export function toJsonNumber(value: string, field: string): Outcome<number> {
  if (typeof value !== 'string' || !isDecimalString(value)) {
    return permanent(`${field} must be a decimal string, got ${JSON.stringify(value)}`, { field });
  }
  const asNumber = Number(value);
  if (!Number.isFinite(asNumber) || !new Decimal(asNumber).equals(new Decimal(value))) {
    return permanent(`${field} ${value} cannot be sent to Xero as a JSON number without losing precision`, { field });
  }
  return ok(asNumber);
}

function required(value: string, field: string, max?: number): Outcome<string> {
  if (!value) return permanent(`${field} must not be empty`, { field });
  if (max !== undefined && value.length > max) {
    return permanent(`${field} "${value}" is longer than Xero's ${max} characters`, { field });
  }
  return ok(value);
}

function currency(code: string): Outcome<string> {
  const upper = code.toUpperCase();
  return isKnownCurrency(upper) ? ok(upper) : permanent(`unknown currency ${code}`, { field: 'currency' });
}

export function toContact(request: ErpCustomerRequest): Outcome<Json> {
  const name = required(request.displayName, 'displayName', 255);
  if (!name.ok) return name;
  const number = required(request.localId, 'localId', LIMITS.contactNumber);
  if (!number.ok) return number;
  const code = currency(request.currency);
  if (!code.ok) return code;
  return ok({
    Name: request.displayName,
    ContactNumber: request.localId,
    ...(request.email ? { EmailAddress: request.email } : {}),
    DefaultCurrency: code.value,
    IsCustomer: true,
  });
}

export function toItem(request: ErpItemRequest): Outcome<Json> {
  const code = required(request.sku, 'sku', LIMITS.itemCode);
  if (!code.ok) return code;
  if (!request.incomeAccountId)
    return permanent('incomeAccountId is required for an item', { field: 'incomeAccountId' });
  return ok({
    Code: request.sku,
    Name: request.name.slice(0, LIMITS.itemName),
    Description: request.name,
    IsSold: true,
    IsPurchased: false,
    SalesDetails: accountRef(request.incomeAccountId),
  });
}

interface Document {
  number: string;
  currency: string;
  lines: ErpInvoiceRequest['lines'];
  totalTax: string;
  total: string;
}

/**
 * Line items with the tax engine's tax spread over them (largest remainder, weighted by line
 * amount, so the parts add to the cent): Xero takes a line's TaxAmount as given when it is sent,
 * so it does not recompute our tax. Lines and tax are checked to add up to our total first.
 */
export function lineItems(doc: Document, mapping: XeroMapping): Outcome<Json[]> {
  if (doc.lines.length === 0) return permanent(`${doc.number}: a document needs at least one line`, { field: 'lines' });
  const code = currency(doc.currency);
  if (!code.ok) return code;
  let sum = new Decimal(0);
  const lines: Json[] = [];
  for (const [index, line] of doc.lines.entries()) {
    const quantity = toJsonNumber(line.quantity, `lines[${index}].quantity`);
    if (!quantity.ok) return quantity;
    const unit = toJsonNumber(line.unitPrice, `lines[${index}].unitPrice`);
    if (!unit.ok) return unit;
    const amount = toJsonNumber(line.amount, `lines[${index}].amount`);
    if (!amount.ok) return amount;
    if (!line.itemExternalId) return permanent(`lines[${index}] names no Xero item`, { field: 'itemExternalId' });
    sum = sum.add(line.amount);
    lines.push({
      ItemCode: line.itemExternalId,
      Description: line.description,
      Quantity: quantity.value,
      UnitAmount: unit.value,
      LineAmount: amount.value,
    });
  }
  const tax = toJsonNumber(doc.totalTax, 'totalTax');
  if (!tax.ok) return tax;
  const total = toJsonNumber(doc.total, 'total');
  if (!total.ok) return total;
  if (!sum.add(doc.totalTax).equals(doc.total)) {
    return permanent(`${doc.number}: lines ${sum} + tax ${doc.totalTax} ≠ total ${doc.total}`, { field: 'total' });
  }
  const taxMinor = majorToMinor(doc.totalTax, code.value);
  const weights = doc.lines.map((l) => new Decimal(l.amount).abs().toString());
  const shares =
    taxMinor === 0
      ? doc.lines.map(() => 0)
      : allocate(taxMinor, weights.every((w) => w === '0') ? weights.map(() => 1) : weights);
  return ok(
    lines.map((line, index) => {
      const share = shares[index]!;
      return share === 0 && taxMinor === 0
        ? { ...line, TaxType: 'NONE', TaxAmount: 0 }
        : { ...line, TaxType: mapping.taxType, TaxAmount: Number(minorToMajor(share, code.value)) };
    }),
  );
}

export function toInvoice(request: ErpInvoiceRequest, mapping: XeroMapping): Outcome<Json> {
  const number = required(request.invoiceNumber, 'invoiceNumber', LIMITS.documentNumber);
  if (!number.ok) return number;
  const lines = lineItems({ ...request, number: request.invoiceNumber }, mapping);
  if (!lines.ok) return lines;
  return ok({
    Type: 'ACCREC',
    Contact: { ContactID: request.customerExternalId },
    InvoiceNumber: request.invoiceNumber,
    Reference: request.invoiceNumber,
    Date: request.issueDate,
    DueDate: request.dueDate,
    CurrencyCode: request.currency.toUpperCase(),
    LineAmountTypes: 'Exclusive',
    Status: 'AUTHORISED',
    LineItems: lines.value,
  });
}

export function toCreditNote(request: ErpCreditMemoRequest, mapping: XeroMapping): Outcome<Json> {
  const number = required(request.creditNoteNumber, 'creditNoteNumber', LIMITS.documentNumber);
  if (!number.ok) return number;
  const lines = lineItems({ ...request, number: request.creditNoteNumber }, mapping);
  if (!lines.ok) return lines;
  return ok({
    Type: 'ACCRECCREDIT',
    Contact: { ContactID: request.customerExternalId },
    CreditNoteNumber: request.creditNoteNumber,
    Reference: `${CREDIT_REFERENCE_PREFIX}${request.invoiceNumber}`,
    Date: request.issueDate,
    CurrencyCode: request.currency.toUpperCase(),
    LineAmountTypes: 'Exclusive',
    Status: 'AUTHORISED',
    LineItems: lines.value,
  });
}

/** A credit note's Reference names the invoice it credits (our number), so a lookup can tell whether its allocation is pending. */
export const CREDIT_REFERENCE_PREFIX = 'Credit for invoice ';

export function creditedInvoiceNumber(reference: unknown): string | undefined {
  if (typeof reference !== 'string' || !reference.startsWith(CREDIT_REFERENCE_PREFIX)) return undefined;
  return reference.slice(CREDIT_REFERENCE_PREFIX.length) || undefined;
}

/** An allocation of (part of) a credit note to the invoice it credits (PUT /CreditNotes/{id}/Allocations). */
export function toAllocation(invoiceId: string, amount: string, date: string): Outcome<Json> {
  const value = toJsonNumber(amount, 'amount');
  if (!value.ok) return value;
  return ok({ Invoice: { InvoiceID: invoiceId }, Amount: value.value, Date: date });
}

export function toPayment(request: ErpPaymentRequest, mapping: XeroMapping): Outcome<Json> {
  const ref = required(request.paymentRef, 'paymentRef', 255);
  if (!ref.ok) return ref;
  const amount = toJsonNumber(request.amount, 'amount');
  if (!amount.ok) return amount;
  if (amount.value <= 0) return permanent('a payment amount must be positive', { field: 'amount' });
  return ok({
    Invoice: { InvoiceID: request.invoiceExternalId },
    Account: accountRef(mapping.paymentAccount, 'Code'),
    Date: request.date,
    Amount: amount.value,
    Reference: request.paymentRef,
  });
}

/**
 * A cash refund is a Payment against the credit note (PaymentType ARCREDITPAYMENT): the money
 * leaves `depositAccountId` and the credit note's remaining credit falls by the amount.
 * https://developer.xero.com/documentation/api/accounting/payments#creating-a-refund-payment
 */
export function toRefund(request: ErpRefundRequest): Outcome<Json> {
  const ref = required(request.refundRef, 'refundRef', 255);
  if (!ref.ok) return ref;
  if (!request.creditMemoExternalId) {
    return permanent('Xero pays a refund out of a credit note: creditMemoExternalId is required', {
      field: 'creditMemoExternalId',
    });
  }
  if (!request.depositAccountId) return permanent('depositAccountId is required for a refund', { field: 'account' });
  const amount = toJsonNumber(request.amount, 'amount');
  if (!amount.ok) return amount;
  if (amount.value <= 0) return permanent('a refund amount must be positive', { field: 'amount' });
  return ok({
    CreditNote: { CreditNoteID: request.creditMemoExternalId },
    Account: accountRef(request.depositAccountId, 'Code'),
    Date: request.date,
    Amount: amount.value,
    Reference: request.refundRef,
  });
}

/** The narration prefix that finds a journal again. */
export const journalNarrationPrefix = (entryRef: string) => `${entryRef}: `;

/**
 * A ManualJournal, refused before any call unless debits equal credits. Xero journal lines carry
 * signed amounts (debit positive, credit negative) and are always in the organisation's base
 * currency, so an entry in another currency needs its rate: each side's total is converted once
 * and split back over its lines by largest remainder, so the converted journal still balances.
 */
export function toManualJournal(request: ErpJournalRequest, mapping: XeroMapping): Outcome<Json> {
  const ref = required(request.entryRef, 'entryRef', 100);
  if (!ref.ok) return ref;
  const code = currency(request.currency);
  if (!code.ok) return code;
  if (request.lines.length < 2) return permanent('a journal entry needs at least two lines', { field: 'lines' });
  const debits: number[] = [];
  const credits: number[] = [];
  const minors: number[] = [];
  for (const [index, line] of request.lines.entries()) {
    if (!isDecimalString(line.amount) || new Decimal(line.amount).isNegative()) {
      return permanent(`lines[${index}].amount must be a non-negative decimal string`, { field: 'lines' });
    }
    if (!line.accountExternalId) {
      return permanent(`lines[${index}] names no Xero account: map the hub account first`, { field: 'account' });
    }
    const minor = majorToMinor(line.amount, code.value);
    if (!new Decimal(minorToMajor(minor, code.value)).equals(line.amount)) {
      return permanent(`lines[${index}].amount ${line.amount} has more decimals than ${code.value}`, {
        field: 'lines',
      });
    }
    minors.push(minor);
    (line.side === 'debit' ? debits : credits).push(minor);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(debits) !== sum(credits)) {
    return permanent(
      `journal ${request.entryRef}: debits ${minorToMajor(sum(debits), code.value)} ≠ credits ${minorToMajor(sum(credits), code.value)}`,
      { field: 'lines' },
    );
  }
  let amounts = request.lines.map((_, i) => minorToMajor(minors[i]!, code.value));
  if (code.value !== mapping.baseCurrency) {
    if (!request.exchangeRate || !isDecimalString(request.exchangeRate) || !new Decimal(request.exchangeRate).gt(0)) {
      return permanent(
        `journal ${request.entryRef} is in ${code.value}; Xero journals are in ${mapping.baseCurrency}: an exchangeRate is required`,
        { field: 'exchangeRate' },
      );
    }
    const base = mapping.baseCurrency;
    const converted = majorToMinor(new Decimal(minorToMajor(sum(debits), code.value)).mul(request.exchangeRate), base);
    const out: string[] = new Array(request.lines.length);
    for (const side of ['debit', 'credit'] as const) {
      const indexes = request.lines.flatMap((l, i) => (l.side === side ? [i] : []));
      const parts =
        converted === 0
          ? indexes.map(() => 0)
          : allocate(
              converted,
              indexes.map((i) => minors[i]!),
            );
      indexes.forEach((lineIndex, k) => {
        out[lineIndex] = minorToMajor(parts[k]!, base);
      });
    }
    amounts = out;
  }
  const lines = request.lines.map((line, i) => {
    const magnitude = new Decimal(amounts[i]!);
    return {
      ...accountRef(line.accountExternalId),
      Description: line.description,
      LineAmount: (line.side === 'debit' ? magnitude : magnitude.neg()).toNumber(),
      TaxType: 'NONE',
    };
  });
  return ok({
    Narration: `${journalNarrationPrefix(request.entryRef)}${request.memo}`.slice(0, 4000),
    Date: request.date,
    Status: 'POSTED',
    LineAmountTypes: 'NoTax',
    JournalLines: lines,
  });
}

/** The first element of a collection answer ({"Invoices": [...]}) when it is an object. */
export function firstOf(body: unknown, collection: string): Json | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const list = (body as Record<string, unknown>)[collection];
  if (!Array.isArray(list)) return undefined;
  const first: unknown = list[0];
  return first && typeof first === 'object' ? (first as Json) : undefined;
}

/** Every element of a collection answer. */
export function allOf(body: unknown, collection: string): Json[] {
  if (!body || typeof body !== 'object') return [];
  const list = (body as Record<string, unknown>)[collection];
  return Array.isArray(list) ? list.filter((x): x is Json => !!x && typeof x === 'object') : [];
}

export function stringField(object: Json | undefined, field: string): string | undefined {
  const value = object?.[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * What reconciliation reads of a Xero document (ErpPort.readDocument): its total, currency and a
 * status in the port's words. Invoices: PAID → paid, VOIDED → voided, else open. Credit notes:
 * PAID (fully allocated or refunded) → applied, VOIDED → voided, else open. Payments: an
 * AUTHORISED payment is applied (a deleted one is not found at all).
 * https://developer.xero.com/documentation/api/accounting/types#invoice-status-codes
 */
export function fromDocument(
  kind: ErpDocumentState['kind'],
  element: Record<string, unknown>,
  ids: { externalId: string; number?: string },
  currency: string,
): Outcome<ErpDocumentState> {
  const raw = kind === 'payment' ? element.Amount : element.Total;
  if (typeof raw !== 'number' && typeof raw !== 'string') {
    return permanent(`Xero ${kind} ${ids.externalId} has no amount`, {
      field: kind === 'payment' ? 'Amount' : 'Total',
    });
  }
  const status = String(element.Status ?? '');
  let state: ErpDocumentState['status'] = kind === 'payment' ? 'applied' : 'open';
  if (status === 'VOIDED') state = 'voided';
  else if (kind === 'invoice' && status === 'PAID') state = 'paid';
  else if (kind === 'credit_memo' && status === 'PAID') state = 'applied';
  return ok({ ...ids, kind, total: new Decimal(raw).toFixed(), currency, status: state });
}
