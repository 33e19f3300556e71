/**
 * CRM connections as the pollers and the HubSpot CRM card find them. Every function takes an org
 * id, except the two that find orgs: the scheduled poll walks every org's connections, and a CRM
 * card request names only its portal (the caller verifies it with each candidate's secret).
 */
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, Statement } from '../client.js';
import { connections } from '../schema.js';

export type PollableConnection = Pick<
  typeof connections.$inferSelect,
  'id' | 'orgId' | 'vendor' | 'status' | 'pollCursor'
>;

/** The connections to these vendors, of every org or of one, by org and vendor. */
export async function listPollableConnections(
  db: Db,
  vendors: readonly string[],
  orgId?: string,
): Promise<PollableConnection[]> {
  return db
    .select({
      id: connections.id,
      orgId: connections.orgId,
      vendor: connections.vendor,
      status: connections.status,
      pollCursor: connections.pollCursor,
    })
    .from(connections)
    .where(
      and(inArray(connections.vendor, [...vendors]), orgId !== undefined ? eq(connections.orgId, orgId) : undefined),
    )
    .orderBy(connections.orgId, connections.vendor);
}

/** Moves a connection's poll cursor, only ever forward: a slower, concurrent poll cannot move it back. */
export function advancePollCursorStatement(db: Db, orgId: string, connectionId: string, cursor: string): Statement {
  return db
    .update(connections)
    .set({ pollCursor: cursor })
    .where(
      and(
        eq(connections.orgId, orgId),
        eq(connections.id, connectionId),
        or(isNull(connections.pollCursor), lt(connections.pollCursor, cursor)),
      ),
    );
}

/**
 * The orgs whose HubSpot connection config names this portal, at most `limit`. Config is not
 * unique across orgs, so these are only candidates: the caller keeps the ones whose client
 * secret verifies the request.
 */
export async function orgsClaimingHubspotPortal(db: Db, portalId: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ orgId: connections.orgId })
    .from(connections)
    .where(and(eq(connections.vendor, 'hubspot'), sql`json_extract(${connections.config}, '$.portalId') = ${portalId}`))
    .limit(limit);
  return rows.map((row) => row.orgId);
}
