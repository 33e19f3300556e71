/**
 * A contract's rounding policy (its terms' `rounding`) travels with its invoices: the billing run
 * stores it on each invoice row, where finalize, the tax request and the ERP payload read it.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { contracts, invoices } from '../../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../src/db/secrets.js';
import { createOrgWithKey } from '../../src/db/seed.js';
import { ManualClock } from '../../src/domain/clock.js';
import { openSqlite } from '../../src/runtime/sqlite.js';
import { CONTRACT_IDS, FIXTURE_TERMS, seedBillingOrg } from '../../test/support/billing-fixtures.js';
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

describe('billing run rounding policy', () => {
  it("stores each contract's own policy on its invoices, the default on the others", async () => {
    const policy = { mode: 'half_even', level: 'document', split: 'last_line' } as const;
    await db
      .update(contracts)
      .set({ terms: JSON.stringify({ ...FIXTURE_TERMS.monthly, rounding: policy }) })
      .where(and(eq(contracts.orgId, orgId), eq(contracts.id, CONTRACT_IDS.monthly)));
    const result = await runBilling({ db, clock }, orgId, '2026-02-01');
    expect(result.failures).toEqual([]);
    const rows = await db.select().from(invoices).where(eq(invoices.orgId, orgId));
    const byContract = (id: string) => rows.filter((r) => r.contractId === id).map((r) => JSON.parse(r.rounding));
    expect(byContract(CONTRACT_IDS.monthly)).toEqual([policy, policy]);
    expect(byContract(CONTRACT_IDS.quarterly)).toEqual([{ mode: 'half_up', level: 'line' }]);
  });
});
