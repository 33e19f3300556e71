/**
 * The workerd crash sweep's hub: the crash entry (workerd-crash-entry.ts) bundled once, started
 * under Miniflare on a D1 file of its own, and killed at an armed point: that life of the hub
 * refuses all I/O from that instant, and either the next event starts a new one in the isolate
 * (the queue redelivers what the dead one held), or, `hard`, the Miniflare instance is disposed,
 * workerd and all, and started again on the same D1 file. Miniflare's queue broker is in memory
 * only, so then the messages are gone with it, a harsher loss than Queues' redelivery: the job
 * table and the cron sweep (leases expiring on the injected clock) must bring every job back.
 *
 * One set of simulators serves every run (fixed ports, so the connections stored in D1 stay
 * valid); a run starts from a snapshot: the D1 file copied, each simulator's state restored.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { SIMULATOR_VENDORS, type Simulators, startSimulators } from '../../src/runtime/simulators.js';
import { vendorCounts } from './crash-verdict.js';
import { bundle, startBundle, type WorkerBundle, type WorkerdHub } from './workerd-harness.js';

export const START = '2026-03-02T09:00:00Z';

export interface CrashState {
  armedAt: number;
  seen: number;
  /** Where each life of the hub in this instance died. */
  deaths: string[];
}

interface Org {
  orgId: string;
  apiKey: string;
  stripeConnectionId: string;
  salesforceOutboundPath: string;
}

/** Where a run can start again: the D1 folder and every simulator's state, plus what the test noted. */
export interface Snapshot {
  d1Dir: string;
  sims: Record<string, unknown>;
  clock: string;
  org: Org;
  notes: Record<string, unknown>;
}

export interface CrashWorld {
  clock: ManualClock;
  sims: Simulators;
  /** A fresh org on an empty database and empty simulators. */
  fresh(): Promise<CrashRun>;
  /** A run from a snapshot, armed to die at point `at` (0: never); `hard`: restarts dispose workerd. */
  from(snapshot: Snapshot, at: number, options?: { hard?: boolean }): Promise<CrashRun>;
  close(): Promise<void>;
}

export interface CrashRun {
  world: CrashWorld;
  hub: WorkerdHub;
  org: Org;
  notes: Record<string, unknown>;
  api(path: string, init?: RequestInit): Promise<Response>;
  deliverOutboundMessage(xml: string): Promise<Response>;
  state(): Promise<CrashState>;
  /** Tells the isolate the test clock's time (after the test moved it). */
  syncClock(): Promise<void>;
  arm(at: number): Promise<void>;
  /**
   * Disposes the Miniflare instance (workerd, the isolate and the in-memory queue go with it) and
   * starts a new, unarmed one on the same D1 file. (Without `hard`, a death needs no restart: the
   * next event starts a new life of the hub in the isolate, as Workers does.)
   */
  restart(): Promise<void>;
  /**
   * Drives the hub until nothing is left to do: Stripe's webhooks delivered, the cron handler run,
   * the clock moved to the next due job or expiring lease when nothing is due; with `hard`, a dead
   * hub is restarted (workerd disposed). Ends with two rounds of "minutes pass" (the schedules run), as the Node sweep does.
   */
  drain(): Promise<void>;
  /** Like drain, but stops (answering true) when the isolate died, and never moves the clock far. */
  settleUntilDead(): Promise<boolean>;
  snapshot(notes?: Record<string, unknown>): Promise<Snapshot>;
  sql<T>(query: string, ...values: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export async function startCrashWorld(): Promise<CrashWorld> {
  const built: WorkerBundle = await bundle('test/support/workerd-crash-entry.ts');
  const clock = new ManualClock(START);
  const sims = await startSimulators({ now: () => clock.now() });
  const empty = Object.fromEntries(SIMULATOR_VENDORS.map((v) => [v, sims[v].snapshot()]));
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-workerd-crash-'));
    dirs.push(dir);
    return dir;
  };
  const restoreSims = (state: Record<string, unknown>) => {
    for (const vendor of SIMULATOR_VENDORS) sims[vendor].restore(state[vendor]);
  };

  const world: CrashWorld = {
    clock,
    sims,
    async fresh() {
      restoreSims(empty);
      clock.set(START);
      const d1Dir = newDir();
      const hub = await startBundle(built, { migrate: true, d1Persist: d1Dir });
      const setup = await fetch(
        `${hub.url}/sandbox/setup`,
        json('POST', { name: 'Acme (workerd crash)', connections: sims.connections }),
      );
      expect(setup.status).toBe(201);
      const org = (await setup.json()) as Org;
      return openRun(world, built, hub, d1Dir, org, {}, true);
    },
    async from(snapshot, at, { hard = false } = {}) {
      restoreSims(snapshot.sims);
      clock.set(snapshot.clock);
      const d1Dir = newDir();
      cpSync(snapshot.d1Dir, d1Dir, { recursive: true });
      const hub = await startBundle(built, { migrate: false, d1Persist: d1Dir });
      const run = openRun(world, built, hub, d1Dir, snapshot.org, { ...snapshot.notes }, hard);
      await run.arm(at);
      return run;
    },
    async close() {
      await sims.close();
      built.remove();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

function openRun(
  world: CrashWorld,
  built: WorkerBundle,
  first: WorkerdHub,
  d1Dir: string,
  org: Org,
  notes: Record<string, unknown>,
  hard: boolean,
): CrashRun {
  const { clock, sims } = world;
  let hub = first;
  const pointStripeAt = () => sims.stripe.setWebhookUrl(`${hub.url}/webhooks/stripe/${org.stripeConnectionId}`);
  pointStripeAt();
  const control = async (path: string, body?: unknown): Promise<CrashState> => {
    const res = await fetch(`${hub.url}/__crash/${path}`, body === undefined ? {} : json('POST', body));
    expect(res.status).toBe(200);
    return (await res.json()) as CrashState;
  };
  const sql = async <T>(query: string, ...values: unknown[]): Promise<T[]> => {
    const d1 = await hub.mf.getD1Database('DB');
    const { results } = await d1
      .prepare(query)
      .bind(...values)
      .all<T>();
    return results;
  };
  const cron = async () => {
    const worker = await hub.mf.getWorker();
    // A dead isolate refuses the run; the caller sees it in state() next.
    await worker.scheduled({ cron: '* * * * *', scheduledTime: clock.now() }).catch(() => undefined);
  };
  const flushStripe = async () => {
    if (sims.stripe.state.outbox.length > 0) await sims.stripe.flushWebhooks();
  };
  interface OpenJob {
    id: string;
    state: string;
    next_attempt_at: number;
    lease_until: number | null;
    updated_at: string;
  }
  const openJobs = () =>
    sql<OpenJob>(
      "SELECT id, state, next_attempt_at, lease_until, updated_at FROM jobs WHERE org_id = ? AND state NOT IN ('succeeded', 'dead')",
      org.orgId,
    );
  let lastSeen = '';
  let unchanged = 0;
  /**
   * One round: Stripe's events delivered, and the cron handler run at the clock's time. When
   * nothing is due, the clock moves on to the next backoff's end; past a running job's lease only
   * once the open jobs have not changed for a while (a lease the dead isolate held, not a job a
   * live one is running). Answers false when nothing is open.
   */
  const round = async (options: { leases: boolean }): Promise<boolean> => {
    await flushStripe();
    const open = await openJobs();
    if (open.length === 0 && sims.stripe.state.outbox.length === 0) return false;
    const signature = JSON.stringify(open);
    unchanged = signature === lastSeen ? unchanged + 1 : 0;
    lastSeen = signature;
    const now = clock.now().getTime();
    const queuedDue = Math.min(...open.filter((j) => j.state === 'queued').map((j) => j.next_attempt_at));
    const leaseEnd = Math.min(...open.filter((j) => j.state === 'running').map((j) => (j.lease_until ?? 0) + 1));
    let next = queuedDue;
    if (options.leases && unchanged >= 15) next = Math.min(next, leaseEnd);
    if (next > now && Number.isFinite(next)) {
      clock.set(new Date(next));
      await run.syncClock();
    }
    await cron();
    await new Promise((r) => setTimeout(r, 20)); // pacing between rounds, not an assertion
    return true;
  };

  const run: CrashRun = {
    world,
    get hub() {
      return hub;
    },
    org,
    notes,
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${org.apiKey}`);
      return fetch(`${hub.url}${path}`, { ...init, headers });
    },
    deliverOutboundMessage(xml) {
      return fetch(`${hub.url}${org.salesforceOutboundPath}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' },
        body: xml,
      });
    },
    state: () => control('state'),
    async syncClock() {
      await control('clock', { now: clock.now().toISOString() });
    },
    async arm(at) {
      await control('arm', { at, now: clock.now().toISOString(), stayDead: hard && at > 0 });
    },
    async restart() {
      await hub.close();
      hub = await startBundle(built, { migrate: false, d1Persist: d1Dir });
      pointStripeAt();
      await run.arm(0);
    },
    async settleUntilDead() {
      const died = async () => (await run.state()).deaths.length > 0;
      for (let i = 0; i < 400; i++) {
        if (await died()) return true;
        if (await round({ leases: false })) continue;
        // Nothing open: one more cron run, as the finalize sweep may have drafts to start.
        await cron();
        if (await died()) return true;
        if (!(await round({ leases: false }))) return false;
      }
      throw new Error('the hub did not settle within 400 rounds');
    },
    async drain() {
      const untilQuiet = async () => {
        for (let i = 0; i < 600; i++) {
          if (hard && (await run.state()).deaths.length > 0) await run.restart();
          if (!(await round({ leases: true }))) return;
        }
        throw new Error('the queue did not drain within 600 rounds');
      };
      await untilQuiet();
      // Minutes pass twice: the schedules (billing on the hour, the payment reconciler at :x2) run.
      for (const minute of [0, 2]) {
        const at = new Date(clock.now().getTime() + 6 * 60_000);
        if (minute === 0) at.setUTCHours(at.getUTCHours() + 1, 0, 0, 0);
        else at.setUTCMinutes(at.getUTCMinutes() - (at.getUTCMinutes() % 5) + 2, 0, 0);
        clock.set(at);
        await run.syncClock();
        await cron();
        await untilQuiet();
      }
    },
    async snapshot(extra = {}) {
      await hub.close();
      const copy = mkdtempSync(join(tmpdir(), 'hub-workerd-snapshot-'));
      cpSync(d1Dir, copy, { recursive: true });
      return {
        d1Dir: copy,
        sims: Object.fromEntries(SIMULATOR_VENDORS.map((v) => [v, sims[v].snapshot()])),
        clock: clock.now().toISOString(),
        org,
        notes: { ...notes, ...extra },
      };
    },
    sql,
    async close() {
      await hub.close();
    },
  };
  return run;
}

/** What the vendors and the books hold: the verdict, compared with the crash-free run. */
export async function outcome(run: CrashRun) {
  const { sims } = run.world;
  const vendors = vendorCounts(sims);
  const books: Record<string, number> = {};
  const add = (key: string, n: number) => {
    books[key] = (books[key] ?? 0) + n;
  };
  const orgId = run.org.orgId;
  for (const r of await run.sql<{ key: string; n: number }>(
    "SELECT 'invoice ' || kind || ' ' || status || ' ' || total_minor AS key, count(*) AS n FROM invoices WHERE org_id = ? GROUP BY key",
    orgId,
  ))
    add(r.key, r.n);
  for (const r of await run.sql<{ key: string; n: number }>(
    "SELECT 'payment ' || status || ' ' || amount_minor AS key, count(*) AS n FROM payments WHERE org_id = ? GROUP BY key",
    orgId,
  ))
    add(r.key, r.n);
  for (const r of await run.sql<{ key: string; n: number }>(
    "SELECT 'ledger ' || source_type || ' ' || kind AS key, count(*) AS n FROM ledger_entries WHERE org_id = ? GROUP BY key",
    orgId,
  ))
    add(r.key, r.n);
  const unbalanced = (
    await run.sql<{ entry: string }>(
      "SELECT entry_id || ' ' || currency AS entry FROM ledger_lines WHERE org_id = ? GROUP BY entry_id, currency HAVING sum(debit_minor) != sum(credit_minor)",
      orgId,
    )
  ).map((r) => r.entry);
  const unfinished = (
    await run.sql<{ job: string }>(
      "SELECT dedupe_key || ': ' || state || ' ' || coalesce(last_error, '') AS job FROM jobs WHERE org_id = ? AND NOT (state = 'succeeded' OR (state = 'dead' AND length(coalesce(last_error, '')) > 0))",
      orgId,
    )
  ).map((r) => r.job);
  return { vendors, books, unbalanced, unfinished };
}

export type CrashOutcome = Awaited<ReturnType<typeof outcome>>;
