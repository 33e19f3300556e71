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
import type { TransactionModel } from 'avatax/lib/models';
import { type Failure, ok } from '../../src/domain/outcome.js';
import type { TaxPort } from '../ports.js';
import { createAvaTaxClient } from './client.js';
import { classifyAvalaraError, isEntityNotFound } from './errors.js';
import { encodeTransactionCode, fromTransaction, toCreateOrAdjustModel } from './map.js';

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

  return {
    vendor: 'avalara',

    // options.idempotencyKey is not sent: the document code is AvaTax's idempotency key (see above).
    async recordSale(request, _options) {
      const model = toCreateOrAdjustModel(request, config.companyCode);
      if (!model.ok) return model;
      let transaction: TransactionModel;
      try {
        transaction = await client.createOrAdjustTransaction({ include: INCLUDE, model: model.value });
      } catch (error) {
        return fail(error, true);
      }
      return ok(fromTransaction(transaction));
    },

    async findByDocumentCode(documentCode) {
      let transaction: TransactionModel;
      try {
        transaction = await client.getTransactionByCode({
          companyCode: encodeTransactionCode(config.companyCode),
          transactionCode: encodeTransactionCode(documentCode),
          // The SDK's enum is numeric (SalesInvoice = 1); the API documents the name.
          documentType: 'SalesInvoice' as unknown as DocumentType,
          include: INCLUDE,
        });
      } catch (error) {
        if (isEntityNotFound(error)) return ok(null);
        return fail(error, false);
      }
      return ok(fromTransaction(transaction));
    },
  };
}
