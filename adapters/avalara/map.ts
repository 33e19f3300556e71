/**
 * Pure mapping between the TaxPort and AvaTax models
 * (CreateOrAdjustTransactionModel in, TransactionModel out).
 */

import type {
  AddressResolutionModel,
  CreateOrAdjustTransactionModel,
  CreateTransactionModel,
  LineItemModel,
  TransactionModel,
} from 'avatax/lib/models';
import Decimal from 'decimal.js';
import type { PostalAddress } from '../../src/domain/deal.js';
import { exponentOf, isDecimalString, isKnownCurrency } from '../../src/domain/money.js';
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';
import type { AddressCheck, TaxDocumentState, TaxRequest, TaxResult, TaxReturnRequest } from '../ports.js';

/**
 * The JSON number for an exact decimal string. AvaTax takes amounts as JSON numbers (the SDK
 * serialises with JSON.stringify), so the number is parsed straight from the string — never
 * computed — and accepted only if it prints back as the same decimal value; otherwise a double
 * cannot carry it and we refuse rather than send a different amount. Returns null when refused.
 */
export function decimalToJsonNumber(value: string): number | null {
  if (!isDecimalString(value)) return null;
  const number = Number(value);
  if (!Number.isFinite(number)) return null;
  return new Decimal(String(number)).equals(new Decimal(value)) ? number : null;
}

/**
 * A money amount AvaTax sent as a JSON number, as a decimal string. `String(number)` is the
 * shortest text that reads back as the same double, which is the vendor's own decimal for any
 * amount of up to 15 significant digits. Padded to the currency's exponent ("97.5" → "97.50").
 */
export function amountToDecimalString(value: unknown, currency: string | undefined): string {
  const amount = new Decimal(typeof value === 'number' || typeof value === 'string' ? String(value) : '0');
  if (!currency || !isKnownCurrency(currency)) return amount.toFixed();
  return amount.toFixed(Math.max(exponentOf(currency), amount.decimalPlaces()));
}

/**
 * AvaTax's own escaping for transaction codes in URL paths (see the SDK's GetTransactionByCode
 * notes): '/', '+', '?', '%', '#' become `_-avaXX-_` tokens, then the rest is URL-encoded
 * (a space becomes %20).
 */
export function encodeTransactionCode(code: string): string {
  const tokens: Record<string, string> = {
    '/': '_-ava2f-_',
    '+': '_-ava2b-_',
    '?': '_-ava3f-_',
    '%': '_-ava25-_',
    '#': '_-ava23-_',
  };
  return encodeURIComponent(code.replace(/[/+?%#]/g, (ch) => tokens[ch]));
}

/** Reverses the `_-avaXX-_` tokens of a path segment that the framework has already URL-decoded. */
export function decodeTransactionCode(segment: string): string {
  const chars: Record<string, string> = { '2f': '/', '2b': '+', '3f': '?', '25': '%', '23': '#' };
  return segment.replace(/_-ava(2f|2b|3f|25|23)-_/gi, (_m, hex: string) => chars[hex.toLowerCase()]);
}

/**
 * Builds the CreateOrAdjustTransaction body. The SDK's model types `date` as Date and `type` as a
 * numeric enum, but AvaTax reads ISO dates and enum names; we send the names the API documents.
 */
export function toCreateOrAdjustModel(
  request: TaxRequest,
  companyCode: string,
): Outcome<CreateOrAdjustTransactionModel> {
  const lines: LineItemModel[] = [];
  for (const [index, line] of request.lines.entries()) {
    const amount = decimalToJsonNumber(line.amount);
    if (amount === null) {
      return permanent(`line ${line.number}: amount "${line.amount}" is not an exact decimal AvaTax can take`, {
        field: `lines[${index}].amount`,
      });
    }
    const quantity = decimalToJsonNumber(line.quantity);
    if (quantity === null) {
      return permanent(`line ${line.number}: quantity "${line.quantity}" is not an exact decimal`, {
        field: `lines[${index}].quantity`,
      });
    }
    lines.push({
      number: line.number,
      quantity,
      amount,
      itemCode: line.itemCode,
      description: line.description,
      ...(line.taxCode ? { taxCode: line.taxCode } : {}),
    });
  }
  const { line1, city, region, postalCode, country } = request.shipTo;
  return ok({
    createTransactionModel: {
      type: 'SalesInvoice' as unknown as NonNullable<CreateOrAdjustTransactionModel['createTransactionModel']['type']>,
      code: request.documentCode,
      companyCode,
      date: request.date as unknown as Date,
      customerCode: request.customerCode,
      currencyCode: request.currency,
      commit: request.commit,
      addresses: { shipTo: { line1, city, region, postalCode, country } },
      lines,
      // The certificate AvaTax checks the exemption against (CreateTransactionModel.exemptionNo).
      ...(request.exemptionNumber ? { exemptionNo: request.exemptionNumber } : {}),
    },
  });
}

/**
 * A quote: the sale as a `SalesOrder` for CreateTransaction, which AvaTax computes and never
 * saves, so a preview or a draft leaves nothing to report or void.
 * https://developer.avalara.com/avatax/dev-guide/transactions/simple-transaction/ (SalesOrder = estimate)
 */
export function toQuoteModel(request: TaxRequest, companyCode: string): Outcome<CreateTransactionModel> {
  const sale = toCreateOrAdjustModel({ ...request, commit: false }, companyCode);
  if (!sale.ok) return sale;
  return ok({
    ...sale.value.createTransactionModel,
    type: 'SalesOrder' as unknown as NonNullable<CreateTransactionModel['type']>,
  });
}

/** Our address as AvaTax's AddressValidationInfo (ResolveAddressPost). */
export function toAddressValidationInfo(address: PostalAddress) {
  const { line1, city, region, postalCode, country } = address;
  return { line1, city, region, postalCode, country };
}

/**
 * ResolveAddressPost's answer → valid (with the address AvaTax resolved), or the reason AvaTax
 * gave: a message of severity Error (e.g. "The address is not deliverable") means it could not
 * resolve the address, and a transaction shipped there would be refused or mistaxed.
 */
export function fromAddressResolution(model: AddressResolutionModel, asked: PostalAddress): AddressCheck {
  const errors = (model.messages ?? []).filter((m) => String(m.severity) === 'Error');
  if (errors.length > 0) {
    const reason = errors.map((m) => [m.summary, m.details].filter(Boolean).join(': ')).join('; ');
    return { valid: false, reason: `AvaTax could not resolve the address: ${reason}` };
  }
  const resolved = model.validatedAddresses?.[0];
  if (!resolved) return { valid: true, address: asked };
  return {
    valid: true,
    address: {
      line1: resolved.line1 ?? asked.line1,
      city: resolved.city ?? asked.city,
      region: resolved.region ?? asked.region,
      postalCode: resolved.postalCode ?? asked.postalCode,
      country: resolved.country ?? asked.country,
    },
  };
}

/** AvaTax's document status in the port's words. */
export function stateOfStatus(status: string): TaxDocumentState {
  if (status === 'Committed') return 'committed';
  if (status === 'Cancelled') return 'voided';
  if (status === 'Temporary') return 'estimate';
  return 'saved';
}

/** TransactionModel (as AvaTax sends it: enums as names, amounts as numbers) → TaxResult. */
export function fromTransaction(transaction: TransactionModel): TaxResult {
  const currency = transaction.currencyCode;
  return {
    transactionId: String(transaction.id),
    documentCode: String(transaction.code ?? ''),
    status: String(transaction.status ?? ''),
    state: stateOfStatus(String(transaction.status ?? '')),
    totalTax: amountToDecimalString(transaction.totalTax, currency),
    lines: (transaction.lines ?? []).map((line) => ({
      number: String(line.lineNumber ?? ''),
      tax: amountToDecimalString(line.tax, currency),
    })),
  };
}

/** "7.25" → "-7.25": AvaTax takes a return's amounts negative. */
const negate = (value: string) => new Decimal(value).negated().toFixed();

/**
 * Builds the CreateOrAdjustTransaction body of a return: a committed `ReturnInvoice` with
 * negative amounts, dated (taxDate override) as the original sale so its rates apply, and
 * `referenceCode` naming that sale. A line with a fixed `tax` carries a line-level `TaxAmount`
 * override, so the tax given back is exactly the share of the original's that we credit.
 * https://developer.avalara.com/avatax/dev-guide/transactions/returns/ (handling return invoices)
 */
export function toReturnModel(request: TaxReturnRequest, companyCode: string): Outcome<CreateOrAdjustTransactionModel> {
  const sale = toCreateOrAdjustModel(
    {
      ...request,
      commit: true,
      lines: request.lines.map((line) => ({ ...line, amount: negate(line.amount) })),
    },
    companyCode,
  );
  if (!sale.ok) return sale;
  const model = sale.value.createTransactionModel;
  const lines = model.lines.map((line, i) => {
    const tax = request.lines[i]?.tax;
    if (tax === undefined) return line;
    const taxAmount = decimalToJsonNumber(negate(tax));
    return {
      ...line,
      taxOverride: {
        type: 'TaxAmount',
        taxAmount,
        reason: `Credit of ${request.originalDocumentCode}`,
      },
    } as unknown as LineItemModel;
  });
  return ok({
    createTransactionModel: {
      ...model,
      type: 'ReturnInvoice' as unknown as NonNullable<CreateOrAdjustTransactionModel['createTransactionModel']['type']>,
      referenceCode: request.originalDocumentCode,
      taxOverride: {
        type: 'TaxDate',
        taxDate: request.originalDate,
        reason: `Return of ${request.originalDocumentCode}`,
      } as unknown as NonNullable<CreateOrAdjustTransactionModel['createTransactionModel']['taxOverride']>,
      lines,
    },
  });
}

/** A return's TransactionModel (negative amounts) → TaxResult with the tax given back, positive. */
export function fromReturnTransaction(transaction: TransactionModel): TaxResult {
  const result = fromTransaction(transaction);
  // Drop the sign as text: Decimal would also drop the trailing zeros ("-87.00" → "87").
  const abs = (v: string) => (v.startsWith('-') ? v.slice(1) : v);
  return {
    ...result,
    totalTax: abs(result.totalTax),
    lines: result.lines.map((l) => ({ ...l, tax: abs(l.tax) })),
  };
}
