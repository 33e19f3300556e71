/** /api/v1/billing-runs on an in-memory hub: the run is a job the test drains by hand. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_IDS, seedBillingOrg } from '../../../flows/billing-run/fixtures.test-helper.js';
import { generateEncryptionKey, importEncryptionKey } from '../../db/secrets.js';
import { createOrgWithKey } from '../../db/seed.js';
import { ManualClock } from '../../domain/clock.js';
import { createHub, type Hub } from '../../hub.js';
import { NodeJobDriver } from '../../jobs/node-driver.js';
import { openSqlite } from '../../runtime/sqlite.js';

// biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
type Json = any;

let hub: Hub;
let driver: NodeJobDriver;
let close: () => void;
const keys = { admin: '', viewer: '', other: '' };

beforeAll(async () => {
  const sqlite = openSqlite(':memory:');
  close = sqlite.close;
  const clock = new ManualClock('2026-02-01T06:00:00Z');
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db: sqlite.db, clock, encryptionKey });
  driver = new NodeJobDriver({ db: sqlite.db, clock, process: hub.processDeps });
  hub.attachDriver(driver);
  const org = await createOrgWithKey(sqlite.db, clock, encryptionKey, { name: 'Acme', connections: [] });
  keys.admin = org.apiKey;
  keys.viewer = (
    await createOrgWithKey(sqlite.db, clock, encryptionKey, { name: 'Viewer', role: 'viewer', connections: [] })
  ).apiKey;
  keys.other = (await createOrgWithKey(sqlite.db, clock, encryptionKey, { name: 'Globex', connections: [] })).apiKey;
  await seedBillingOrg(sqlite.db, clock, org.orgId, { broken: true });
});
afterAll(() => close());

const call = async (path: string, key: string, body?: unknown): Promise<{ status: number; body: Json }> => {
  const res = await hub.app.request(`/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
};

describe('billing runs API', () => {
  it('starts a run (202), runs it as a job and shows its progress', async () => {
    const started = await call('/billing-runs', keys.admin, {}); // at defaults to today by the hub clock
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      at: '2026-02-01',
      state: 'running',
      progress: { contracts_total: 0, contracts_done: 0, invoices_created: 0 },
    });
    expect(await driver.drain()).toBe(1);

    const read = await call(`/billing-runs/${started.body.id}`, keys.admin);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: started.body.id,
      state: 'succeeded',
      progress: { contracts_total: 4, contracts_done: 4, invoices_created: 4 },
      error: { contracts: [expect.objectContaining({ contractId: CONTRACT_IDS.broken })] },
    });
  });

  it('answers 400 naming `at` for a bad date, and starts nothing', async () => {
    for (const at of ['2026-02-30', '01/02/2026', 20260201]) {
      const res = await call('/billing-runs', keys.admin, { at });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'at' })]);
    }
    expect(await driver.drain()).toBe(0);
  });

  it("hides another org's run (404) and needs admin or finance to start one", async () => {
    const started = await call('/billing-runs', keys.admin, { at: '2026-03-01' });
    expect(started.status).toBe(202);
    expect((await call(`/billing-runs/${started.body.id}`, keys.other)).status).toBe(404);
    expect((await call('/billing-runs', keys.viewer, {})).status).toBe(403);
    await driver.drain();
    const done = await call(`/billing-runs/${started.body.id}`, keys.admin);
    expect(done.body.progress.invoices_created).toBe(2); // March: monthly advance + February usage
  });
});
