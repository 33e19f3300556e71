/**
 * The hub side of the invoice-pipeline bench: the Node runtime's pieces (better-sqlite3 file,
 * durable job table, NodeJobDriver with p-queue per connection, the Hono app on loopback for
 * Stripe's webhooks) against the simulators. A billing run writes the drafts (not timed); the
 * clock starts when the auto-finalize sweep enqueues their finalize jobs and stops when every
 * invoice is paid and its payment is posted to QuickBooks.
 */
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { serveOnLoopback } from '../../adapters/sandbox/serve.js';
import { runBilling } from '../../flows/billing-run/engine.js';
import { finalizeDueDrafts } from '../../flows/finalize-sweep.js';
import type { Db } from '../../src/db/client.js';
import { generateEncryptionKey, importEncryptionKey } from '../../src/db/secrets.js';
import { systemClock } from '../../src/domain/clock.js';
import { createHub } from '../../src/hub.js';
import { NodeJobDriver } from '../../src/jobs/node-driver.js';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO, type Simulators } from '../../src/runtime/simulators.js';
import { openSqlite } from '../../src/runtime/sqlite.js';
import { BILLING_DATE, benchSimulators, seedOrg } from './seed.js';

export interface PipelineOptions {
  dir: string;
  invoices: number;
  /** In-flight jobs per vendor connection (the floor allows as many calls per vendor). */
  concurrency: number;
  /** Called every poll while the pipeline runs (the bench samples RSS there). */
  onPoll?: () => void;
  /** Give up when nothing moved for this long. */
  stallMs?: number;
}

export interface PipelineResult {
  ms: number;
  /** CPU time of this process (all threads) while the clock ran. */
  cpuMs: number;
  invoices: number;
  /** Requests each simulator served while the clock ran, by "METHOD /path" with ids blanked. */
  calls: Record<string, number>;
  /** What the simulators and the database hold at the end (every count must equal `invoices`). */
  counts: Record<string, number>;
  jobs: Record<string, number>;
  /** Stripe's webhook deliveries to the hub by HTTP status (a refused one is sent again). */
  deliveries: Record<string, number>;
}

const raw = (db: Db) => (db as unknown as { $client: BetterSqlite3.Database }).$client;

/** "POST /v1/payment_intents/pi_sim…/confirm" → "POST /v1/payment_intents/:id/confirm". */
export function callShape(method: string, path: string): string {
  const shaped = path
    .replace(/\/v3\/company\/[^/]+/, '/v3/company/:realm')
    .replace(/\/companies\/[^/]+\/transactions\/[^/]+/, '/companies/:company/transactions/:code')
    .replace(/\/(pi|cus|ch|txn|re)_[A-Za-z0-9]+/g, '/:id');
  return `${method} ${shaped}`;
}

/** Calls each simulator saw from `from` on (FaultPlan.seen records every request). */
export function callsSince(sims: Simulators, from: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const vendor of ['avalara', 'stripe', 'quickbooks'] as const) {
    for (const seen of sims[vendor].faults.seen.slice(from[vendor] ?? 0)) {
      const key = `${vendor} ${callShape(seen.method, seen.path)}`;
      out[key] = (out[key] ?? 0) + 1;
    }
  }
  return out;
}

export function cpuSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

export const seenMarks = (sims: Simulators) => ({
  avalara: sims.avalara.faults.seen.length,
  stripe: sims.stripe.faults.seen.length,
  quickbooks: sims.quickbooks.faults.seen.length,
});

/** What the vendors hold: one of each per invoice (customers too: one contract per customer). */
export function vendorHoldings(sims: Simulators): Record<string, number> {
  const realm = SANDBOX_QBO.realmId;
  const intents = [...sims.stripe.state.paymentIntents.values()];
  return {
    'avalara transactions': sims.avalara.state.count(SANDBOX_AVALARA_COMPANY),
    'stripe customers': sims.stripe.state.customers.size,
    'stripe payment intents succeeded': intents.filter((p) => p.status === 'succeeded').length,
    'quickbooks customers': sims.quickbooks.state.count(realm, 'Customer'),
    'quickbooks invoices': sims.quickbooks.state.count(realm, 'Invoice'),
    'quickbooks payments': sims.quickbooks.state.count(realm, 'Payment'),
  };
}

export async function runHubPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const sqlite = openSqlite(join(options.dir, 'hub.db'));
  const { db } = sqlite;
  const clock = systemClock;
  const sims = await benchSimulators(clock);
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  const org = await seedOrg(db, clock, encryptionKey, sims, options.invoices);
  const hub = createHub({ db, clock, encryptionKey, mode: 'sandbox' });
  const driver = new NodeJobDriver({
    db,
    clock,
    process: hub.processDeps,
    pollIntervalMs: 500,
    // The vendors' rate limits are off in this bench; the hub's own per-connection cap goes too.
    perConnection: { concurrency: options.concurrency, intervalCap: Number.POSITIVE_INFINITY, intervalMs: 0 },
  });
  hub.attachDriver(driver);
  const server = await serveOnLoopback(hub.app as never);
  sims.stripe.setWebhookUrl(`${server.url}/webhooks/stripe/${org.stripeConnectionId}`);
  try {
    const billed = await runBilling({ db, clock }, org.orgId, BILLING_DATE);
    if (billed.invoicesCreated !== options.invoices || billed.failures.length > 0) {
      throw new Error(
        `billing run wrote ${billed.invoicesCreated} drafts, failures ${JSON.stringify(billed.failures)}`,
      );
    }
    const sql = raw(db);
    const posted = sql.prepare(
      `SELECT count(*) AS n FROM external_refs WHERE org_id = ? AND system = 'quickbooks' AND object_type = 'payment'`,
    );
    const paid = sql.prepare(`SELECT count(*) AS n FROM invoices WHERE org_id = ? AND status = 'paid'`);
    const count = (statement: BetterSqlite3.Statement) => (statement.get(org.orgId) as { n: number }).n;

    driver.start();
    const marks = seenMarks(sims);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const enqueued = await finalizeDueDrafts(hub.context, org.orgId);
    if (!enqueued.ok || enqueued.value !== options.invoices)
      throw new Error(`finalize sweep: ${JSON.stringify(enqueued)}`);
    // The end is checked every 50 ms by a count over an index (the paid count, a table scan, only
    // once every payment is posted); progress (any job finishing) every 5 s, against a stall.
    const finished = sql.prepare(`SELECT count(*) AS n FROM jobs WHERE state IN ('succeeded', 'dead')`);
    let finishedBefore = -1;
    let progressAt = performance.now();
    let checkedAt = progressAt;
    for (;;) {
      if (count(posted) === options.invoices && count(paid) === options.invoices) break;
      const now = performance.now();
      if (now - checkedAt > 5_000) {
        checkedAt = now;
        const n = (finished.get() as { n: number }).n;
        if (n !== finishedBefore) {
          finishedBefore = n;
          progressAt = now;
        } else if (now - progressAt > (options.stallMs ?? 60_000)) {
          throw new Error(`stalled: jobs ${JSON.stringify(jobStates(db))}`);
        }
      }
      options.onPoll?.();
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = performance.now() - started;
    const cpuMs = cpuSince(cpu);
    const calls = callsSince(sims, marks);
    await driver.stop();
    const refs = sql
      .prepare(`SELECT system || ' ' || object_type AS k, count(*) AS n FROM external_refs WHERE org_id = ? GROUP BY k`)
      .all(org.orgId) as { k: string; n: number }[];
    const counts: Record<string, number> = {
      'invoices paid in full': (
        sql
          .prepare(
            `SELECT count(*) AS n FROM invoices WHERE org_id = ? AND status = 'paid' AND amount_paid_minor = total_minor`,
          )
          .get(org.orgId) as { n: number }
      ).n,
      ...vendorHoldings(sims),
      ...Object.fromEntries(
        refs.filter((r) => r.k.startsWith('quickbooks') && !r.k.endsWith('item')).map((r) => [`ref ${r.k}`, r.n]),
      ),
    };
    const deliveries: Record<string, number> = {};
    for (const d of sims.stripe.state.deliveries)
      deliveries[String(d.status)] = (deliveries[String(d.status)] ?? 0) + 1;
    return { ms, cpuMs, invoices: options.invoices, calls, counts, jobs: jobStates(db), deliveries };
  } finally {
    await driver.stop();
    await server.close();
    await sims.close();
    sqlite.close();
  }
}

/** Jobs by flow and state, and how many of them had to run again (a retry, or a wait on another job). */
function jobStates(db: Db): Record<string, number> {
  const rows = raw(db)
    .prepare(
      `SELECT json_extract(payload, '$.flow') || ' ' || state AS k, count(*) AS n FROM jobs GROUP BY k
       UNION ALL SELECT json_extract(payload, '$.flow') || ' ran again', count(*) FROM jobs
         WHERE last_error IS NOT NULL GROUP BY json_extract(payload, '$.flow')`,
    )
    .all() as { k: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}
