/**
 * Console invitation links (issue #14): created with a role and an expiry, redeemed once. The
 * token travels only in the link; the table keeps its SHA-256 (like API keys, DESIGN.md secrets).
 */
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { atomic, rowsChanged } from '../atomic.js';
import { type Db, newId } from '../client.js';
import { consoleInvitations } from '../schema.js';
import { generateUrlToken, sha256Hex } from '../secrets.js';
import { auditStatement } from './audit.js';
import { afterRow, type PageAfter, splitPage } from './page.js';

export type InvitationRow = typeof consoleInvitations.$inferSelect;
type Role = InvitationRow['role'];

export interface NewInvitation {
  orgId: string;
  role: Role;
  label: string;
  createdBy: string;
  /** ISO 8601; the link starts no session at or after this instant. */
  expiresAt: string;
}

/** Stores an invitation and returns its token (shown once, in the link). */
export async function createInvitation(
  db: Db,
  now: string,
  input: NewInvitation,
): Promise<{ id: string; token: string }> {
  const id = newId('inv');
  const token = generateUrlToken();
  await atomic(db, [
    db.insert(consoleInvitations).values({ id, ...input, tokenHash: await sha256Hex(token), createdAt: now }),
    auditStatement(db, input.orgId, {
      actor: input.createdBy,
      action: 'console.invitation_created',
      subject: id,
      detail: { role: input.role, label: input.label, expiresAt: input.expiresAt },
      at: now,
    }),
  ]);
  return { id, token };
}

/** The unused, unexpired invitation with this token, without using it (the confirmation page). */
export async function findOpenInvitation(db: Db, token: string, now: string): Promise<InvitationRow | undefined> {
  const [row] = await db
    .select()
    .from(consoleInvitations)
    .where(
      and(
        eq(consoleInvitations.tokenHash, await sha256Hex(token)),
        isNull(consoleInvitations.usedAt),
        gt(consoleInvitations.expiresAt, now),
      ),
    )
    .limit(1);
  return row;
}

/**
 * Uses the invitation: one conditional update, so two tabs redeeming the same link at once start
 * one session between them. Returns the row when this call used it.
 */
export async function redeemInvitation(db: Db, token: string, now: string): Promise<InvitationRow | undefined> {
  const open = await findOpenInvitation(db, token, now);
  if (!open) return undefined;
  const [result] = await atomic(db, [
    db
      .update(consoleInvitations)
      .set({ usedAt: now })
      .where(and(eq(consoleInvitations.id, open.id), isNull(consoleInvitations.usedAt))),
    auditStatement(db, open.orgId, {
      actor: open.id,
      action: 'console.invitation_used',
      subject: open.id,
      detail: { role: open.role, label: open.label },
      at: now,
    }),
  ]);
  return rowsChanged(result) === 1 ? { ...open, usedAt: now } : undefined;
}

/** Whether a session started from this invitation still stands (the row exists in this org). */
export async function invitationExists(db: Db, orgId: string, id: string): Promise<boolean> {
  const [row] = await db
    .select({ id: consoleInvitations.id })
    .from(consoleInvitations)
    .where(and(eq(consoleInvitations.orgId, orgId), eq(consoleInvitations.id, id)))
    .limit(1);
  return row !== undefined;
}

/** The org's invitations, newest first (tokens are not stored, so none is shown). */
export async function listInvitations(db: Db, orgId: string, limit = 100) {
  return (await listInvitationsPage(db, orgId, { limit })).rows;
}

export async function listInvitationsPage(db: Db, orgId: string, page: { limit: number; after?: PageAfter }) {
  const rows = await db
    .select({
      id: consoleInvitations.id,
      role: consoleInvitations.role,
      label: consoleInvitations.label,
      createdBy: consoleInvitations.createdBy,
      createdAt: consoleInvitations.createdAt,
      expiresAt: consoleInvitations.expiresAt,
      usedAt: consoleInvitations.usedAt,
    })
    .from(consoleInvitations)
    .where(
      and(
        eq(consoleInvitations.orgId, orgId),
        afterRow(consoleInvitations.createdAt, consoleInvitations.id, page.after),
      ),
    )
    .orderBy(desc(consoleInvitations.createdAt), desc(consoleInvitations.id))
    .limit(page.limit + 1);
  return splitPage(rows, page.limit, (r) => ({ createdAt: r.createdAt, id: r.id }));
}
