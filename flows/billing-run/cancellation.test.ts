/**
 * Cancel at period end, set by dunning's final action: the billing run keeps billing the period in
 * progress on that day and nothing after it, for advance and arrears contracts alike.
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomic } from '../../src/db/atomic.js';
import type { Db } from '../../src/db/client.js';
import { contractCollectionStatusStatement } from '../../src/db/repos/dunning.js';
import { contracts, invoices } from '../../src/db/schema.js';
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

beforeEach(async () => {
  const sqlite = openSqlite(':memory:');
  db = sqlite.db;
  close = sqlite.close;
  clock = new ManualClock('2026-02-01T06:00:00Z');
  const key = await importEncryptionKey(generateEncryptionKey());
  orgId = (await createOrgWithKey(db, clock, key, { name: 'Acme', connections: [] })).orgId;
  await seedBillingOrg(db, clock, orgId);
});
afterEach(() => close());

const periodsOf = async (contractId: string) =>
  (
    await db
      .select()
      .from(invoices)
      .where(and(eq(invoices.orgId, orgId), eq(invoices.contractId, contractId)))
      .orderBy(asc(invoices.periodStart))
  ).map((i) => `${i.kind} ${i.periodStart}..${i.periodEnd}`);

const cancel = (contractId: string, at: string) =>
  atomic(db, [contractCollectionStatusStatement(db, orgId, contractId, 'cancel_at_period_end', at)]);

describe('billing run and cancel at period end', () => {
  it('bills the period in progress when the cancellation was set, and no period after it', async () => {
    await runBilling({ db, clock }, orgId, '2026-02-01');
    await cancel(CONTRACT_IDS.monthly, '2026-02-14T09:00:00Z');
    await cancel(CONTRACT_IDS.usage, '2026-02-14T09:00:00Z');
    clock.set('2026-06-01T06:00:00Z');
    await runBilling({ db, clock }, orgId, '2026-06-01');

    // In advance: January and February were billed at their starts; March onwards are not.
    expect(await periodsOf(CONTRACT_IDS.monthly)).toEqual([
      'advance 2026-01-01..2026-02-01',
      'advance 2026-02-01..2026-03-01',
    ]);
    // In arrears: February, in progress on the 14th, is billed at its end; March onwards are not.
    expect(await periodsOf(CONTRACT_IDS.usage)).toEqual([
      'arrears 2026-01-01..2026-02-01',
      'arrears 2026-02-01..2026-03-01',
    ]);
    // A contract not cancelled goes on: the quarterly one bills April.
    expect(await periodsOf(CONTRACT_IDS.quarterly)).toEqual([
      'advance 2026-01-01..2026-04-01',
      'advance 2026-04-01..2026-07-01',
    ]);
  });

  it('a second overdue invoice does not move the cancellation later; at risk alone bills on', async () => {
    await cancel(CONTRACT_IDS.monthly, '2026-01-20T00:00:00Z');
    await cancel(CONTRACT_IDS.monthly, '2026-03-20T00:00:00Z');
    const [row] = await db.select().from(contracts).where(eq(contracts.id, CONTRACT_IDS.monthly));
    expect(row!.collectionStatusAt).toBe('2026-01-20T00:00:00Z');
    await atomic(db, [
      contractCollectionStatusStatement(db, orgId, CONTRACT_IDS.quarterly, 'at_risk', '2026-01-20T00:00:00Z'),
    ]);

    clock.set('2026-05-01T06:00:00Z');
    await runBilling({ db, clock }, orgId, '2026-05-01');
    expect(await periodsOf(CONTRACT_IDS.monthly)).toEqual(['advance 2026-01-01..2026-02-01']);
    expect(await periodsOf(CONTRACT_IDS.quarterly)).toHaveLength(2);
  });

  it('applies to every version of the deal, whichever version the overdue invoice was on', async () => {
    const [v1] = await db.select().from(contracts).where(eq(contracts.id, CONTRACT_IDS.monthly));
    // An amendment on March 1st: version 2 of the same deal, effective then.
    await atomic(db, [
      db.update(contracts).set({ status: 'superseded' }).where(eq(contracts.id, v1!.id)),
      db.insert(contracts).values({ ...v1!, id: 'ctr_monthly_v2', version: 2, effectiveDate: '2026-03-01' }),
      contractCollectionStatusStatement(db, orgId, v1!.id, 'cancel_at_period_end', '2026-03-10T00:00:00Z'),
    ]);
    clock.set('2026-06-01T06:00:00Z');
    await runBilling({ db, clock }, orgId, '2026-06-01');
    expect(await periodsOf(CONTRACT_IDS.monthly)).toHaveLength(2);
    expect(await periodsOf('ctr_monthly_v2')).toEqual(['advance 2026-03-01..2026-04-01']);
  });
});
