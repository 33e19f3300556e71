/**
 * Avalara AvaTax adapter for the TaxPort.
 *
 * Idempotency: AvaTax has no idempotency header. The document `code` is the key:
 * CreateOrAdjustTransaction (POST /api/v2/transactions/createoradjust) creates the transaction, or
 * adjusts the one with that code, so a repeated recordSale never records a second sale
 * (https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CreateOrAdjustTransaction/).
 * The lookup is GetTransactionByCode (GET /api/v2/companies/{companyCode}/transactions/{code}).
 */
import type { DocumentType } from 'avatax/lib/enums';
import type { TransactionModel, VoidTransactionModel } from 'avatax/lib/models';
import { type Failure, type Outcome, ok } from '../../src/domain/outcome.js';
import type { TaxPort } from '../ports.js';
import { createAvaTaxClient } from './client.js';
import { classifyAvalaraError, isEntityNotFound } from './errors.js';
import {
  encodeTransactionCode,
  fromAddressResolution,
  fromReturnTransaction,
  fromTransaction,
  toAddressValidationInfo,
  toCreateOrAdjustModel,
  toQuoteModel,
  toReturnModel,
} from './map.js';

export interface AvalaraAdapterConfig {
  /** https://sandbox-rest.avatax.com, https://rest.avatax.com, or the simulator's loopback URL. */
  baseUrl: string;
  accountId: string;
  licenseKey: string;
  companyCode: string;
  appName?: string;
  machineName?: string;
  /** Clock for Retry-After dates; defaults to the system clock. */
  now?: () => Date;
  /** Per-request timeout in ms (default 30 s; the SDK's own default is 20 minutes). */
  timeoutMs?: number;
}

/** Lines (with their tax) are what the port returns, so ask for them explicitly. */
const INCLUDE = 'Lines';

export function createAvalaraAdapter(config: AvalaraAdapterConfig): TaxPort {
  const client = createAvaTaxClient(config);
  const now = config.now ?? (() => new Date());

  const fail = (error: unknown, write: boolean): Failure => {
    const failure = classifyAvalaraError(error, { write, now: now() });
    if (!failure) throw error; // not an AvaTax failure: a bug, do not hide it
    return failure;
  };

  /** CreateOrAdjustTransaction for a sale or a return: the model's document code makes it idempotent. */
  const createOrAdjust = async (model: Parameters<typeof client.createOrAdjustTransaction>[0]['model']) => {
    try {
      return ok(await client.createOrAdjustTransaction({ include: INCLUDE, model }));
    } catch (error) {
      return fail(error, true);
    }
  };

  return {
    vendor: 'avalara',
    // A return line's tax is fixed with a line-level TaxAmount override (map.ts toReturnModel).
    fixesReturnTax: true,

    /** CreateTransaction of a SalesOrder: computed, never saved (map.ts toQuoteModel). */
    async quote(request) {
      const model = toQuoteModel(request, config.companyCode);
      if (!model.ok) return model;
      try {
        return ok(fromTransaction(await client.createTransaction({ include: INCLUDE, model: model.value })));
      } catch (error) {
        // Nothing is stored by a quote: a dropped connection is safe to repeat.
        return fail(error, false);
      }
    },

    /**
     * ResolveAddressPost (POST /api/v2/addresses/resolve), the SDK's own call.
     * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Addresses/ResolveAddressPost/
     */
    async validateAddress(address) {
      try {
        const resolved = await client.resolveAddressPost({ model: toAddressValidationInfo(address) });
        return ok(fromAddressResolution(resolved, address));
      } catch (error) {
        return fail(error, false);
      }
    },

    // options.idempotencyKey is not sent: the document code is AvaTax's idempotency key (see above).
    async recordSale(request, _options) {
      const model = toCreateOrAdjustModel(request, config.companyCode);
      if (!model.ok) return model;
      const created = await createOrAdjust(model.value);
      return created.ok ? ok(fromTransaction(created.value)) : created;
    },

    findByDocumentCode: async (documentCode) => {
      const found = await find(documentCode, 'SalesInvoice');
      return found.ok ? ok(found.value && fromTransaction(found.value)) : found;
    },

    // The return's document code is its idempotency key, as for a sale (CreateOrAdjustTransaction).
    async recordReturn(request, _options) {
      const model = toReturnModel(request, config.companyCode);
      if (!model.ok) return model;
      const created = await createOrAdjust(model.value);
      return created.ok ? ok(fromReturnTransaction(created.value)) : created;
    },

    findReturnByDocumentCode: async (documentCode) => {
      const found = await find(documentCode, 'ReturnInvoice');
      return found.ok ? ok(found.value && fromReturnTransaction(found.value)) : found;
    },

    /**
     * VoidTransaction (POST /api/v2/companies/{companyCode}/transactions/{code}/void, body
     * `{"code": "DocVoided"}`). AvaTax refuses to void a document voided before, so a refusal is
     * checked against the document: already Cancelled is the outcome we wanted.
     * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/VoidTransaction/
     */
    async voidDocument(documentCode, kind) {
      const documentType = kind === 'sale' ? 'SalesInvoice' : 'ReturnInvoice';
      const render = kind === 'sale' ? fromTransaction : fromReturnTransaction;
      try {
        const transaction = await client.voidTransaction({
          companyCode: encodeTransactionCode(config.companyCode),
          transactionCode: encodeTransactionCode(documentCode),
          documentType: documentType as unknown as DocumentType,
          include: INCLUDE,
          model: { code: 'DocVoided' as unknown as VoidTransactionModel['code'] },
        });
        return ok(render(transaction));
      } catch (error) {
        const failure = fail(error, true);
        if (failure.kind === 'retryable' || failure.kind === 'indeterminate') return failure;
        const current = await find(documentCode, documentType);
        if (current.ok && current.value && String(current.value.status) === 'Cancelled')
          return ok(render(current.value));
        return failure;
      }
    },
  };

  /** GetTransactionByCode of one document type; null when AvaTax has no such document. */
  async function find(documentCode: string, documentType: string): Promise<Outcome<TransactionModel | null>> {
    try {
      return ok(
        await client.getTransactionByCode({
          companyCode: encodeTransactionCode(config.companyCode),
          transactionCode: encodeTransactionCode(documentCode),
          // The SDK's enum is numeric (SalesInvoice = 1); the API documents the name.
          documentType: documentType as unknown as DocumentType,
          include: INCLUDE,
        }),
      );
    } catch (error) {
      if (isEntityNotFound(error)) return ok(null);
      return fail(error, false);
    }
  }
}
