/**
 * The AvaTax simulator's data: parsing a CreateTransactionModel, a deterministic tax engine
 * (a rate per ship-to region, rounded half-up per line) and the TransactionModel it answers with.
 * Runtime-neutral: decimal.js only.
 */
import Decimal from 'decimal.js';
import { exponentOf, isKnownCurrency } from '../../../src/domain/money.js';
import type { SimError } from './errors.js';

/** US state rates (decimal strings). Other US states get OTHER_US_RATE; outside the US, 0. */
export const DEFAULT_RATES: Readonly<Record<string, string>> = Object.freeze({
  CA: '0.0725',
  NY: '0.08875',
  WA: '0.101',
  TX: '0.0825',
});
export const OTHER_US_RATE = '0.05';

const STATE_NAMES: Record<string, string> = { CA: 'CALIFORNIA', NY: 'NEW YORK', WA: 'WASHINGTON', TX: 'TEXAS' };

/** Document types by the number the SDK's enum uses, for clients that send numbers. */
const DOCUMENT_TYPES = [
  'SalesOrder',
  'SalesInvoice',
  'PurchaseOrder',
  'PurchaseInvoice',
  'ReturnOrder',
  'ReturnInvoice',
];

const valueRequired = (refersTo: string): SimError => ({
  status: 400,
  code: 'ValueRequiredError',
  number: 5,
  message: `Field '${refersTo}' is required.`,
  target: 'IncorrectData',
  refersTo,
});

export interface SimAddress {
  line1: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export interface SimLine {
  number: string;
  quantity: Decimal;
  amount: Decimal;
  itemCode: string;
  description: string;
  taxCode: string;
  /** A line-level `TaxAmount` override: the tax the caller fixed (a return giving back a share). */
  taxOverride: Decimal | null;
}

export interface ParsedTransaction {
  code: string | undefined;
  companyCode: string;
  type: string;
  date: string;
  customerCode: string;
  currencyCode: string;
  commit: boolean;
  shipTo: SimAddress;
  lines: SimLine[];
  /** The document a return refers to (`referenceCode`), and its tax date (`taxOverride` TaxDate). */
  referenceCode: string | null;
  taxDate: string | null;
  /** The customer's exemption certificate (`exemptionNo`): the simulated engine exempts every line. */
  exemptionNo: string | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function toDecimal(v: unknown): Decimal | null {
  if (typeof v !== 'number' && typeof v !== 'string') return null;
  try {
    const d = new Decimal(v);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/** Validates a CreateTransactionModel the way AvaTax reports problems: the first one, with `refersTo`. */
export function parseCreateModel(
  body: unknown,
): { ok: true; value: ParsedTransaction } | { ok: false; error: SimError } {
  if (typeof body !== 'object' || body === null) {
    return { ok: false, error: { ...valueRequired('model'), code: 'ModelRequiredException', number: 38 } };
  }
  const m = body as Record<string, unknown>;
  for (const field of ['companyCode', 'date', 'customerCode'] as const) {
    if (!str(m[field])) return { ok: false, error: valueRequired(field) };
  }
  const type = typeof m.type === 'number' ? DOCUMENT_TYPES[m.type] : m.type === undefined ? 'SalesOrder' : str(m.type);
  if (!type) return { ok: false, error: { ...valueRequired('type'), code: 'InvalidEnumValue', number: 164 } };

  const addresses = (typeof m.addresses === 'object' && m.addresses) || {};
  const raw = (addresses as Record<string, unknown>).shipTo ?? (addresses as Record<string, unknown>).singleLocation;
  if (typeof raw !== 'object' || raw === null) {
    return {
      ok: false,
      error: {
        status: 400,
        code: 'MissingAddress',
        number: 304,
        message: 'An address is required (addresses.shipTo or addresses.singleLocation).',
        target: 'IncorrectData',
        refersTo: 'addresses',
      },
    };
  }
  const a = raw as Record<string, unknown>;
  const shipTo: SimAddress = {
    line1: str(a.line1),
    city: str(a.city),
    region: str(a.region).toUpperCase(),
    postalCode: str(a.postalCode),
    country: str(a.country).toUpperCase(),
  };
  const missing = !shipTo.country ? 'country' : shipTo.country === 'US' && !shipTo.region ? 'region' : undefined;
  if (missing) {
    const refersTo = `addresses.${(addresses as Record<string, unknown>).shipTo ? 'shipTo' : 'singleLocation'}.${missing}`;
    return {
      ok: false,
      error: {
        status: 400,
        code: 'InvalidAddress',
        number: 309,
        message: `The address is incomplete: ${missing} is missing.`,
        target: 'IncorrectData',
        refersTo,
      },
    };
  }

  if (!Array.isArray(m.lines) || m.lines.length === 0) {
    return {
      ok: false,
      error: {
        status: 400,
        code: 'MissingLine',
        number: 311,
        message: 'A transaction must have at least one line.',
        target: 'IncorrectData',
        refersTo: 'lines',
      },
    };
  }
  const lines: SimLine[] = [];
  for (const [index, rawLine] of m.lines.entries()) {
    const l = (typeof rawLine === 'object' && rawLine ? rawLine : {}) as Record<string, unknown>;
    const amount = toDecimal(l.amount);
    if (!amount) return { ok: false, error: valueRequired(`lines[${index}].amount`) };
    const override = (typeof l.taxOverride === 'object' && l.taxOverride ? l.taxOverride : {}) as Record<
      string,
      unknown
    >;
    lines.push({
      taxOverride: override.type === 'TaxAmount' ? toDecimal(override.taxAmount) : null,
      number: str(l.number) || String(index + 1),
      quantity: toDecimal(l.quantity) ?? new Decimal(1),
      amount,
      itemCode: str(l.itemCode),
      description: str(l.description),
      taxCode: str(l.taxCode) || 'P0000000',
    });
  }
  return {
    ok: true,
    value: {
      code: str(m.code) || undefined,
      companyCode: str(m.companyCode),
      type,
      date: str(m.date).slice(0, 10),
      customerCode: str(m.customerCode),
      currencyCode: str(m.currencyCode) || 'USD',
      commit: m.commit === true,
      shipTo,
      lines,
      referenceCode: str(m.referenceCode) || null,
      taxDate: taxDateOf(m.taxOverride),
      exemptionNo: str(m.exemptionNo) || null,
    },
  };
}

/** A document-level `TaxDate` override (a return dated as its sale): the date, else null. */
function taxDateOf(override: unknown): string | null {
  if (typeof override !== 'object' || override === null) return null;
  const o = override as Record<string, unknown>;
  return o.type === 'TaxDate' && str(o.taxDate) ? str(o.taxDate).slice(0, 10) : null;
}

export interface SimTransaction extends ParsedTransaction {
  id: number;
  code: string;
  companyId: number;
  /** Cancelled: voided (VoidTransaction with code DocVoided). */
  status: 'Temporary' | 'Saved' | 'Committed' | 'Cancelled';
  version: number;
  modifiedDate: string;
}

export function rateFor(address: SimAddress, rates: Readonly<Record<string, string>>): Decimal {
  if (address.country !== 'US') return new Decimal(0);
  return new Decimal(rates[address.region] ?? OTHER_US_RATE);
}

const n = (d: Decimal): number => d.toNumber();

/** Computes tax per line (half-up to the currency's minor unit) and renders AvaTax's TransactionModel. */
export function toTransactionModel(tx: SimTransaction, rates: Readonly<Record<string, string>>): unknown {
  // An exemption certificate exempts the whole sale in the simulated engine (no tax, all exempt).
  const exempt = tx.exemptionNo !== null;
  const rate = exempt ? new Decimal(0) : rateFor(tx.shipTo, rates);
  const places = isKnownCurrency(tx.currencyCode) ? exponentOf(tx.currencyCode) : 2;
  const jurisName = STATE_NAMES[tx.shipTo.region] ?? tx.shipTo.region;
  const taxed = !rate.isZero();
  let totalAmount = new Decimal(0);
  let totalTax = new Decimal(0);
  const lines = tx.lines.map((line, index) => {
    const tax = line.taxOverride ?? line.amount.mul(rate).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
    totalAmount = totalAmount.add(line.amount);
    totalTax = totalTax.add(tax);
    const lineId = tx.id * 100 + index + 1;
    return {
      id: lineId,
      transactionId: tx.id,
      lineNumber: line.number,
      itemCode: line.itemCode,
      description: line.description,
      quantity: n(line.quantity),
      lineAmount: n(line.amount),
      taxableAmount: exempt ? 0 : n(line.amount),
      exemptAmount: exempt ? n(line.amount) : 0,
      discountAmount: 0,
      tax: n(tax),
      taxCalculated: n(tax),
      taxCode: line.taxCode,
      details: taxed
        ? [
            {
              id: lineId * 10 + 1,
              transactionLineId: lineId,
              transactionId: tx.id,
              country: tx.shipTo.country,
              region: tx.shipTo.region,
              jurisType: 'STA',
              jurisCode: tx.shipTo.region,
              jurisName,
              taxName: `${tx.shipTo.region} STATE TAX`,
              taxType: 'Sales',
              rate: n(rate),
              tax: n(tax),
              taxCalculated: n(tax),
              taxableAmount: n(line.amount),
              nonTaxableAmount: 0,
              exemptAmount: 0,
            },
          ]
        : [],
    };
  });
  return {
    id: tx.id,
    code: tx.code,
    companyId: tx.companyId,
    date: tx.date,
    taxDate: tx.taxDate ?? tx.date,
    referenceCode: tx.referenceCode,
    status: tx.status,
    type: tx.type,
    customerCode: tx.customerCode,
    customerVendorCode: tx.customerCode,
    currencyCode: tx.currencyCode,
    reconciled: false,
    locked: false,
    version: tx.version,
    adjustmentReason: tx.version > 1 ? 'Other' : 'NotAdjusted',
    modifiedDate: tx.modifiedDate,
    totalAmount: n(totalAmount),
    totalExempt: exempt ? n(totalAmount) : 0,
    totalDiscount: 0,
    totalTax: n(totalTax),
    totalTaxable: exempt ? 0 : n(totalAmount),
    exemptNo: tx.exemptionNo,
    totalTaxCalculated: n(totalTax),
    lines,
    addresses: [{ id: tx.id * 10, transactionId: tx.id, boundaryLevel: 'Address', ...tx.shipTo }],
    summary: taxed
      ? [
          {
            country: tx.shipTo.country,
            region: tx.shipTo.region,
            jurisType: 'State',
            jurisCode: tx.shipTo.region,
            jurisName,
            taxType: 'Sales',
            taxName: `${tx.shipTo.region} STATE TAX`,
            rateType: 'General',
            taxable: n(totalAmount),
            rate: n(rate),
            tax: n(totalTax),
            taxCalculated: n(totalTax),
            nonTaxable: 0,
            exemption: 0,
          },
        ]
      : [],
    messages: [],
  };
}
