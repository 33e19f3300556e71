/**
 * Pure mapping between the hub's ERP port and NetSuite REST records (record API v1).
 * Records and key fields: ../../../shared/apispecs/netsuite.json `records_of_interest`
 * (customer, invoice, customerPayment, journalEntry), plus serviceSaleItem, creditMemo and
 * customerRefund from the NetSuite Help Center's REST record pages. References are `{id}` objects,
 * sublists are `{items: [...]}`.
 *
 * External ids: every record the hub writes carries `externalId` = a prefix naming the kind + our
 * natural key (invoice number, SKU, payment reference, ...), and is written with
 * `PUT /record/v1/<type>/eid:<externalId>` (upsert), so the same write twice is one record. The
 * prefix keeps an invoice and a credit note that share the hub's number sequence apart.
 */
import Decimal from 'decimal.js';
import { isDecimalString } from '../../src/domain/money.js';
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

export type NsRecordType =
  | 'customer'
  | 'serviceSaleItem'
  | 'invoice'
  | 'customerPayment'
  | 'creditMemo'
  | 'customerRefund'
  | 'journalEntry';

const EID_PREFIX: Record<NsRecordType, string> = {
  customer: 'hub-cust-',
  serviceSaleItem: 'hub-item-',
  invoice: 'hub-inv-',
  customerPayment: 'hub-pay-',
  creditMemo: 'hub-cm-',
  customerRefund: 'hub-ref-',
  journalEntry: 'hub-je-',
};

/** The external id a record written for our key carries. */
export function externalIdFor(type: NsRecordType, key: string): string {
  return `${EID_PREFIX[type]}${key}`;
}

/** What the mapping needs beside the request: the connection's NetSuite ids. */
export interface NsMapping {
  /** ISO 4217 code → NetSuite currency internal id. */
  currencyIds: Record<string, string>;
  /** The item tax engine totals are posted on (a non-inventory or other-charge item), when tax is non-zero. */
  taxItemId?: string;
  /** OneWorld accounts: the subsidiary customers, items and journals belong to. */
  subsidiaryId?: string;
}

/**
 * Internal ids NetSuite gives the first currencies of a US-based account (USD is the base
 * currency, id 1). Another account sets `currencyIds` on its connection.
 */
export const DEFAULT_CURRENCY_IDS: Readonly<Record<string, string>> = Object.freeze({
  USD: '1',
  GBP: '2',
  CAD: '3',
  EUR: '4',
});

export interface NsRef {
  id: string;
}

export interface NsLine {
  item: NsRef;
  description: string;
  quantity: number;
  rate: number;
  amount: number;
}

/** Turns an exact decimal string into a JSON number, refusing one a double cannot carry exactly. */
export function toJsonNumber(value: string, field: string): Outcome<number> {
  if (typeof value !== 'string' || !isDecimalString(value)) {
    return permanent(`${field} must be a decimal string, got ${JSON.stringify(value)}`, { field });
  }
  const asNumber = Number(value);
  if (!Number.isFinite(asNumber) || !new Decimal(asNumber).equals(new Decimal(value))) {
    return permanent(`${field} ${value} cannot be sent to NetSuite as a JSON number without losing precision`, {
      field,
    });
  }
  return ok(asNumber);
}

function currencyRef(mapping: NsMapping, currency: string): Outcome<NsRef> {
  const id = mapping.currencyIds[currency.toUpperCase()];
  if (!id) {
    return permanent(`no NetSuite currency id for ${currency}: add it to the connection's currencyIds`, {
      field: 'currencyIds',
    });
  }
  return ok({ id });
}

const subsidiary = (mapping: NsMapping) => (mapping.subsidiaryId ? { subsidiary: { id: mapping.subsidiaryId } } : {});

function required(value: string, field: string): Outcome<string> {
  return value ? ok(value) : permanent(`${field} must not be empty`, { field });
}

export function toCustomer(request: ErpCustomerRequest, mapping: NsMapping): Outcome<Record<string, unknown>> {
  const name = required(request.displayName, 'displayName');
  if (!name.ok) return name;
  const currency = currencyRef(mapping, request.currency);
  if (!currency.ok) return currency;
  return ok({
    externalId: externalIdFor('customer', request.localId),
    companyName: request.displayName,
    isPerson: false,
    ...(request.email ? { email: request.email } : {}),
    currency: currency.value,
    ...subsidiary(mapping),
  });
}

export function toItem(request: ErpItemRequest, mapping: NsMapping): Outcome<Record<string, unknown>> {
  const sku = required(request.sku, 'sku');
  if (!sku.ok) return sku;
  if (!request.incomeAccountId) {
    return permanent('incomeAccountId is required for a service sale item', { field: 'incomeAccount' });
  }
  return ok({
    externalId: externalIdFor('serviceSaleItem', request.sku),
    itemId: request.sku,
    displayName: request.name,
    incomeAccount: { id: request.incomeAccountId },
    ...(mapping.subsidiaryId ? { subsidiary: { items: [{ id: mapping.subsidiaryId }] } } : {}),
  });
}

interface Document {
  number: string;
  lines: ErpInvoiceRequest['lines'];
  totalTax: string;
  total: string;
}

/**
 * Item lines, plus one line on the tax item for the engine's tax (NetSuite must not compute its
 * own), after checking that lines and tax add up to our total.
 */
function documentLines(doc: Document, mapping: NsMapping): Outcome<NsLine[]> {
  if (doc.lines.length === 0) return permanent(`${doc.number}: a document needs at least one line`, { field: 'item' });
  const lines: NsLine[] = [];
  let sum = new Decimal(0);
  for (const [index, line] of doc.lines.entries()) {
    const quantity = toJsonNumber(line.quantity, `lines[${index}].quantity`);
    if (!quantity.ok) return quantity;
    const rate = toJsonNumber(line.unitPrice, `lines[${index}].unitPrice`);
    if (!rate.ok) return rate;
    const amount = toJsonNumber(line.amount, `lines[${index}].amount`);
    if (!amount.ok) return amount;
    sum = sum.add(line.amount);
    lines.push({
      item: { id: line.itemExternalId },
      description: line.description,
      quantity: quantity.value,
      rate: rate.value,
      amount: amount.value,
    });
  }
  const tax = toJsonNumber(doc.totalTax, 'totalTax');
  if (!tax.ok) return tax;
  const total = toJsonNumber(doc.total, 'total');
  if (!total.ok) return total;
  if (!sum.add(doc.totalTax).equals(doc.total)) {
    return permanent(`${doc.number}: lines ${sum} + tax ${doc.totalTax} ≠ total ${doc.total}`, { field: 'total' });
  }
  if (tax.value !== 0) {
    if (!mapping.taxItemId) {
      return permanent(`${doc.number} carries tax but the connection has no taxItemId to post it on`, {
        field: 'taxItemId',
      });
    }
    lines.push({
      item: { id: mapping.taxItemId },
      description: 'Tax',
      quantity: 1,
      rate: tax.value,
      amount: tax.value,
    });
  }
  return ok(lines);
}

export function toInvoice(request: ErpInvoiceRequest, mapping: NsMapping): Outcome<Record<string, unknown>> {
  const number = required(request.invoiceNumber, 'invoiceNumber');
  if (!number.ok) return number;
  const currency = currencyRef(mapping, request.currency);
  if (!currency.ok) return currency;
  const lines = documentLines({ ...request, number: request.invoiceNumber }, mapping);
  if (!lines.ok) return lines;
  return ok({
    externalId: externalIdFor('invoice', request.invoiceNumber),
    tranId: request.invoiceNumber,
    entity: { id: request.customerExternalId },
    tranDate: request.issueDate,
    dueDate: request.dueDate,
    currency: currency.value,
    item: { items: lines.value },
  });
}

export function toCreditMemo(request: ErpCreditMemoRequest, mapping: NsMapping): Outcome<Record<string, unknown>> {
  const number = required(request.creditNoteNumber, 'creditNoteNumber');
  if (!number.ok) return number;
  const currency = currencyRef(mapping, request.currency);
  if (!currency.ok) return currency;
  const lines = documentLines({ ...request, number: request.creditNoteNumber }, mapping);
  if (!lines.ok) return lines;
  return ok({
    externalId: externalIdFor('creditMemo', request.creditNoteNumber),
    tranId: request.creditNoteNumber,
    entity: { id: request.customerExternalId },
    tranDate: request.issueDate,
    currency: currency.value,
    memo: `Credit note ${request.creditNoteNumber} for invoice ${request.invoiceNumber}`,
    item: { items: lines.value },
  });
}

export function toPayment(request: ErpPaymentRequest, mapping: NsMapping): Outcome<Record<string, unknown>> {
  const ref = required(request.paymentRef, 'paymentRef');
  if (!ref.ok) return ref;
  const currency = currencyRef(mapping, request.currency);
  if (!currency.ok) return currency;
  const amount = toJsonNumber(request.amount, 'amount');
  if (!amount.ok) return amount;
  return ok({
    externalId: externalIdFor('customerPayment', request.paymentRef),
    customer: { id: request.customerExternalId },
    tranDate: request.date,
    currency: currency.value,
    payment: amount.value,
    memo: request.paymentRef,
    apply: { items: [{ doc: { id: request.invoiceExternalId }, apply: true, amount: amount.value }] },
  });
}

/**
 * A customerRefund pays cash out of `account` and applies it to the credit it pays back: the
 * credit memo, or else the payment; with neither it is recorded against the customer's balance.
 */
export function toRefund(request: ErpRefundRequest, mapping: NsMapping): Outcome<Record<string, unknown>> {
  const ref = required(request.refundRef, 'refundRef');
  if (!ref.ok) return ref;
  const currency = currencyRef(mapping, request.currency);
  if (!currency.ok) return currency;
  const amount = toJsonNumber(request.amount, 'amount');
  if (!amount.ok) return amount;
  if (!request.depositAccountId) return permanent('depositAccountId is required for a refund', { field: 'account' });
  const doc = request.creditMemoExternalId ?? request.paymentExternalId;
  return ok({
    externalId: externalIdFor('customerRefund', request.refundRef),
    customer: { id: request.customerExternalId },
    tranDate: request.date,
    currency: currency.value,
    account: { id: request.depositAccountId },
    memo: request.refundRef,
    ...(doc ? { apply: { items: [{ doc: { id: doc }, apply: true, amount: amount.value }] } } : {}),
  });
}

/** A journalEntry, refused before any call unless debits equal credits. */
export function toJournalEntry(request: ErpJournalRequest, mapping: NsMapping): Outcome<Record<string, unknown>> {
  const ref = required(request.entryRef, 'entryRef');
  if (!ref.ok) return ref;
  const currency = currencyRef(mapping, request.currency);
  if (!currency.ok) return currency;
  if (request.lines.length < 2) return permanent('a journal entry needs at least two lines', { field: 'line' });
  let debits = new Decimal(0);
  let credits = new Decimal(0);
  const lines: Record<string, unknown>[] = [];
  for (const [index, line] of request.lines.entries()) {
    const amount = toJsonNumber(line.amount, `lines[${index}].amount`);
    if (!amount.ok) return amount;
    if (amount.value < 0) return permanent(`lines[${index}].amount must not be negative`, { field: 'line' });
    if (!line.accountExternalId) {
      return permanent(`lines[${index}] names no NetSuite account: map the hub account first`, { field: 'account' });
    }
    if (line.side === 'debit') debits = debits.add(line.amount);
    else credits = credits.add(line.amount);
    lines.push({
      account: { id: line.accountExternalId },
      [line.side]: amount.value,
      memo: line.description,
      ...(line.customerExternalId ? { entity: { id: line.customerExternalId } } : {}),
    });
  }
  if (!debits.equals(credits)) {
    return permanent(`journal ${request.entryRef}: debits ${debits} ≠ credits ${credits}`, { field: 'line' });
  }
  let exchangeRate: number | undefined;
  if (request.exchangeRate !== undefined) {
    const rate = toJsonNumber(request.exchangeRate, 'exchangeRate');
    if (!rate.ok) return rate;
    if (rate.value <= 0) return permanent('exchangeRate must be positive', { field: 'exchangeRate' });
    exchangeRate = rate.value;
  }
  return ok({
    externalId: externalIdFor('journalEntry', request.entryRef),
    tranDate: request.date,
    currency: currency.value,
    ...(exchangeRate !== undefined ? { exchangeRate } : {}),
    memo: request.memo,
    ...subsidiary(mapping),
    line: { items: lines },
  });
}

/** The record's internal id from the Location header of a 204 (`.../record/v1/invoice/123`). */
export function idFromLocation(location: string | null): string | null {
  if (!location) return null;
  const last = location.replace(/\/+$/, '').split('/').pop() ?? '';
  return /^\d+$/.test(last) ? last : null;
}

/** The id of a record body (GET answer), when it has one. */
export function idOf(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const id = (body as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : null;
}

/**
 * `SELECT id FROM customer WHERE companyname = '<name>'` in SuiteQL, with single quotes doubled
 * as SQL string literals require (SuiteQL over REST takes no bind parameters).
 */
export function customerByNameQuery(name: string): string {
  return `SELECT id FROM customer WHERE companyname = '${name.replace(/'/g, "''")}'`;
}

/** The record type holding each document kind readDocument reads (record API v1 names). */
export const DOCUMENT_RECORD: Record<ErpDocumentState['kind'], NsRecordType> = {
  invoice: 'invoice',
  payment: 'customerPayment',
  credit_memo: 'creditMemo',
};

/** NetSuite answers select fields as `{id, refName}` over REST; the simulator as the plain word. */
const wordOf = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : value && typeof value === 'object' && typeof (value as { refName?: unknown }).refName === 'string'
      ? (value as { refName: string }).refName
      : '';

/**
 * A GET of an invoice, customerPayment or creditMemo as the port's document state: the total
 * (`payment` on a customerPayment), the currency's ISO code from the connection's currencyIds, and
 * the status: voided when the memo starts with "Voided" (what voidInvoice writes), an invoice paid
 * when its status is Paid In Full, a payment applied unless all of it is unapplied, a credit memo
 * applied once none of it is left.
 * https://system.netsuite.com/help/helpcenter/en_US/APIs/REST_API_Browser/record/v1/2024.2/index.html
 */
export function fromDocument(
  body: unknown,
  kind: ErpDocumentState['kind'],
  mapping: NsMapping,
): Outcome<ErpDocumentState> {
  const record = (body ?? {}) as Record<string, unknown>;
  const id = idOf(body);
  const raw = kind === 'payment' ? (record.payment ?? record.total) : record.total;
  if (!id || typeof raw !== 'number' || !Number.isFinite(raw)) {
    return permanent(`NetSuite ${DOCUMENT_RECORD[kind]} has no id or total`, { field: 'total' });
  }
  const currencyId = (record.currency as { id?: unknown } | undefined)?.id;
  const currency = Object.entries(mapping.currencyIds).find(([, cid]) => cid === String(currencyId))?.[0] ?? '';
  const memo = typeof record.memo === 'string' ? record.memo : '';
  const status = wordOf(record.status).toLowerCase();
  let state: ErpDocumentState['status'] = 'open';
  if (memo.startsWith('Voided')) state = 'voided';
  else if (kind === 'invoice') state = status === 'paid in full' ? 'paid' : 'open';
  else if (kind === 'payment') state = record.unapplied === raw ? 'open' : 'applied';
  else if (record.unapplied === 0) state = 'applied';
  const tranId = typeof record.tranId === 'string' ? record.tranId : undefined;
  return ok({
    externalId: id,
    ...(tranId ? { number: tranId } : {}),
    kind,
    total: new Decimal(raw).toFixed(),
    currency,
    status: state,
  });
}
