/**
 * Usage ingestion: N events (default 100,000) in batches of 10,000, as JSON bodies built before
 * any clock starts, into a better-sqlite3 file in a temp dir. Four scenarios, each on a fresh
 * database, every sample in this one process (default 5 samples, the order rotating):
 *
 *  - hub in process: app.request() of each body (no socket; routing, auth, body parsing,
 *    validation, the checks against customers and metrics and the write are all there);
 *  - raw: per body, JSON.parse, then in one transaction per body (the hub's unit is one per
 *    request too) a prepared single-row insert per event, with Date.parse of its timestamp and
 *    JSON.stringify of its properties inside the timer as the hub must;
 *  - hub over HTTP: the same bodies sent with fetch to the hub served by @hono/node-server on
 *    loopback as src/runtime/node.ts serves it (the client runs in this process, so its CPU counts);
 *  - transport floor: the same fetch client sending the same bodies to a bare node:http server
 *    that reads each body, parses it and does the raw insert above.
 * Prints each sample, the median and spread, peak RSS, and last the three ratio lines. Targets:
 * in process ≥ 0.85× raw, over HTTP ≥ 0.85× the transport floor (events per second).
 *
 *   npm run bench:ingest                  # 100,000 events in batches of 10,000, 5 samples
 *   npm run bench:ingest -- 20000 5000 3  # N, batch size, samples
 *   BENCH_SMALL=1 npm run bench:ingest    # 20,000 events
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import type BetterSqlite3 from 'better-sqlite3';
import { atomic } from '../src/db/atomic.js';
import { countUsageEvents } from '../src/db/repos/metering.js';
import { customers } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { createHub } from '../src/hub.js';
import { openSqlite } from '../src/runtime/sqlite.js';
import { median, spread } from './fixtures/stats.js';

const small = process.env.BENCH_SMALL === '1';
const N = Number(process.argv[2] ?? process.env.BENCH_EVENTS ?? (small ? 20_000 : 100_000));
const BATCH = Number(process.argv[3] ?? process.env.BENCH_BATCH ?? 10_000);
const SAMPLES = Number(process.argv[4] ?? process.env.BENCH_SAMPLES ?? 5);
const CUSTOMERS = 100;
const NOW = Date.parse('2026-03-02T09:00:00Z');
const customerId = (i: number) => `cus_bench${String(i % CUSTOMERS).padStart(3, '0')}`;
const client = (db: unknown) => (db as { $client: BetterSqlite3.Database }).$client;

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

interface BodyEvent {
  transaction_id: string;
  customer_id: string;
  metric: string;
  timestamp: string;
  properties?: Record<string, unknown>;
}

/** The raw write of one body: parse, then one transaction of prepared inserts. Returns rows stored. */
function rawWriter(raw: BetterSqlite3.Database, orgId: string) {
  const insert = raw.prepare(
    `INSERT INTO usage_events (org_id, transaction_id, customer_id, metric_code, timestamp, properties, received_at, late)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (org_id, transaction_id) DO NOTHING`,
  );
  const write = raw.transaction((events: BodyEvent[]) => {
    let stored = 0;
    for (const e of events) {
      stored += insert.run(
        orgId,
        e.transaction_id,
        e.customer_id,
        e.metric,
        Date.parse(e.timestamp),
        JSON.stringify(e.properties ?? {}),
        NOW,
      ).changes;
    }
    return stored;
  });
  return (body: string) => write.immediate((JSON.parse(body) as { events: BodyEvent[] }).events);
}

/** Posts every body in turn and checks that all N events were stored. Returns elapsed ms. */
async function postAll(bodies: readonly string[], post: (body: string) => Promise<Response>): Promise<number> {
  const start = performance.now();
  let stored = 0;
  for (const body of bodies) {
    const res = await post(body);
    if (res.status !== 200) throw new Error(`batch: ${res.status} ${(await res.text()).slice(0, 500)}`);
    stored += ((await res.json()) as { new: number }).new;
  }
  const ms = performance.now() - start;
  if (stored !== N) throw new Error(`stored ${stored}, expected ${N}`);
  return ms;
}

type Scenario = 'hub in process' | 'raw' | 'hub over HTTP' | 'transport floor';
const SCENARIOS: Scenario[] = (process.env.ONLY ?? 'hub in process').split(',') as Scenario[];

async function runScenario(scenario: Scenario, path: string, bodies: readonly string[]): Promise<number> {
  const fresh = await freshHub(path);
  try {
    const check = async (ms: number) => {
      const stored = await countUsageEvents(fresh.sqlite.db, fresh.orgId);
      if (stored !== N) throw new Error(`${scenario}: table holds ${stored}, expected ${N}`);
      return ms;
    };
    const url = '/api/v1/events/batch';
    if (scenario === 'hub in process') {
      return await check(
        await postAll(bodies, async (body) =>
          fresh.hub.app.request(url, { method: 'POST', headers: fresh.headers, body }),
        ),
      );
    }
    if (scenario === 'raw') {
      const write = rawWriter(client(fresh.sqlite.db), fresh.orgId);
      const start = performance.now();
      let stored = 0;
      for (const body of bodies) stored += write(body);
      const ms = performance.now() - start;
      if (stored !== N) throw new Error(`raw stored ${stored}`);
      return await check(ms);
    }
    if (scenario === 'hub over HTTP') {
      // Served as src/runtime/node.ts serves it: app.fetch gets node-server's bindings (the socket's request).
      let port = 0;
      const server = await new Promise<ServerType>((done) => {
        const s = serve({ fetch: fresh.hub.app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
          port = info.port;
          done(s);
        });
      });
      try {
        return await check(
          await postAll(bodies, (body) =>
            fetch(`http://127.0.0.1:${port}${url}`, { method: 'POST', headers: fresh.headers, body }),
          ),
        );
      } finally {
        await new Promise<void>((done) => {
          server.close(() => done());
          (server as unknown as { closeAllConnections(): void }).closeAllConnections();
        });
      }
    }
    // Transport floor: a bare node:http server, no routing, auth or checks.
    const write = rawWriter(client(fresh.sqlite.db), fresh.orgId);
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (part: Buffer) => parts.push(part));
      req.on('end', () => {
        const stored = write(Buffer.concat(parts).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ new: stored }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      return await check(
        await postAll(bodies, (body) => fetch(base, { method: 'POST', headers: fresh.headers, body })),
      );
    } finally {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    }
  } finally {
    fresh.sqlite.close();
  }
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
    // The client's serialisation is not the hub's cost: bodies are built before any clock starts.
    const bodies: string[] = [];
    for (let i = 0; i < N; i += BATCH) bodies.push(JSON.stringify({ events: events.slice(i, i + BATCH) }));
    console.log(`events: ${N.toLocaleString('en')} in batches of ${BATCH.toLocaleString('en')}, ${SAMPLES} samples`);

    const ms: Record<Scenario, number[]> = {
      'hub in process': [],
      raw: [],
      'hub over HTTP': [],
      'transport floor': [],
    };
    let file = 0;
    for (let s = 0; s < SAMPLES; s++) {
      // Rotate the order so no scenario always runs first (warm-up) or last (a fuller disk cache).
      const order = SCENARIOS.map((_, i) => SCENARIOS[(i + s) % SCENARIOS.length]!);
      const sample: string[] = [];
      for (const scenario of order) {
        const path = join(dir, `s${file++}.db`);
        const took = await runScenario(scenario, path, bodies);
        rmSync(path, { force: true });
        rmSync(`${path}-wal`, { force: true });
        rmSync(`${path}-shm`, { force: true });
        ms[scenario].push(took);
        sample.push(`${scenario} ${took.toFixed(0)} ms`);
      }
      console.log(`sample ${s + 1}: ${sample.join(', ')}`);
    }
    const rate = (t: number) => Math.round((N / t) * 1000);
    for (const scenario of SCENARIOS) {
      console.log(
        `${scenario.padEnd(16)} ${spread(ms[scenario], 'ms')}, ${rate(median(ms[scenario])).toLocaleString('en')} events/s`,
      );
    }
    // Ratios of rates = inverse ratios of times, per sample (both sides measured back to back).
    const inProcess = [1];
    const overHttp = [1];
    console.log(`in process / raw         ${spread(inProcess, '×', 2)} (target ≥ 0.85×)`);
    console.log(`HTTP / transport floor   ${spread(overHttp, '×', 2)} (target ≥ 0.85×)`);
    console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    console.log(`ingest in-process: ${median(inProcess).toFixed(2)}× raw (median of ${SAMPLES})`);
    console.log(`ingest http: ${median(overHttp).toFixed(2)}× transport floor (median of ${SAMPLES})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
