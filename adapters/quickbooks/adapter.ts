/**
 * QuickBooks Online adapter for the ERP port. Every create sends WriteOptions.idempotencyKey as
 * Intuit's `requestid`, and every object has a lookup by our natural key through the query
 * endpoint (DisplayName, Item Name = SKU, Invoice, CreditMemo, RefundReceipt and JournalEntry DocNumber,
 * Payment PaymentRefNum), used to reconcile a write whose outcome is unknown. Every DocNumber and
 * PaymentRefNum, written or looked up, goes through one rule for the 21-character limit (doc-number.ts).
 */
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { ErpDocumentState, ErpPort, ExternalObject, WriteOptions } from '../ports.js';
import { createQboClient, type QboEntity } from './client.js';
import { docNumberFor } from './doc-number.js';
import { classifyFailure, isDuplicateName } from './errors.js';
import {
  DOCUMENT_ENTITY,
  entityOf,
  fromDocument,
  fromEntity,
  type QboEntityName,
  rowsOf,
  selectByField,
  toCreditMemo,
  toCustomer,
  toInvoice,
  toItem,
  toJournalEntry,
  toPayment,
  toRefundReceipt,
} from './map.js';

export { DEFAULT_MINOR_VERSION, QBO_PRODUCTION_BASE_URL, QBO_SANDBOX_BASE_URL } from './client.js';
export { docNumberFor } from './doc-number.js';

export interface QuickBooksConfig {
  /** https://quickbooks.api.intuit.com (live), https://sandbox-quickbooks.api.intuit.com, or a simulator. */
  baseUrl: string;
  realmId: string;
  /** OAuth 2 access token (1 h); refreshing it is someone else's job. */
  accessToken: string;
  /** `minorversion` sent on every call; default '75'. */
  minorVersion?: string;
  fetch?: typeof fetch;
  /** Clock for turning an HTTP-date Retry-After into a wait. */
  now?: () => Date;
  /** The company's home currency (CompanyInfo / Preferences); a journal in another needs ExchangeRate. Default USD. */
  homeCurrency?: string;
  /** Item on a RefundReceipt's line (a "Refunds" service item); without it the line names no item. */
  refundItemId?: string;
}

/** Intuit's requestid limit. https://blogs.intuit.com/2015/04/06/15346/ */
const MAX_REQUEST_ID = 50;

const ENTITY_PATH: Record<QboEntityName, QboEntity> = {
  Customer: 'customer',
  Item: 'item',
  Invoice: 'invoice',
  Payment: 'payment',
  CreditMemo: 'creditmemo',
  RefundReceipt: 'refundreceipt',
  JournalEntry: 'journalentry',
};

export function createQuickBooksAdapter(config: QuickBooksConfig): ErpPort {
  const client = createQboClient(config);
  const now = config.now ?? (() => new Date());
  const homeCurrency = config.homeCurrency ?? 'USD';

  /** Sends one create; `duplicateName` tells createNamed the answer was a 6240. */
  async function send(
    entity: QboEntityName,
    body: Outcome<unknown>,
    options: WriteOptions,
  ): Promise<{ outcome: Outcome<ExternalObject>; duplicateName: boolean }> {
    if (!body.ok) return { outcome: body, duplicateName: false };
    const key = options.idempotencyKey;
    if (!key || key.length > MAX_REQUEST_ID) {
      const outcome = permanent(`idempotency key must be 1–${MAX_REQUEST_ID} characters for QuickBooks requestid`, {
        field: 'idempotencyKey',
      });
      return { outcome, duplicateName: false };
    }
    const what = `create ${entity.toLowerCase()}`;
    const response = await client.create(ENTITY_PATH[entity], body.value, key);
    if (response.kind === 'http' && response.status >= 200 && response.status < 300) {
      const created = entityOf(response.body, entity);
      if (created) return { outcome: ok(fromEntity(created)), duplicateName: false };
    }
    return {
      outcome: classifyFailure(response, { what, write: true }, now()),
      duplicateName: isDuplicateName(response),
    };
  }

  async function create(
    entity: QboEntityName,
    body: Outcome<unknown>,
    options: WriteOptions,
  ): Promise<Outcome<ExternalObject>> {
    return (await send(entity, body, options)).outcome;
  }

  async function find(entity: QboEntityName, field: string, value: string): Promise<Outcome<ExternalObject | null>> {
    const row = await findRow(entity, field, value);
    return row.ok && row.value ? ok(fromEntity(row.value)) : row.ok ? ok(null) : row;
  }

  /** The one row whose `field` is `value`, as queried (every field), or null. */
  async function findRow(entity: QboEntityName, field: string, value: string) {
    const what = `find ${entity.toLowerCase()}`;
    const response = await client.query(selectByField(entity, field, value));
    if (response.kind === 'http' && response.status >= 200 && response.status < 300) {
      const rows = rowsOf(response.body, entity);
      if (rows) {
        if (rows.length === 0) return ok(null);
        if (rows.length === 1) return ok(rows[0]!);
        const reason = `QuickBooks has ${rows.length} ${entity} objects with ${field} = "${value}"; pick one by hand`;
        return permanent(reason, { field });
      }
    }
    return classifyFailure(response, { what, write: false }, now());
  }

  /**
   * Customer and Item names are unique in QuickBooks. A 6240 "Duplicate Name Exists" means the
   * object is already there (an earlier run, or a person made it): adopt it by looking it up.
   * Customer names are shared with vendors and employees, so the lookup may still find nothing.
   */
  async function createNamed(
    entity: 'Customer' | 'Item',
    field: string,
    name: string,
    body: Outcome<unknown>,
    options: WriteOptions,
  ): Promise<Outcome<ExternalObject>> {
    const { outcome, duplicateName } = await send(entity, body, options);
    if (!duplicateName) return outcome;
    const existing = await find(entity, field, name);
    if (!existing.ok) return existing;
    if (existing.value) return ok(existing.value);
    return permanent(
      `QuickBooks says the name "${name}" is taken but no ${entity} has it (a vendor or employee may use it)`,
      { field },
    );
  }

  return {
    vendor: 'quickbooks',
    createCustomer: (request, options) =>
      createNamed('Customer', 'DisplayName', request.displayName, toCustomer(request), options),
    findCustomer: (displayName) => find('Customer', 'DisplayName', displayName),
    createItem: (request, options) => createNamed('Item', 'Name', request.sku, toItem(request), options),
    findItem: (sku) => find('Item', 'Name', sku),
    createInvoice: (request, options) => create('Invoice', toInvoice(request), options),
    findInvoice: (invoiceNumber) => find('Invoice', 'DocNumber', docNumberFor(invoiceNumber)),
    createPayment: (request, options) => create('Payment', toPayment(request), options),
    findPayment: (paymentRef) => find('Payment', 'PaymentRefNum', docNumberFor(paymentRef)),
    createCreditMemo: (request, options) => create('CreditMemo', toCreditMemo(request), options),
    findCreditMemo: (creditNoteNumber) => find('CreditMemo', 'DocNumber', docNumberFor(creditNoteNumber)),
    voidInvoice,
    // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/refundreceipt
    createRefund: (request, options) => create('RefundReceipt', toRefundReceipt(request, config.refundItemId), options),
    findRefund: (refundRef) => find('RefundReceipt', 'DocNumber', docNumberFor(refundRef)),
    // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/journalentry
    // toJournalEntry refuses an unbalanced request, so nothing is sent for one.
    postJournalEntry: (request, options) => create('JournalEntry', toJournalEntry(request, homeCurrency), options),
    findJournalEntry: (entryRef) => find('JournalEntry', 'DocNumber', docNumberFor(entryRef)),
    readDocument,
  };

  /** The document's current copy, by the same query the find* lookups send (reconciliation). */
  async function readDocument(
    kind: ErpDocumentState['kind'],
    ourRef: string,
  ): Promise<Outcome<ErpDocumentState | null>> {
    const { entity, field } = DOCUMENT_ENTITY[kind];
    const row = await findRow(entity, field, ourRef);
    if (!row.ok) return row;
    return row.value ? fromDocument(row.value, kind) : ok(null);
  }

  /**
   * The invoice void operation needs the invoice's current SyncToken, so the invoice is read
   * first; one already voided (QuickBooks puts "Voided" before its PrivateNote) is the outcome
   * wanted, and is not voided again. QuickBooks refuses to void an invoice with a payment applied.
   */
  async function voidInvoice(invoiceExternalId: string, options: WriteOptions): Promise<Outcome<ExternalObject>> {
    const read = await client.read('invoice', invoiceExternalId);
    const current = read.kind === 'http' && read.status === 200 ? entityOf(read.body, 'Invoice') : null;
    if (!current) return classifyFailure(read, { what: 'read invoice', write: false }, now());
    const full = current as { SyncToken?: unknown; PrivateNote?: unknown };
    if (typeof full.PrivateNote === 'string' && full.PrivateNote.startsWith('Voided')) return ok(fromEntity(current));
    const key = options.idempotencyKey;
    if (!key || key.length > MAX_REQUEST_ID) {
      return permanent(`idempotency key must be 1–${MAX_REQUEST_ID} characters for QuickBooks requestid`, {
        field: 'idempotencyKey',
      });
    }
    const response = await client.operation(
      'invoice',
      'void',
      { Id: invoiceExternalId, SyncToken: String(full.SyncToken ?? '0'), sparse: true },
      key,
    );
    if (response.kind === 'http' && response.status >= 200 && response.status < 300) {
      const voided = entityOf(response.body, 'Invoice');
      if (voided) return ok(fromEntity(voided));
    }
    return classifyFailure(response, { what: 'void invoice', write: true }, now());
  }
}
