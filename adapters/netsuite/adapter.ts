/**
 * NetSuite adapter for the ERP port, over SuiteTalk REST web services (record API v1).
 *
 * Exactly once: every write is `PUT /record/v1/<type>/eid:<external id>` (upsert by external id,
 * ../../../shared/apispecs/netsuite.json), the external id derived from our natural key (map.ts).
 * Sending it again, after a crash or a dropped connection, finds the record already holding the
 * id and updates it with the same values instead of creating a second one; the lookup by our key is
 * `GET /record/v1/<type>/eid:<external id>`. NetSuite's X-NetSuite-Idempotency-Key header is
 * documented for asynchronous requests only, so WriteOptions.idempotencyKey is not sent: the
 * external id plays its part.
 */
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { ErpDocumentState, ErpPort, ExternalObject } from '../ports.js';
import { createNsClient, type NetSuiteClientConfig, type NsResponse } from './client.js';
import { classifyFailure } from './errors.js';
import {
  customerByNameQuery,
  DEFAULT_CURRENCY_IDS,
  DOCUMENT_RECORD,
  externalIdFor,
  fromDocument,
  idFromLocation,
  idOf,
  type NsMapping,
  type NsRecordType,
  toCreditMemo,
  toCustomer,
  toInvoice,
  toItem,
  toJournalEntry,
  toPayment,
  toRefund,
} from './map.js';

export { accountHost, accountRealm, DEFAULT_CONCURRENCY } from './client.js';
export { DEFAULT_CURRENCY_IDS, externalIdFor } from './map.js';

export interface NetSuiteConfig extends NetSuiteClientConfig, Partial<NsMapping> {}

const ok2xx = (r: NsResponse): r is Extract<NsResponse, { kind: 'http' }> =>
  r.kind === 'http' && r.status >= 200 && r.status < 300;

export function createNetSuiteAdapter(config: NetSuiteConfig): ErpPort {
  const client = createNsClient(config);
  const now = config.now ?? (() => new Date());
  const mapping: NsMapping = {
    currencyIds: config.currencyIds ?? { ...DEFAULT_CURRENCY_IDS },
    ...(config.taxItemId ? { taxItemId: config.taxItemId } : {}),
    ...(config.subsidiaryId ? { subsidiaryId: config.subsidiaryId } : {}),
  };

  async function upsert(
    type: NsRecordType,
    key: string,
    body: Outcome<Record<string, unknown>>,
    number?: string,
  ): Promise<Outcome<ExternalObject>> {
    if (!body.ok) return body;
    const externalId = externalIdFor(type, key);
    const response = await client.upsert(type, externalId, body.value);
    if (ok2xx(response)) {
      // NetSuite answers 204 No Content with the record's URL in Location; a 200 carrying the record
      // is taken too. Any other 2xx (no Location, no body) proves nothing: the classifier calls
      // it indeterminate, and the retry, an upsert by the same external id, is safe.
      const id = response.status === 204 ? idFromLocation(response.headers.get('location')) : idOf(response.body);
      if (id) return ok({ externalId: id, ...(number ? { number } : {}) });
    }
    return classifyFailure(response, { what: `upsert ${type}`, write: true }, now());
  }

  async function find(type: NsRecordType, key: string): Promise<Outcome<ExternalObject | null>> {
    const response = await client.get(type, `eid:${externalIdFor(type, key)}`);
    if (response.kind === 'http' && response.status === 404) return ok(null);
    if (ok2xx(response)) {
      const id = idOf(response.body);
      if (id) {
        const tranId = (response.body as { tranId?: unknown }).tranId;
        return ok({ externalId: id, ...(typeof tranId === 'string' ? { number: tranId } : {}) });
      }
    }
    return classifyFailure(response, { what: `find ${type}`, write: false }, now());
  }

  /** Customers are found by name (the port's key): SuiteQL on companyname. */
  async function findCustomer(displayName: string): Promise<Outcome<ExternalObject | null>> {
    const response = await client.suiteql(customerByNameQuery(displayName));
    if (ok2xx(response)) {
      const items = (response.body as { items?: unknown } | null)?.items;
      if (Array.isArray(items)) {
        const ids = items.map(idOf).filter((id): id is string => id !== null);
        if (ids.length === 0) return ok(null);
        if (ids.length === 1) return ok({ externalId: ids[0]! });
        return permanent(`NetSuite has ${ids.length} customers named "${displayName}"; pick one by hand`, {
          field: 'companyName',
        });
      }
    }
    return classifyFailure(response, { what: 'find customer', write: false }, now());
  }

  /**
   * The REST record API has no void action (SuiteScript's transaction.void is not exposed), so
   * the adapter does what a direct void does to an invoice, through PATCH: every line's quantity,
   * rate and amount set to zero, the record kept, and the memo marked "Voided". An account that
   * voids by reversing journal instead books the reversal through postJournalEntry (journals mode).
   * An invoice with a payment applied is refused, as NetSuite refuses to void one; one already
   * voided is answered as it is.
   */
  async function voidInvoice(invoiceExternalId: string): Promise<Outcome<ExternalObject>> {
    const read = await client.get('invoice', invoiceExternalId, true);
    if (!ok2xx(read) || !idOf(read.body)) return classifyFailure(read, { what: 'read invoice', write: false }, now());
    const invoice = read.body as {
      memo?: unknown;
      total?: unknown;
      amountPaid?: unknown;
      tranId?: unknown;
      item?: { items?: { item?: { id?: string }; description?: string }[] };
    };
    const result = {
      externalId: invoiceExternalId,
      ...(typeof invoice.tranId === 'string' ? { number: invoice.tranId } : {}),
    };
    const memo = typeof invoice.memo === 'string' ? invoice.memo : '';
    if (memo.startsWith('Voided') && Number(invoice.total ?? 0) === 0) return ok(result);
    if (Number(invoice.amountPaid ?? 0) > 0) {
      return permanent(`NetSuite invoice ${invoiceExternalId} has a payment applied; credit it instead of voiding`, {
        field: 'amountPaid',
      });
    }
    const zeroed = (invoice.item?.items ?? []).map((line) => ({
      item: { id: line.item?.id },
      description: line.description ?? '',
      quantity: 0,
      rate: 0,
      amount: 0,
    }));
    const patch = { memo: memo ? `Voided: ${memo}` : 'Voided', item: { items: zeroed } };
    const response = await client.patch('invoice', invoiceExternalId, patch, ['item']);
    if (ok2xx(response)) return ok(result);
    return classifyFailure(response, { what: 'void invoice', write: true }, now());
  }

  return {
    vendor: 'netsuite',
    createCustomer: (request) => upsert('customer', request.localId, toCustomer(request, mapping)),
    findCustomer,
    createItem: (request) => upsert('serviceSaleItem', request.sku, toItem(request, mapping)),
    findItem: (sku) => find('serviceSaleItem', sku),
    createInvoice: (request) =>
      upsert('invoice', request.invoiceNumber, toInvoice(request, mapping), request.invoiceNumber),
    findInvoice: (invoiceNumber) => find('invoice', invoiceNumber),
    createPayment: (request) => upsert('customerPayment', request.paymentRef, toPayment(request, mapping)),
    findPayment: (paymentRef) => find('customerPayment', paymentRef),
    createCreditMemo: (request) =>
      upsert('creditMemo', request.creditNoteNumber, toCreditMemo(request, mapping), request.creditNoteNumber),
    findCreditMemo: (creditNoteNumber) => find('creditMemo', creditNoteNumber),
    voidInvoice,
    createRefund: (request) => upsert('customerRefund', request.refundRef, toRefund(request, mapping)),
    findRefund: (refundRef) => find('customerRefund', refundRef),
    postJournalEntry: (request) => upsert('journalEntry', request.entryRef, toJournalEntry(request, mapping)),
    findJournalEntry: (entryRef) => find('journalEntry', entryRef),
    readDocument,
  };

  /** The document as NetSuite holds it now, read by the external id written for our reference. */
  async function readDocument(
    kind: ErpDocumentState['kind'],
    ourRef: string,
  ): Promise<Outcome<ErpDocumentState | null>> {
    const type = DOCUMENT_RECORD[kind];
    const response = await client.get(type, `eid:${externalIdFor(type, ourRef)}`);
    if (response.kind === 'http' && response.status === 404) return ok(null);
    if (ok2xx(response)) return fromDocument(response.body, kind, mapping);
    return classifyFailure(response, { what: `read ${type}`, write: false }, now());
  }
}
