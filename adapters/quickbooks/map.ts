/**
 * Pure mapping between the hub's ERP port and QuickBooks Online v3 entities.
 * Entity references (field names, limits):
 *   Customer https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
 *   Item     https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/item
 *   Invoice  https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
 *   Payment  https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment
 *   CreditMemo https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/creditmemo
 *   RefundReceipt https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/refundreceipt
 *   JournalEntry  https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/journalentry
 * DocNumber and PaymentRefNum carry our references through one rule (doc-number.ts).
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
  ErpJournalRequest,
  ErpPaymentRequest,
  ErpRefundRequest,
  ExternalObject,
} from '../ports.js';
import { docNumberFor } from './doc-number.js';

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
  const bad = checkLength(docNumberFor(request.invoiceNumber), 'DocNumber');
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
    DocNumber: docNumberFor(request.invoiceNumber),
    TxnDate: request.issueDate,
    DueDate: request.dueDate,
    CustomerRef: { value: request.customerExternalId },
    CurrencyRef: { value: request.currency },
    Line: lines,
    TxnTaxDetail: { TotalTax: totalTax.value },
  });
}

export function toPayment(request: ErpPaymentRequest): Outcome<QboPayment> {
  const bad = checkLength(docNumberFor(request.paymentRef), 'PaymentRefNum');
  if (bad) return bad;
  const amount = toJsonNumber(request.amount, 'amount');
  if (!amount.ok) return amount;
  return ok({
    TotalAmt: amount.value,
    CustomerRef: { value: request.customerExternalId },
    CurrencyRef: { value: request.currency },
    PaymentRefNum: docNumberFor(request.paymentRef),
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

export type QboEntityName =
  | 'Customer'
  | 'Item'
  | 'Invoice'
  | 'Payment'
  | 'CreditMemo'
  | 'RefundReceipt'
  | 'JournalEntry';

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

/**
 * RefundReceipt: money paid back to a customer, out of DepositToAccountRef (the bank or provider
 * clearing account it left from). Its one sales line carries the amount; ItemRef is the
 * connection's refund item when one is configured. Our refund id is the DocNumber (doc-number.ts)
 * and, in full, the PrivateNote with the credit memo and payment it pays back.
 */
export interface QboRefundReceipt {
  DocNumber: string;
  TxnDate: string;
  CustomerRef: QboRef;
  CurrencyRef: QboRef;
  DepositToAccountRef: QboRef;
  PaymentRefNum: string;
  PrivateNote: string;
  Line: {
    DetailType: 'SalesItemLineDetail';
    Amount: number;
    Description: string;
    SalesItemLineDetail: { ItemRef?: QboRef; Qty: number; UnitPrice: number };
  }[];
}

export function toRefundReceipt(request: ErpRefundRequest, refundItemId?: string): Outcome<QboRefundReceipt> {
  const docNumber = docNumberFor(request.refundRef);
  const bad = checkLength(docNumber, 'DocNumber');
  if (bad) return bad;
  if (!request.depositAccountId) {
    return permanent('depositAccountId is required: the account the refund is paid from', {
      field: 'DepositToAccountRef',
    });
  }
  const amount = toJsonNumber(request.amount, 'amount');
  if (!amount.ok) return amount;
  if (amount.value <= 0) return permanent(`refund ${request.refundRef}: amount must be positive`, { field: 'amount' });
  const links = [
    ...(request.creditMemoExternalId ? [`credit memo ${request.creditMemoExternalId}`] : []),
    ...(request.paymentExternalId ? [`payment ${request.paymentExternalId}`] : []),
  ];
  return ok({
    DocNumber: docNumber,
    TxnDate: request.date,
    CustomerRef: { value: request.customerExternalId },
    CurrencyRef: { value: request.currency },
    DepositToAccountRef: { value: request.depositAccountId },
    PaymentRefNum: docNumber,
    PrivateNote: `Refund ${request.refundRef}${links.length ? ` of ${links.join(', ')}` : ''}`,
    Line: [
      {
        DetailType: 'SalesItemLineDetail',
        Amount: amount.value,
        Description: `Refund ${request.refundRef}`,
        SalesItemLineDetail: {
          ...(refundItemId ? { ItemRef: { value: refundItemId } } : {}),
          Qty: 1,
          UnitPrice: amount.value,
        },
      },
    ],
  });
}

/**
 * JournalEntry: lines with JournalEntryLineDetail {PostingType Debit|Credit, AccountRef, Entity
 * for a receivable line}; QuickBooks refuses one whose debits and credits differ, and so do we,
 * before any call. A currency other than the company's home currency needs ExchangeRate (units
 * of home currency per unit of the entry's currency).
 */
export interface QboJournalLine {
  DetailType: 'JournalEntryLineDetail';
  Amount: number;
  Description: string;
  JournalEntryLineDetail: {
    PostingType: 'Debit' | 'Credit';
    AccountRef: QboRef;
    Entity?: { Type: 'Customer'; EntityRef: QboRef };
  };
}

export interface QboJournalEntry {
  DocNumber: string;
  TxnDate: string;
  PrivateNote: string;
  CurrencyRef: QboRef;
  ExchangeRate?: number;
  Line: QboJournalLine[];
}

export function toJournalEntry(request: ErpJournalRequest, homeCurrency: string): Outcome<QboJournalEntry> {
  const docNumber = docNumberFor(request.entryRef);
  const bad = checkLength(docNumber, 'DocNumber');
  if (bad) return bad;
  if (request.lines.length < 2) return permanent('a journal entry needs at least two lines', { field: 'Line' });
  let debits = new Decimal(0);
  let credits = new Decimal(0);
  const lines: QboJournalLine[] = [];
  for (const [index, line] of request.lines.entries()) {
    const amount = toJsonNumber(line.amount, `lines[${index}].amount`);
    if (!amount.ok) return amount;
    if (new Decimal(line.amount).isNegative()) {
      return permanent(`lines[${index}].amount must not be negative`, { field: `lines[${index}].amount` });
    }
    if (!line.accountExternalId) {
      return permanent(`lines[${index}] has no ERP account`, { field: `lines[${index}].accountExternalId` });
    }
    if (line.side === 'debit') debits = debits.add(line.amount);
    else credits = credits.add(line.amount);
    lines.push({
      DetailType: 'JournalEntryLineDetail',
      Amount: amount.value,
      Description: line.description,
      JournalEntryLineDetail: {
        PostingType: line.side === 'debit' ? 'Debit' : 'Credit',
        AccountRef: { value: line.accountExternalId },
        ...(line.customerExternalId
          ? { Entity: { Type: 'Customer', EntityRef: { value: line.customerExternalId } } }
          : {}),
      },
    });
  }
  if (!debits.equals(credits)) {
    return permanent(`journal ${request.entryRef} is unbalanced: debits ${debits} ≠ credits ${credits}`, {
      field: 'lines',
    });
  }
  let exchangeRate: number | undefined;
  if (request.currency !== homeCurrency) {
    if (!request.exchangeRate) {
      return permanent(
        `journal ${request.entryRef} is in ${request.currency}, not the home currency ${homeCurrency}: an exchange rate is required`,
        { field: 'exchangeRate' },
      );
    }
    const rate = toJsonNumber(request.exchangeRate, 'exchangeRate');
    if (!rate.ok) return rate;
    if (rate.value <= 0) return permanent('exchangeRate must be positive', { field: 'exchangeRate' });
    exchangeRate = rate.value;
  }
  return ok({
    DocNumber: docNumber,
    TxnDate: request.date,
    PrivateNote: `${request.memo} (hub ledger entry ${request.entryRef})`,
    CurrencyRef: { value: request.currency },
    ...(exchangeRate !== undefined ? { ExchangeRate: exchangeRate } : {}),
    Line: lines,
  });
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
