/**
 * The console's overview (issue #14): the pipeline deal → contract → invoice → paid → in the ERP
 * as counts for one period (by creation date), and what is stuck. Org-scoped aggregate reads.
 */
import { and, countDistinct, eq, gte, inArray, lt, ne, sql } from 'drizzle-orm';
import { ERP_VENDORS } from '../../domain/vendors.js';
import type { Db } from '../client.js';
import { contracts, externalRefs, invoices, jobs } from '../schema.js';

export interface Period {
  /** Inclusive, ISO 8601 (a date or an instant). */
  from: string;
  /** Exclusive. */
  until: string;
}

export interface AmountByCurrency {
  currency: string;
  minor: number;
}

export interface PipelineCounts {
  deals: number;
  contracts: number;
  invoices: number;
  invoiceTotals: AmountByCurrency[];
  paid: number;
  paidTotals: AmountByCurrency[];
  postedToErp: number;
  stuck: { dead: number; taxPending: number; overdue: number; drafts: number };
}

const inPeriod = (column: typeof contracts.createdAt | typeof invoices.createdAt, p: Period) =>
  and(gte(column, p.from), lt(column, p.until));

export async function pipelineCounts(db: Db, orgId: string, period: Period): Promise<PipelineCounts> {
  const [deals] = await db
    .select({
      deals: countDistinct(sql`${contracts.sourceSystem} || ':' || ${contracts.sourceDealId}`),
      contracts: countDistinct(contracts.id),
    })
    .from(contracts)
    .where(and(eq(contracts.orgId, orgId), inPeriod(contracts.createdAt, period)));
  const invoiceWhere = and(
    eq(invoices.orgId, orgId),
    ne(invoices.documentKind, 'credit_note'),
    ne(invoices.status, 'void'),
    inPeriod(invoices.createdAt, period),
  );
  const byStatus = await db
    .select({
      status: invoices.status,
      currency: invoices.currency,
      count: sql<number>`count(*)`,
      total: sql<number>`sum(${invoices.totalMinor})`,
    })
    .from(invoices)
    .where(invoiceWhere)
    .groupBy(invoices.status, invoices.currency);
  const totals = (rows: typeof byStatus): AmountByCurrency[] => {
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(r.currency, (sums.get(r.currency) ?? 0) + Number(r.total));
    return [...sums]
      .map(([currency, minor]) => ({ currency, minor }))
      .sort((a, b) => a.currency.localeCompare(b.currency));
  };
  const count = (rows: typeof byStatus) => rows.reduce((n, r) => n + Number(r.count), 0);
  const paidRows = byStatus.filter((r) => r.status === 'paid');
  const [posted] = await db
    .select({ n: countDistinct(externalRefs.localId) })
    .from(externalRefs)
    .innerJoin(invoices, and(eq(invoices.orgId, orgId), eq(invoices.id, externalRefs.localId)))
    .where(
      and(
        eq(externalRefs.orgId, orgId),
        eq(externalRefs.objectType, 'invoice'),
        inArray(externalRefs.system, [...ERP_VENDORS]),
        invoiceWhere,
      ),
    );
  const [dead] = await db
    .select({ n: sql<number>`count(*)` })
    .from(jobs)
    .where(and(eq(jobs.orgId, orgId), eq(jobs.state, 'dead')));
  const statusCount = (status: string) => count(byStatus.filter((r) => r.status === status));
  return {
    deals: Number(deals?.deals ?? 0),
    contracts: Number(deals?.contracts ?? 0),
    invoices: count(byStatus),
    invoiceTotals: totals(byStatus),
    paid: count(paidRows),
    paidTotals: totals(paidRows),
    postedToErp: Number(posted?.n ?? 0),
    stuck: {
      dead: Number(dead?.n ?? 0),
      taxPending: statusCount('tax_pending'),
      overdue: statusCount('overdue'),
      drafts: statusCount('draft'),
    },
  };
}
