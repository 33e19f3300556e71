/**
 * Usage ingestion: N events posted to the Node hub (better-sqlite3 file in a temp dir) versus
 * the floor — a raw better-sqlite3 prepared-statement insert of the same rows in one transaction
 * into the same schema on another temp file. Everything runs in this process, in this run, so
 * the ratios compare like with like. Target: hub ≥ 0.5× raw.
 *
 * The hub is measured twice, each on a fresh database: over a real loopback server (the fetch
 * client runs in this process too, so its CPU counts against the hub) and through app.request()
 * (no socket, no client; routing, auth, JSON, validation and the write are all still there).
 *
 *   npm run bench                 # 100,000 events in batches of 10,000
 *   npm run bench -- 200000 5000  # N and batch size
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { serveOnLoopback } from '../adapters/sandbox/serve.js';
import { atomic } from '../src/db/atomic.js';
import { countUsageEvents } from '../src/db/repos/metering.js';
import { customers } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { createHub } from '../src/hub.js';
import { openSqlite } from '../src/runtime/sqlite.js';

const N = Number(process.argv[2] ?? 100_000);
const BATCH = Number(process.argv[3] ?? 10_000);
const CUSTOMERS = 100;
const NOW = Date.parse('2026-03-02T09:00:00Z');
const customerId = (i: number) => `cus_bench${String(i % CUSTOMERS).padStart(3, '0')}`;

const peakRssMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

/** A hub on a fresh file with one org, its customers and the metric (not timed). */
async function freshHub(path: string) {
  const sqlite = openSqlite(path);
  const clock = new ManualClock(new Date(NOW));
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  const hub = createHub({ db: sqlite.db, clock, encryptionKey });
  const org = await createOrgWithKey(sqlite.db, clock, encryptionKey, { name: 'Bench', connections: [] });
  await atomic(
    sqlite.db,
    Array.from({ length: CUSTOMERS }, (_, i) =>
      sqlite.db.insert(customers).values({
        id: customerId(i),
        orgId: org.orgId,
        name: `Customer ${i}`,
        currency: 'USD',
        sourceSystem: 'bench',
        sourceId: `acct-${i}`,
        createdAt: new Date(NOW).toISOString(),
      }),
    ),
  );
  const headers = { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' };
  const metric = await hub.app.request('/api/v1/metrics', {
    method: 'POST',
    headers,
    body: JSON.stringify({ code: 'api_calls', aggregation: 'sum', field: 'calls', group_by: ['region'] }),
  });
  if (metric.status !== 201) throw new Error(`metric: ${metric.status} ${await metric.text()}`);
  return { sqlite, hub, orgId: org.orgId, headers };
}

/** Posts every body in turn; checks that all N events were stored. Returns elapsed ms. */
async function ingestAll(
  bodies: readonly string[],
  post: (body: string) => Promise<Response>,
  check: () => Promise<number>,
): Promise<number> {
  const start = performance.now();
  let stored = 0;
  for (const body of bodies) {
    const res = await post(body);
    if (res.status !== 200) throw new Error(`batch: ${res.status} ${(await res.text()).slice(0, 500)}`);
    stored += ((await res.json()) as { new: number }).new;
  }
  const ms = performance.now() - start;
  const inDb = await check();
  if (stored !== N || inDb !== N) throw new Error(`hub stored ${stored}, table holds ${inDb}, expected ${N}`);
  return ms;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  try {
    const events = Array.from({ length: N }, (_, i) => ({
      transaction_id: `tx-${i.toString(36).padStart(8, '0')}`,
      customer_id: customerId(i),
      metric: 'api_calls',
      timestamp: new Date(NOW - (N - i) * 1000).toISOString(),
      properties: { calls: (i % 17) + 1, region: i % 3 === 0 ? 'eu' : 'us' },
    }));
    // The client's serialisation is not the hub's cost: bodies are built before the clock starts.
    const bodies: string[] = [];
    for (let i = 0; i < N; i += BATCH) bodies.push(JSON.stringify({ events: events.slice(i, i + BATCH) }));

    // --- hub over a real loopback server ------------------------------------------------------
    const viaHttp = await freshHub(join(dir, 'hub-http.db'));
    const server = await serveOnLoopback(viaHttp.hub.app as never);
    const httpMs = await ingestAll(
      bodies,
      (body) => fetch(`${server.url}/api/v1/events/batch`, { method: 'POST', headers: viaHttp.headers, body }),
      () => countUsageEvents(viaHttp.sqlite.db, viaHttp.orgId),
    );
    await server.close();
    viaHttp.sqlite.close();

    // --- hub through app.request --------------------------------------------------------------
    const viaApp = await freshHub(join(dir, 'hub-app.db'));
    const appMs = await ingestAll(
      bodies,
      async (body) => viaApp.hub.app.request('/api/v1/events/batch', { method: 'POST', headers: viaApp.headers, body }),
      () => countUsageEvents(viaApp.sqlite.db, viaApp.orgId),
    );
    viaApp.sqlite.close();
    const hubPeak = peakRssMb();

    // --- raw: one prepared statement, one transaction, same schema and rows -------------------
    const rawDb = openSqlite(join(dir, 'raw.db'));
    const sqlite = (rawDb.db as unknown as { $client: BetterSqlite3.Database }).$client;
    const rows = events.map((e) => [
      viaApp.orgId,
      e.transaction_id,
      e.customer_id,
      e.metric,
      Date.parse(e.timestamp),
      JSON.stringify(e.properties),
      NOW,
      0,
    ]);
    const insert = sqlite.prepare(
      `INSERT INTO usage_events (org_id, transaction_id, customer_id, metric_code, timestamp, properties, received_at, late)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, transaction_id) DO NOTHING`,
    );
    const rawStart = performance.now();
    sqlite.transaction(() => {
      for (const row of rows) insert.run(...row);
    })();
    const rawMs = performance.now() - rawStart;
    const rawCount = (sqlite.prepare('SELECT count(*) AS n FROM usage_events').get() as { n: number }).n;
    if (rawCount !== N) throw new Error(`raw stored ${rawCount}, expected ${N}`);
    rawDb.close();

    const rawRate = rate(N, rawMs);
    const line = (label: string, ms: number) =>
      `${label.padEnd(46)} ${ms.toFixed(0).padStart(6)} ms ${rate(N, ms).toLocaleString('en').padStart(9)} events/s  ${(rate(N, ms) / rawRate).toFixed(2)}× raw`;
    console.log(
      `events: ${N.toLocaleString('en')} in batches of ${BATCH.toLocaleString('en')} (target: hub ≥ 0.50× raw)`,
    );
    console.log(line('hub over loopback HTTP (fetch → node-server)', httpMs));
    console.log(line('hub through app.request (no socket)', appMs));
    console.log(line('raw prepared insert, one transaction', rawMs));
    console.log(`peak RSS: ${hubPeak} MB after the hub runs, ${peakRssMb()} MB overall`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
