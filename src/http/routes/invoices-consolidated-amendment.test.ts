/**
 * An amendment of a contract billed on a consolidated invoice (issue #10): two contracts of one
 * customer from the API, March billed by a consolidating run onto one invoice, then the contract
 * that is not the invoice's first is amended. Its credit note credits the consolidated invoice,
 * for that contract's period.
 */
import { afterAll, describe, expect, it } from 'vitest';
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

const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const res = await hub.app.request(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
};

afterAll(() => close());

describe('an amendment of a consolidated contract period', () => {
  it('credits the consolidated invoice that billed the period', async () => {
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
    expect((await api('PUT', '/billing-settings', { consolidate: true })).status).toBe(200);
    const created = [];
    for (const seats of ['10', '5']) {
      const res = await api('POST', '/contracts', { customer_id: 'cus_1', status: 'active', terms: terms(seats) });
      expect(res.status).toBe(201);
      created.push(res.body.id as string);
    }
    await api('POST', '/billing-runs', { at: '2026-03-01' });
    await driver.drain();
    const invoices = (await api('GET', '/invoices')).body.data;
    expect(invoices).toHaveLength(1);
    const march = invoices[0];
    expect(march.total_minor).toBe(15_000);
    // The contract that is not the invoice's own (its first period's) is amended mid-March.
    const other = created.find((id) => id !== march.contract_id)!;
    clock.set('2026-03-16T08:00:00Z');
    const amended = await api('POST', `/contracts/${other}/amendments`, {
      effective_date: '2026-03-16',
      terms: terms('20'),
    });
    expect(amended.status).toBe(201);

    const notes = (await api('GET', '/credit-notes')).body.data;
    // Its seats for 16 of 31 days are credited, against the consolidated invoice.
    const seatsOf = other === created[0] ? 10 : 5;
    expect(notes).toEqual([
      expect.objectContaining({
        invoice_id: march.id,
        contract_id: other,
        total_minor: Math.round((seatsOf * 1000 * 16) / 31),
      }),
    ]);
  });
});
