/**
 * Consolidation (issue #10): with the org's `consolidate` setting on, a billing run writes one
 * invoice per customer and billing date holding every contract's lines, each keeping its contract
 * and period; a rerun writes nothing twice, and prepaid credit drawn on a consolidated invoice is
 * drawn once. Off (the default), every contract period keeps its own invoice.
 */
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomic } from '../../src/db/atomic.js';
import type { Db } from '../../src/db/client.js';
import { billingSettingsStatement, DEFAULT_BILLING_SETTINGS } from '../../src/db/repos/billing-settings.js';
import { contracts, invoiceLines, invoices, usageEvents } from '../../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../src/db/secrets.js';
import { createOrgWithKey } from '../../src/db/seed.js';
import { ManualClock } from '../../src/domain/clock.js';
import { openSqlite } from '../../src/runtime/sqlite.js';
import { CONTRACT_IDS, FIXTURE_TERMS, seedBillingOrg } from '../../test/support/billing-fixtures.js';
import { runBilling } from './engine.js';

let db: Db;
let close: () => void;
let clock: ManualClock;
let orgId: string;
const CUSTOMER = `cus_${CONTRACT_IDS.monthly}`;

/** The fixture's three contracts (monthly, usage, quarterly), all of one customer. */
async function setup(consolidate: boolean) {
  const sqlite = openSqlite(':memory:');
  db = sqlite.db;
  close = sqlite.close;
  clock = new ManualClock('2026-02-01T06:00:00Z');
  const key = await importEncryptionKey(generateEncryptionKey());
  orgId = (await createOrgWithKey(db, clock, key, { name: 'Acme', connections: [] })).orgId;
  await seedBillingOrg(db, clock, orgId);
  await db.update(contracts).set({ customerId: CUSTOMER }).where(eq(contracts.orgId, orgId));
  await db.update(usageEvents).set({ customerId: CUSTOMER }).where(eq(usageEvents.orgId, orgId));
  const settings = { ...DEFAULT_BILLING_SETTINGS, consolidate };
  await atomic(db, [billingSettingsStatement(db, orgId, settings, clock.now().toISOString())]);
}
afterEach(() => close());

const invoiceRows = () =>
  db.select().from(invoices).where(eq(invoices.orgId, orgId)).orderBy(asc(invoices.issueDate), asc(invoices.id));

async function linesOf(invoiceId: string) {
  const rows = await db
    .select()
    .from(invoiceLines)
    .where(and(eq(invoiceLines.orgId, orgId), eq(invoiceLines.invoiceId, invoiceId)))
    .orderBy(asc(invoiceLines.lineNo));
  return rows.map((l) => `${l.contractId} ${l.periodKind} ${l.periodStart}..${l.periodEnd} ${l.amountMinor}`);
}

describe('consolidated billing runs', () => {
  describe('on', () => {
    beforeEach(() => setup(true));

    it('one invoice per customer and billing date, each line keeping its contract and period; a rerun writes nothing', async () => {
      const result = await runBilling({ db, clock }, orgId, '2026-02-01');
      expect(result.failures).toEqual([]);
      expect(result.invoicesCreated).toBe(2);
      const [january, february] = await invoiceRows();
      expect([january!.issueDate, january!.customerId, january!.totalMinor]).toEqual(['2026-01-01', CUSTOMER, 40000]);
      expect(january!.documentKind).toBe('recurring');
      expect(await linesOf(january!.id)).toEqual([
        'ctr_monthly advance 2026-01-01..2026-02-01 10000',
        'ctr_quarterly advance 2026-01-01..2026-04-01 30000',
      ]);
      // February 1st bills February in advance and January's usage (150 units) in arrears.
      expect([february!.issueDate, february!.totalMinor]).toEqual(['2026-02-01', 11250]);
      expect(await linesOf(february!.id)).toEqual([
        'ctr_monthly advance 2026-02-01..2026-03-01 10000',
        'ctr_usage arrears 2026-01-01..2026-02-01 1250',
      ]);

      const again = await runBilling({ db, clock }, orgId, '2026-02-01');
      expect(again.invoicesCreated).toBe(0);
      expect(await invoiceRows()).toHaveLength(2);
      expect(await db.select().from(invoiceLines).where(eq(invoiceLines.orgId, orgId))).toHaveLength(4);

      // Next month: only the periods not billed yet.
      clock.advance(28 * 86_400_000);
      expect((await runBilling({ db, clock }, orgId, '2026-03-01')).invoicesCreated).toBe(1);
      const march = (await invoiceRows()).at(-1)!;
      expect(await linesOf(march.id)).toEqual([
        'ctr_monthly advance 2026-03-01..2026-04-01 10000',
        'ctr_usage arrears 2026-02-01..2026-03-01 300',
      ]);
    });

    it('two runs at once write every period once', async () => {
      await Promise.all([
        runBilling({ db, clock }, orgId, '2026-02-01'),
        runBilling({ db, clock }, orgId, '2026-02-01'),
      ]);
      expect(await invoiceRows()).toHaveLength(2);
      const billed = await db
        .select()
        .from(invoiceLines)
        .where(and(eq(invoiceLines.orgId, orgId), isNotNull(invoiceLines.contractId)));
      expect(billed).toHaveLength(4);
    });

    it('prepaid credit drawn on a consolidated invoice is drawn once, from its own contract', async () => {
      // 400.00 of credit on the quarterly contract, which is not the first contract of the invoice.
      const terms = {
        ...FIXTURE_TERMS.quarterly,
        credits: [{ id: 'welcome', amount: '400.00', priority: 0, grantedOn: '2026-01-01' }],
      };
      await db
        .update(contracts)
        .set({ terms: JSON.stringify(terms) })
        .where(eq(contracts.id, CONTRACT_IDS.quarterly));
      await runBilling({ db, clock }, orgId, '2026-02-01');
      clock.advance(60 * 86_400_000);
      await runBilling({ db, clock }, orgId, '2026-04-01');
      const credit = await db
        .select()
        .from(invoiceLines)
        .where(and(eq(invoiceLines.orgId, orgId), eq(invoiceLines.lineKind, 'credit')));
      // 300.00 on January's quarter, the 100.00 left on April's: never more than the grant.
      expect(credit.map((l) => [l.contractId, l.periodStart, l.amountMinor])).toEqual([
        [CONTRACT_IDS.quarterly, '2026-01-01', -30000],
        [CONTRACT_IDS.quarterly, '2026-04-01', -10000],
      ]);
    });
  });

  it('off (the default): every contract period has its own invoice', async () => {
    await setup(false);
    expect((await runBilling({ db, clock }, orgId, '2026-02-01')).invoicesCreated).toBe(4);
    const rows = await invoiceRows();
    expect(rows.map((r) => r.contractId).sort()).toEqual([
      CONTRACT_IDS.monthly,
      CONTRACT_IDS.monthly,
      CONTRACT_IDS.quarterly,
      CONTRACT_IDS.usage,
    ]);
    // Ordinary lines leave contract and period to their invoice.
    const lines = await db.select().from(invoiceLines).where(eq(invoiceLines.orgId, orgId));
    expect(lines.every((l) => l.contractId === null && l.periodStart === null)).toBe(true);
  });
});
