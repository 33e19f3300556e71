/** POST /api/v1/pricing/preview: ratePrice over HTTP, with field-named 4xx for bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { createHub, type Hub } from '../src/hub.js';
import { openSqlite } from '../src/runtime/sqlite.js';
import { readJson } from './support/harness.js';

let hub: Hub;
let key: string;
let close: () => void;

beforeAll(async () => {
  const sqlite = openSqlite(':memory:');
  close = sqlite.close;
  const clock = new ManualClock();
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db: sqlite.db, clock, encryptionKey });
  key = (await createOrgWithKey(sqlite.db, clock, encryptionKey, { name: 'Acme', role: 'viewer', connections: [] }))
    .apiKey;
});
afterAll(() => close());

const preview = (body: unknown) =>
  hub.app.request('/api/v1/pricing/preview', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('pricing preview, per event in advance (Lago pay_in_advance)', () => {
  const lago = {
    model: 'tiered',
    tiers: [
      { up_to: 1000, unit_amount: '0.01', flat_amount: '200' },
      { up_to: 10000, unit_amount: '0.02', flat_amount: '300' },
      { up_to: null, unit_amount: '0.03', flat_amount: '400' },
    ],
  };

  it("charges Lago's documented transactions $205.00, $306.00, $80.00, adding up to the $591 bill of the total", async () => {
    const res = await preview({
      price: lago,
      usage: { quantity: '0', currency: 'USD' },
      events: ['500', '550', '4000'],
    });
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body.per_event.charges.map((c: { amount_minor: number }) => c.amount_minor)).toEqual([20_500, 30_600, 8000]);
    expect(body.per_event.total_minor).toBe(59_100);
    // The answer's own rating is of usage.quantity, as without events.
    expect(body.quantity).toBe('0');
  });

  it('refuses a model that cannot be billed per event and a bad event, naming the field', async () => {
    const percent = await preview({
      price: { model: 'percent', rate_percent: '1.5' },
      usage: { quantity: '10', currency: 'USD' },
      events: ['1'],
    });
    expect(percent.status).toBe(400);
    expect((await readJson(percent)).errors).toEqual([expect.objectContaining({ field: 'price.model' })]);
    const bad = await preview({ price: lago, usage: { quantity: '0', currency: 'USD' }, events: ['x'] });
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).errors).toEqual([expect.objectContaining({ field: 'events.0' })]);
  });
});

describe('pricing preview', () => {
  it('rates graduated tiers and explains each tier', async () => {
    const res = await preview({
      price: {
        model: 'tiered',
        tiers: [
          { up_to: 10, unit_amount: '1.00' },
          { up_to: null, unit_amount: '0.50', flat_amount: '2.00' },
        ],
      },
      usage: { quantity: '15', currency: 'USD' },
    });
    expect(res.status).toBe(200);
    const rated = await readJson(res);
    expect(rated.amountMinor).toBe(1450); // 10 × 1.00 + 5 × 0.50 + 2.00
    expect(rated.breakdown).toHaveLength(2);
  });

  it.each([
    [{ price: { model: 'bogus' }, usage: { quantity: '1', currency: 'USD' } }, 'price.model'],
    [
      { price: { model: 'per_unit', unit_amount: '-1' }, usage: { quantity: '1', currency: 'USD' } },
      'price.unit_amount',
    ],
    [{ price: { model: 'per_unit', unit_amount: '1' }, usage: { quantity: '1', currency: 'XYZ' } }, 'usage.currency'],
    [
      {
        price: {
          model: 'tiered',
          tiers: [
            { up_to: 20, unit_amount: '1' },
            { up_to: 10, unit_amount: '1' },
            { up_to: null, unit_amount: '1' },
          ],
        },
        usage: { quantity: '1', currency: 'USD' },
      },
      'price.tiers',
    ],
  ])('answers bad input with a 400 naming the field (%#)', async (body, field) => {
    const res = await preview(body);
    expect(res.status).toBe(400);
    const problem = await readJson(res);
    expect(problem.errors.some((e: { field: string }) => e.field.startsWith(field))).toBe(true);
  });

  it('refuses unknown options', async () => {
    const res = await preview({
      price: { model: 'flat_fee', amount: '1' },
      usage: { quantity: '1', currency: 'USD' },
      options: { fast: true },
    });
    expect(res.status).toBe(400);
  });
});
