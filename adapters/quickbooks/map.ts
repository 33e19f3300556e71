/**
 * Pure mapping between the hub's ERP port and QuickBooks Online v3 entities.
 * Entity references (field names, limits):
 *   Customer https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 *   Item     https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/item
 *   Invoice  https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
 *   Payment  https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment
 *   CreditMemo https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/creditmemo
 * Field names checked against ../../../shared/apispecs/quickbooks.json (tests re-check them).
 */
import Decimal from 'decimal.js';
import { isDecimalString } from '../../src/domain/money.js';
import { type Failure, type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type {
  ErpCreditMemoRequest,
  ErpCustomerRequest,
  ErpDocumentState,
  ErpInvoiceRequest,
  ErpItemRequest,
  ErpPaymentRequest,
  ExternalObject,
} from '../ports.js';

export interface QboRef {
  value: string;
  name?: string;
}

export interface QboCustomer {
  Id?: string;
  SyncToken?: string;
  DisplayName: string;
  PrimaryEmailAddr?: { Address: string };
  CurrencyRef?: QboRef;
}

export interface QboItem {
  Id?: string;
  SyncToken?: string;
  Name: string;
  Description?: string;
  Type: 'Service';
  IncomeAccountRef: QboRef;
}

export interface QboInvoiceLine {
  DetailType: 'SalesItemLineDetail';
  Amount: number;
  Description?: string;
  SalesItemLineDetail: { ItemRef: QboRef; Qty: number; UnitPrice: number };
}

export interface QboInvoice {
  Id?: string;
  SyncToken?: string;
  DocNumber: string;
  TxnDate: string;
  DueDate: string;
  CustomerRef: QboRef;
  CurrencyRef: QboRef;
  Line: QboInvoiceLine[];
  TxnTaxDetail: { TotalTax: number };
}

export interface QboPayment {
  Id?: string;
  SyncToken?: string;
  TotalAmt: number;
  CustomerRef: QboRef;
  CurrencyRef: QboRef;
  PaymentRefNum: string;
  TxnDate: string;
  Line: { Amount: number; LinkedTxn: { TxnId: string; TxnType: 'Invoice' }[] }[];
}

/** Intuit's documented maximum lengths for the fields that carry our natural keys. */
export const LIMITS = { DisplayName: 500, Name: 100, DocNumber: 21, PaymentRefNum: 21 } as const;

/**
 * Turns an exact decimal string into a JSON number without float arithmetic: the string is
 * parsed once and accepted only when the resulting double prints back to the same decimal value,
 * so JSON.stringify sends exactly the amount we were given (or we refuse, as a permanent failure).
 */
export function toJsonNumber(value: string, field: string): Outcome<number> {
  if (typeof value !== 'string' || !isDecimalString(value)) {
    return permanent(`${field} must be a decimal string, got ${JSON.stringify(value)}`, { field });
  }
  const asNumber = Number(value);
  if (!Number.isFinite(asNumber) || !new Decimal(asNumber).equals(new Decimal(value))) {
    return permanent(`${field} ${value} cannot be sent to QuickBooks as a JSON number without losing precision`, {
      field,
    });
  }
  return ok(asNumber);
}

function checkLength(value: string, field: keyof typeof LIMITS): Failure | null {
  if (value.length === 0) return permanent(`${field} must not be empty`, { field });
  if (value.length > LIMITS[field]) {
    return permanent(`${field} "${value}" is longer than QuickBooks allows (${LIMITS[field]} characters)`, { field });
  }
  return null;
}

export function toCustomer(request: ErpCustomerRequest): Outcome<QboCustomer> {
  const bad = checkLength(request.displayName, 'DisplayName');
  if (bad) return bad;
  return ok({
    DisplayName: request.displayName,
    ...(request.email ? { PrimaryEmailAddr: { Address: request.email } } : {}),
    CurrencyRef: { value: request.currency },
  });
}

export function toItem(request: ErpItemRequest): Outcome<QboItem> {
  const bad = checkLength(request.sku, 'Name');
  if (bad) return bad;
  if (!request.incomeAccountId)
    return permanent('incomeAccountId is required for a Service item', { field: 'IncomeAccountRef' });
  return ok({
    Name: request.sku,
    Description: request.name,
    Type: 'Service',
    IncomeAccountRef: { value: request.incomeAccountId },
  });
}

export function toInvoice(request: ErpInvoiceRequest): Outcome<QboInvoice> {
  const bad = checkLength(request.invoiceNumber, 'DocNumber');
  if (bad) return bad;
  if (request.lines.length === 0) return permanent('an invoice needs at least one line', { field: 'Line' });
  const lines: QboInvoiceLine[] = [];
  let sum = new Decimal(0);
  for (const [index, line] of request.lines.entries()) {
    const amount = toJsonNumber(line.amount, `lines[${index}].amount`);
    if (!amount.ok) return amount;
    const qty = toJsonNumber(line.quantity, `lines[${index}].quantity`);
    if (!qty.ok) return qty;
    const unitPrice = toJsonNumber(line.unitPrice, `lines[${index}].unitPrice`);
    if (!unitPrice.ok) return unitPrice;
    sum = sum.add(line.amount);
    lines.push({
      DetailType: 'SalesItemLineDetail',
      Amount: amount.value,
      Description: line.description,
      SalesItemLineDetail: { ItemRef: { value: line.itemExternalId }, Qty: qty.value, UnitPrice: unitPrice.value },
    });
  }
  const totalTax = toJsonNumber(request.totalTax, 'totalTax');
  if (!totalTax.ok) return totalTax;
  const total = toJsonNumber(request.total, 'total');
  if (!total.ok) return total;
  // QuickBooks derives TotalAmt itself; refuse to post an invoice whose parts disagree with ours.
  if (!sum.add(request.totalTax).equals(request.total)) {
    return permanent(
      `invoice ${request.invoiceNumber}: lines ${sum} + tax ${request.totalTax} ≠ total ${request.total}`,
      {
        field: 'total',
      },
    );
  }
  return ok({
    DocNumber: request.invoiceNumber,
    TxnDate: request.issueDate,
    DueDate: request.dueDate,
    CustomerRef: { value: request.customerExternalId },
    CurrencyRef: { value: request.currency },
    Line: lines,
    TxnTaxDetail: { TotalTax: totalTax.value },
  });
}

export function toPayment(request: ErpPaymentRequest): Outcome<QboPayment> {
  const bad = checkLength(request.paymentRef, 'PaymentRefNum');
  if (bad) return bad;
  const amount = toJsonNumber(request.amount, 'amount');
  if (!amount.ok) return amount;
  return ok({
    TotalAmt: amount.value,
    CustomerRef: { value: request.customerExternalId },
    CurrencyRef: { value: request.currency },
    PaymentRefNum: request.paymentRef,
    TxnDate: request.date,
    Line: [{ Amount: amount.value, LinkedTxn: [{ TxnId: request.invoiceExternalId, TxnType: 'Invoice' }] }],
  });
}

/**
 * A CreditMemo has the invoice's shape (DocNumber, CustomerRef, SalesItemLineDetail lines,
 * TxnTaxDetail) with positive amounts; QuickBooks keeps it as credit on the customer. The
 * credited invoice is named in PrivateNote.
 */
export interface QboCreditMemo extends Omit<QboInvoice, 'DueDate'> {
  PrivateNote: string;
}

export function toCreditMemo(request: ErpCreditMemoRequest): Outcome<QboCreditMemo> {
  const asInvoice = toInvoice({
    invoiceNumber: request.creditNoteNumber,
    customerExternalId: request.customerExternalId,
    currency: request.currency,
    issueDate: request.issueDate,
    dueDate: request.issueDate,
    lines: request.lines,
    totalTax: request.totalTax,
    total: request.total,
  });
  if (!asInvoice.ok) return asInvoice;
  const { DueDate: _due, ...memo } = asInvoice.value;
  return ok({ ...memo, PrivateNote: `Credit note ${request.creditNoteNumber} for invoice ${request.invoiceNumber}` });
}

export type QboEntityName = 'Customer' | 'Item' | 'Invoice' | 'Payment' | 'CreditMemo';

/**
 * `select * from <Entity> where <Field> = '<value>'`, with single quotes escaped by a backslash
 * as Intuit's query language requires.
 * https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
export function selectByField(entity: QboEntityName, field: string, value: string): string {
  return `select * from ${entity} where ${field} = '${value.replace(/'/g, "\\'")}'`;
}

interface QboIdentified {
  Id?: unknown;
  DocNumber?: unknown;
  PaymentRefNum?: unknown;
}

/** The entity object of a create response (`{ "Invoice": {...}, "time": ... }`), if it has an Id. */
export function entityOf(body: unknown, entity: QboEntityName): QboIdentified | null {
  if (!body || typeof body !== 'object') return null;
  const found = (body as Record<string, unknown>)[entity];
  if (!found || typeof found !== 'object') return null;
  const id = (found as QboIdentified).Id;
  return typeof id === 'string' && id !== '' ? (found as QboIdentified) : null;
}

/** Rows of a query response; `QueryResponse` is `{}` when nothing matched. Null when the shape is wrong. */
export function rowsOf(body: unknown, entity: QboEntityName): QboIdentified[] | null {
  if (!body || typeof body !== 'object') return null;
  const response = (body as Record<string, unknown>).QueryResponse;
  if (!response || typeof response !== 'object') return null;
  const rows = (response as Record<string, unknown>)[entity];
  if (rows === undefined) return [];
  if (!Array.isArray(rows)) return null;
  return rows.filter((row): row is QboIdentified => typeof row?.Id === 'string');
}

export function fromEntity(entity: QboIdentified): ExternalObject {
  const number =
    typeof entity.DocNumber === 'string'
      ? entity.DocNumber
      : typeof entity.PaymentRefNum === 'string'
        ? entity.PaymentRefNum
        : undefined;
  return { externalId: entity.Id as string, ...(number !== undefined ? { number } : {}) };
}

/** The QuickBooks entity and the field holding our reference, per document kind readDocument reads. */
export const DOCUMENT_ENTITY: Record<ErpDocumentState['kind'], { entity: QboEntityName; field: string }> = {
  invoice: { entity: 'Invoice', field: 'DocNumber' },
  payment: { entity: 'Payment', field: 'PaymentRefNum' },
  credit_memo: { entity: 'CreditMemo', field: 'DocNumber' },
};

interface QboDocumentFields {
  TotalAmt?: unknown;
  Balance?: unknown;
  CurrencyRef?: { value?: unknown };
  PrivateNote?: unknown;
  Line?: unknown;
}

/**
 * A queried Invoice, Payment or CreditMemo as the port's document state. QuickBooks marks a void
 * by zeroing the amounts and putting "Voided" before PrivateNote (invoice#void-an-invoice); an
 * invoice whose Balance is 0 with a positive TotalAmt is paid; a payment with a LinkedTxn line is
 * applied. TotalAmt is a JSON number: printed exactly by decimal.js (shortest round-trip form).
 */
export function fromDocument(row: QboIdentified, kind: ErpDocumentState['kind']): Outcome<ErpDocumentState> {
  const doc = row as QboIdentified & QboDocumentFields;
  if (typeof doc.TotalAmt !== 'number' || !Number.isFinite(doc.TotalAmt)) {
    return permanent(`QuickBooks ${DOCUMENT_ENTITY[kind].entity} ${String(doc.Id)} has no TotalAmt`, {
      field: 'TotalAmt',
    });
  }
  const voided = typeof doc.PrivateNote === 'string' && doc.PrivateNote.startsWith('Voided');
  let status: ErpDocumentState['status'] = 'open';
  if (voided) status = 'voided';
  else if (kind === 'invoice') status = doc.TotalAmt > 0 && doc.Balance === 0 ? 'paid' : 'open';
  else if (kind === 'payment') {
    const lines = Array.isArray(doc.Line) ? (doc.Line as { LinkedTxn?: unknown[] }[]) : [];
    status = lines.some((l) => Array.isArray(l.LinkedTxn) && l.LinkedTxn.length > 0) ? 'applied' : 'open';
  }
  const currency = typeof doc.CurrencyRef?.value === 'string' ? doc.CurrencyRef.value : '';
  return ok({ ...fromEntity(row), kind, total: new Decimal(doc.TotalAmt).toFixed(), currency, status });
}
