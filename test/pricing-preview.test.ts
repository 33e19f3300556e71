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
