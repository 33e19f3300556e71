/**
 * Xero adapter for the ERP port, over the Accounting API 2.0 (client.ts).
 *
 * Exactly once: every write is a PUT (create) or POST (update) carrying `Idempotency-Key` = our
 * deterministic key, so Xero answers a resend with its first answer instead of creating again
 * (../../../shared/apispecs/xero.json idempotency). Every object carries our reference (map.ts)
 * and is found again by it with a `where` filter: the flows look an object up before retrying a
 * write whose outcome is unknown (reconcile-before-retry), which also covers a resend after Xero
 * forgot the key.
 */
import Decimal from 'decimal.js';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { ErpCreditMemoRequest, ErpDocumentState, ErpPort, ExternalObject, WriteOptions } from '../ports.js';
import { createXeroClient, type XeroClientConfig, type XeroResponse } from './client.js';
import { classifyFailure } from './errors.js';
import {
  allOf,
  creditedInvoiceNumber,
  DEFAULT_MAPPING,
  firstOf,
  fromDocument,
  journalNarrationPrefix,
  stringField,
  toAllocation,
  toContact,
  toCreditNote,
  toInvoice,
  toItem,
  toManualJournal,
  toPayment,
  toRefund,
  whereEquals,
  whereStartsWith,
  type XeroMapping,
} from './map.js';

export { XERO_API_BASE_URL } from './client.js';
export { XERO_LIMITS } from './limiter.js';
export { DEFAULT_MAPPING } from './map.js';

export interface XeroConfig extends XeroClientConfig, Partial<XeroMapping> {}

/** Each collection the adapter writes: its JSON key (also the path) and the id field of its elements. */
const COLLECTIONS = {
  contact: { path: 'Contacts', id: 'ContactID', number: 'ContactNumber' },
  // Line items reference items by ItemCode, so the Code is what the port hands back as the item's id.
  item: { path: 'Items', id: 'Code', number: 'Code' },
  invoice: { path: 'Invoices', id: 'InvoiceID', number: 'InvoiceNumber' },
  creditNote: { path: 'CreditNotes', id: 'CreditNoteID', number: 'CreditNoteNumber' },
  payment: { path: 'Payments', id: 'PaymentID', number: 'Reference' },
  journal: { path: 'ManualJournals', id: 'ManualJournalID', number: undefined },
} as const;
type Kind = keyof typeof COLLECTIONS;

type Json = Record<string, unknown>;

const ok2xx = (r: XeroResponse): r is Extract<XeroResponse, { kind: 'http' }> =>
  r.kind === 'http' && r.status >= 200 && r.status < 300;

const decimalOf = (value: unknown) => new Decimal(typeof value === 'number' || typeof value === 'string' ? value : 0);

export function createXeroAdapter(config: XeroConfig): ErpPort {
  const client = createXeroClient(config);
  const now = config.now ?? (() => new Date());
  const mapping: XeroMapping = {
    paymentAccount: config.paymentAccount ?? DEFAULT_MAPPING.paymentAccount,
    taxType: config.taxType ?? DEFAULT_MAPPING.taxType,
    baseCurrency: (config.baseCurrency ?? DEFAULT_MAPPING.baseCurrency).toUpperCase(),
  };

  const external = (kind: Kind, element: Json | undefined): ExternalObject | undefined => {
    const { id, number } = COLLECTIONS[kind];
    const externalId = stringField(element, id);
    if (!externalId) return undefined;
    const doc = number ? stringField(element, number) : undefined;
    return { externalId, ...(doc ? { number: doc } : {}) };
  };

  /** PUT /{Collection} with one element; the answer's element is the object Xero holds. */
  async function create(kind: Kind, body: Outcome<Json>, options: WriteOptions): Promise<Outcome<Json>> {
    if (!body.ok) return body;
    const { path } = COLLECTIONS[kind];
    const response = await client.write('PUT', path, { [path]: [body.value] }, options.idempotencyKey);
    const element = ok2xx(response) ? firstOf(response.body, path) : undefined;
    if (element && external(kind, element)) return ok(element);
    return classifyFailure(response, { what: `create ${kind}`, write: true }, now());
  }

  const created = async (kind: Kind, body: Outcome<Json>, options: WriteOptions) => {
    const result = await create(kind, body, options);
    return result.ok ? ok(external(kind, result.value)!) : result;
  };

  /** GET /{Collection}?where=… : null when none matches, the one that does, or a refusal to guess between several. */
  async function findElement(kind: Kind, where: string, label: string): Promise<Outcome<Json | null>> {
    const { path } = COLLECTIONS[kind];
    const response = await client.get(path, { where });
    if (!ok2xx(response)) return classifyFailure(response, { what: `find ${kind}`, write: false }, now());
    // A deleted document keeps its number in Xero; it is not the one we are looking for.
    const live = allOf(response.body, path).filter((e) => e.Status !== 'DELETED');
    if (live.length === 0) return ok(null);
    if (live.length === 1) return ok(live[0]!);
    return permanent(`Xero holds ${live.length} ${path} matching ${label}; pick one by hand`, { field: label });
  }

  async function find(kind: Kind, where: string, label: string): Promise<Outcome<ExternalObject | null>> {
    const found = await findElement(kind, where, label);
    if (!found.ok) return found;
    return ok(found.value ? (external(kind, found.value) ?? null) : null);
  }

  const findInvoiceElement = (invoiceNumber: string) =>
    findElement(
      'invoice',
      `${whereEquals('Type', 'ACCREC')}&&${whereEquals('InvoiceNumber', invoiceNumber)}`,
      `InvoiceNumber ${invoiceNumber}`,
    );

  const findCreditNoteElement = (number: string) =>
    findElement(
      'creditNote',
      `${whereEquals('Type', 'ACCRECCREDIT')}&&${whereEquals('CreditNoteNumber', number)}`,
      `CreditNoteNumber ${number}`,
    );

  /** What is left to allocate from `note` to `invoice`: 0 when it is allocated already or nothing is due. */
  function pendingAllocation(note: Json, invoice: Json | null): Decimal {
    if (invoice?.Status !== 'AUTHORISED') return new Decimal(0);
    const allocations = Array.isArray(note.Allocations) ? note.Allocations : [];
    if (allocations.length > 0) return new Decimal(0);
    return Decimal.max(0, Decimal.min(decimalOf(invoice.AmountDue), decimalOf(note.RemainingCredit ?? note.Total)));
  }

  /**
   * A credit note, then its allocation to the invoice it credits (the invoice's amount due falls
   * by it). Two calls, so a failure between them must not leave the note unallocated for good:
   * the note is looked up by our number first (a note already there is allocated, not created
   * again), and findCreditMemo reports a note whose allocation is still pending as not posted,
   * so the flow's reconcile-before-retry sends it here again. An invoice already paid or voided
   * has nothing left to allocate: the credit stays on the customer's account, to be refunded
   * (createRefund). An invoice Xero does not hold (never posted by the hub) leaves the note
   * unallocated, as Xero allows. The allocation's key is derived from ours.
   * https://developer.xero.com/documentation/api/accounting/creditnotes#allocate-credit-note
   */
  async function createCreditMemo(
    request: ErpCreditMemoRequest,
    options: WriteOptions,
  ): Promise<Outcome<ExternalObject>> {
    const body = toCreditNote(request, mapping);
    if (!body.ok) return body;
    const invoice = await findInvoiceElement(request.invoiceNumber);
    if (!invoice.ok) return invoice;
    const existing = await findCreditNoteElement(request.creditNoteNumber);
    if (!existing.ok) return existing;
    const note = existing.value ? ok(existing.value) : await create('creditNote', body, options);
    if (!note.ok) return note;
    const result = external('creditNote', note.value)!;
    const amount = pendingAllocation(note.value, invoice.value);
    if (amount.lte(0)) return ok(result);
    const allocation = toAllocation(String(invoice.value!.InvoiceID), amount.toFixed(), request.issueDate);
    if (!allocation.ok) return allocation;
    const response = await client.write(
      'PUT',
      `CreditNotes/${encodeURIComponent(result.externalId)}/Allocations`,
      { Allocations: [allocation.value] },
      `${options.idempotencyKey}:allocate`,
    );
    if (ok2xx(response)) return ok(result);
    return classifyFailure(response, { what: 'allocate credit note', write: true }, now());
  }

  /** The credit note with our number, or null while it is missing or its allocation is still pending. */
  async function findCreditMemo(number: string): Promise<Outcome<ExternalObject | null>> {
    const found = await findCreditNoteElement(number);
    if (!found.ok || !found.value) return found.ok ? ok(null) : found;
    const invoiceNumber = creditedInvoiceNumber(found.value.Reference);
    if (invoiceNumber) {
      const invoice = await findInvoiceElement(invoiceNumber);
      if (!invoice.ok) return invoice;
      if (pendingAllocation(found.value, invoice.value).gt(0)) return ok(null);
    }
    return ok(external('creditNote', found.value) ?? null);
  }

  /**
   * Voiding sets Status VOIDED on an authorised invoice (DELETED on a draft, as Xero asks). Xero
   * refuses to void an invoice with payments or credit notes allocated, and so does the adapter,
   * before any write; one already voided is answered as it is.
   * https://developer.xero.com/documentation/api/accounting/invoices#voiding-an-invoice
   */
  async function voidInvoice(invoiceExternalId: string, options: WriteOptions): Promise<Outcome<ExternalObject>> {
    const read = await client.get(`Invoices/${encodeURIComponent(invoiceExternalId)}`);
    const invoice = ok2xx(read) ? firstOf(read.body, 'Invoices') : undefined;
    if (!invoice) return classifyFailure(read, { what: 'read invoice', write: false }, now());
    const result = external('invoice', invoice) ?? { externalId: invoiceExternalId };
    if (invoice.Status === 'VOIDED' || invoice.Status === 'DELETED') return ok(result);
    if (decimalOf(invoice.AmountPaid).gt(0) || decimalOf(invoice.AmountCredited).gt(0)) {
      return permanent(
        `Xero invoice ${result.number ?? invoiceExternalId} has payments or credit applied; credit it instead of voiding`,
        { field: 'AmountPaid' },
      );
    }
    const status = invoice.Status === 'AUTHORISED' ? 'VOIDED' : 'DELETED';
    const response = await client.write(
      'POST',
      `Invoices/${encodeURIComponent(invoiceExternalId)}`,
      { Invoices: [{ InvoiceID: invoiceExternalId, Status: status }] },
      options.idempotencyKey,
    );
    if (ok2xx(response)) return ok(result);
    return classifyFailure(response, { what: 'void invoice', write: true }, now());
  }

  /**
   * The document as Xero holds it now, found by our reference as the lookups find it. A payment
   * names its invoice, not its currency, so the currency comes from the invoice when Xero's answer
   * does not carry it (reconciliation compares amounts per currency).
   */
  async function readDocument(
    kind: ErpDocumentState['kind'],
    ourRef: string,
  ): Promise<Outcome<ErpDocumentState | null>> {
    const [collection, found] =
      kind === 'invoice'
        ? (['invoice', await findInvoiceElement(ourRef)] as const)
        : kind === 'credit_memo'
          ? (['creditNote', await findCreditNoteElement(ourRef)] as const)
          : ([
              'payment',
              await findElement('payment', whereEquals('Reference', ourRef), `Reference ${ourRef}`),
            ] as const);
    if (!found.ok || !found.value) return found.ok ? ok(null) : found;
    const ids = external(collection, found.value);
    if (!ids) return permanent(`Xero ${kind} ${ourRef} has no id`, { field: COLLECTIONS[collection].id });
    let currency = stringField(found.value, 'CurrencyCode');
    const paid = found.value.Invoice as Json | undefined;
    if (!currency && paid) {
      currency = stringField(paid, 'CurrencyCode');
      const number = stringField(paid, 'InvoiceNumber');
      if (!currency && number) {
        const invoice = await findInvoiceElement(number);
        if (!invoice.ok) return invoice;
        currency = stringField(invoice.value ?? undefined, 'CurrencyCode');
      }
    }
    return fromDocument(kind, found.value, ids, currency ?? '');
  }

  return {
    vendor: 'xero',
    createCustomer: (request, options) => created('contact', toContact(request), options),
    // Xero keeps contact names unique per organisation, so the name finds the one contact.
    findCustomer: (displayName) => find('contact', whereEquals('Name', displayName), `Name ${displayName}`),
    createItem: (request, options) => created('item', toItem(request), options),
    findItem: (sku) => find('item', whereEquals('Code', sku), `Code ${sku}`),
    createInvoice: (request, options) => created('invoice', toInvoice(request, mapping), options),
    findInvoice: async (invoiceNumber) => {
      const found = await findInvoiceElement(invoiceNumber);
      return found.ok ? ok(found.value ? (external('invoice', found.value) ?? null) : null) : found;
    },
    createPayment: (request, options) => created('payment', toPayment(request, mapping), options),
    findPayment: (paymentRef) => find('payment', whereEquals('Reference', paymentRef), `Reference ${paymentRef}`),
    createCreditMemo,
    findCreditMemo,
    voidInvoice,
    createRefund: (request, options) => created('payment', toRefund(request), options),
    findRefund: (refundRef) => find('payment', whereEquals('Reference', refundRef), `Reference ${refundRef}`),
    postJournalEntry: (request, options) => created('journal', toManualJournal(request, mapping), options),
    findJournalEntry: (entryRef) =>
      find('journal', whereStartsWith('Narration', journalNarrationPrefix(entryRef)), `Narration ${entryRef}`),
    readDocument,
  };
}
