/**
 * The events API on D1 (Miniflare's D1, the engine `wrangler dev` uses): 100 bound parameters
 * per query, writes as one batch(). The hub runs in this process over the D1 binding. Miniflare
 * does not enforce D1's limits; openD1() does (src/runtime/d1-limits.ts), and here each API call
 * is one invocation held to the Free plan's 50 queries, so a write that would pass D1's statement
 * or bound-parameter limits fails this test instead of production.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBilling } from '../flows/billing-run/engine.js';
import { atomic } from '../src/db/atomic.js';
import type { Db } from '../src/db/client.js';
import { countUsageEvents } from '../src/db/repos/metering.js';
import { customers, invoices, usageEvents } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { createHub, type Hub } from '../src/hub.js';
import { type D1Binding, migrationStatements, openD1 } from '../src/runtime/d1.js';
import { MIGRATIONS_DIR } from '../src/runtime/sqlite.js';
import { seedBillingOrg } from './support/billing-fixtures.js';

const NOW = '2026-03-02T09:00:00.000Z';

describe('events API on D1', () => {
  let mf: Miniflare;
  let db: Db;
  let hub: Hub;
  let headers: Record<string, string>;
  let orgId: string;
  let invocation: object | undefined;
  let raw: D1Binding & { prepare(sql: string): unknown };
  /** One request to the hub = one Worker invocation, for the per-invocation query count. */
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    invocation = {};
    try {
      return await hub.app.request(path, init);
    } finally {
      invocation = undefined;
    }
  };

  beforeAll(async () => {
    mf = new Miniflare({
      modules: true,
      script: 'export default { fetch() { return new Response(null, { status: 404 }); } }',
      d1Databases: ['DB'],
      log: new Log(LogLevel.WARN),
    });
    const d1 = (await mf.getD1Database('DB')) as unknown as D1Binding & {
      prepare(sql: string): unknown;
    };
    for (const file of readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      const statements = migrationStatements(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
      await d1.batch(statements.map((s) => d1.prepare(s)));
    }
    // Each API call below is one invocation (see `call`); direct calls (the billing run) are not counted.
    db = openD1(d1, { invocation: () => invocation, queriesPerInvocation: 50 });
    raw = d1;
    const clock = new ManualClock(NOW);
    const encryptionKey = await importEncryptionKey(generateEncryptionKey());
    hub = createHub({ db, clock, encryptionKey });
    const org = await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme', connections: [] });
    orgId = org.orgId;
    headers = { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' };
    await atomic(db, [
      db.insert(customers).values({
        id: 'cus_d1',
        orgId,
        name: 'Customer',
        currency: 'USD',
        sourceSystem: 'salesforce',
        sourceId: 'acct-1',
        createdAt: NOW,
      }),
    ]);
    const metric = await call('/api/v1/metrics', {
      method: 'POST',
      headers,
      body: JSON.stringify({ code: 'api_calls', aggregation: 'count' }),
    });
    expect(metric.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
  });

  const events = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => ({
      transaction_id: `tx_${from + k}`,
      customer_id: 'cus_d1',
      metric: 'api_calls',
      timestamp: '2026-03-02T08:00:00Z',
      properties: { endpoint: '/v1/things' },
    }));
  const post = async (body: unknown) => {
    const res = await call('/api/v1/events/batch', { method: 'POST', headers, body: JSON.stringify(body) });
    // biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
    return { status: res.status, body: (await res.json()) as any };
  };

  it('stores a batch spanning many 100-parameter statements in one batch() and counts duplicates', async () => {
    expect(await post({ events: events(0, 500) })).toEqual({
      status: 200,
      body: { received: 500, new: 500, duplicates: 0, late: 0 },
    });
    expect(await post({ events: events(250, 750) })).toEqual({
      status: 200,
      body: { received: 500, new: 250, duplicates: 250, late: 0 },
    });
    expect(await countUsageEvents(db, orgId)).toBe(750);
  });

  it('rejects a batch with one bad event and stores nothing', async () => {
    const batch = events(1000, 1300);
    batch[299] = { ...batch[299]!, metric: 'nope' };
    const res = await post({ events: batch });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'events.299.metric', message: 'no billable metric nope in this org' }]);
    expect(await countUsageEvents(db, orgId)).toBe(750);
  });

  it('stores a 10,000-event batch in a few statements, within 50 queries for the whole call', async () => {
    const before = await countUsageEvents(db, orgId);
    expect(await post({ events: events(20_000, 30_000) })).toEqual({
      status: 200,
      body: { received: 10_000, new: 10_000, duplicates: 0, late: 0 },
    });
    expect(await countUsageEvents(db, orgId)).toBe(before + 10_000);
    // Resent: every event a duplicate, nothing stored twice.
    expect((await post({ events: events(20_000, 30_000) })).body).toMatchObject({ new: 0, duplicates: 10_000 });
  });

  it('rejects a 10,000-event batch with one bad event at the end and stores none of it', async () => {
    const before = await countUsageEvents(db, orgId);
    const batch = events(40_000, 50_000);
    batch[9_999] = { ...batch[9_999]!, customer_id: 'cus_nobody' };
    const res = await post({ events: batch });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'events.9999.customer_id', message: 'no customer cus_nobody in this org' },
    ]);
    expect(await countUsageEvents(db, orgId)).toBe(before);
  });

  it("refuses what real D1 refuses: over 1,000 statements in a batch, over 100 bound parameters, over the invocation's queries", async () => {
    // drizzle wraps a driver error in its own ("Failed query: …"); the limit is named in the cause.
    const limit = (pattern: RegExp) => (e: Error & { cause?: Error }) =>
      pattern.test(`${e.message} ${e.cause?.message ?? ''}`);
    const select = () => db.select({ id: customers.id }).from(customers).where(eq(customers.orgId, orgId));
    await expect(atomic(db, Array.from({ length: 1001 }, select))).rejects.toSatisfy(
      limit(/1001 statements in one batch/),
    );
    const ids = Array.from({ length: 101 }, (_, i) => `cus_${i}`);
    await expect(db.select().from(customers).where(inArray(customers.id, ids))).rejects.toSatisfy(
      limit(/101 bound parameters/),
    );
    invocation = {};
    try {
      for (let i = 0; i < 50; i++) await select();
      await expect(select()).rejects.toSatisfy(limit(/more than 50 queries in one invocation/));
    } finally {
      invocation = undefined;
    }
    // The raw binding (Miniflare) takes all of it: the limits live in openD1's wrapper.
    expect((await raw.batch(Array.from({ length: 1001 }, () => raw.prepare('SELECT 1')))).length).toBe(1001);
  });

  it('flags a late event and bills it once on the next arrears invoice, marking it in the same batch()', async () => {
    const clock = new ManualClock(NOW);
    const other = await createOrgWithKey(db, clock, await importEncryptionKey(generateEncryptionKey()), {
      name: 'Late Co',
      connections: [],
    });
    await seedBillingOrg(db, clock, other.orgId);
    await runBilling({ db, clock, chunkSize: 1 }, other.orgId, '2026-03-01'); // January and February usage
    const res = await call('/api/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${other.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        transaction_id: 'tx_late',
        customer_id: 'cus_ctr_usage',
        metric: 'api_calls',
        timestamp: '2026-02-10T00:00:00Z',
        properties: { units: 20 },
      }),
    });
    expect(await res.json()).toEqual({ received: 1, new: 1, duplicates: 0, late: 1 });
    for (let i = 0; i < 2; i++) await runBilling({ db, clock, chunkSize: 1 }, other.orgId, '2026-04-01');
    const [march] = await db
      .select()
      .from(invoices)
      .where(
        and(
          eq(invoices.orgId, other.orgId),
          eq(invoices.contractId, 'ctr_usage'),
          eq(invoices.periodStart, '2026-03-01'),
        ),
      );
    expect(march!.totalMinor).toBe(200); // no March usage; 20 late units at 0.10, rated on their own
    const [late] = await db.select().from(usageEvents).where(eq(usageEvents.transactionId, 'tx_late'));
    expect(late).toMatchObject({ late: true, lateBilledInvoiceId: march!.id });
  });
});
