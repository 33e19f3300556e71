/** Bad bodies are bad input: a 4xx problem naming the body, never a 500, nothing stored. */

import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/client.js';
import { usageEvents } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { createOrgWithKey } from '../src/db/seed.js';
import { ManualClock } from '../src/domain/clock.js';
import { createHub, type Hub } from '../src/hub.js';
import { openSqlite } from '../src/runtime/sqlite.js';
import { readJson } from './support/harness.js';

let hub: Hub;
let db: Db;
let key: string;
let close: () => void;

beforeAll(async () => {
  const sqlite = openSqlite(':memory:');
  ({ db, close } = sqlite);
  const clock = new ManualClock();
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db, clock, encryptionKey });
  key = (await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme', connections: [] })).apiKey;
});
afterAll(() => close());

describe('malformed request bodies', () => {
  it.each(['/api/v1/events/batch', '/api/v1/pricing/preview', '/api/v1/contracts', '/api/v1/mappings'])(
    'POST %s with broken JSON answers 400, not 500',
    async (path) => {
      const res = await hub.app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: '{"events": [',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await readJson(res)).errors[0].field).toBe('(body)');
    },
  );

  it('stores nothing', async () => {
    expect((await db.select({ n: count() }).from(usageEvents))[0]!.n).toBe(0);
  });
});
