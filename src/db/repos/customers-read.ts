/**
 * Reads behind GET /api/v1/customers and /customers/{id}: the customer rows, their ids at the
 * vendors (payment provider, ERP), and what they owe over their open invoices. Every function
 * takes the org id and scopes every query by it; sets of ids travel as one JSON parameter.
 */
import { and, asc, desc, eq, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import { type BalanceInvoice, customerBalance, OPEN_INVOICE_STATUSES } from '../../domain/customer-balance.js';
import type { Db } from '../client.js';
import { customers, externalRefs, invoices } from '../schema.js';
import { inJson } from './in-json.js';
import { creditedMinorOf, type ExternalRef, type PageAfter } from './invoices-read.js';

export type CustomerRow = typeof customers.$inferSelect;

/** `%` and `_` typed by a person are literal characters, not wildcards. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** One page, newest first by (created_at, id); `search` matches a part of the name or email, any case. */
export async function listCustomerPage(
  db: Db,
  orgId: string,
  filter: { search?: string },
  page: { limit: number; after?: PageAfter },
): Promise<{ rows: CustomerRow[]; next: PageAfter | null }> {
  const where: SQL[] = [eq(customers.orgId, orgId)];
  if (filter.search) {
    const pattern = likePattern(filter.search);
    // SQLite's LIKE ignores ASCII case; ESCAPE makes the backslashes above literal markers.
    where.push(
      or(
        sql`${customers.name} LIKE ${pattern} ESCAPE '\\'`,
        sql`coalesce(${customers.email}, '') LIKE ${pattern} ESCAPE '\\'`,
      )!,
    );
  }
  if (page.after) {
    const { createdAt, id } = page.after;
    where.push(or(lt(customers.createdAt, createdAt), and(eq(customers.createdAt, createdAt), lt(customers.id, id)))!);
  }
  const rows = await db
    .select()
    .from(customers)
    .where(and(...where))
    .orderBy(desc(customers.createdAt), desc(customers.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

export async function findCustomer(db: Db, orgId: string, customerId: string): Promise<CustomerRow | undefined> {
  const [row] = await db
    .select()
    .from(customers)
    .where(and(eq(customers.orgId, orgId), eq(customers.id, customerId)));
  return row;
}

/** The customer's ids at the vendors (Stripe customer, QuickBooks customer, ...), by customer id. */
export async function customerRefsOf(
  db: Db,
  orgId: string,
  customerIds: readonly string[],
): Promise<Map<string, ExternalRef[]>> {
  const byId = new Map<string, ExternalRef[]>();
  if (customerIds.length === 0) return byId;
  const rows = await db
    .select()
    .from(externalRefs)
    .where(
      and(
        eq(externalRefs.orgId, orgId),
        eq(externalRefs.objectType, 'customer'),
        inJson(externalRefs.localId, customerIds),
      ),
    )
    .orderBy(asc(externalRefs.system));
  for (const r of rows) {
    const list = byId.get(r.localId) ?? [];
    list.push({ system: r.system, objectType: r.objectType, externalId: r.externalId });
    byId.set(r.localId, list);
  }
  return byId;
}

/** What each customer owes over its open invoices, per currency, and how many are open. */
export async function customerBalancesOf(db: Db, orgId: string, customerIds: readonly string[]) {
  const result = new Map<string, ReturnType<typeof customerBalance>>();
  if (customerIds.length === 0) return result;
  const open = await db
    .select({
      id: invoices.id,
      customerId: invoices.customerId,
      documentKind: invoices.documentKind,
      status: invoices.status,
      currency: invoices.currency,
      totalMinor: invoices.totalMinor,
      amountPaidMinor: invoices.amountPaidMinor,
    })
    .from(invoices)
    .where(
      and(
        eq(invoices.orgId, orgId),
        ne(invoices.documentKind, 'credit_note'),
        inJson(invoices.status, OPEN_INVOICE_STATUSES),
        inJson(invoices.customerId, customerIds),
      ),
    );
  const credited = await creditedMinorOf(
    db,
    orgId,
    open.map((i) => i.id),
  );
  const byCustomer = new Map<string, BalanceInvoice[]>(customerIds.map((id) => [id, []]));
  for (const i of open) byCustomer.get(i.customerId)?.push({ ...i, creditedMinor: credited.get(i.id) ?? 0 });
  for (const [id, list] of byCustomer) result.set(id, customerBalance(list));
  return result;
}
