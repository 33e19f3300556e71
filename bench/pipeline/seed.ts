/**
 * The invoice-pipeline bench's org: the vendor simulators on loopback (no faults planned, so no
 * 429s), one org connected to them, auto-finalize with no grace period, and N customers each with
 * one monthly contract in advance from 2026-03-01 (raw prepared inserts, not timed). Prices vary
 * by contract and every third contract has a second product, so invoices have one or two lines.
 */

import type BetterSqlite3 from 'better-sqlite3';
import { and, eq } from 'drizzle-orm';
import { atomic } from '../../src/db/atomic.js';
import type { Db } from '../../src/db/client.js';
import { billingSettingsStatement, DEFAULT_BILLING_SETTINGS } from '../../src/db/repos/billing-settings.js';
import { connections } from '../../src/db/schema.js';
import type { SecretKey } from '../../src/db/secrets.js';
import { createOrgWithKey } from '../../src/db/seed.js';
import type { Clock } from '../../src/domain/clock.js';
import type { ContractTerms } from '../../src/domain/contracts/terms.js';
import { type Simulators, startSimulators } from '../../src/runtime/simulators.js';

export const BILLING_DATE = '2026-03-01';

type Item = ContractTerms['phases'][number]['items'][number];

const monthly = (id: string, sku: string, description: string, amount: string): Item => ({
  id,
  sku,
  description,
  prices: [{ effectiveFrom: BILLING_DATE, price: { model: 'flat_fee', amount } }],
  quantity: '1',
  cadence: 'monthly',
  timing: 'in_advance',
});

/** Contract i's terms: a platform fee from 50.00 to 149.99, and support on every third contract. */
export function benchTerms(i: number): ContractTerms {
  const fee = `${50 + (i % 100)}.${String((i * 37) % 100).padStart(2, '0')}`;
  const items = [monthly('platform', 'PLATFORM', 'Platform fee', fee)];
  if (i % 3 === 0) items.push(monthly('support', 'SUPPORT', 'Support plan', '25.00'));
  return {
    currency: 'USD',
    startDate: BILLING_DATE,
    endDate: null,
    alignment: 'calendar',
    paymentTermsDays: 30,
    renewal: { policy: 'none' },
    phases: [{ name: 'standard', kind: 'standard', start: BILLING_DATE, end: null, items }],
  };
}

export interface SeededOrg {
  orgId: string;
  stripeConnectionId: string;
}

const raw = (db: Db) => (db as unknown as { $client: BetterSqlite3.Database }).$client;

/** Fresh simulators on loopback with Stripe delivering its webhooks as it writes (sandbox mode). */
export function benchSimulators(clock: Clock): Promise<Simulators> {
  return startSimulators({ now: () => clock.now(), autoDeliverStripe: true });
}

/** One org on `sims`, its billing settings, and `count` customers with a contract each. */
export async function seedOrg(
  db: Db,
  clock: Clock,
  encryptionKey: SecretKey,
  sims: Simulators,
  count: number,
): Promise<SeededOrg> {
  const org = await createOrgWithKey(db, clock, encryptionKey, { name: 'Bench', connections: sims.connections });
  const now = clock.now().toISOString();
  await atomic(db, [
    billingSettingsStatement(
      db,
      org.orgId,
      { ...DEFAULT_BILLING_SETTINGS, finalizePolicy: 'auto', graceSeconds: 0 },
      now,
    ),
  ]);
  const sqlite = raw(db);
  const customer = sqlite.prepare(
    `INSERT INTO customers (id, org_id, name, currency, source_system, source_id, created_at) VALUES (?, ?, ?, 'USD', 'bench', ?, ?)`,
  );
  const contract = sqlite.prepare(
    `INSERT INTO contracts (id, org_id, customer_id, source_system, source_deal_id, version, status, currency, start_date,
       billing_cadence, billing_timing, payment_terms_days, mapping_version, terms, effective_date, created_at)
     VALUES (?, ?, ?, 'bench', ?, 1, 'active', 'USD', ?, 'monthly', 'in_advance', 30, 'bench', ?, ?, ?)`,
  );
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = String(i).padStart(6, '0');
      customer.run(`cus_p${id}`, org.orgId, `Customer ${id}`, `acct-${id}`, now);
      contract.run(
        `ctr_p${id}`,
        org.orgId,
        `cus_p${id}`,
        `deal-${id}`,
        BILLING_DATE,
        JSON.stringify(benchTerms(i)),
        BILLING_DATE,
        now,
      );
    }
  })();
  const [stripe] = await db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.orgId, org.orgId), eq(connections.vendor, 'stripe')));
  return { orgId: org.orgId, stripeConnectionId: stripe!.id };
}
