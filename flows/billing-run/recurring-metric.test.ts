/**
 * A recurring metric (issue #11): a count or sum that a period bills over everything since its
 * contract started (seats added as +n and removed as -n), not over the period's events alone.
 * Fixture usage (test/support/billing-fixtures.ts): 150 units in January, 30 in February; the
 * price is 100 units at 0.10, the rest at 0.05.
 */
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomic } from '../../src/db/atomic.js';
import type { Db } from '../../src/db/client.js';
import { billableMetrics, invoiceLines, invoices, usageEvents } from '../../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../src/db/secrets.js';
import { createOrgWithKey } from '../../src/db/seed.js';
import { ManualClock } from '../../src/domain/clock.js';
import { billableMetricSchema } from '../../src/domain/metering/index.js';
import { openSqlite } from '../../src/runtime/sqlite.js';
import { CONTRACT_IDS, seedBillingOrg } from '../../test/support/billing-fixtures.js';
import { runBilling } from './engine.js';

let db: Db;
let close: () => void;
let orgId: string;
const clock = new ManualClock('2026-02-01T06:00:00Z');

beforeEach(async () => {
  ({ db, close } = openSqlite(':memory:'));
  const key = await importEncryptionKey(generateEncryptionKey());
  orgId = (await createOrgWithKey(db, clock, key, { name: 'Acme', connections: [] })).orgId;
  await seedBillingOrg(db, clock, orgId);
});
afterEach(() => close());

const usageTotals = async () =>
  (
    await db
      .select()
      .from(invoices)
      .where(and(eq(invoices.orgId, orgId), eq(invoices.contractId, CONTRACT_IDS.usage)))
      .orderBy(asc(invoices.periodStart))
  ).map((i) => `${i.periodStart} ${i.totalMinor}`);

const recur = () => db.update(billableMetrics).set({ recurring: true }).where(eq(billableMetrics.orgId, orgId));

describe('recurring metrics in the billing run', () => {
  it('bills each period on everything since the contract started', async () => {
    await recur();
    const run = await runBilling({ db, clock }, orgId, '2026-03-01');
    expect(run.failures).toEqual([]);
    // January: 150 → 10.00 + 2.50. February: 150 + 30 = 180 → 10.00 + 4.00 (not 30 → 3.00).
    expect(await usageTotals()).toEqual(['2026-01-01 1250', '2026-02-01 1400']);
  });

  it('a period-only sum bills the period alone (the default)', async () => {
    await runBilling({ db, clock }, orgId, '2026-03-01');
    expect(await usageTotals()).toEqual(['2026-01-01 1250', '2026-02-01 300']);
  });

  it('a late event of an invoiced period is in the next period already: marked, not billed twice', async () => {
    await recur();
    await runBilling({ db, clock }, orgId, '2026-02-01');
    await atomic(db, [
      db.insert(usageEvents).values({
        orgId,
        transactionId: 'tx_late',
        customerId: `cus_${CONTRACT_IDS.usage}`,
        metricCode: 'api_calls',
        timestamp: Date.parse('2026-01-20T00:00:00Z'),
        properties: JSON.stringify({ units: 20 }),
        receivedAt: Date.parse('2026-02-02T00:00:00Z'),
        late: true,
      }),
    ]);
    await runBilling({ db, clock }, orgId, '2026-03-01');
    // February: 150 + 20 (late) + 30 = 200 → 10.00 + 5.00, and no late-usage line.
    expect(await usageTotals()).toEqual(['2026-01-01 1250', '2026-02-01 1500']);
    const lines = await db.select().from(invoiceLines).where(eq(invoiceLines.orgId, orgId));
    expect(lines.filter((l) => l.description.startsWith('Late usage'))).toEqual([]);
    const marked = await db
      .select()
      .from(usageEvents)
      .where(and(eq(usageEvents.orgId, orgId), isNotNull(usageEvents.lateBilledInvoiceId)));
    expect(marked.map((e) => e.transactionId)).toEqual(['tx_late']);
  });

  it('only count and sum metrics recur', () => {
    const refused = billableMetricSchema.safeParse({ code: 'peak', aggregation: 'max', field: 'n', recurring: true });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => i.path.join('.'))).toEqual(['recurring']);
    expect(
      billableMetricSchema.safeParse({ code: 'seats', aggregation: 'sum', field: 'n', recurring: true }).success,
    ).toBe(true);
  });
});
