/**
 * Concurrency: the same request many times at once has one effect. The database's unique keys
 * (usage events per transaction id, one billing run per org and period, one inbox row per
 * provider event, one job per dedupe key) are the last line of defence, so these go through the
 * API together, not one after another. The Outbound Message is judged by the simulated vendors.
 */
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/client.js';
import { billingRuns, contracts, invoices, jobs, usageEvents, webhookInbox } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { createHub, type Hub } from '../src/hub.js';
import { NodeJobDriver } from '../src/jobs/node-driver.js';
import { openSqlite } from '../src/runtime/sqlite.js';
import { CONTRACT_IDS, seedBillingOrg } from './support/billing-fixtures.js';
import { type Harness, ONE_OF_EACH, readJson, startHarness, vendorCounts } from './support/harness.js';

let hub: Hub;
let db: Db;
let key: string;
let orgId: string;
let close: () => void;
let driver: NodeJobDriver;

beforeAll(async () => {
  const sqlite = openSqlite(':memory:');
  ({ db, close } = sqlite);
  const clock = new ManualClock('2026-02-01T06:00:00Z');
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db, clock, encryptionKey });
  driver = new NodeJobDriver({ db, clock, process: hub.processDeps });
  hub.attachDriver(driver);
  const org = await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme', connections: [] });
  ({ apiKey: key, orgId } = org);
  await seedBillingOrg(db, clock, orgId);
});
afterAll(() => close());

const post = (path: string, body: unknown) =>
  hub.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('one effect for concurrent duplicates', () => {
  it('stores one usage event for 100 parallel posts of it', async () => {
    const event = {
      transaction_id: 'tx_concurrent',
      customer_id: `cus_${CONTRACT_IDS.usage}`,
      metric: 'api_calls',
      timestamp: '2026-01-31T12:00:00Z',
      properties: { units: 3 },
    };
    const answers = await Promise.all(Array.from({ length: 100 }, () => post('/api/v1/events', event)));
    expect(answers.map((r) => r.status).every((s) => s >= 200 && s < 300)).toBe(true);
    const bodies = await Promise.all(answers.map((r) => readJson(r)));
    expect(bodies.reduce((n, b) => n + b.new, 0)).toBe(1);
    expect(bodies.reduce((n, b) => n + b.duplicates, 0)).toBe(99);
    const stored = await db
      .select({ n: count() })
      .from(usageEvents)
      .where(eq(usageEvents.transactionId, 'tx_concurrent'));
    expect(stored[0]!.n).toBe(1);
  });

  it('bills each contract once when two billing runs for one period run together', async () => {
    const invoiceCount = async () =>
      (await db.select({ n: count() }).from(invoices).where(eq(invoices.orgId, orgId)))[0]!.n;
    const before = await invoiceCount();
    const answers = await Promise.all([
      post('/api/v1/billing-runs', { at: '2026-02-01' }),
      post('/api/v1/billing-runs', { at: '2026-02-01' }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([202, 202]);
    // Both runs' jobs are claimed in one drain and run side by side.
    expect(await driver.drain()).toBe(2);
    const billed = (await invoiceCount()) - before;
    expect(billed).toBeGreaterThan(0);
    const runs = await db.select().from(billingRuns).where(eq(billingRuns.orgId, orgId));
    expect(runs.map((r) => r.state)).toEqual(['succeeded', 'succeeded']);
    // A third run for the period finds everything billed.
    await post('/api/v1/billing-runs', { at: '2026-02-01' });
    await driver.drain();
    expect(await invoiceCount()).toBe(before + billed);
  });
});

describe('one effect for 50 parallel deliveries of one Salesforce Outbound Message', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('records one inbox row, queues one job and carries the deal to cash once', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const xml = h.sims.salesforce.outboundMessageFor(opportunityId);
    const answers = await Promise.all(Array.from({ length: 50 }, () => h.deliverOutboundMessage(xml)));
    // Every delivery is acknowledged (a refused one would make Salesforce resend it for a day).
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));

    const inbox = await h.db.select().from(webhookInbox).where(eq(webhookInbox.orgId, h.orgId));
    expect(inbox.map((row) => row.provider)).toEqual(['salesforce']);
    const queued = await h.db.select().from(jobs).where(eq(jobs.orgId, h.orgId));
    expect(queued.map((j) => j.dedupeKey)).toEqual([expect.stringContaining(opportunityId)]);

    await h.settle();
    const made = await h.db.select().from(contracts).where(eq(contracts.orgId, h.orgId));
    expect(made).toHaveLength(1);
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.invoices.map((i: { status: string }) => i.status)).toEqual(['paid']);
    const all = await h.db.select().from(jobs).where(eq(jobs.orgId, h.orgId));
    expect(all.filter((j) => j.state !== 'succeeded').map((j) => `${j.kind} ${j.state} ${j.lastError}`)).toEqual([]);
    // One job per flow and subject: no flow ran twice for the one message.
    expect(new Set(all.map((j) => j.dedupeKey)).size).toBe(all.length);
  });
});
