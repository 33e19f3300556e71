/**
 * The invoice read API over invoices the real writers made: a contract from the API, March billed
 * by a billing run, then an amendment. The run's invoice carries its run; the amendment's credit
 * note names the invoice it credits and its charge is a proration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomic } from '../../db/atomic.js';
import { customers } from '../../db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../db/secrets.js';
import { createOrgWithKey } from '../../db/seed.js';
import { ManualClock } from '../../domain/clock.js';
import type { ContractTerms } from '../../domain/contracts/terms.js';
import { createHub, type Hub } from '../../hub.js';
import { NodeJobDriver } from '../../jobs/node-driver.js';
import { openSqlite } from '../../runtime/sqlite.js';

// biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
type Json = any;

/** 10 seats at 10.00 a month in advance, calendar-aligned from March 1st. */
const terms = (seats: string): ContractTerms => ({
  currency: 'USD',
  startDate: '2026-03-01',
  endDate: null,
  alignment: 'calendar',
  paymentTermsDays: 30,
  renewal: { policy: 'none' },
  phases: [
    {
      name: 'main',
      kind: 'standard',
      start: '2026-03-01',
      end: null,
      items: [
        {
          id: 'seats',
          sku: 'SEAT',
          description: 'Seats',
          prices: [{ effectiveFrom: '2026-03-01', price: { model: 'per_unit', unit_amount: '10.00' } }],
          quantity: seats,
          cadence: 'monthly',
          timing: 'in_advance',
        },
      ],
    },
  ],
});

let hub: Hub;
let close: () => void;
let key = '';
const ids = { v1: '', v2: '', run: '' };

const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const res = await hub.app.request(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  const sqlite = openSqlite(':memory:');
  close = sqlite.close;
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db: sqlite.db, clock, encryptionKey });
  const driver = new NodeJobDriver({ db: sqlite.db, clock, process: hub.processDeps });
  hub.attachDriver(driver);
  const org = await createOrgWithKey(sqlite.db, clock, encryptionKey, { name: 'Acme', connections: [] });
  key = org.apiKey;
  await atomic(sqlite.db, [
    sqlite.db.insert(customers).values({
      id: 'cus_1',
      orgId: org.orgId,
      name: 'Customer',
      currency: 'USD',
      sourceSystem: 'api',
      sourceId: 'cus_1',
      createdAt: '2026-03-01T08:00:00.000Z',
    }),
  ]);
  const created = await api('POST', '/contracts', { customer_id: 'cus_1', status: 'active', terms: terms('10') });
  expect(created.status).toBe(201);
  ids.v1 = created.body.id;
  ids.run = (await api('POST', '/billing-runs', { at: '2026-03-01' })).body.id;
  await driver.drain();
  clock.set('2026-03-16T08:00:00Z');
  const amended = await api('POST', `/contracts/${ids.v1}/amendments`, {
    effective_date: '2026-03-16',
    terms: terms('20'),
  });
  expect(amended.status).toBe(201);
  ids.v2 = amended.body.contract.id;
});
afterAll(() => close());

describe('invoices written by a billing run and an amendment', () => {
  it('lists the run invoice with its run and the amendment charge as a proration', async () => {
    const { body } = await api('GET', '/invoices');
    expect(
      body.data.map((i: Json) => [i.kind, i.contract_id, i.period_start, i.total_minor, i.billing_run_id]),
    ).toEqual([
      // 20 seats for 16 of 31 days; then March's 10 seats from the run.
      ['proration', ids.v2, '2026-03-16', 10_323, null],
      ['recurring', ids.v1, '2026-03-01', 10_000, ids.run],
    ]);
    expect((await api('GET', `/invoices?billing_run_id=${ids.run}`)).body.data).toHaveLength(1);
  });

  it("links the amendment's credit note to March's invoice", async () => {
    const march = (await api('GET', `/invoices?contract_id=${ids.v1}`)).body.data[0];
    const notes = (await api('GET', '/credit-notes')).body.data;
    expect(notes).toEqual([
      expect.objectContaining({ invoice_id: march.id, contract_id: ids.v1, total_minor: 5161, status: 'draft' }),
    ]);
    const detail = (await api('GET', `/invoices/${march.id}`)).body;
    expect(detail.credit_notes).toEqual([expect.objectContaining({ id: notes[0].id, total_minor: 5161 })]);
    // A draft credit note takes nothing off what is due yet.
    expect(detail).toMatchObject({ credited_minor: 0, amount_due_minor: 10_000 });
  });
});
