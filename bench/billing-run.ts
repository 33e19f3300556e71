/**
 * The billing run at scale: 10,000 contracts with varied terms (bench/fixtures/varied-contracts.ts:
 * start dates over the quarter, prices, per-unit / tiered / volume / package usage, USD / EUR /
 * JPY, monthly / quarterly / fortnightly, discounts, credit grants, a second metric) and
 * 1,000,000 usage events from January to March, billed through 2026-04-01. The database is seeded
 * once (raw prepared inserts, not timed) and copied fresh for every sample.
 *
 * Each of the 5 samples (in one process) times, on its own copy:
 *  (a) the billing run;
 *  (c) the same run again, which must create nothing;
 *  (b) the floor, on another copy: the same I/O done raw — read the contracts' terms, one GROUP BY
 *      pass over the events (per customer and metric the sum or max of its field: every event
 *      read once, as the run reads it), and insert exactly the invoice and line rows (a) wrote, with prepared
 *      single-row inserts, in as many transactions as the run wrote chunks.
 * Each sample also runs (a) once more, on its own copy, in a fresh Node process whose maxRSS is
 * the run's peak memory (bench/fixtures/billing-run-alone.ts).
 * Prints each sample, the median and spread (min–max) of each scenario, that peak RSS,
 * and last `billing run: <r>× floor (median of 5)`. Targets: (a) ≤ 1.5× (b), (c) ≤ 0.2× (b),
 * peak RSS ≤ 400 MB.
 *
 *   npm run bench:billing                        # 10,000 contracts, 1,000,000 events, 5 samples
 *   npm run bench:billing -- 1000 100000 3       # contracts, events, samples
 *   BENCH_SMALL=1 npm run bench:billing          # 1,000 contracts, 100,000 events
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { runBilling } from '../flows/billing-run/engine.js';
import { atomic } from '../src/db/atomic.js';
import { metricInsert } from '../src/db/repos/metering.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { openSqlite } from '../src/runtime/sqlite.js';
import { median, spread } from './fixtures/stats.js';
import { USAGE_FROM, USAGE_TO, VARIED_METRICS, variedTerms } from './fixtures/varied-contracts.js';

const small = process.env.BENCH_SMALL === '1';
const CONTRACTS = Number(process.argv[2] ?? process.env.BENCH_CONTRACTS ?? (small ? 1_000 : 10_000));
const EVENTS = Number(process.argv[3] ?? process.env.BENCH_EVENTS ?? (small ? 100_000 : 1_000_000));
const SAMPLES = Number(process.argv[4] ?? process.env.BENCH_SAMPLES ?? 5);
const AT = '2026-04-01';
/** Contracts per write unit on better-sqlite3 (the engine's default): the floor commits as often. */
const CHUNK = 500;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const client = (db: unknown) => (db as { $client: BetterSqlite3.Database }).$client;

/** Seeds the template database (closed afterwards, WAL folded in, so a file copy is the whole database). */
async function seed(path: string) {
  const sqlite = openSqlite(path);
  const clock = new ManualClock('2026-04-01T06:00:00Z');
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  const org = await createOrgWithKey(sqlite.db, clock, encryptionKey, { name: 'Bench', connections: [] });
  const now = clock.now().toISOString();
  await atomic(
    sqlite.db,
    VARIED_METRICS.map(
      (m) =>
        metricInsert(sqlite.db, org.orgId, now, {
          code: m.code,
          name: m.code,
          aggregation: m.aggregation,
          field: m.field,
          filters: [],
          groupBy: [],
          rounding: null,
        }).statement,
    ),
  );
  const raw = client(sqlite.db);
  const customer = raw.prepare(
    `INSERT INTO customers (id, org_id, name, currency, source_system, source_id, created_at) VALUES (?, ?, ?, ?, 'bench', ?, ?)`,
  );
  const contract = raw.prepare(
    `INSERT INTO contracts (id, org_id, customer_id, source_system, source_deal_id, version, status, currency, start_date,
       billing_cadence, billing_timing, payment_terms_days, mapping_version, terms, effective_date, created_at)
     VALUES (?, ?, ?, 'bench', ?, 1, 'active', ?, ?, 'monthly', 'in_advance', ?, 'bench', ?, ?, ?)`,
  );
  const event = raw.prepare(
    `INSERT INTO usage_events (org_id, transaction_id, customer_id, metric_code, timestamp, properties, received_at, late)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
  );
  const cus = (i: number) => `cus_b${String(i).padStart(6, '0')}`;
  const distinct = new Set<string>();
  raw.transaction(() => {
    for (let i = 0; i < CONTRACTS; i++) {
      const terms = variedTerms(i);
      const text = JSON.stringify(terms);
      distinct.add(text);
      customer.run(cus(i), org.orgId, `Customer ${i}`, terms.currency, `acct-${i}`, now);
      contract.run(
        `ctr_b${String(i).padStart(6, '0')}`,
        org.orgId,
        cus(i),
        `deal-${i}`,
        terms.currency,
        terms.startDate,
        terms.paymentTermsDays,
        text,
        terms.startDate,
        now,
      );
    }
    for (let i = 0; i < EVENTS; i++) {
      const ts = USAGE_FROM + Math.floor((i / EVENTS) * (USAGE_TO - USAGE_FROM));
      // Every customer gets events all quarter; one round in eight is storage readings.
      const storage = Math.floor(i / CONTRACTS) % 8 === 7;
      event.run(
        org.orgId,
        `tx-${i}`,
        cus(i % CONTRACTS),
        storage ? 'storage' : 'api_calls',
        ts,
        storage ? `{"gb":${(i % 23) + 1}}` : `{"units":${(i % 17) + 1}}`,
        ts,
      );
    }
  })();
  sqlite.close();
  return { orgId: org.orgId, distinctTerms: distinct.size };
}

interface WrittenRows {
  invoices: unknown[][];
  lines: unknown[][];
}

/** What (a) wrote, read back untimed, for the floor to write again. */
function writtenRows(raw: BetterSqlite3.Database): WrittenRows {
  return {
    invoices: raw.prepare('SELECT * FROM invoices ORDER BY rowid').raw().all() as unknown[][],
    lines: raw.prepare('SELECT * FROM invoice_lines ORDER BY rowid').raw().all() as unknown[][],
  };
}

const ALONE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/billing-run-alone.ts');

/**
 * The run's peak memory: the same run on its own copy in a fresh Node process (as the CLI runs
 * it), whose maxRSS is the run's and nothing else's; this process holds the seed and the rows
 * the floor writes again.
 */
function runAlone(path: string, orgId: string): { maxRss: number; rssBefore: number; invoices: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', ALONE, path, orgId, AT], { encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
    maxRss: number;
    rssBefore: number;
    invoices: number;
    failures: number;
  };
  if (result.failures > 0) throw new Error(`run alone: ${result.failures} failures`);
  return result;
}

/** The floor on a fresh copy: the same reads and writes, raw. */
function floor(path: string, orgId: string, rows: WrittenRows, chunks: number): { ms: number; groups: number } {
  const db = openSqlite(path);
  const raw = client(db.db);
  const insertInvoice = raw.prepare(`INSERT INTO invoices VALUES (${rows.invoices[0]!.map(() => '?').join(', ')})`);
  const insertLine = raw.prepare(`INSERT INTO invoice_lines VALUES (${rows.lines[0]!.map(() => '?').join(', ')})`);
  const started = performance.now();
  const terms = raw.prepare('SELECT id, customer_id, terms FROM contracts WHERE org_id = ?').all(orgId);
  if (terms.length !== CONTRACTS) throw new Error(`floor read ${terms.length} contracts`);
  // One GROUP BY pass over the events, each read once and its metric's field extracted once.
  const groups = raw
    .prepare(
      `SELECT customer_id, metric_code,
         sum(CASE metric_code WHEN 'api_calls' THEN json_extract(properties, '$.units') END) AS units,
         max(CASE metric_code WHEN 'storage' THEN json_extract(properties, '$.gb') END) AS gb
       FROM usage_events WHERE org_id = ? AND timestamp >= ? AND timestamp < ? GROUP BY customer_id, metric_code`,
    )
    .all(orgId, USAGE_FROM, USAGE_TO);
  // As many transactions as the run's chunks, each holding its share of invoices and their lines.
  const perChunk = Math.ceil(rows.invoices.length / chunks);
  let line = 0;
  for (let from = 0; from < rows.invoices.length; from += perChunk) {
    raw
      .transaction(() => {
        const invoices = rows.invoices.slice(from, from + perChunk);
        for (const invoice of invoices) insertInvoice.run(invoice);
        const last = invoices.at(-1)![0];
        // Lines were written chunk by chunk too: take them up to the chunk's last invoice.
        while (line < rows.lines.length && (rows.lines[line]![2] as string) <= (last as string)) {
          insertLine.run(rows.lines[line]!);
          line++;
        }
      })
      .immediate();
  }
  raw.transaction(() => {
    while (line < rows.lines.length) insertLine.run(rows.lines[line++]!);
  })();
  const ms = performance.now() - started;
  db.close();
  return { ms, groups: groups.length };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-billing-'));
  try {
    const template = join(dir, 'template.db');
    let started = performance.now();
    const { orgId, distinctTerms } = await seed(template);
    console.log(
      `seeded ${CONTRACTS.toLocaleString('en')} contracts (${distinctTerms.toLocaleString('en')} distinct terms) and ${EVENTS.toLocaleString('en')} events in ${((performance.now() - started) / 1000).toFixed(1)} s; ${SAMPLES} samples`,
    );
    const clock = new ManualClock('2026-04-01T06:00:00Z');
    const runs: number[] = [];
    const reruns: number[] = [];
    const floors: number[] = [];
    const peaks: number[] = [];
    const before: number[] = [];
    for (let s = 0; s < SAMPLES; s++) {
      const hubPath = join(dir, `hub-${s}.db`);
      copyFileSync(template, hubPath);
      const hub = openSqlite(hubPath);
      started = performance.now();
      const first = await runBilling({ db: hub.db, clock }, orgId, AT);
      const runMs = performance.now() - started;
      if (first.failures.length > 0) throw new Error(`failures: ${JSON.stringify(first.failures.slice(0, 3))}`);
      started = performance.now();
      const second = await runBilling({ db: hub.db, clock }, orgId, AT);
      const rerunMs = performance.now() - started;
      if (second.invoicesCreated !== 0) throw new Error(`re-run created ${second.invoicesCreated} invoices`);
      const rows = writtenRows(client(hub.db));
      hub.close();
      rmSync(hubPath, { force: true });

      const alonePath = join(dir, `alone-${s}.db`);
      copyFileSync(template, alonePath);
      const alone = runAlone(alonePath, orgId);
      rmSync(alonePath, { force: true });
      if (alone.invoices !== first.invoicesCreated) throw new Error(`run alone wrote ${alone.invoices} invoices`);
      peaks.push(alone.maxRss);
      before.push(alone.rssBefore);

      const floorPath = join(dir, `floor-${s}.db`);
      copyFileSync(template, floorPath);
      const f = floor(floorPath, orgId, rows, Math.ceil(CONTRACTS / CHUNK));
      rmSync(floorPath, { force: true });
      runs.push(runMs);
      reruns.push(rerunMs);
      floors.push(f.ms);
      console.log(
        `sample ${s + 1}: (a) run ${runMs.toFixed(0)} ms (${first.invoicesCreated.toLocaleString('en')} invoices, ${rows.lines.length.toLocaleString('en')} lines)  (c) re-run ${rerunMs.toFixed(0)} ms  (b) floor ${f.ms.toFixed(0)} ms (${f.groups.toLocaleString('en')} usage groups)  (a)/(b) ${(runMs / f.ms).toFixed(2)}×  peak RSS ${mb(alone.maxRss)}`,
      );
    }
    const ratios = runs.map((r, i) => r / floors[i]!);
    const rerunRatios = reruns.map((r, i) => r / floors[i]!);
    console.log(`(a) billing run     ${spread(runs, 'ms')}`);
    console.log(`(b) floor           ${spread(floors, 'ms')}`);
    console.log(`(c) re-run          ${spread(reruns, 'ms')}`);
    console.log(`(a)/(b)             ${spread(ratios, '×', 2)} (target ≤ 1.5×)`);
    console.log(`(c)/(b)             ${spread(rerunRatios, '×', 2)} (target ≤ 0.2×)`);
    console.log(
      `peak RSS of the run in a process of its own: ${spread(
        peaks.map((b) => b / 1024 / 1024),
        'MB',
        0,
      )} (target ≤ 400 MB; ${mb(median(before))} of it before the run: modules and the open database)`,
    );
    console.log(
      `peak RSS of this bench process: ${mb(process.resourceUsage().maxRSS * 1024)} (seed, copies of the rows)`,
    );
    console.log(`billing run: ${median(ratios).toFixed(2)}× floor (median of ${SAMPLES})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
