/**
 * CRM pollers: the safety net under the webhooks. Every few minutes, for every Salesforce and
 * HubSpot connection, ask the CRM for won deals changed since the connection's cursor
 * (Salesforce SystemModstamp, HubSpot hs_lastmodifieddate), enqueue the deal-to-contract job
 * for each, and move the cursor, in one atomic unit. The job table's dedupe key (one
 * deal-to-contract job per deal, whichever trigger starts it) makes a deal a webhook already
 * carried, or one seen by an earlier poll, enqueue nothing.
 *
 * Called by the runtimes (Node: every 5 minutes; Workers: the cron trigger, every 5th minute)
 * and by POST /api/v1/crm/poll. Failures are values: a CRM that fails leaves its cursor where it
 * was, so the next poll asks again from the same point.
 */
import { atomic, rowsChanged } from '../../src/db/atomic.js';
import type { Db, Statement } from '../../src/db/client.js';
import {
  advancePollCursorStatement,
  listPollableConnections,
  type PollableConnection,
} from '../../src/db/repos/crm-connections.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Outcome } from '../../src/domain/outcome.js';
import { CRM_VENDORS, type CrmVendor } from '../../src/domain/vendors.js';
import { enqueueStatement } from '../../src/jobs/queue.js';
import type { JobDriver } from '../../src/jobs/types.js';
import { dealToContractJob } from '../jobs.js';
import type { AdapterSet } from '../types.js';

export const CRM_POLL_INTERVAL_MS = 5 * 60_000;
/** Deals read per connection and poll; the rest are read by the next poll, from the new cursor. */
export const CRM_POLL_LIMIT = 200;
/** How far back the first poll of a connection looks. */
export const FIRST_POLL_LOOKBACK_MS = 24 * 60 * 60_000;

export interface CrmPollDeps {
  db: Db;
  clock: Clock;
  driver: JobDriver;
  adaptersFor(orgId: string): Promise<Outcome<AdapterSet>>;
}

export interface ConnectionPollResult {
  orgId: string;
  connectionId: string;
  vendor: CrmVendor;
  /** The lower bound asked for (exclusive). */
  since: string;
  /** The cursor after the poll (unchanged on failure or when nothing changed). */
  cursor: string | null;
  /** Won deals the CRM returned. */
  found: number;
  /** Jobs newly enqueued (deals no trigger had started yet). */
  enqueued: number;
  /** Why the poll did not run or failed; the cursor is unchanged then. */
  error?: string;
}

/**
 * The latest change seen. When the page was full, more deals may share its last change time
 * and the next poll asks strictly after the cursor, so it stops one change time short: those
 * deals are read again next time (their jobs already exist, so nothing is enqueued twice).
 * A full page of one change time cannot be split that way; the cursor then moves past it.
 */
export function nextCursor(changes: string[], limit: number): string {
  const latest = changes.reduce((a, b) => (b > a ? b : a));
  if (changes.length < limit) return latest;
  const earlier = changes.filter((c) => c < latest);
  return earlier.length > 0 ? earlier.reduce((a, b) => (b > a ? b : a)) : latest;
}

/** Polls one CRM connection. */
export async function pollConnection(deps: CrmPollDeps, row: PollableConnection): Promise<ConnectionPollResult> {
  const vendor = row.vendor as CrmVendor;
  const since = row.pollCursor ?? new Date(deps.clock.now().getTime() - FIRST_POLL_LOOKBACK_MS).toISOString();
  const base = { orgId: row.orgId, connectionId: row.id, vendor, since, cursor: row.pollCursor, found: 0, enqueued: 0 };
  const fail = (error: string): ConnectionPollResult => {
    console.warn(`[crm-poll] ${vendor} connection ${row.id} (org ${row.orgId}): ${error}`);
    return { ...base, error };
  };
  // Its jobs wait for a reconnect anyway, and its credentials would only be refused again.
  if (row.status === 'unhealthy') return fail('connection unhealthy; reconnect to resume polling');
  const adapters = await deps.adaptersFor(row.orgId);
  if (!adapters.ok) return fail(adapters.reason);
  const crm = adapters.value.crm[vendor];
  if (!crm) return fail(`no ${vendor} adapter`);
  const listed = await crm.listWonDealsChangedSince(since, CRM_POLL_LIMIT);
  if (!listed.ok) return fail(listed.reason);
  const deals = listed.value;
  if (deals.length === 0) return base;

  const cursor = nextCursor(
    deals.map((d) => d.lastModified),
    CRM_POLL_LIMIT,
  );
  const jobs = deals.map((d) => enqueueStatement(deps.db, deps.clock, dealToContractJob(row.orgId, vendor, d.id)));
  // Only ever forward: a slower, concurrent poll cannot move the cursor back.
  const cursorStatement = advancePollCursorStatement(deps.db, row.orgId, row.id, cursor);
  const results = await atomic(deps.db, [...jobs.map((j) => j.statement as Statement), cursorStatement]);
  const created = jobs.filter((_, i) => rowsChanged(results[i]) > 0).map((j) => j.id);
  await deps.driver.notify(created);
  return {
    ...base,
    cursor: cursor > (row.pollCursor ?? '') ? cursor : row.pollCursor,
    found: deals.length,
    enqueued: created.length,
  };
}

/**
 * Polls every CRM connection (of one org when `orgId` is given). One connection's failure does
 * not stop the others.
 */
export async function pollCrms(deps: CrmPollDeps, options: { orgId?: string } = {}): Promise<ConnectionPollResult[]> {
  const rows = await listPollableConnections(deps.db, CRM_VENDORS, options.orgId);
  const out: ConnectionPollResult[] = [];
  for (const row of rows) {
    try {
      out.push(await pollConnection(deps, row));
    } catch (error) {
      // A bug or a database failure: report it with the others rather than stop them.
      const message = error instanceof Error ? error.message : String(error);
      console.error(`[crm-poll] ${row.vendor} connection ${row.id} (org ${row.orgId}) failed`, error);
      out.push({
        orgId: row.orgId,
        connectionId: row.id,
        vendor: row.vendor as CrmVendor,
        since: row.pollCursor ?? '',
        cursor: row.pollCursor,
        found: 0,
        enqueued: 0,
        error: message,
      });
    }
  }
  return out;
}
