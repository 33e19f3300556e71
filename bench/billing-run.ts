/**
 * The billing run at scale: 10,000 contracts (each a fixed monthly platform fee in advance and
 * per-unit API calls in arrears, calendar-aligned from 2026-03-01) and 1,000,000 usage events in
 * March, in a temp better-sqlite3 file (seeded with raw prepared inserts, not timed).
 *
 *  (a) the billing run through 2026-04-01, the day March's usage bills: March and April advance
 *      invoices and March arrears invoices for every contract (30,000);
 *  (b) the floor, in the same run: a raw GROUP BY over the same events plus a raw prepared
 *      insert of as many invoice rows and lines as (a) wrote, in one transaction, into the same
 *      schema on another temp file;
 *  (c) the same run again, which must create nothing.
 * Target: (a) ≤ 3× (b). Prints times, the ratio and peak RSS.
 *
 *   npm run bench:billing                 # 10,000 contracts, 1,000,000 events
 *   npm run bench:billing -- 2000 200000  # contracts and events
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { runBilling } from '../flows/billing-run/engine.js';
import { atomic } from '../src/db/atomic.js';
import { metricInsert } from '../src/db/repos/metering.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import type { ContractTerms } from '../src/domain/contracts/terms.js';
import { openSqlite } from '../src/runtime/sqlite.js';

const CONTRACTS = Number(process.argv[2] ?? 10_000);
const EVENTS = Number(process.argv[3] ?? 1_000_000);
const AT = '2026-04-01';
const MARCH = Date.parse('2026-03-01T00:00:00Z');
const MARCH_MS = Date.parse('2026-04-01T00:00:00Z') - MARCH;

const terms: ContractTerms = {
  currency: 'USD',
  startDate: '2026-03-01',
  endDate: null,
  alignment: 'calendar',
  paymentTermsDays: 30,
  renewal: { policy: 'none' },
  phases: [
    {
      name: 'standard',
      kind: 'standard',
      start: '2026-03-01',
      end: null,
      items: [
        {
          id: 'platform',
          sku: 'PLATFORM',
          description: 'Platform fee',
          prices: [{ effectiveFrom: '2026-03-01', price: { model: 'flat_fee', amount: '100.00' } }],
          quantity: '1',
          cadence: 'monthly',
          timing: 'in_advance',
        },
        {
          id: 'calls',
          sku: 'API',
          description: 'API calls',
          prices: [{ effectiveFrom: '2026-03-01', price: { model: 'per_unit', unit_amount: '0.002' } }],
          metric: 'api_calls',
          cadence: 'monthly',
          timing: 'in_arrears',
        },
      ],
    },
  ],
};

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const client = (db: unknown) => (db as { $client: BetterSqlite3.Database }).$client;

async function seed(path: string) {
  const sqlite = openSqlite(path);
  const clock = new ManualClock('2026-04-01T06:00:00Z');
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  const org = await createOrgWithKey(sqlite.db, clock, encryptionKey, { name: 'Bench', connections: [] });
  const now = clock.now().toISOString();
  await atomic(sqlite.db, [
    metricInsert(sqlite.db, org.orgId, now, {
      code: 'api_calls',
      name: 'API calls',
      aggregation: 'sum',
      field: 'units',
      filters: [],
      groupBy: [],
      rounding: null,
    }).statement,
  ]);
  const raw = client(sqlite.db);
  const customer = raw.prepare(
    `INSERT INTO customers (id, org_id, name, currency, source_system, source_id, created_at) VALUES (?, ?, ?, 'USD', 'bench', ?, ?)`,
  );
  const contract = raw.prepare(
    `INSERT INTO contracts (id, org_id, customer_id, source_system, source_deal_id, version, status, currency, start_date,
       billing_cadence, billing_timing, payment_terms_days, mapping_version, terms, effective_date, created_at)
     VALUES (?, ?, ?, 'bench', ?, 1, 'active', 'USD', '2026-03-01', 'monthly', 'in_advance', 30, 'bench', ?, '2026-03-01', ?)`,
  );
  const event = raw.prepare(
    `INSERT INTO usage_events (org_id, transaction_id, customer_id, metric_code, timestamp, properties, received_at, late)
     VALUES (?, ?, ?, 'api_calls', ?, ?, ?, 0)`,
  );
  const termsJson = JSON.stringify(terms);
  const cus = (i: number) => `cus_b${String(i).padStart(6, '0')}`;
  const started = performance.now();
  raw.transaction(() => {
    for (let i = 0; i < CONTRACTS; i++) {
      customer.run(cus(i), org.orgId, `Customer ${i}`, `acct-${i}`, now);
      contract.run(`ctr_b${String(i).padStart(6, '0')}`, org.orgId, cus(i), `deal-${i}`, termsJson, now);
    }
    for (let i = 0; i < EVENTS; i++) {
      const ts = MARCH + Math.floor((i / EVENTS) * MARCH_MS);
      event.run(org.orgId, `tx-${i}`, cus(i % CONTRACTS), ts, `{"units":${(i % 17) + 1}}`, ts);
    }
  })();
  const seedMs = performance.now() - started;
  return { sqlite, clock, orgId: org.orgId, seedMs };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-billing-'));
  try {
    const { sqlite, clock, orgId, seedMs } = await seed(join(dir, 'hub.db'));
    console.log(
      `seeded ${CONTRACTS.toLocaleString('en')} contracts and ${EVENTS.toLocaleString('en')} events in ${(seedMs / 1000).toFixed(1)} s`,
    );
    const timer = setInterval(sampleRss, 50);

    // (a) the billing run
    let t = performance.now();
    const first = await runBilling({ db: sqlite.db, clock }, orgId, AT, sampleRss);
    const runMs = performance.now() - t;
    if (first.failures.length > 0) throw new Error(`failures: ${JSON.stringify(first.failures.slice(0, 3))}`);
    const raw = client(sqlite.db);
    const lineCount = (raw.prepare('SELECT count(*) AS n FROM invoice_lines').get() as { n: number }).n;

    // (b) the floor: the same GROUP BY, and as many invoice rows + lines in one raw transaction
    t = performance.now();
    const grouped = raw
      .prepare(
        `SELECT customer_id, sum(json_extract(properties, '$.units')) AS units FROM usage_events
         WHERE org_id = ? AND metric_code = 'api_calls' AND timestamp >= ? AND timestamp < ? GROUP BY customer_id`,
      )
      .all(orgId, MARCH, MARCH + MARCH_MS) as { customer_id: string; units: number }[];
    const groupMs = performance.now() - t;
    const floorDb = openSqlite(join(dir, 'floor.db'));
    const floor = client(floorDb.db);
    const insertInvoice = floor.prepare(
      `INSERT INTO invoices (id, org_id, number, contract_id, customer_id, kind, period_start, period_end, status, currency,
         subtotal_minor, tax_minor, total_minor, amount_paid_minor, issue_date, due_date, rounding, created_at, document_kind)
       VALUES (?, ?, ?, ?, ?, 'arrears', ?, '2026-04-01', 'draft', 'USD', ?, 0, ?, 0, '2026-04-01', '2026-05-01', '{}', ?, 'usage')`,
    );
    const insertLine = floor.prepare(
      `INSERT INTO invoice_lines (id, org_id, invoice_id, line_no, product_id, description, quantity, unit_amount, amount_minor, tax_minor)
       VALUES (?, ?, ?, 1, 'prd', 'API calls', ?, '0.002', ?, 0)`,
    );
    t = performance.now();
    floor.transaction(() => {
      for (let i = 0; i < first.invoicesCreated; i++) {
        const g = grouped[i % grouped.length]!;
        const id = `inv_${i}`;
        // period_start varies with i so the unique (org, contract, period_start, kind) key holds.
        insertInvoice.run(
          id,
          orgId,
          `INV-${i}`,
          `ctr_${i % CONTRACTS}`,
          g.customer_id,
          `p${i}`,
          g.units,
          g.units,
          'now',
        );
      }
      for (let i = 0; i < lineCount; i++)
        insertLine.run(`inl_${i}`, orgId, `inv_${i % first.invoicesCreated}_${i}`, '1', 1);
    })();
    const insertMs = performance.now() - t;
    floorDb.close();
    const floorMs = groupMs + insertMs;

    // (c) again: nothing new
    t = performance.now();
    const second = await runBilling({ db: sqlite.db, clock }, orgId, AT, sampleRss);
    const rerunMs = performance.now() - t;
    clearInterval(timer);
    sampleRss();
    if (second.invoicesCreated !== 0) throw new Error(`re-run created ${second.invoicesCreated} invoices`);

    const ratio = runMs / floorMs;
    console.log(
      `(a) billing run through ${AT}: ${runMs.toFixed(0)} ms, ${first.invoicesCreated.toLocaleString('en')} invoices, ${lineCount.toLocaleString('en')} lines`,
    );
    console.log(
      `(b) raw floor: ${floorMs.toFixed(0)} ms (GROUP BY ${groupMs.toFixed(0)} ms over ${grouped.length.toLocaleString('en')} customers + insert ${insertMs.toFixed(0)} ms of the same row counts)`,
    );
    console.log(`(c) re-run: ${rerunMs.toFixed(0)} ms, ${second.invoicesCreated} invoices created`);
    console.log(`ratio (a)/(b): ${ratio.toFixed(2)}× (target ≤ 3×) ${ratio <= 3 ? 'OK' : 'ABOVE TARGET'}`);
    console.log(`peak RSS: ${mb(peakRss)} sampled, ${mb(process.resourceUsage().maxRSS * 1024)} maxRSS`);
    sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
