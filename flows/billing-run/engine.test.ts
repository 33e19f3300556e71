/** The billing run on a small org (better-sqlite3 in memory). */
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomic } from '../../src/db/atomic.js';
import type { Db } from '../../src/db/client.js';
import { getBillingRun } from '../../src/db/repos/billing-runs.js';
import { invoiceLines, invoices, usageEvents } from '../../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../src/db/secrets.js';
import { createOrgWithKey } from '../../src/db/seed.js';
import { ManualClock } from '../../src/domain/clock.js';
import { openSqlite } from '../../src/runtime/sqlite.js';
import { CONTRACT_IDS, seedBillingOrg } from '../../test/support/billing-fixtures.js';
import { runBilling } from './engine.js';

let db: Db;
let close: () => void;
let clock: ManualClock;
let orgId: string;

async function setup(options: { broken?: boolean } = {}) {
  const sqlite = openSqlite(':memory:');
  db = sqlite.db;
  close = sqlite.close;
  clock = new ManualClock('2026-02-01T06:00:00Z');
  const key = await importEncryptionKey(generateEncryptionKey());
  orgId = (await createOrgWithKey(db, clock, key, { name: 'Acme', connections: [] })).orgId;
  await seedBillingOrg(db, clock, orgId, options);
}

const invoiceRows = () =>
  db
    .select()
    .from(invoices)
    .where(eq(invoices.orgId, orgId))
    .orderBy(asc(invoices.contractId), asc(invoices.periodStart), asc(invoices.kind));

const summary = async () =>
  (await invoiceRows()).map((i) => `${i.contractId} ${i.kind} ${i.periodStart}..${i.periodEnd} ${i.totalMinor}`);

describe('runBilling', () => {
  beforeEach(() => setup());
  afterEach(() => close());

  it('pauses when its budget says no and a call with the run id bills the rest, nothing twice', async () => {
    expect(await summary()).toEqual([]);
    // One contract per chunk; the budget refuses every chunk after the first written in a call.
    const deps = { db, clock, chunkSize: 1, mayContinue: () => false };
    const first = await runBilling(deps, orgId, '2026-02-01');
    expect(first.state).toBe('paused');
    expect((await getBillingRun(db, orgId, first.runId))?.state).toBe('running');
    let result = first;
    for (let part = 0; part < 5 && result.state === 'paused'; part++) {
      result = await runBilling(deps, orgId, '2026-02-01', undefined, {
        runId: first.runId,
        invoicesCreated: result.invoicesCreated,
      });
    }
    expect(result.state).toBe('succeeded');
    expect(result.invoicesCreated).toBe(4);
    expect((await getBillingRun(db, orgId, first.runId))?.invoicesCreated).toBe(4);
    expect(await summary()).toHaveLength(4);
    expect(new Set(await summary()).size).toBe(4);
  });

  it('invoices every due period once, with the expected amounts', async () => {
    const progress: number[] = [];
    const result = await runBilling({ db, clock }, orgId, '2026-02-01', (p) => progress.push(p.contractsDone));
    expect(result.failures).toEqual([]);
    expect(result.invoicesCreated).toBe(4);
    expect(await summary()).toEqual([
      'ctr_monthly advance 2026-01-01..2026-02-01 10000',
      'ctr_monthly advance 2026-02-01..2026-03-01 10000',
      'ctr_quarterly advance 2026-01-01..2026-04-01 30000',
      // January usage: 150 units, 100 × 0.10 + 50 × 0.05 (the February event is not in it)
      'ctr_usage arrears 2026-01-01..2026-02-01 1250',
    ]);
    const rows = await invoiceRows();
    expect(rows.every((r) => r.status === 'draft' && r.subtotalMinor === r.totalMinor && r.taxMinor === 0)).toBe(true);
    // Drafts have no number: finalizing gives one (issue #10).
    expect(rows.map((r) => r.number)).toEqual([null, null, null, null]);
    const usageInvoice = rows.find((r) => r.contractId === CONTRACT_IDS.usage)!;
    const lines = await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, usageInvoice.id));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ quantity: '150', amountMinor: 1250, lineKind: 'charge', sourceRef: 'calls' });
    expect(progress.at(-1)).toBe(3);

    const run = (await getBillingRun(db, orgId, result.runId))!;
    expect(run).toMatchObject({
      state: 'succeeded',
      contractsTotal: 3,
      contractsDone: 3,
      invoicesCreated: 4,
      error: null,
    });
  });

  it('creates nothing on a second run, and only the new periods at a later date', async () => {
    await runBilling({ db, clock }, orgId, '2026-02-01');
    const again = await runBilling({ db, clock }, orgId, '2026-02-01');
    expect(again.invoicesCreated).toBe(0);
    expect(await invoiceRows()).toHaveLength(4);

    const later = await runBilling({ db, clock }, orgId, '2026-03-01');
    expect(later.invoicesCreated).toBe(2);
    const all = await summary();
    expect(all).toContain('ctr_monthly advance 2026-03-01..2026-04-01 10000');
    expect(all).toContain('ctr_usage arrears 2026-02-01..2026-03-01 300'); // 30 units × 0.10
    expect(all).toHaveLength(6);
    // No run burns a number: drafts take theirs at finalize.
    expect((await invoiceRows()).every((r) => r.number === null)).toBe(true);
  });

  it('creates each invoice once when two runs go at the same time', async () => {
    const [a, b] = await Promise.all([
      runBilling({ db, clock, chunkSize: 1 }, orgId, '2026-02-01'),
      runBilling({ db, clock, chunkSize: 1 }, orgId, '2026-02-01'),
    ]);
    expect(a.invoicesCreated + b.invoicesCreated).toBe(4);
    const rows = await invoiceRows();
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => `${r.contractId}|${r.periodStart}|${r.kind}`)).size).toBe(4);
    const lines = await db.select().from(invoiceLines).where(eq(invoiceLines.orgId, orgId));
    expect(lines).toHaveLength(4);
  });

  it('uses usage that arrived after an earlier run only for periods not yet invoiced', async () => {
    await runBilling({ db, clock }, orgId, '2026-02-01');
    // A late January event: January is invoiced, so it changes nothing now.
    await atomic(db, [
      db.insert(usageEvents).values({
        orgId,
        transactionId: 'tx_late',
        customerId: `cus_${CONTRACT_IDS.usage}`,
        metricCode: 'api_calls',
        timestamp: Date.parse('2026-01-20T00:00:00Z'),
        properties: JSON.stringify({ units: 1000 }),
        receivedAt: Date.parse('2026-02-02T00:00:00Z'),
        late: false,
      }),
    ]);
    await runBilling({ db, clock }, orgId, '2026-02-01');
    const [jan] = await db
      .select()
      .from(invoices)
      .where(and(eq(invoices.orgId, orgId), eq(invoices.contractId, CONTRACT_IDS.usage)));
    expect(jan!.totalMinor).toBe(1250);
  });
});

describe('runBilling with a broken contract', () => {
  beforeEach(() => setup({ broken: true }));
  afterEach(() => close());

  it('reports the broken contract and still invoices the others', async () => {
    const result = await runBilling({ db, clock }, orgId, '2026-02-01');
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.contractId).toBe(CONTRACT_IDS.broken);
    expect(result.failures[0]!.reason).toMatch(/currency/);
    expect(result.invoicesCreated).toBe(4);
    const run = (await getBillingRun(db, orgId, result.runId))!;
    expect(run.state).toBe('succeeded');
    expect(run.contractsTotal).toBe(4);
    expect(run.contractsDone).toBe(4);
    expect(JSON.parse(run.error!)).toEqual({
      contracts: [expect.objectContaining({ contractId: CONTRACT_IDS.broken })],
    });
  });
});
