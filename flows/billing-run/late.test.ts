/**
 * Late usage events end to end on an in-memory hub: flagged at ingest when the customer's period is
 * already invoiced, billed on the next arrears invoice (additive metrics) exactly once, and listed
 * for a correction (non-additive metrics).
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomic } from '../../src/db/atomic.js';
import type { Db } from '../../src/db/client.js';
import { metricInsert } from '../../src/db/repos/metering.js';
import { contracts, customers, invoiceLines, invoices, usageEvents } from '../../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../src/db/secrets.js';
import { addApiKey, createOrgWithKey } from '../../src/db/seed.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { BillableMetric } from '../../src/domain/metering/index.js';
import { createHub, type Hub } from '../../src/hub.js';
import { openSqlite } from '../../src/runtime/sqlite.js';
import { CONTRACT_IDS, seedBillingOrg, termsWith } from '../../test/support/billing-fixtures.js';
import { runBilling } from './engine.js';
import { planLateUsage } from './late.js';

// biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

const USAGE_CUSTOMER = `cus_${CONTRACT_IDS.usage}`;
const PEAK = 'ctr_peak';
const PEAK_CUSTOMER = `cus_${PEAK}`;

let hub: Hub;
let db: Db;
let close: () => void;
let clock: ManualClock;
let orgId: string;
let apiKey: string;
let otherKey: string;

async function api(path: string, body?: unknown, key = apiKey): Promise<JsonResponse> {
  return hub.app.request(`/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The fixture org plus a contract billing a `max` metric (peak seats, 2.00 each) in arrears. */
async function setup() {
  const sqlite = openSqlite(':memory:');
  db = sqlite.db;
  close = sqlite.close;
  clock = new ManualClock('2026-02-01T06:00:00Z');
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db, clock, encryptionKey });
  const org = await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme', connections: [] });
  orgId = org.orgId;
  apiKey = org.apiKey;
  otherKey = (await createOrgWithKey(db, clock, encryptionKey, { name: 'Globex', connections: [] })).apiKey;
  await seedBillingOrg(db, clock, orgId);
  const now = clock.now().toISOString();
  const terms = termsWith([
    {
      id: 'seats',
      sku: 'SEATS',
      description: 'Peak seats',
      prices: [{ effectiveFrom: '2026-01-01', price: { model: 'per_unit', unit_amount: '2.00' } }],
      metric: 'peak_seats',
      cadence: 'monthly',
      timing: 'in_arrears',
    },
  ]);
  await atomic(db, [
    db.insert(customers).values({
      id: PEAK_CUSTOMER,
      orgId,
      name: 'Peak',
      currency: 'USD',
      sourceSystem: 'test',
      sourceId: PEAK,
      createdAt: now,
    }),
    db.insert(contracts).values({
      id: PEAK,
      orgId,
      customerId: PEAK_CUSTOMER,
      sourceSystem: 'test',
      sourceDealId: PEAK,
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
      code: 'peak_seats',
      name: 'Peak seats',
      aggregation: 'max',
      field: 'seats',
      filters: [],
      groupBy: [],
      rounding: null,
    }).statement,
    db.insert(usageEvents).values({
      orgId,
      transactionId: 'tx_peak_jan',
      customerId: PEAK_CUSTOMER,
      metricCode: 'peak_seats',
      timestamp: Date.parse('2026-01-05T00:00:00Z'),
      properties: JSON.stringify({ seats: 3 }),
      receivedAt: Date.parse('2026-01-05T00:00:00Z'),
      late: false,
    }),
  ]);
}

const invoiceOf = async (contractId: string, periodStart: string) => {
  const [row] = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), eq(invoices.contractId, contractId), eq(invoices.periodStart, periodStart)));
  return row;
};
const linesOf = (invoiceId: string) =>
  db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId)).orderBy(asc(invoiceLines.lineNo));
const eventRow = async (transactionId: string) =>
  (await db.select().from(usageEvents).where(eq(usageEvents.transactionId, transactionId)))[0]!;

const usageEvent = (id: string, at: string, units: number) => ({
  transaction_id: id,
  customer_id: USAGE_CUSTOMER,
  metric: 'api_calls',
  timestamp: at,
  properties: { units },
});

/** January is invoiced (run at 2026-02-01), then late January events arrive on 2026-02-05. */
async function januaryInvoicedThenLateEvents() {
  const first = await runBilling({ db, clock }, orgId, '2026-02-01');
  expect(first.failures).toEqual([]);
  expect((await invoiceOf(CONTRACT_IDS.usage, '2026-01-01'))!.totalMinor).toBe(1250);
  clock.set('2026-02-05T00:00:00Z');
  const res = await api('/events/batch', {
    events: [
      usageEvent('tx_late_1', '2026-01-20T00:00:00Z', 40),
      usageEvent('tx_late_2', '2026-01-31T23:59:59Z', 10),
      usageEvent('tx_feb', '2026-02-01T00:00:00Z', 5), // invoiced-through is 2026-02-01 (exclusive): on time
      {
        transaction_id: 'tx_peak_late',
        customer_id: PEAK_CUSTOMER,
        metric: 'peak_seats',
        timestamp: '2026-01-10T00:00:00Z',
        properties: { seats: 7 },
      },
    ],
  });
  expect(res.status).toBe(200);
  return res.json();
}

describe('late usage events', () => {
  beforeEach(() => setup());
  afterEach(() => close());

  it('flags nothing while the customer has no arrears invoice', async () => {
    const res = await api('/events', usageEvent('tx_early', '2026-01-20T00:00:00Z', 1));
    expect(await res.json()).toEqual({ received: 1, new: 1, duplicates: 0, late: 0 });
    expect((await eventRow('tx_early')).late).toBe(false);
  });

  it('flags events before the invoiced-through date at ingest and counts them in the answer', async () => {
    expect(await januaryInvoicedThenLateEvents()).toEqual({ received: 4, new: 4, duplicates: 0, late: 3 });
    expect((await eventRow('tx_late_1')).late).toBe(true);
    expect((await eventRow('tx_late_2')).late).toBe(true);
    expect((await eventRow('tx_feb')).late).toBe(false);
    expect(await eventRow('tx_peak_late')).toMatchObject({ late: true, lateBilledInvoiceId: null });
    // The single-event route flags the same way.
    const one = await api('/events', usageEvent('tx_late_3', '2026-01-02T00:00:00Z', 1));
    expect((await one.json()).late).toBe(1);
    // The January invoice is not touched.
    expect((await invoiceOf(CONTRACT_IDS.usage, '2026-01-01'))!.totalMinor).toBe(1250);
  });

  it('bills additive late usage on the next arrears invoice once, rated on its own, and marks the events', async () => {
    await januaryInvoicedThenLateEvents();
    clock.set('2026-03-01T06:00:00Z');
    const run = await runBilling({ db, clock }, orgId, '2026-03-01');
    expect(run.failures).toEqual([]);
    const feb = (await invoiceOf(CONTRACT_IDS.usage, '2026-02-01'))!;
    const lines = await linesOf(feb.id);
    expect(lines.map((l) => [l.description, l.quantity, l.amountMinor, l.lineKind, l.sourceRef])).toEqual([
      ['API calls', '35', 350, 'charge', 'calls'], // February: 30 (fixture) + 5, at 0.10
      ['Late usage from earlier periods (api_calls)', '50', 500, 'charge', 'calls'], // 50 alone, first tier
    ]);
    expect(JSON.parse(lines[1]!.detail!)).toMatchObject({ lateUsage: { metric: 'api_calls', events: 2 } });
    expect(feb.totalMinor).toBe(850);
    expect(feb.subtotalMinor).toBe(850);
    expect((await eventRow('tx_late_1')).lateBilledInvoiceId).toBe(feb.id);
    expect((await eventRow('tx_late_2')).lateBilledInvoiceId).toBe(feb.id);
    expect((await eventRow('tx_feb')).lateBilledInvoiceId).toBeNull();

    // A rerun creates nothing; a later period does not bill them again.
    expect((await runBilling({ db, clock }, orgId, '2026-03-01')).invoicesCreated).toBe(0);
    clock.set('2026-04-01T06:00:00Z');
    await runBilling({ db, clock }, orgId, '2026-04-01');
    const mar = (await invoiceOf(CONTRACT_IDS.usage, '2026-03-01'))!;
    expect((await linesOf(mar.id)).map((l) => l.description)).toEqual(['API calls']);
    const lateLines = (await db.select().from(invoiceLines).where(eq(invoiceLines.orgId, orgId))).filter((l) =>
      l.description.startsWith('Late usage'),
    );
    expect(lateLines).toHaveLength(1);
  });

  it('bills late usage once when two runs go at the same time', async () => {
    await januaryInvoicedThenLateEvents();
    clock.set('2026-03-01T06:00:00Z');
    await Promise.all([
      runBilling({ db, clock, chunkSize: 1 }, orgId, '2026-03-01'),
      runBilling({ db, clock, chunkSize: 1 }, orgId, '2026-03-01'),
    ]);
    const lateLines = (await db.select().from(invoiceLines).where(eq(invoiceLines.orgId, orgId))).filter((l) =>
      l.description.startsWith('Late usage'),
    );
    expect(lateLines).toHaveLength(1);
    const feb = (await invoiceOf(CONTRACT_IDS.usage, '2026-02-01'))!;
    expect((await eventRow('tx_late_1')).lateBilledInvoiceId).toBe(feb.id);
  });

  it('leaves late events of a max metric unbilled and lists them for a correction, to this org only', async () => {
    await januaryInvoicedThenLateEvents();
    clock.set('2026-03-01T06:00:00Z');
    await runBilling({ db, clock }, orgId, '2026-03-01');
    const febPeak = (await invoiceOf(PEAK, '2026-02-01'))!;
    expect((await linesOf(febPeak.id)).map((l) => l.description)).toEqual(['Peak seats']);
    expect(febPeak.totalMinor).toBe(0);
    expect((await eventRow('tx_peak_late')).lateBilledInvoiceId).toBeNull();

    const unbilled = await api('/events?late=true&unbilled=true');
    expect(unbilled.status).toBe(200);
    expect((await unbilled.json()).events).toEqual([
      {
        id: expect.any(Number),
        transaction_id: 'tx_peak_late',
        customer_id: PEAK_CUSTOMER,
        metric: 'peak_seats',
        timestamp: '2026-01-10T00:00:00.000Z',
        properties: { seats: 7 },
        received_at: '2026-02-05T00:00:00.000Z',
        late: true,
        late_billed_invoice_id: null,
      },
    ]);
    const allLate = (await (await api('/events?late=true')).json()).events;
    expect(allLate.map((e: { transaction_id: string }) => e.transaction_id)).toEqual([
      'tx_peak_late',
      'tx_late_1',
      'tx_late_2',
    ]);
    const mine = await api(`/events?late=true&customer_id=${USAGE_CUSTOMER}&limit=1`);
    expect((await mine.json()).events.map((e: { transaction_id: string }) => e.transaction_id)).toEqual(['tx_late_1']);

    // Another org sees nothing, not even with this org's customer id.
    expect((await (await api('/events?late=true', undefined, otherKey)).json()).events).toEqual([]);
    const theirs = await api(`/events?late=true&customer_id=${PEAK_CUSTOMER}`, undefined, otherKey);
    expect((await theirs.json()).events).toEqual([]);
  });

  it('checks the query and the role', async () => {
    const bad = await api('/events?late=yes&limit=0');
    expect(bad.status).toBe(400);
    const fields = (await bad.json()).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['late', 'limit']));
    const viewer = await addApiKey(db, clock, orgId, 'viewer');
    expect((await api('/events?late=true', undefined, viewer)).status).toBe(403);
  });
});

describe('planLateUsage', () => {
  const sum: BillableMetric = {
    code: 'calls',
    aggregation: 'sum',
    field: 'n',
    filters: [],
    groupBy: [],
    rounding: null,
  };
  const max: BillableMetric = { ...sum, code: 'peak', aggregation: 'max' };
  const item = (metric: string) => ({
    id: metric,
    sku: metric.toUpperCase(),
    description: metric,
    prices: [{ effectiveFrom: '2026-01-01', price: { model: 'per_unit' as const, unit_amount: '1.00' } }],
    metric,
    cadence: 'monthly' as const,
    timing: 'in_arrears' as const,
  });
  const terms = termsWith([item('calls'), item('peak')]);
  const period = (start: string, end: string) => ({ start, end, kind: 'arrears' as const, billOn: end });
  const ev = (id: number, metricCode: string, at: string) => ({
    id,
    customerId: 'cus_a',
    metricCode,
    timestamp: Date.parse(at),
    properties: '{"n":1}',
  });

  it('gives each event to the earliest period once: inside marked, before billed if additive', () => {
    const plans = planLateUsage(
      [
        { id: 'ctr_b', customerId: 'cus_a', terms, periods: [period('2026-02-01', '2026-03-01')] },
        {
          id: 'ctr_a',
          customerId: 'cus_a',
          terms,
          periods: [period('2026-02-01', '2026-03-01'), period('2026-03-01', '2026-04-01')],
        },
      ],
      [
        ev(1, 'calls', '2026-01-10T00:00:00Z'),
        ev(2, 'calls', '2026-02-10T00:00:00Z'),
        ev(3, 'peak', '2026-01-10T00:00:00Z'),
        ev(4, 'peak', '2026-03-10T00:00:00Z'),
      ],
      new Map([
        ['calls', sum],
        ['peak', max],
      ]),
    );
    expect([...plans.keys()]).toEqual(['ctr_a|2026-02-01', 'ctr_a|2026-03-01']);
    const feb = plans.get('ctr_a|2026-02-01')!;
    expect(feb.inside).toEqual([2]);
    expect([...feb.before.entries()].map(([m, list]) => [m, list.map((e) => e.id)])).toEqual([['calls', [1]]]);
    // The max event before the period stays unassigned; the one inside March is counted there.
    expect(plans.get('ctr_a|2026-03-01')).toEqual({ before: new Map(), inside: [4] });
  });
});
