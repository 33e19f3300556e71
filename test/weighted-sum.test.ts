/**
 * weighted_sum across period boundaries (better-sqlite3 in memory), in the billing run and the
 * invoice preview: a seat count set in one period still holds in the next, so each period starts
 * at the last level reported before it, not at 0.
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBilling } from '../flows/billing-run/engine.js';
import { atomic } from '../src/db/atomic.js';
import type { Db } from '../src/db/client.js';
import { storedTerms } from '../src/db/repos/amendments.js';
import { findContract } from '../src/db/repos/contracts.js';
import { metricInsert } from '../src/db/repos/metering.js';
import { contracts, customers, invoices, usageEvents } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { previewInvoices } from '../src/http/routes/contracts-plan.js';
import { openSqlite } from '../src/runtime/sqlite.js';
import { termsWith } from './support/billing-fixtures.js';

let db: Db;
let close: () => void;
let orgId: string;
const clock = new ManualClock('2026-01-01T06:00:00Z');

/** Seats at 1.00 per average seat per month, billed in arrears; `groupBy` splits them by plan. */
async function seed(groupBy: string[], events: { at: string; seats: number; plan?: string }[]) {
  const sqlite = openSqlite(':memory:');
  db = sqlite.db;
  close = sqlite.close;
  const key = await importEncryptionKey(generateEncryptionKey());
  orgId = (await createOrgWithKey(db, clock, key, { name: 'Acme', connections: [] })).orgId;
  const now = clock.now().toISOString();
  const terms = termsWith([
    {
      id: 'seats',
      sku: 'SEATS',
      description: 'Seats (time-weighted)',
      prices: [{ effectiveFrom: '2026-01-01', price: { model: 'per_unit', unit_amount: '1.00' } }],
      metric: 'seats',
      cadence: 'monthly',
      timing: 'in_arrears',
    },
  ]);
  await atomic(db, [
    db.insert(customers).values({
      id: 'cus_ws',
      orgId,
      name: 'WS',
      currency: 'USD',
      sourceSystem: 'test',
      sourceId: 'ws',
      createdAt: now,
    }),
    db.insert(contracts).values({
      id: 'ctr_ws',
      orgId,
      customerId: 'cus_ws',
      sourceSystem: 'test',
      sourceDealId: 'ws',
      version: 1,
      status: 'active',
      currency: 'USD',
      startDate: '2026-01-01',
      billingCadence: 'monthly',
      billingTiming: 'in_arrears',
      paymentTermsDays: 30,
      mappingVersion: 'test',
      terms: JSON.stringify(terms),
      effectiveDate: '2026-01-01',
      createdAt: now,
    }),
    metricInsert(db, orgId, now, {
      code: 'seats',
      name: 'Seats',
      aggregation: 'weighted_sum',
      field: 'seats',
      filters: [],
      groupBy,
      rounding: null,
    }).statement,
    ...events.map((e, i) =>
      db.insert(usageEvents).values({
        orgId,
        transactionId: `tx_${i}`,
        customerId: 'cus_ws',
        metricCode: 'seats',
        timestamp: Date.parse(e.at),
        properties: JSON.stringify({ seats: e.seats, ...(e.plan ? { plan: e.plan } : {}) }),
        receivedAt: Date.parse(e.at),
        late: false,
      }),
    ),
  ]);
}

const totals = async () =>
  (
    await db
      .select({ start: invoices.periodStart, total: invoices.totalMinor })
      .from(invoices)
      .where(and(eq(invoices.orgId, orgId), eq(invoices.contractId, 'ctr_ws')))
      .orderBy(asc(invoices.periodStart))
  ).map((r) => `${r.start} ${r.total}`);

describe('weighted_sum in a billing run', () => {
  afterEach(() => close());

  describe('ungrouped', () => {
    beforeEach(() =>
      seed(
        [],
        [
          { at: '2026-01-11T00:00:00Z', seats: 10 }, // 10 seats for 21 of January's 31 days
          { at: '2026-02-15T00:00:00Z', seats: 20 }, // 10 for 14 days, then 20 for 14 days of February
        ],
      ),
    );

    it('starts each period at the last level before it', async () => {
      await runBilling({ db, clock }, orgId, '2026-04-01');
      expect(await totals()).toEqual([
        // 10 × 21/31 = 6.774193548387 seats → 677.42 cents → 677
        '2026-01-01 677',
        // (10 × 14 + 20 × 14) / 28 = 15 seats
        '2026-02-01 1500',
        // No event in March: the 20 seats of February hold all month
        '2026-03-01 2000',
      ]);
    });

    it('previews the period with the carried level, as the run bills it', async () => {
      const row = (await findContract(db, orgId, 'ctr_ws'))!;
      const preview = await previewInvoices(db, orgId, row, storedTerms(row)!, '2026-03-10');
      if (!preview.ok) throw new Error(JSON.stringify(preview.errors));
      expect(preview.invoices.map((i) => `${i.periodStart} ${i.totalMinor}`)).toEqual(['2026-03-01 2000']);
    });

    it('gives the same answer when each period is billed by its own run', async () => {
      for (const at of ['2026-02-01', '2026-03-01', '2026-04-01']) await runBilling({ db, clock }, orgId, at);
      expect(await totals()).toEqual(['2026-01-01 677', '2026-02-01 1500', '2026-03-01 2000']);
    });
  });

  describe('grouped by plan', () => {
    beforeEach(() =>
      seed(
        ['plan'],
        [
          { at: '2026-01-01T00:00:00Z', seats: 3, plan: 'basic' },
          { at: '2026-01-01T00:00:00Z', seats: 2, plan: 'pro' },
          { at: '2026-02-15T00:00:00Z', seats: 5, plan: 'pro' }, // basic stays at 3
        ],
      ),
    );

    it('carries each group its own last level', async () => {
      await runBilling({ db, clock }, orgId, '2026-03-01');
      // January 3 + 2 = 5 seats; February basic 3 + pro (2 × 14 + 5 × 14) / 28 = 3.5 → 6.5 seats.
      expect(await totals()).toEqual(['2026-01-01 500', '2026-02-01 650']);
      const row = (await findContract(db, orgId, 'ctr_ws'))!;
      const preview = await previewInvoices(db, orgId, row, storedTerms(row)!, '2026-02-10');
      if (!preview.ok) throw new Error(JSON.stringify(preview.errors));
      expect(preview.invoices.map((i) => `${i.periodStart} ${i.totalMinor}`)).toEqual(['2026-02-01 650']);
    });
  });
});
