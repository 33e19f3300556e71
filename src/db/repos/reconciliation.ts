/**
 * Reconciliation (issue #13): the runs and their items (migration 0038), the pages of hub
 * documents a run compares (read in id order, a chunk at a time, so a big month never loads at
 * once), and the writes behind an item's fixes. Every function takes an org id.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, ne, notInArray, sql } from 'drizzle-orm';
import { type Db, newId, type Statement } from '../client.js';
import {
  auditLog,
  contracts,
  externalRefs,
  flowRuns,
  flowSteps,
  invoices,
  jobs,
  payments,
  reconciliationItems,
  reconciliationRuns,
} from '../schema.js';
import { auditStatement } from './audit.js';

export type ReconciliationRunRow = typeof reconciliationRuns.$inferSelect;
export type ReconciliationItemRow = typeof reconciliationItems.$inferSelect;
export type NewReconciliationItem = Omit<ReconciliationItemRow, 'id' | 'orgId' | 'runId' | 'createdAt'>;

export function insertRunStatement(
  db: Db,
  orgId: string,
  run: { id: string; system: string; period: string; trigger: string; now: string },
): Statement {
  return db.insert(reconciliationRuns).values({
    id: run.id,
    orgId,
    system: run.system,
    period: run.period,
    state: 'running',
    checked: 0,
    extraChecked: 0,
    note: null,
    trigger: run.trigger,
    createdAt: run.now,
    finishedAt: null,
  });
}

export function itemInsertStatements(
  db: Db,
  orgId: string,
  runId: string,
  items: readonly NewReconciliationItem[],
  now: string,
): Statement[] {
  // One row per statement: ~20 parameters each, far below D1's 100.
  return items.map((item) =>
    db.insert(reconciliationItems).values({ ...item, id: newId('rci'), orgId, runId, createdAt: now }),
  );
}

export function finishRunStatement(
  db: Db,
  orgId: string,
  runId: string,
  end: { state: 'succeeded' | 'failed'; checked: number; extraChecked: boolean; note: string | null; now: string },
): Statement {
  return db
    .update(reconciliationRuns)
    .set({
      state: end.state,
      checked: end.checked,
      extraChecked: end.extraChecked ? 1 : 0,
      note: end.note,
      finishedAt: end.now,
    })
    .where(and(eq(reconciliationRuns.orgId, orgId), eq(reconciliationRuns.id, runId)));
}

export async function getRun(db: Db, orgId: string, runId: string): Promise<ReconciliationRunRow | undefined> {
  const [row] = await db
    .select()
    .from(reconciliationRuns)
    .where(and(eq(reconciliationRuns.orgId, orgId), eq(reconciliationRuns.id, runId)));
  return row;
}

/** The newest finished run of a system and period (a run still going is not an answer yet). */
export async function latestRun(
  db: Db,
  orgId: string,
  system: string,
  period: string,
): Promise<ReconciliationRunRow | undefined> {
  const [row] = await db
    .select()
    .from(reconciliationRuns)
    .where(
      and(
        eq(reconciliationRuns.orgId, orgId),
        eq(reconciliationRuns.system, system),
        eq(reconciliationRuns.period, period),
        ne(reconciliationRuns.state, 'running'),
      ),
    )
    .orderBy(desc(reconciliationRuns.createdAt), desc(reconciliationRuns.id))
    .limit(1);
  return row;
}

/** One page of a run's items in id order; resolved ones only when asked. */
export async function listItemsPage(
  db: Db,
  orgId: string,
  runId: string,
  page: { limit: number; afterId?: string; includeResolved: boolean },
): Promise<{ rows: ReconciliationItemRow[]; nextAfterId: string | null; open: number }> {
  const where = and(
    eq(reconciliationItems.orgId, orgId),
    eq(reconciliationItems.runId, runId),
    page.includeResolved ? undefined : isNull(reconciliationItems.resolvedAt),
    page.afterId ? gt(reconciliationItems.id, page.afterId) : undefined,
  );
  const rows = await db
    .select()
    .from(reconciliationItems)
    .where(where)
    .orderBy(asc(reconciliationItems.id))
    .limit(page.limit + 1);
  const [count] = await db
    .select({ n: sql<number>`count(*)` })
    .from(reconciliationItems)
    .where(
      and(
        eq(reconciliationItems.orgId, orgId),
        eq(reconciliationItems.runId, runId),
        isNull(reconciliationItems.resolvedAt),
      ),
    );
  const kept = rows.slice(0, page.limit);
  return {
    rows: kept,
    nextAfterId: rows.length > page.limit ? (kept[kept.length - 1]?.id ?? null) : null,
    open: Number(count?.n ?? 0),
  };
}

export async function getItem(
  db: Db,
  orgId: string,
  itemId: string,
): Promise<{ item: ReconciliationItemRow; run: ReconciliationRunRow } | undefined> {
  const [row] = await db
    .select({ item: reconciliationItems, run: reconciliationRuns })
    .from(reconciliationItems)
    .innerJoin(
      reconciliationRuns,
      and(
        eq(reconciliationRuns.orgId, reconciliationItems.orgId),
        eq(reconciliationRuns.id, reconciliationItems.runId),
      ),
    )
    .where(and(eq(reconciliationItems.orgId, orgId), eq(reconciliationItems.id, itemId)));
  return row;
}

/**
 * Resolutions given to the same disagreement in earlier runs of this system and period, by
 * `kind|documentKind|ref`: a later run keeps them resolved instead of asking again.
 */
export async function earlierResolutions(
  db: Db,
  orgId: string,
  system: string,
  period: string,
): Promise<Map<string, { at: string; by: string; reason: string }>> {
  const rows = await db
    .select({
      kind: reconciliationItems.kind,
      documentKind: reconciliationItems.documentKind,
      ref: reconciliationItems.ref,
      at: reconciliationItems.resolvedAt,
      by: reconciliationItems.resolvedBy,
      reason: reconciliationItems.resolutionReason,
    })
    .from(reconciliationItems)
    .innerJoin(
      reconciliationRuns,
      and(
        eq(reconciliationRuns.orgId, reconciliationItems.orgId),
        eq(reconciliationRuns.id, reconciliationItems.runId),
      ),
    )
    .where(
      and(
        eq(reconciliationItems.orgId, orgId),
        eq(reconciliationRuns.system, system),
        eq(reconciliationRuns.period, period),
        isNotNull(reconciliationItems.resolvedAt),
      ),
    );
  return new Map(
    rows.map((r) => [`${r.kind}|${r.documentKind}|${r.ref}`, { at: r.at!, by: r.by ?? '', reason: r.reason ?? '' }]),
  );
}

/** Marks an open item resolved, with the audit entry in the same unit; false when it was resolved already. */
export function resolveItemStatements(
  db: Db,
  orgId: string,
  item: ReconciliationItemRow,
  who: { actor: string; reason: string; now: string; system: string; period: string },
): Statement[] {
  return [
    db
      .update(reconciliationItems)
      .set({ resolvedAt: who.now, resolvedBy: who.actor, resolutionReason: who.reason })
      .where(
        and(
          eq(reconciliationItems.orgId, orgId),
          eq(reconciliationItems.id, item.id),
          isNull(reconciliationItems.resolvedAt),
        ),
      ),
    // The audit entry only when this resolution landed (not one a concurrent resolve beat).
    db.insert(auditLog).select(
      db
        .select({
          id: sql<string>`${newId('aud')}`.as('id'),
          orgId: reconciliationItems.orgId,
          actor: sql<string>`${who.actor}`.as('actor'),
          action: sql<string>`'reconciliation.item_resolved'`.as('action'),
          subject: reconciliationItems.id,
          detail: sql<string>`${JSON.stringify({
            reason: who.reason,
            system: who.system,
            period: who.period,
            kind: item.kind,
            document_kind: item.documentKind,
            ref: item.ref,
          })}`.as('detail'),
          at: sql<string>`${who.now}`.as('at'),
        })
        .from(reconciliationItems)
        .where(
          and(
            eq(reconciliationItems.orgId, orgId),
            eq(reconciliationItems.id, item.id),
            eq(reconciliationItems.resolvedAt, who.now),
            eq(reconciliationItems.resolvedBy, who.actor),
            eq(reconciliationItems.resolutionReason, who.reason),
          ),
        ),
    ),
  ];
}

/**
 * A repush: the finished job that posted the document runs again. Its step is marked started
 * (an unknown outcome: the flow looks the document up by our reference before it writes, so a
 * copy the vendor does hold is adopted, never duplicated), the external ref that says "posted" is
 * dropped, and the job is queued with a fresh budget and the repush generation in its input. All
 * of it only when the job has finished (succeeded or dead): the guard is in every statement.
 */
export function repushStatements(
  db: Db,
  orgId: string,
  args: {
    dedupeKey: string;
    flow: string;
    subjectId: string;
    step: string;
    ref: { system: string; objectType: string; localId: string };
    payload: string;
    itemId: string;
    actor: string;
    now: Date;
  },
): Statement[] {
  const finished = sql`exists (select 1 from ${jobs} where ${jobs.orgId} = ${orgId} and ${jobs.dedupeKey} = ${args.dedupeKey} and ${jobs.state} in ('succeeded', 'dead'))`;
  const iso = args.now.toISOString();
  const runIds = db
    .select({ id: flowRuns.id })
    .from(flowRuns)
    .where(and(eq(flowRuns.orgId, orgId), eq(flowRuns.flow, args.flow), eq(flowRuns.subjectId, args.subjectId)));
  return [
    db
      .delete(externalRefs)
      .where(
        and(
          eq(externalRefs.orgId, orgId),
          eq(externalRefs.system, args.ref.system),
          eq(externalRefs.objectType, args.ref.objectType),
          eq(externalRefs.localId, args.ref.localId),
          finished,
        ),
      ),
    db
      .update(flowSteps)
      .set({ status: 'started', updatedAt: iso })
      .where(
        and(eq(flowSteps.orgId, orgId), inArray(flowSteps.runId, runIds), eq(flowSteps.step, args.step), finished),
      ),
    db
      .update(flowRuns)
      .set({ state: 'running', updatedAt: iso })
      .where(
        and(eq(flowRuns.orgId, orgId), eq(flowRuns.flow, args.flow), eq(flowRuns.subjectId, args.subjectId), finished),
      ),
    db
      .update(reconciliationItems)
      .set({ repushedAt: iso })
      .where(and(eq(reconciliationItems.orgId, orgId), eq(reconciliationItems.id, args.itemId), finished)),
    // Audit-logged only when the repush happens (the job is finished), like every write above.
    db.insert(auditLog).select(
      db
        .select({
          id: sql<string>`${newId('aud')}`.as('id'),
          orgId: jobs.orgId,
          actor: sql<string>`${args.actor}`.as('actor'),
          action: sql<string>`'reconciliation.item_repushed'`.as('action'),
          subject: sql<string>`${args.itemId}`.as('subject'),
          detail: sql<string>`${JSON.stringify({ job: args.dedupeKey, step: args.step })}`.as('detail'),
          at: sql<string>`${iso}`.as('at'),
        })
        .from(jobs)
        .where(
          and(eq(jobs.orgId, orgId), eq(jobs.dedupeKey, args.dedupeKey), inArray(jobs.state, ['succeeded', 'dead'])),
        ),
    ),
    // Last: the guard above reads the job's state before this changes it.
    db
      .update(jobs)
      .set({
        state: 'queued',
        attempts: 0,
        nextAttemptAt: args.now.getTime(),
        leaseUntil: null,
        lastError: null,
        payload: args.payload,
        updatedAt: iso,
      })
      .where(
        and(eq(jobs.orgId, orgId), eq(jobs.dedupeKey, args.dedupeKey), inArray(jobs.state, ['succeeded', 'dead'])),
      ),
  ];
}

/** A repush that is not a posting job's rerun (a deal's contract job queued): the item marked, audit-logged. */
export function markRepushedStatements(
  db: Db,
  orgId: string,
  args: { itemId: string; actor: string; job: string; now: string },
): Statement[] {
  return [
    db
      .update(reconciliationItems)
      .set({ repushedAt: args.now })
      .where(and(eq(reconciliationItems.orgId, orgId), eq(reconciliationItems.id, args.itemId))),
    auditStatement(db, orgId, {
      actor: args.actor,
      action: 'reconciliation.item_repushed',
      subject: args.itemId,
      detail: { job: args.job },
      at: args.now,
    }),
  ];
}

// ---------------------------------------------------------------- hub documents, a page at a time

export interface HubInvoiceRow {
  id: string;
  number: string;
  kind: string;
  status: string;
  totalMinor: number;
  currency: string;
  externalId: string | null;
}

const UNPOSTABLE = ['draft', 'tax_pending'] as const;

/**
 * Numbered invoices and credit notes issued in [start, end), after `afterId` in id order, each
 * with the external id `system` recorded for it (null: the hub never recorded it as posted).
 */
export async function invoicesForReconciliation(
  db: Db,
  orgId: string,
  system: string,
  window: { start: string; end: string },
  page: { afterId: string; limit: number },
): Promise<HubInvoiceRow[]> {
  return db
    .select({
      id: invoices.id,
      number: sql<string>`${invoices.number}`,
      kind: invoices.kind,
      status: invoices.status,
      totalMinor: invoices.totalMinor,
      currency: invoices.currency,
      externalId: externalRefs.externalId,
    })
    .from(invoices)
    .leftJoin(
      externalRefs,
      and(
        eq(externalRefs.orgId, invoices.orgId),
        eq(externalRefs.system, system),
        eq(externalRefs.localId, invoices.id),
        sql`${externalRefs.objectType} = case when ${invoices.kind} = 'credit_note' then 'credit_memo' else 'invoice' end`,
      ),
    )
    .where(
      and(
        eq(invoices.orgId, orgId),
        isNotNull(invoices.number),
        notInArray(invoices.status, [...UNPOSTABLE]),
        gte(invoices.issueDate, window.start),
        lt(invoices.issueDate, window.end),
        gt(invoices.id, page.afterId),
      ),
    )
    .orderBy(asc(invoices.id))
    .limit(page.limit);
}

export interface HubPaymentRow {
  id: string;
  invoiceId: string;
  provider: string;
  amountMinor: number;
  currency: string;
  externalId: string | null;
}

/**
 * Succeeded payments received in [start, end) (optionally only one provider's), in id order, with
 * the external id `system` recorded for each (for an ERP; null for a provider's own reconciliation).
 */
export async function paymentsForReconciliation(
  db: Db,
  orgId: string,
  system: string,
  window: { start: string; end: string; provider?: string },
  page: { afterId: string; limit: number },
): Promise<HubPaymentRow[]> {
  return db
    .select({
      id: payments.id,
      invoiceId: payments.invoiceId,
      provider: payments.provider,
      amountMinor: payments.amountMinor,
      currency: payments.currency,
      externalId: externalRefs.externalId,
    })
    .from(payments)
    .leftJoin(
      externalRefs,
      and(
        eq(externalRefs.orgId, payments.orgId),
        eq(externalRefs.system, system),
        eq(externalRefs.objectType, 'payment'),
        eq(externalRefs.localId, payments.id),
      ),
    )
    .where(
      and(
        eq(payments.orgId, orgId),
        eq(payments.status, 'succeeded'),
        window.provider ? eq(payments.provider, window.provider) : undefined,
        gte(payments.receivedAt, window.start),
        lt(payments.receivedAt, window.end),
        gt(payments.id, page.afterId),
      ),
    )
    .orderBy(asc(payments.id))
    .limit(page.limit);
}

/** Which of these CRM deals have a contract (any version, any status). */
export async function dealsWithContract(
  db: Db,
  orgId: string,
  system: string,
  dealIds: readonly string[],
): Promise<Set<string>> {
  if (dealIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ dealId: contracts.sourceDealId })
    .from(contracts)
    .where(
      and(
        eq(contracts.orgId, orgId),
        eq(contracts.sourceSystem, system),
        inArray(contracts.sourceDealId, [...dealIds]),
      ),
    );
  return new Set(rows.map((r) => r.dealId));
}
