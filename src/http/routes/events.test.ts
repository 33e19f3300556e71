/** /api/v1/events and /api/v1/metrics on an in-memory hub (no simulators needed). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomic } from '../../db/atomic.js';
import { newId } from '../../db/client.js';
import { countUsageEvents } from '../../db/repos/metering.js';
import { customers, usageEvents } from '../../db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../db/secrets.js';
import { addApiKey, createOrgWithKey } from '../../db/seed.js';
import { ManualClock } from '../../domain/clock.js';
import { createHub, type Hub } from '../../hub.js';
import { openSqlite } from '../../runtime/sqlite.js';

const NOW = '2026-03-02T09:00:00.000Z';

/** A response whose JSON body is loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

interface Setup {
  hub: Hub;
  clock: ManualClock;
  close(): void;
  orgId: string;
  key: string;
  customerId: string;
  other: { orgId: string; key: string; customerId: string };
  api(path: string, body?: unknown, key?: string): Promise<JsonResponse>;
}

async function setup(): Promise<Setup> {
  const sqlite = openSqlite(':memory:');
  const { db } = sqlite;
  const clock = new ManualClock(NOW);
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  const hub = createHub({ db, clock, encryptionKey });
  const org = await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme', connections: [] });
  const other = await createOrgWithKey(db, clock, encryptionKey, { name: 'Globex', connections: [] });
  const customerOf = (orgId: string) => ({
    id: newId('cus'),
    orgId,
    name: 'Customer',
    currency: 'USD',
    sourceSystem: 'salesforce',
    sourceId: newId('acct'),
    createdAt: NOW,
  });
  const mine = customerOf(org.orgId);
  const theirs = customerOf(other.orgId);
  await atomic(db, [db.insert(customers).values(mine), db.insert(customers).values(theirs)]);
  const api = async (path: string, body?: unknown, key = org.apiKey): Promise<JsonResponse> =>
    hub.app.request(`/api/v1${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    hub,
    clock,
    close: () => sqlite.close(),
    orgId: org.orgId,
    key: org.apiKey,
    customerId: mine.id,
    other: { orgId: other.orgId, key: other.apiKey, customerId: theirs.id },
    api,
  };
}

describe('events API', () => {
  let s: Setup;
  const event = (n: number, extra: Record<string, unknown> = {}) => ({
    transaction_id: `tx_${n}`,
    customer_id: s.customerId,
    metric: 'storage_gb',
    timestamp: '2026-03-02T08:00:00Z',
    properties: { gb: n % 7, region: n % 2 ? 'eu' : 'us' },
    ...extra,
  });
  const count = () => countUsageEvents(s.hub.context.db, s.orgId);

  beforeEach(async () => {
    s = await setup();
    const res = await s.api('/metrics', { code: 'storage_gb', aggregation: 'sum', field: 'gb', group_by: ['region'] });
    expect(res.status).toBe(201);
  });
  afterEach(() => s.close());

  it('stores one event and reports a resend as a duplicate, across calls', async () => {
    const first = await s.api('/events', event(1));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: 1, new: 1, duplicates: 0, late: 0 });
    const again = await s.api('/events', event(1));
    expect(await again.json()).toEqual({ received: 1, new: 0, duplicates: 1, late: 0 });

    const batch = await s.api('/events/batch', { events: [event(1), event(2), event(2), event(3)] });
    expect(batch.status).toBe(200);
    expect(await batch.json()).toEqual({ received: 4, new: 2, duplicates: 2, late: 0 });
    expect(await count()).toBe(3);

    const [row] = await s.hub.context.db.select().from(usageEvents).limit(1);
    expect(row).toMatchObject({
      orgId: s.orgId,
      transactionId: 'tx_1',
      customerId: s.customerId,
      metricCode: 'storage_gb',
      timestamp: Date.parse('2026-03-02T08:00:00Z'),
      receivedAt: Date.parse(NOW),
      late: false,
    });
    expect(JSON.parse(row!.properties)).toEqual({ gb: 1, region: 'eu' });
  });

  it('rejects a whole batch with one bad event, naming its fields, and stores nothing', async () => {
    const events = Array.from({ length: 20 }, (_, i) => event(i));
    events[12] = event(12, { timestamp: '2026-03-03T09:00:01Z' }); // 24 h + 1 s ahead of the hub clock
    events[13] = event(13, { customer_id: s.other.customerId }); // another org's customer
    events[14] = event(14, { metric: 'nope' });
    events[15] = event(15, { properties: { gb: 'lots' } });
    const res = await s.api('/events/batch', { events });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual([
      'events.12.timestamp',
      'events.13.customer_id',
      'events.14.metric',
      'events.15.properties.gb',
    ]);
    expect(await count()).toBe(0);
  });

  it('accepts up to 24 h ahead and rejects beyond it, on the single route too', async () => {
    expect((await s.api('/events', event(1, { timestamp: '2026-03-03T09:00:00Z' }))).status).toBe(200);
    const res = await s.api('/events', event(2, { timestamp: '2026-03-03T10:00:00+01:00' }));
    expect(res.status).toBe(200); // same instant as the limit, written with an offset
    const late = await s.api('/events', event(3, { timestamp: '2026-03-03T09:00:00.001Z' }));
    expect(late.status).toBe(400);
    expect((await late.json()).errors[0].field).toBe('timestamp');
    s.clock.advance(60 * 60_000); // the limit moves with the hub clock
    expect((await s.api('/events', event(3, { timestamp: '2026-03-03T09:00:00.001Z' }))).status).toBe(200);
    expect(await count()).toBe(3);
  });

  it('rejects malformed events with the field named', async () => {
    const res = await s.api('/events/batch', {
      events: [event(1), event(2, { timestamp: '2026-03-02 08:00' }), { ...event(3), transaction_id: '' }],
    });
    expect(res.status).toBe(400);
    const fields = (await res.json()).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(['events.1.timestamp', 'events.2.transaction_id']);
    expect((await s.api('/events', { ...event(1), customer_id: undefined })).status).toBe(400);
    expect(await count()).toBe(0);
  });

  it('stores a batch the fast path leaves to zod exactly as a plain one', async () => {
    // A +json media type and an offset timestamp: not the fast path's plain shape, still valid.
    const res = await s.hub.app.request('/api/v1/events/batch', {
      method: 'POST',
      headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/vnd.hub+json' },
      body: JSON.stringify({ events: [event(1), event(2, { timestamp: '2026-03-02T09:00:00+01:00' })] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 2, new: 2, duplicates: 0, late: 0 });
    // An unknown field sends the plain shape to zod too, which refuses it by name; nothing is stored.
    const extra = await s.api('/events/batch', { events: [event(2), event(3, { extra: 'not ignored' })] });
    expect(extra.status).toBe(400);
    expect((await extra.json()).errors).toEqual([{ field: 'events.1.extra', message: 'is not a known field' }]);
    expect(await s.hub.context.db.select().from(usageEvents)).toHaveLength(2);
    const plain = await s.api('/events/batch', { events: [event(2), event(3)] });
    expect(await plain.json()).toEqual({ received: 2, new: 1, duplicates: 1, late: 0 });
    const rows = await s.hub.context.db.select().from(usageEvents);
    expect(rows.map((r) => [r.transactionId, r.timestamp, JSON.parse(r.properties)])).toEqual([
      ['tx_1', Date.parse('2026-03-02T08:00:00Z'), { gb: 1, region: 'eu' }],
      ['tx_2', Date.parse('2026-03-02T08:00:00Z'), { gb: 2, region: 'us' }],
      ['tx_3', Date.parse('2026-03-02T08:00:00Z'), { gb: 3, region: 'eu' }],
    ]);
  });

  it('rejects 10,001 events naming the field and stores 10,000 in one call', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => event(i));
    const tooMany = await s.api('/events/batch', { events: many });
    expect(tooMany.status).toBe(400);
    const problem = await tooMany.json();
    expect(problem.errors).toEqual([{ field: 'events', message: expect.stringContaining('at most 10000') }]);
    expect(await count()).toBe(0);

    const ok = await s.api('/events/batch', { events: many.slice(0, 10_000) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: 10_000, new: 10_000, duplicates: 0, late: 0 });
    expect(await count()).toBe(10_000);
    // Resending the same 10,000 changes nothing.
    expect(await (await s.api('/events/batch', { events: many.slice(0, 10_000) })).json()).toMatchObject({
      new: 0,
      duplicates: 10_000,
    });
    expect(await count()).toBe(10_000);
  });

  it("keeps orgs apart: another org's key sees none of this org's metrics or events", async () => {
    expect((await s.api('/events', event(1))).status).toBe(200);
    const theirMetrics = await s.api('/metrics', undefined, s.other.key);
    expect(await theirMetrics.json()).toEqual({ metrics: [] });
    // Our metric code and customer id mean nothing under their key.
    const theirs = await s.api('/events', event(1), s.other.key);
    expect(theirs.status).toBe(400);
    expect((await theirs.json()).errors.map((e: { field: string }) => e.field)).toEqual(['customer_id', 'metric']);
    // The same transaction id is theirs to use independently.
    await s.api('/metrics', { code: 'storage_gb', aggregation: 'count' }, s.other.key);
    const own = await s.api('/events', { ...event(1), customer_id: s.other.customerId }, s.other.key);
    expect(await own.json()).toEqual({ received: 1, new: 1, duplicates: 0, late: 0 });
    expect(await countUsageEvents(s.hub.context.db, s.other.orgId)).toBe(1);
    expect(await count()).toBe(1);
  });

  it('lets admin and finance write, others only read metrics', async () => {
    const viewer = await addApiKey(s.hub.context.db, s.clock, s.orgId, 'viewer');
    const finance = await addApiKey(s.hub.context.db, s.clock, s.orgId, 'finance');
    expect((await s.api('/events', event(1), viewer)).status).toBe(403);
    expect((await s.api('/events/batch', { events: [event(1)] }, viewer)).status).toBe(403);
    expect((await s.api('/metrics', { code: 'x', aggregation: 'count' }, viewer)).status).toBe(403);
    expect((await s.api('/metrics', undefined, viewer)).status).toBe(200);
    expect((await s.api('/events', event(1), finance)).status).toBe(200);
    expect((await s.hub.app.request('/api/v1/events', { method: 'POST' })).status).toBe(401);
  });
});

describe('metrics API', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(() => s.close());

  it('defines, lists and refuses a second metric with the same code', async () => {
    const created = await s.api('/metrics', {
      code: 'api_calls',
      name: 'API calls',
      aggregation: 'count',
      filters: [{ property: 'status', values: ['200', '201'] }],
      rounding: { mode: 'ceil', precision: 0 },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      code: 'api_calls',
      name: 'API calls',
      aggregation: 'count',
      field: null,
      filters: [{ property: 'status', values: ['200', '201'] }],
      group_by: [],
      rounding: { mode: 'ceil', precision: 0 },
    });
    const dup = await s.api('/metrics', { code: 'api_calls', aggregation: 'count' });
    expect(dup.status).toBe(409);
    const list = await (await s.api('/metrics')).json();
    expect(list.metrics.map((m: { code: string }) => m.code)).toEqual(['api_calls']);
  });

  it('validates the definition and names the field', async () => {
    const fieldsOf = async (body: unknown) => {
      const res = await s.api('/metrics', body);
      expect(res.status).toBe(400);
      return (await res.json()).errors.map((e: { field: string }) => e.field);
    };
    expect(
      await fieldsOf({ code: 'gb', aggregation: 'sum', field: 'gb', rounding: { mode: 'up', precision: 1 } }),
    ).toEqual(['rounding.mode']);
    expect(await fieldsOf({ code: 'gb', aggregation: 'sum' })).toEqual(['field']);
    expect(await fieldsOf({ code: 'GB!', aggregation: 'count' })).toEqual(['code']);
  });

  it('describes the routes in the OpenAPI document', async () => {
    const doc = await ((await s.hub.app.request('/api/v1/openapi.json')) as JsonResponse).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/events', '/events/batch', '/metrics']));
    expect(doc.components.schemas.UsageEvent).toBeDefined();
  });
});
