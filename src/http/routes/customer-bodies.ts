/**
 * The customer's snake_case bodies, shared by the read routes (customers.ts) and the PATCH
 * (customer-updates.ts), so the two answer one shape of address and customer.
 */
import { z } from '@hono/zod-openapi';
import type { CustomerRow } from '../../db/repos/customers-read.js';
import type { ExternalRef } from '../../db/repos/invoices-read.js';
import type { CustomerBalance } from '../../domain/customer-balance.js';
import { minorToMajor } from '../../domain/money.js';
import { CRM_VENDORS } from '../../domain/vendors.js';
import type { CsvValue } from '../csv.js';

export const postalAddress = z
  .object({
    line1: z.string().trim().min(1).max(200),
    city: z.string().trim().min(1).max(100),
    region: z
      .string()
      .trim()
      .max(100)
      .openapi({ description: 'State or province code (US: two letters)', example: 'CA' }),
    postal_code: z.string().trim().min(1).max(20),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
      .openapi({ example: 'US' }),
  })
  .strict()
  .openapi('PostalAddress');

export type PostalAddressBody = z.infer<typeof postalAddress>;

/** The stored address JSON (camelCase PostalAddress) as the API's snake_case body. */
export function addressBody(stored: string | null): PostalAddressBody | null {
  if (stored === null) return null;
  let a: Record<string, unknown>;
  try {
    a = JSON.parse(stored) as Record<string, unknown>;
  } catch {
    return null;
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    line1: text(a.line1),
    city: text(a.city),
    region: text(a.region),
    postal_code: text(a.postalCode),
    country: text(a.country),
  };
}

const externalRef = z
  .object({
    system: z.string(),
    object_type: z
      .string()
      .openapi({ description: '`source` for the CRM record the customer came from; else the vendor object' }),
    external_id: z.string(),
  })
  .openapi('CustomerExternalRef');

export const customerBody = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    currency: z.string(),
    address: postalAddress.nullable(),
    external_refs: z.array(externalRef).openapi({
      description: 'Its ids elsewhere: the CRM record it came from, the payment provider and ERP customers',
    }),
    balance_minor: z.number().int().openapi({
      description:
        "What is still due over its open invoices (finalized, partially paid, overdue), in the customer's currency",
    }),
    credit_minor: z.number().int().openapi({
      description: "Unspent credit it can still use today (prepaid credit grants left), in the customer's currency",
    }),
    open_invoice_count: z.number().int().openapi({ description: 'Open invoices with something still due' }),
    other_currencies: z
      .array(z.object({ currency: z.string(), balance_minor: z.number().int(), credit_minor: z.number().int() }))
      .openapi({ description: "Balance and credit in currencies other than the customer's, when it has any" }),
    created_at: z.string(),
  })
  .openapi('Customer');

export type CustomerBody = z.infer<typeof customerBody>;

export function toCustomerBody(
  row: CustomerRow,
  refs: readonly ExternalRef[],
  balance: CustomerBalance | undefined,
  credit: ReadonlyMap<string, number> | undefined,
): CustomerBody {
  const source = (CRM_VENDORS as readonly string[]).includes(row.sourceSystem)
    ? [{ system: row.sourceSystem, object_type: 'source', external_id: row.sourceId }]
    : [];
  const due = balance?.dueByCurrency ?? new Map<string, number>();
  const others = [...new Set([...due.keys(), ...(credit?.keys() ?? [])])].filter((c) => c !== row.currency).sort();
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    currency: row.currency,
    address: addressBody(row.address),
    external_refs: [
      ...source,
      ...refs.map((r) => ({ system: r.system, object_type: r.objectType, external_id: r.externalId })),
    ],
    balance_minor: due.get(row.currency) ?? 0,
    credit_minor: credit?.get(row.currency) ?? 0,
    open_invoice_count: balance?.openInvoiceCount ?? 0,
    other_currencies: others.map((currency) => ({
      currency,
      balance_minor: due.get(currency) ?? 0,
      credit_minor: credit?.get(currency) ?? 0,
    })),
    created_at: row.createdAt,
  };
}

export const CUSTOMER_CSV_HEADER = [
  'id',
  'name',
  'email',
  'currency',
  'balance',
  'balance_minor',
  'credit',
  'credit_minor',
  'open_invoice_count',
  'address_line1',
  'address_city',
  'address_region',
  'address_postal_code',
  'address_country',
  'external_refs',
  'created_at',
] as const;

export function customerCsvRow(c: CustomerBody): CsvValue[] {
  return [
    c.id,
    c.name,
    c.email,
    c.currency,
    minorToMajor(c.balance_minor, c.currency),
    c.balance_minor,
    minorToMajor(c.credit_minor, c.currency),
    c.credit_minor,
    c.open_invoice_count,
    c.address?.line1 ?? null,
    c.address?.city ?? null,
    c.address?.region ?? null,
    c.address?.postal_code ?? null,
    c.address?.country ?? null,
    c.external_refs.map((r) => `${r.system}:${r.object_type}:${r.external_id}`).join(' '),
    c.created_at,
  ];
}
