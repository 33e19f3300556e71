/**
 * Dunning settings, notification templates and the notification outbox (migration 0024). Every
 * function takes the org id; outbox rows are keyed by (org, dedupe key) so a retried job writes
 * its notification once.
 */
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import {
  DEFAULT_DUNNING,
  DEFAULT_TEMPLATES,
  type DunningSettings,
  type NotificationKind,
  type Template,
} from '../../domain/dunning.js';
import { type Db, newId, type Statement } from '../client.js';
import { contracts, dunningSettings, notifications, notificationTemplates } from '../schema.js';

export async function dunningSettingsOf(db: Db, orgId: string): Promise<DunningSettings> {
  const [row] = await db.select().from(dunningSettings).where(eq(dunningSettings.orgId, orgId)).limit(1);
  if (!row) return DEFAULT_DUNNING;
  return { retryDays: JSON.parse(row.retryDays) as number[], finalAction: row.finalAction };
}

export function dunningSettingsUpsert(db: Db, orgId: string, settings: DunningSettings, now: string): Statement {
  const values = { retryDays: JSON.stringify(settings.retryDays), finalAction: settings.finalAction, updatedAt: now };
  return db
    .insert(dunningSettings)
    .values({ orgId, ...values })
    .onConflictDoUpdate({ target: dunningSettings.orgId, set: values });
}

/** The org's own templates (kinds without a row use the hub's default). */
export function templatesOf(db: Db, orgId: string) {
  return db
    .select({
      kind: notificationTemplates.kind,
      subject: notificationTemplates.subject,
      body: notificationTemplates.body,
      updatedAt: notificationTemplates.updatedAt,
    })
    .from(notificationTemplates)
    .where(eq(notificationTemplates.orgId, orgId));
}

export async function templateOf(db: Db, orgId: string, kind: NotificationKind): Promise<Template> {
  const [row] = await db
    .select({ subject: notificationTemplates.subject, body: notificationTemplates.body })
    .from(notificationTemplates)
    .where(and(eq(notificationTemplates.orgId, orgId), eq(notificationTemplates.kind, kind)))
    .limit(1);
  return row ?? DEFAULT_TEMPLATES[kind];
}

export function templateUpsert(db: Db, orgId: string, kind: NotificationKind, t: Template, now: string): Statement {
  return db
    .insert(notificationTemplates)
    .values({ orgId, kind, ...t, updatedAt: now })
    .onConflictDoUpdate({
      target: [notificationTemplates.orgId, notificationTemplates.kind],
      set: { ...t, updatedAt: now },
    });
}

export interface NewNotification {
  kind: NotificationKind;
  invoiceId: string | null;
  customerId: string | null;
  recipient: string | null;
  subject: string;
  body: string;
  dedupeKey: string;
}

/** The outbox row, written once per dedupe key (joins the step's atomic batch). */
export function notificationInsert(db: Db, orgId: string, n: NewNotification, now: string): Statement {
  return db
    .insert(notifications)
    .values({ id: newId('ntf'), orgId, ...n, status: 'pending', replays: 0, createdAt: now })
    .onConflictDoNothing();
}

export type NotificationRow = typeof notifications.$inferSelect;

/** Newest first, after the cursor (createdAt, id) when one is given. */
export async function listNotifications(
  db: Db,
  orgId: string,
  page: {
    limit: number;
    after?: { createdAt: string; id: string };
    invoiceId?: string;
    status?: 'pending' | 'sent';
  },
): Promise<{ rows: NotificationRow[]; next: { createdAt: string; id: string } | null }> {
  const after = page.after;
  const rows = await db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.orgId, orgId),
        ...(page.invoiceId ? [eq(notifications.invoiceId, page.invoiceId)] : []),
        ...(page.status ? [eq(notifications.status, page.status)] : []),
        ...(after
          ? [
              or(
                lt(notifications.createdAt, after.createdAt),
                and(eq(notifications.createdAt, after.createdAt), lt(notifications.id, after.id)),
              ),
            ]
          : []),
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  const last = kept.at(-1);
  return { rows: kept, next: more && last ? { createdAt: last.createdAt, id: last.id } : null };
}

export async function getNotification(db: Db, orgId: string, id: string): Promise<NotificationRow | undefined> {
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.orgId, orgId), eq(notifications.id, id)))
    .limit(1);
  return row;
}

/** Replaying puts the notification back in the outbox (pending) and counts the replay. */
export function notificationReplayStatement(db: Db, orgId: string, id: string, now: string): Statement {
  return db
    .update(notifications)
    .set({ status: 'pending', replays: sql`${notifications.replays} + 1`, replayedAt: now })
    .where(and(eq(notifications.orgId, orgId), eq(notifications.id, id)));
}

export function contractCollectionStatusStatement(
  db: Db,
  orgId: string,
  contractId: string,
  status: 'at_risk' | 'cancel_at_period_end',
  now: string,
): Statement {
  // Set again with the same status (a second overdue invoice), it keeps its first day: a
  // cancellation at period end never moves later.
  return db
    .update(contracts)
    .set({
      collectionStatus: status,
      collectionStatusAt: sql`case when ${contracts.collectionStatus} = ${status} then coalesce(${contracts.collectionStatusAt}, ${now}) else ${now} end`,
    })
    .where(and(eq(contracts.orgId, orgId), eq(contracts.id, contractId)));
}
