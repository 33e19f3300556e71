/**
 * The ledger as journals mode posts it (src/domain/books/erp-settings.ts): one entry with its
 * lines, the customer its receivable lines belong to, and a period's entries the ERP has not got
 * yet (no external ref of kind journal_entry; flows/post-journal-to-erp.ts records one per entry).
 */
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { newId } from '../client.js';
import { auditLog, connections, externalRefs, invoices, ledgerEntries, ledgerLines, payments } from '../schema.js';

/** The external_refs object type of a posted ledger entry. */
export const JOURNAL_REF_TYPE = 'journal_entry';

export async function ledgerEntryWithLines(db: Db, orgId: string, entryId: string) {
  const [entry] = await db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.orgId, orgId), eq(ledgerEntries.id, entryId)))
    .limit(1);
  if (!entry) return undefined;
  const lines = await db
    .select()
    .from(ledgerLines)
    .where(and(eq(ledgerLines.orgId, orgId), eq(ledgerLines.entryId, entryId)))
    .orderBy(sql`rowid`);
  return { ...entry, lines };
}

/**
 * The invoice (or credit note) a ledger entry's source belongs to, for its customer: an invoice
 * or credit note is its own document, a payment pays one, a revenue close names it before "@".
 */
export async function documentOfLedgerSource(
  db: Db,
  orgId: string,
  source: { sourceType: string; sourceId: string },
): Promise<string | undefined> {
  if (source.sourceType === 'invoice' || source.sourceType === 'credit_note') return source.sourceId;
  if (source.sourceType === 'revenue_close') return source.sourceId.split('@')[0];
  if (source.sourceType === 'payment') {
    const [row] = await db
      .select({ invoiceId: payments.invoiceId })
      .from(payments)
      .where(and(eq(payments.orgId, orgId), eq(payments.id, source.sourceId)))
      .limit(1);
    return row?.invoiceId;
  }
  return undefined;
}

/** The customer of an invoice or credit note. */
export async function customerOfDocument(db: Db, orgId: string, documentId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ customerId: invoices.customerId })
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), eq(invoices.id, documentId)))
    .limit(1);
  return row?.customerId;
}

/** The period's bounds as ISO prefixes: 2026-11 → [2026-11, 2026-12). */
function periodBounds(period: string): [string, string] {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
  return [period, next];
}

/** Ids of the period's ledger entries (by booking date) and which of them `system` already holds. */
export async function periodEntriesForErp(db: Db, orgId: string, system: string, period: string, limit: number) {
  const [from, to] = periodBounds(period);
  const rows = await db
    .select({ id: ledgerEntries.id, posted: externalRefs.externalId })
    .from(ledgerEntries)
    .leftJoin(
      externalRefs,
      and(
        eq(externalRefs.orgId, ledgerEntries.orgId),
        eq(externalRefs.system, system),
        eq(externalRefs.objectType, JOURNAL_REF_TYPE),
        eq(externalRefs.localId, ledgerEntries.id),
      ),
    )
    .where(and(eq(ledgerEntries.orgId, orgId), gte(ledgerEntries.occurredAt, from), lt(ledgerEntries.occurredAt, to)))
    .orderBy(asc(ledgerEntries.occurredAt), asc(ledgerEntries.id));
  const unposted = rows.filter((r) => r.posted === null).map((r) => r.id);
  return { total: rows.length, posted: rows.length - unposted.length, unposted: unposted.slice(0, limit) };
}

/** The org's ERP connection (at most one is used: the first ERP vendor connected, as adapter-set.ts picks). */
export async function erpConnection(db: Db, orgId: string, erpVendors: readonly string[]) {
  const rows = await db.select().from(connections).where(eq(connections.orgId, orgId));
  for (const vendor of erpVendors) {
    const row = rows.find((r) => r.vendor === vendor);
    if (row) return row;
  }
  return undefined;
}

/**
 * Writes the ERP posting settings into the connection's config (merged over it), with an audit
 * row; `liftPause` also marks the connection healthy again, for a pause that only a missing
 * account mapping caused (its jobs are then claimable).
 */
export function erpSettingsStatements(
  db: Db,
  orgId: string,
  connection: { id: string; vendor: string; config: string },
  patch: Record<string, string>,
  options: { liftPause: boolean; now: string; actor: string },
) {
  const config = { ...(JSON.parse(connection.config) as Record<string, string>), ...patch };
  return [
    db
      .update(connections)
      .set({
        config: JSON.stringify(config),
        ...(options.liftPause ? { status: 'healthy' as const, statusReason: null, statusChangedAt: options.now } : {}),
      })
      .where(and(eq(connections.orgId, orgId), eq(connections.id, connection.id))),
    db.insert(auditLog).values({
      id: newId('aud'),
      orgId,
      actor: options.actor,
      action: 'erp.settings_updated',
      subject: connection.id,
      detail: JSON.stringify({ vendor: connection.vendor, keys: Object.keys(patch).sort() }),
      at: options.now,
    }),
  ] as const;
}
