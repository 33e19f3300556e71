/**
 * The billing run's two write paths write the same thing: on better-sqlite3 prepared statements
 * inside the immediate transaction, on D1 one JSON parameter per statement through json_each
 * (forced here on better-sqlite3 with `writes: 'json'`). Both bill 80 contracts with varied terms
 * (bench/fixtures/varied-contracts.ts) through two runs with late events in between, and must
 * leave identical invoices, lines, products, late-event marks and run rows — and the same rows the
 * engine wrote before the prepared path existed (the digest below was taken from that code).
 */
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { USAGE_FROM, VARIED_METRICS, variedTerms } from '../bench/fixtures/varied-contracts.js';
import { runBilling } from '../flows/billing-run/engine.js';
import { atomic } from '../src/db/atomic.js';
import type { Db } from '../src/db/client.js';
import { metricInsert } from '../src/db/repos/metering.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { openSqlite } from '../src/runtime/sqlite.js';

const CONTRACTS = 80;
const client = (db: Db) => (db as unknown as { $client: BetterSqlite3.Database }).$client;

async function seeded() {
  const sqlite = openSqlite(':memory:');
  const clock = new ManualClock('2026-03-01T06:00:00Z');
  const key = await importEncryptionKey(generateEncryptionKey());
  const orgId = (await createOrgWithKey(sqlite.db, clock, key, { name: 'Varied', connections: [] })).orgId;
  const now = clock.now().toISOString();
  await atomic(
    sqlite.db,
    VARIED_METRICS.map(
      (m) =>
        metricInsert(sqlite.db, orgId, now, {
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
    `INSERT INTO customers (id, org_id, name, currency, source_system, source_id, created_at) VALUES (?, ?, ?, ?, 'test', ?, ?)`,
  );
  const contract = raw.prepare(
    `INSERT INTO contracts (id, org_id, customer_id, source_system, source_deal_id, version, status, currency, start_date,
       billing_cadence, billing_timing, payment_terms_days, mapping_version, terms, effective_date, created_at)
     VALUES (?, ?, ?, 'test', ?, 1, 'active', ?, ?, 'monthly', 'in_advance', ?, 'test', ?, ?, ?)`,
  );
  const event = raw.prepare(
    `INSERT INTO usage_events (org_id, transaction_id, customer_id, metric_code, timestamp, properties, received_at, late)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < CONTRACTS; i++) {
    const terms = variedTerms(i);
    const id = String(i).padStart(3, '0');
    customer.run(`cus_${id}`, orgId, `Customer ${i}`, terms.currency, `acct-${i}`, now);
    contract.run(
      `ctr_${id}`,
      orgId,
      `cus_${id}`,
      `deal-${i}`,
      terms.currency,
      terms.startDate,
      terms.paymentTermsDays,
      JSON.stringify(terms),
      terms.startDate,
      now,
    );
  }
  for (let i = 0; i < 4000; i++) {
    const storage = i % 9 === 4;
    event.run(
      orgId,
      `tx-${i}`,
      `cus_${String(i % CONTRACTS).padStart(3, '0')}`,
      storage ? 'storage' : 'api_calls',
      USAGE_FROM + i * 1_900_000,
      storage ? `{"gb":${(i % 13) + 1}}` : `{"units":${(i % 17) + 1}}`,
      USAGE_FROM + i * 1_900_000,
      0,
    );
  }
  return { ...sqlite, clock, orgId, event };
}

/** Two runs (March 1st, then April 1st with late February events in between), on one write path. */
async function billTwice(writes: 'json' | 'prepared') {
  const { db, close, clock, orgId, event } = await seeded();
  try {
    const deps = { db, clock, writes, chunkSize: 7 };
    const first = await runBilling(deps, orgId, '2026-03-01', undefined, { runId: 'brun_first' });
    // Late events: stamped in February, received after February's arrears invoices exist.
    for (let i = 0; i < 30; i++) {
      const ts = Date.parse('2026-02-10T00:00:00Z') + i * 3_600_000;
      event.run(
        orgId,
        `late-${i}`,
        `cus_${String((i * 3) % CONTRACTS).padStart(3, '0')}`,
        'api_calls',
        ts,
        `{"units":${i + 1}}`,
        ts,
        1,
      );
    }
    clock.set('2026-04-01T06:00:00Z');
    const second = await runBilling(deps, orgId, '2026-04-01', undefined, { runId: 'brun_second' });
    const raw = client(db);
    const all = (sql: string) => raw.prepare(sql).raw().all();
    // The org id is random (and product ids hash it): name them by what they stand for.
    let text = JSON.stringify({
      results: [first, second].map(({ runId, invoicesCreated, contractsDone, contractsTotal, failures }) => ({
        runId,
        invoicesCreated,
        contractsDone,
        contractsTotal,
        failures,
      })),
      // rounding_minor (migration 0022, the last column) came after the digest below was taken:
      // drafts carry none, checked here, and it is left out of the digest.
      invoices: all('SELECT * FROM invoices ORDER BY id').map((row) => {
        const cells = row as unknown[];
        expect(cells.at(-1)).toBe(0);
        return cells.slice(0, -1);
      }),
      lines: all('SELECT * FROM invoice_lines ORDER BY id'),
      products: all('SELECT id, sku, name FROM products ORDER BY sku'),
      late: all('SELECT id, late_billed_invoice_id FROM usage_events WHERE late = 1 ORDER BY id'),
      runs: all(
        'SELECT id, at, state, contracts_total, contracts_done, invoices_created, error FROM billing_runs ORDER BY id',
      ),
    }).replaceAll(orgId, 'org');
    for (const [id, sku] of raw.prepare('SELECT id, sku FROM products').raw().all() as [string, string][]) {
      text = text.replaceAll(id, `prd:${sku}`);
    }
    return JSON.parse(text) as Record<'invoices' | 'lines' | 'products' | 'late' | 'runs', unknown[][]> & {
      results: unknown[];
    };
  } finally {
    close();
  }
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('billing run write paths', () => {
  it('prepared statements (better-sqlite3) and json_each (D1) write the same rows as the engine did before', async () => {
    const json = await billTwice('json');
    const prepared = await billTwice('prepared');
    expect(json.invoices.length).toBeGreaterThan(200);
    expect(json.late.filter((row) => row[1] !== null).length).toBeGreaterThan(5);
    expect(prepared).toEqual(json);
    // Taken from the engine before the prepared path and the terms cache (invoices, lines, products, late marks).
    expect(digest([json.invoices, json.lines, json.products, json.late])).toBe(
      'aef3f874b803a8997e99116184b70fbd42fb363f519b0d7e9d28ba7bbe9d7f7f',
    );
  }, 60_000);
});
