/**
 * The simulator's tax engine: parses a transaction body the way Anrok checks it (400 with a
 * message string for a malformed body; 409 `{type}` when tax cannot be computed) and taxes each
 * line at the ship-to state's rate, in integer minor units, half away from zero, so a negative
 * line (a return) is taxed as the mirror image of its sale.
 */
import Decimal from 'decimal.js';
import { isKnownCurrency } from '../../../src/domain/money.js';
import { unresolvable } from '../../sandbox/addresses.js';
import type { AnrokSimState, SimLine } from './state.js';

export const DEFAULT_RATES: Readonly<Record<string, string>> = Object.freeze({
  CA: '0.0725',
  NY: '0.08875',
  WA: '0.101',
  TX: '0.0825',
});
export const OTHER_US_RATE = '0.05';

export type EngineError = { status: 400; message: string } | { status: 409; body: Record<string, string> };

export interface ParsedBody {
  id: string | null;
  currencyCode: string;
  customerAddress: Record<string, string>;
  customerId: string | null;
  accountingDate: string;
  taxDate: string;
  lines: SimLine[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function parseAndTax(
  raw: unknown,
  state: AnrokSimState,
  rates: Readonly<Record<string, string>>,
  today: string,
): { ok: true; value: ParsedBody } | { ok: false; error: EngineError } {
  const bad = (message: string) => ({ ok: false as const, error: { status: 400 as const, message } });
  const cannot = (body: Record<string, string>) => ({ ok: false as const, error: { status: 409 as const, body } });
  if (typeof raw !== 'object' || raw === null) return bad('Request body must be a JSON object');
  const b = raw as Record<string, unknown>;
  if (!Array.isArray(b.lineItems)) return bad('lineItems: required array');
  if (!str(b.currencyCode)) return bad('currencyCode: required string');
  if (typeof b.customerAddress !== 'object' || b.customerAddress === null)
    return bad('customerAddress: required object');
  const address = Object.fromEntries(
    Object.entries(b.customerAddress as Record<string, unknown>).map(([k, v]) => [k, str(v)]),
  );
  if (!isKnownCurrency(str(b.currencyCode))) return cannot({ type: 'currencyCodeNotSupported' });
  if (unresolvable(address)) return cannot({ type: 'customerAddressCouldNotResolve' });
  const customerId = str(b.customerId) || null;
  const customer = customerId ? state.customers.get(customerId) : undefined;
  if (customerId && !customer) return cannot({ type: 'customerIdNotFound' });
  const country = address.country!.toUpperCase();
  const region = (address.region ?? '').toUpperCase();
  const exempt = customer?.certificateJurisIds.includes(`${country.toLowerCase()}-${region}`) ?? false;
  const rate = country === 'US' ? new Decimal(rates[region] ?? OTHER_US_RATE) : new Decimal(0);
  const lines: SimLine[] = [];
  for (const [index, item] of b.lineItems.entries()) {
    const l = (typeof item === 'object' && item ? item : {}) as Record<string, unknown>;
    const product = str(l.productExternalId);
    if (!product) return bad(`lineItems[${index}].productExternalId: required string`);
    if (typeof l.amount !== 'number' || !Number.isSafeInteger(l.amount)) {
      return bad(`lineItems[${index}].amount: must be an integer (minor units)`);
    }
    if (!state.products.has(product)) return cannot({ type: 'productExternalIdUnknown', productExternalId: product });
    const applied = exempt ? new Decimal(0) : rate;
    lines.push({
      id: str(l.id) || String(index + 1),
      productExternalId: product,
      amount: l.amount,
      quantity: str(l.quantity) || '1',
      tax: new Decimal(l.amount).mul(applied).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber(),
      rate: applied.toString(),
      exempt,
    });
  }
  const accountingDate = str(b.accountingDate) || today;
  return {
    ok: true,
    value: {
      id: str(b.id) || null,
      currencyCode: str(b.currencyCode),
      customerAddress: address,
      customerId,
      accountingDate,
      taxDate: str(b.taxDate) || accountingDate,
      lines,
    },
  };
}

const sum = (lines: SimLine[], pick: (l: SimLine) => number) => lines.reduce((s, l) => s + pick(l), 0);

/** What createEphemeral and createOrUpdate answer: the tax to collect, per line and in total. */
export function calculationAnswer(lines: SimLine[], jurisName: string) {
  const taxed = lines.filter((l) => l.tax !== 0);
  return {
    taxAmountToCollect: sum(lines, (l) => l.tax),
    preTaxAmount: String(sum(lines, (l) => l.amount)),
    lineItems: lines.map((l) => ({
      id: l.id,
      preTaxAmount: String(l.amount),
      taxAmountToCollect: l.tax,
      jurises:
        l.tax === 0 && !l.exempt
          ? []
          : [{ id: jurisName, name: jurisName, rate: l.rate, exemptions: l.exempt ? [{ type: 'certificate' }] : [] }],
    })),
    jurisSummaries:
      taxed.length === 0
        ? []
        : [
            {
              id: jurisName,
              name: jurisName,
              preTaxAmount: String(sum(taxed, (l) => l.amount)),
              taxAmountDue: sum(taxed, (l) => l.tax),
            },
          ],
  };
}
