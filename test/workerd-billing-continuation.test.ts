/**
 * A billing run too big for one Workers invocation's D1 queries, under workerd: with the Free
 * plan's 50 queries per invocation (HUB_D1_QUERIES_PER_INVOCATION), the run job writes chunks of
 * 100 contracts while its budget lasts, pauses, and goes on in a job of its own, i.e. a new queue
 * message and a new invocation, until every contract is billed. Every contract ends with exactly
 * its due invoices, none twice, the run row counts them all, and no job failed (a D1LimitError
 * would fail one). Waiting is a bounded loop of polls; no sleep decides an assertion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { openD1 } from '../src/runtime/d1.js';
import { FIXTURE_TERMS } from './support/billing-fixtures.js';
import { bundle, startBundle, type WorkerBundle, type WorkerdHub } from './support/workerd-harness.js';

const CONTRACTS = 2400;
/** Monthly in advance from 2026-01-01, billed through 2026-03-01: January, February and March. */
const INVOICES_PER_CONTRACT = 3;

let built: WorkerBundle;
let hub: WorkerdHub;
let apiKey: string;

beforeAll(async () => {
  built = await bundle();
  hub = await startBundle(built, { migrate: true, vars: { HUB_D1_QUERIES_PER_INVOCATION: '50' } });
  const d1 = await hub.mf.getD1Database('DB');
  const clock = new ManualClock('2026-03-01T06:00:00Z');
  const org = await createOrgWithKey(openD1(d1 as never), clock, await importEncryptionKey(generateEncryptionKey()), {
    name: 'Many contracts',
    connections: [],
  });
  apiKey = org.apiKey;
  const now = clock.now().toISOString();
  const terms = JSON.stringify(FIXTURE_TERMS.monthly);
  const customer = d1.prepare(
    `INSERT INTO customers (id, org_id, name, currency, source_system, source_id, created_at) VALUES (?, ?, ?, 'USD', 'test', ?, ?)`,
  );
  const contract = d1.prepare(
    `INSERT INTO contracts (id, org_id, customer_id, source_system, source_deal_id, version, status, currency, start_date,
       billing_cadence, billing_timing, payment_terms_days, mapping_version, terms, effective_date, created_at)
     VALUES (?, ?, ?, 'test', ?, 1, 'active', 'USD', '2026-01-01', 'monthly', 'in_advance', 30, 'test', ?, '2026-01-01', ?)`,
  );
  const n = (i: number) => String(i).padStart(5, '0');
  for (let from = 0; from < CONTRACTS; from += 200) {
    const rows = Array.from({ length: Math.min(200, CONTRACTS - from) }, (_, k) => from + k);
    await d1.batch(rows.map((i) => customer.bind(`cus_${n(i)}`, org.orgId, `Customer ${i}`, `acct-${i}`, now)));
    await d1.batch(rows.map((i) => contract.bind(`ctr_${n(i)}`, org.orgId, `cus_${n(i)}`, `deal-${i}`, terms, now)));
  }
}, 180_000);

afterAll(async () => {
  await hub?.close();
  built?.remove();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${hub.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...init.headers },
  });

describe('billing run across invocations (workerd, 50 D1 queries per invocation)', () => {
  it('pauses near the budget, continues in new invocations, and bills every contract once', async () => {
    const startedAt = performance.now();
    const started = await api('/api/v1/billing-runs', { method: 'POST', body: JSON.stringify({ at: '2026-03-01' }) });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const d1 = await hub.mf.getD1Database('DB');
    const openJobs = async () =>
      (await d1.prepare(`SELECT count(*) AS n FROM jobs WHERE state IN ('queued', 'running')`).first<{ n: number }>())!
        .n;
    let run = { state: 'running', progress: { invoices_created: 0 } };
    for (let round = 0; round < 600 && (run.state === 'running' || (await openJobs()) > 0); round++) {
      await new Promise((r) => setTimeout(r, 100)); // pacing between polls, not an assertion
      run = (await (await api(`/api/v1/billing-runs/${id}`)).json()) as typeof run;
    }
    expect(run.state).toBe('succeeded');
    expect(run.progress.invoices_created).toBe(CONTRACTS * INVOICES_PER_CONTRACT);

    const perContract = await d1
      .prepare(
        'SELECT count(*) AS invoices, count(DISTINCT period_start) AS periods FROM invoices GROUP BY contract_id',
      )
      .all<{ invoices: number; periods: number }>();
    expect(perContract.results).toHaveLength(CONTRACTS);
    expect(
      perContract.results.every((r) => r.invoices === INVOICES_PER_CONTRACT && r.periods === INVOICES_PER_CONTRACT),
    ).toBe(true);

    const jobs = await d1
      .prepare(`SELECT state, count(*) AS n FROM jobs WHERE kind = 'billing-run' GROUP BY state`)
      .all<{ state: string; n: number }>();
    // The first job and at least one continuation, each in an invocation of its own; none failed.
    expect(jobs.results.map((j) => j.state)).toEqual(['succeeded']);
    expect(jobs.results[0]!.n).toBeGreaterThanOrEqual(2);
    // A D1 reading for the sharding plan (README): Miniflare's D1, so no network round trip per batch().
    const ms = performance.now() - startedAt;
    console.log(
      `billing run on D1 (workerd): ${CONTRACTS} contracts, ${run.progress.invoices_created} invoices in ${ms.toFixed(0)} ms (polled every 100 ms), ${jobs.results[0]!.n} invocations`,
    );
  }, 300_000);
});
