/**
 * Search for deals, contracts and invoices, the way support and finance look one up: by the CRM
 * deal id, the customer's name, or the invoice number (and by a hub id pasted whole). Every query
 * is scoped by org id and pages newest first by keyset, like the other lists (page.ts).
 *
 * A deal is not a table of its own: it is the contracts that share (source system, deal id). It
 * pages by its first contract's creation time, and its key `system:deal id` breaks ties.
 */
import { and, desc, eq, type like, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { contracts, customers, invoices } from '../schema.js';
import { afterRow, type PageAfter, splitPage } from './page.js';

export interface SearchPage<T> {
  rows: T[];
  next: PageAfter | null;
}

export interface SearchInput {
  /** What the user typed; empty lists everything. */
  q: string;
  limit: number;
  after?: PageAfter;
}

/** `%`, `_` and the escape itself are literal in what the user typed. */
function contains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** `column LIKE %q%` with a literal q (SQLite's LIKE ignores ASCII case). */
const matches = (column: Parameters<typeof like>[0], q: string): SQL => sql`${column} LIKE ${contains(q)} ESCAPE '\\'`;

export interface DealHit {
  sourceSystem: string;
  sourceDealId: string;
  customerId: string;
  customerName: string;
  versions: number;
  /** The newest version's id and status. */
  latestContractId: string;
  latestStatus: string;
  currency: string;
  firstCreatedAt: string;
}

export async function searchDeals(db: Db, orgId: string, input: SearchInput): Promise<SearchPage<DealHit>> {
  const q = input.q.trim();
  const key = sql<string>`${contracts.sourceSystem} || ':' || ${contracts.sourceDealId}`;
  const firstAt = sql<string>`min(${contracts.createdAt})`;
  const where: SQL[] = [eq(contracts.orgId, orgId)];
  if (q) {
    where.push(
      or(matches(contracts.sourceDealId, q), matches(customers.name, q), eq(contracts.id, q), eq(customers.id, q))!,
    );
  }
  const having = input.after
    ? sql`${firstAt} < ${input.after.createdAt} OR (${firstAt} = ${input.after.createdAt} AND ${key} < ${input.after.id})`
    : undefined;
  const grouped = db
    .select({
      sourceSystem: contracts.sourceSystem,
      sourceDealId: contracts.sourceDealId,
      firstCreatedAt: firstAt,
    })
    .from(contracts)
    .innerJoin(customers, and(eq(customers.orgId, orgId), eq(customers.id, contracts.customerId)))
    .where(and(...where))
    .groupBy(contracts.sourceSystem, contracts.sourceDealId);
  const rows = await (having ? grouped.having(having) : grouped)
    .orderBy(desc(firstAt), desc(key))
    .limit(input.limit + 1);
  const page = splitPage(rows, input.limit, (r) => ({
    createdAt: r.firstCreatedAt,
    id: `${r.sourceSystem}:${r.sourceDealId}`,
  }));
  // Every version of each deal on the page, with its customer (one query per page, not per row):
  // the newest one describes the deal, whichever version the search matched.
  const versions =
    page.rows.length === 0
      ? []
      : await db
          .select({ contract: contracts, customerName: customers.name })
          .from(contracts)
          .innerJoin(customers, and(eq(customers.orgId, orgId), eq(customers.id, contracts.customerId)))
          .where(
            and(
              eq(contracts.orgId, orgId),
              sql`${key} IN (SELECT value FROM json_each(${JSON.stringify(page.rows.map((r) => `${r.sourceSystem}:${r.sourceDealId}`))}))`,
            ),
          );
  const byKey = new Map<string, { latest: (typeof versions)[number]; count: number }>();
  for (const v of versions) {
    const k = `${v.contract.sourceSystem}:${v.contract.sourceDealId}`;
    const seen = byKey.get(k);
    if (!seen) byKey.set(k, { latest: v, count: 1 });
    else
      byKey.set(k, {
        latest: v.contract.version > seen.latest.contract.version ? v : seen.latest,
        count: seen.count + 1,
      });
  }
  return {
    next: page.next,
    rows: page.rows.flatMap((r) => {
      const deal = byKey.get(`${r.sourceSystem}:${r.sourceDealId}`);
      if (!deal) return [];
      const { contract, customerName } = deal.latest;
      return [
        {
          sourceSystem: r.sourceSystem,
          sourceDealId: r.sourceDealId,
          customerId: contract.customerId,
          customerName,
          versions: deal.count,
          latestContractId: contract.id,
          latestStatus: contract.status,
          currency: contract.currency,
          firstCreatedAt: r.firstCreatedAt,
        },
      ];
    }),
  };
}

export type ContractHit = typeof contracts.$inferSelect & { customerName: string };

export async function searchContracts(db: Db, orgId: string, input: SearchInput): Promise<SearchPage<ContractHit>> {
  const q = input.q.trim();
  const where: (SQL | undefined)[] = [
    eq(contracts.orgId, orgId),
    afterRow(contracts.createdAt, contracts.id, input.after),
  ];
  if (q) {
    where.push(or(matches(contracts.sourceDealId, q), matches(customers.name, q), eq(contracts.id, q)));
  }
  const rows = await db
    .select({ contract: contracts, customerName: customers.name })
    .from(contracts)
    .innerJoin(customers, and(eq(customers.orgId, orgId), eq(customers.id, contracts.customerId)))
    .where(and(...where))
    .orderBy(desc(contracts.createdAt), desc(contracts.id))
    .limit(input.limit + 1);
  const page = splitPage(rows, input.limit, (r) => ({ createdAt: r.contract.createdAt, id: r.contract.id }));
  return { next: page.next, rows: page.rows.map((r) => ({ ...r.contract, customerName: r.customerName })) };
}

export type InvoiceHit = typeof invoices.$inferSelect & {
  customerName: string;
  sourceSystem: string;
  sourceDealId: string;
};

export async function searchInvoices(db: Db, orgId: string, input: SearchInput): Promise<SearchPage<InvoiceHit>> {
  const q = input.q.trim();
  const where: (SQL | undefined)[] = [
    eq(invoices.orgId, orgId),
    afterRow(invoices.createdAt, invoices.id, input.after),
  ];
  if (q) {
    where.push(
      or(
        matches(invoices.number, q),
        matches(customers.name, q),
        matches(contracts.sourceDealId, q),
        eq(invoices.id, q),
      ),
    );
  }
  const rows = await db
    .select({
      invoice: invoices,
      customerName: customers.name,
      sourceSystem: contracts.sourceSystem,
      sourceDealId: contracts.sourceDealId,
    })
    .from(invoices)
    .innerJoin(customers, and(eq(customers.orgId, orgId), eq(customers.id, invoices.customerId)))
    .innerJoin(contracts, and(eq(contracts.orgId, orgId), eq(contracts.id, invoices.contractId)))
    .where(and(...where))
    .orderBy(desc(invoices.createdAt), desc(invoices.id))
    .limit(input.limit + 1);
  const page = splitPage(rows, input.limit, (r) => ({ createdAt: r.invoice.createdAt, id: r.invoice.id }));
  return {
    next: page.next,
    rows: page.rows.map((r) => ({
      ...r.invoice,
      customerName: r.customerName,
      sourceSystem: r.sourceSystem,
      sourceDealId: r.sourceDealId,
    })),
  };
}
