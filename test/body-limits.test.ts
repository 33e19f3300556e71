/** Every route has a body limit sized to its largest legal request; usage event properties are bounded. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { BODY_LIMITS, DEFAULT_BODY_LIMIT_BYTES } from '../src/http/body-limits.js';
import { MAX_PROPERTIES } from '../src/http/routes/events.js';
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
  key = (await createOrgWithKey(sqlite.db, clock, encryptionKey, { name: 'Acme', connections: [] })).apiKey;
});
afterAll(() => close());

const post = (path: string, body: string) =>
  hub.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });

/** A JSON object of about `bytes` bytes. */
const jsonOfSize = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes) });

describe('body limits', () => {
  it.each([
    ['/api/v1/contracts', DEFAULT_BODY_LIMIT_BYTES],
    ['/api/v1/pricing/preview', DEFAULT_BODY_LIMIT_BYTES],
    ['/api/v1/events', BODY_LIMITS['/api/v1/events']!],
    ['/api/v1/events/batch', BODY_LIMITS['/api/v1/events/batch']!],
  ])('POST %s over %i bytes → 413 naming the limit', async (path, limit) => {
    const res = await post(path, jsonOfSize(limit + 1));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await readJson(res)).detail).toContain(String(limit));
  });

  it('a JSON body streamed in chunks of undeclared length is read whole (a character split across chunks)', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ code: 'chunked', name: 'Größe €', aggregation: 'count' }));
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of "€"
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    const res = await hub.app.request('/api/v1/metrics', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(201);
    expect((await readJson(res)).name).toBe('Größe €');
  });

  it('a body under the limit reaches validation (400, not 413)', async () => {
    const res = await post('/api/v1/events', jsonOfSize(1000));
    expect(res.status).toBe(400);
  });

  it('a 20 MB event is refused before it is stored', async () => {
    const res = await post(
      '/api/v1/events',
      JSON.stringify({
        transaction_id: 't',
        customer_id: 'c',
        metric: 'm',
        timestamp: '2026-01-01T00:00:00Z',
        properties: { a: 'x'.repeat(20 * 1024 * 1024) },
      }),
    );
    expect(res.status).toBe(413);
  });

  it('bounds the properties of a usage event, naming the field', async () => {
    const event = (properties: Record<string, unknown>) =>
      JSON.stringify({
        transaction_id: 't',
        customer_id: 'c',
        metric: 'm',
        timestamp: '2026-01-01T00:00:00Z',
        properties,
      });
    const tooMany = Object.fromEntries(Array.from({ length: MAX_PROPERTIES + 1 }, (_, i) => [`p${i}`, i]));
    for (const properties of [tooMany, { long: 'x'.repeat(2000) }, { ['k'.repeat(200)]: 1 }]) {
      const res = await post('/api/v1/events', event(properties));
      expect(res.status).toBe(400);
      const fields = (await readJson(res)).errors.map((e: { field: string }) => e.field);
      expect(fields.some((f: string) => f.startsWith('properties'))).toBe(true);
    }
  });
});
