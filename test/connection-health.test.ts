/**
 * Connection health: credentials that stop working (Salesforce session expired and refresh token
 * revoked) mark the connection unhealthy and pause its jobs instead of killing them; a reconnect
 * with new credentials resumes them. Verdicts come from the simulated vendors and the database.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_EXPIRED } from '../adapters/salesforce/errors.js';
import { loadConnectionMaterial } from '../src/db/repos/connections.js';
import { auditLog, connections, jobs } from '../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../src/db/secrets.js';
import { addApiKey, createOrgWithKey } from '../src/db/seed.js';
import { createHub } from '../src/hub.js';
import { SANDBOX_AVALARA_COMPANY, SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function vendorCounts(x: Harness) {
  const realm = SANDBOX_QBO.realmId;
  return {
    avalara: x.sims.avalara.state.count(SANDBOX_AVALARA_COMPANY),
    stripePayments: x.sims.stripe.state.paymentIntents.size,
    qboInvoices: x.sims.quickbooks.state.count(realm, 'Invoice'),
    qboPayments: x.sims.quickbooks.state.count(realm, 'Payment'),
  };
}
const ONE_OF_EACH = { avalara: 1, stripePayments: 1, qboInvoices: 1, qboPayments: 1 };

interface ConnectionBody {
  id: string;
  vendor: string;
  status: string;
  statusReason: string | null;
  statusChangedAt: string | null;
}

async function connectionOf(x: Harness, vendor: string, key?: string): Promise<ConnectionBody> {
  const res = await x.api('/api/v1/connections', key ? { key } : {});
  expect(res.status).toBe(200);
  const body = (await readJson(res)) as { connections: ConnectionBody[] };
  return body.connections.find((c) => c.vendor === vendor)!;
}

const put = (x: Harness, vendor: string, body: unknown, key?: string) =>
  x.api(`/api/v1/connections/${vendor}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(key ? { key } : {}),
  });

/** Breaks Salesforce for good (the session ends and the refresh token is revoked), then starts a deal. */
async function startDealWithDeadCredentials(x: Harness) {
  const seeded = x.sims.salesforce.seedClosedWonOpportunity();
  x.sims.salesforce.expireAccessToken();
  x.sims.salesforce.revokeRefreshToken();
  expect((await x.deliverOutboundMessage(x.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(200);
  await x.settle();
  return seeded.opportunityId;
}

/** Credentials the simulator accepts again, as a person reconnecting would obtain them. */
function freshSalesforceSecrets(x: Harness) {
  const sf = x.sims.salesforce;
  const accessToken = `${sf.state.organizationId.slice(0, 15)}!SIM.access.reconnected`;
  const refreshToken = '5Aep861SIM.refresh.reconnected';
  sf.state.accessTokens.add(accessToken);
  sf.state.refreshTokens.add(refreshToken);
  return { ...sf.credentials, accessToken, refreshToken };
}

describe('a connection whose credentials stop working', () => {
  it('is marked unhealthy and pauses its job, which resumes and completes after a reconnect', async () => {
    h = await startHarness();
    const opportunityId = await startDealWithDeadCredentials(h);

    const unhealthy = await connectionOf(h, 'salesforce');
    expect(unhealthy.status).toBe('unhealthy');
    expect(unhealthy.statusReason).toBe(SESSION_EXPIRED);
    expect(unhealthy.statusChangedAt).toBe(h.clock.now().toISOString());
    expect((await connectionOf(h, 'stripe')).status).toBe('healthy');

    // The job waits, queued, with its attempt given back: no amount of time sends it to the dead letters.
    const [job] = await h.db.select().from(jobs).where(eq(jobs.orgId, h.orgId));
    expect(job).toMatchObject({ state: 'queued', attempts: 0, connectionKey: 'salesforce' });
    expect(job!.lastError).toContain(SESSION_EXPIRED);
    for (let i = 0; i < 5; i++) {
      h.clock.advance(24 * 60 * 60_000);
      expect(await h.driver.drain()).toBe(0);
    }
    const listed = (await readJson(await h.api('/api/v1/jobs'))).jobs as Record<string, unknown>[];
    expect(listed).toEqual([
      expect.objectContaining({ id: job!.id, state: 'queued', paused: true, pausedReason: SESSION_EXPIRED }),
    ]);
    expect((await readJson(await h.api('/api/v1/jobs?state=dead'))).jobs).toEqual([]);
    expect(vendorCounts(h)).toEqual({ avalara: 0, stripePayments: 0, qboInvoices: 0, qboPayments: 0 });

    // Reconnect with credentials Salesforce accepts again.
    const res = await put(h, 'salesforce', { secrets: freshSalesforceSecrets(h) });
    expect(res.status).toBe(200);
    const reconnected = (await readJson(res)) as ConnectionBody;
    expect(reconnected).toMatchObject({ vendor: 'salesforce', status: 'healthy', statusReason: null });
    expect(await connectionOf(h, 'salesforce')).toMatchObject({ status: 'healthy', statusReason: null });
    const [audit] = await h.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, h.orgId), eq(auditLog.action, 'connection.reconnected')));
    expect(audit!.subject).toBe(reconnected.id);
    expect(audit!.detail).not.toContain('reconnected!'); // names the keys, never the values
    expect(audit!.detail).not.toContain('SIM.access');

    await h.settle();
    h.clock.advance(60_000); // the payment posting waits for the invoice to reach QuickBooks
    await h.settle();
    expect(vendorCounts(h)).toEqual(ONE_OF_EACH);
    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.jobs.length).toBeGreaterThan(1);
    expect(trace.jobs.every((j: { state: string }) => j.state === 'succeeded')).toBe(true);
  });

  it('a reconnect made by another process or isolate reaches this one too (no stale credentials)', async () => {
    h = await startHarness();
    // This hub has built (and cached) the org's adapters with the first credentials.
    const first = await h.hub.context.adaptersFor(h.orgId);
    expect(first.ok).toBe(true);
    expect((await h.hub.context.adaptersFor(h.orgId)).ok && first.ok).toBe(true);
    // The credentials die; a second hub on the same database (another Workers isolate, another
    // Node process) takes the reconnect. Its invalidateAdapters cannot reach this hub's cache.
    h.sims.salesforce.expireAccessToken();
    h.sims.salesforce.revokeRefreshToken();
    const other = createHub({ db: h.db, clock: h.clock, encryptionKey: h.encryptionKey, mode: 'sandbox' });
    const res = await other.app.request('/api/v1/connections/salesforce', {
      method: 'PUT',
      headers: { authorization: `Bearer ${h.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ secrets: freshSalesforceSecrets(h) }),
    });
    expect(res.status).toBe(200);

    // A deal run by this hub uses the new credentials: it goes to cash, and the connection is
    // not marked unhealthy again by a stale adapter.
    const seeded = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId));
    await h.settle();
    h.clock.advance(60_000);
    await h.settle();
    expect(await connectionOf(h, 'salesforce')).toMatchObject({ status: 'healthy', statusReason: null });
    expect(vendorCounts(h)).toEqual(ONE_OF_EACH);
    // Unchanged connections keep the built adapters.
    const again = await h.hub.context.adaptersFor(h.orgId);
    const once = await h.hub.context.adaptersFor(h.orgId);
    expect(again.ok && once.ok && again.value === once.value).toBe(true);
  });

  it("leaves another org's connection healthy", async () => {
    h = await startHarness();
    const other = await createOrgWithKey(h.db, h.clock, await importEncryptionKey(generateEncryptionKey()), {
      name: 'Other',
      // Same simulators, but not the same vendor accounts: an account belongs to one org.
      connections: h.sims.connections.map(({ externalAccountId: _taken, ...rest }) => rest),
    });
    await startDealWithDeadCredentials(h);
    expect((await connectionOf(h, 'salesforce')).status).toBe('unhealthy');
    expect(await connectionOf(h, 'salesforce', other.apiKey)).toMatchObject({ status: 'healthy', statusReason: null });
    // Org B cannot see org A's jobs, let alone resume them by reconnecting its own connection.
    expect((await readJson(await h.api('/api/v1/jobs', { key: other.apiKey }))).jobs).toEqual([]);
  });
});

describe('PUT /api/v1/connections/{vendor}', () => {
  it('is for admins only: a viewer gets 403 and nothing changes', async () => {
    h = await startHarness();
    await startDealWithDeadCredentials(h);
    const viewer = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    const res = await put(h, 'salesforce', { secrets: freshSalesforceSecrets(h) }, viewer);
    expect(res.status).toBe(403);
    expect((await connectionOf(h, 'salesforce')).status).toBe('unhealthy');
    // The viewer may still read the connections and their health.
    expect((await connectionOf(h, 'salesforce', viewer)).statusReason).toBe(SESSION_EXPIRED);
  });

  it('answers a bad body or vendor with a 400 naming the field, and changes nothing', async () => {
    h = await startHarness();
    await startDealWithDeadCredentials(h);
    const [before] = await h.db
      .select()
      .from(connections)
      .where(and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'salesforce')));

    const cases: [string, unknown, string][] = [
      ['salesforce', {}, 'secrets'],
      ['salesforce', { secrets: { accessToken: 42 } }, 'secrets.accessToken'],
      ['salesforce', { secrets: { refreshToken: 'x' } }, 'secrets.accessToken'],
      ['salesforce', { secrets: { accessToken: 'x' }, config: 'nope' }, 'config'],
      // An unknown field is named itself.
      ['salesforce', { secrets: { accessToken: 'x' }, extra: true }, 'extra'],
      [
        'salesforce',
        { secrets: { accessToken: 'x' }, config: { sessionTimeoutMinutes: '5' } },
        'config.sessionTimeoutMinutes',
      ],
      [
        'salesforce',
        { secrets: { accessToken: 'x' }, config: { sessionTimeoutMinutes: '2h' } },
        'config.sessionTimeoutMinutes',
      ],
      ['sap', { secrets: { accessToken: 'x' } }, 'vendor'],
    ];
    for (const [vendor, body, field] of cases) {
      const res = await put(h, vendor, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = await readJson(res);
      expect(
        problem.errors.map((e: { field: string }) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    const malformed = await put(h, 'salesforce', '{"secrets":');
    expect(malformed.status).toBe(400);
    expect((await readJson(malformed)).errors).toEqual([{ field: '(body)', message: 'must be a JSON object' }]);

    const [after] = await h.db
      .select()
      .from(connections)
      .where(and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'salesforce')));
    expect(after).toEqual(before);
    expect(after!.status).toBe('unhealthy');
    expect(await h.db.select().from(auditLog).where(eq(auditLog.action, 'connection.reconnected'))).toEqual([]);
  });

  it('merges config, replaces the sealed secrets, and 404s for a vendor the org has not connected', async () => {
    h = await startHarness();
    const bare = await createOrgWithKey(h.db, h.clock, await importEncryptionKey(generateEncryptionKey()), {
      name: 'Bare',
      connections: [],
    });
    expect((await put(h, 'hubspot', { secrets: { accessToken: 'x' } }, bare.apiKey)).status).toBe(404);

    const res = await put(h, 'hubspot', { config: { triggerStageIds: 'won' }, secrets: { accessToken: 'pat-new' } });
    expect(res.status).toBe(200);
    const [row] = await h.db
      .select()
      .from(connections)
      .where(and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'hubspot')));
    expect(row!.secretsEnc).not.toContain('pat-new');
    expect(JSON.parse(row!.config)).toMatchObject({ triggerStageIds: 'won', baseUrl: h.sims.servers.hubspot!.url });
    const material = await loadConnectionMaterial(h.db, h.hub.context.encryptionKey, h.orgId);
    expect(material.find((m) => m.vendor === 'hubspot')!.secrets).toEqual({ accessToken: 'pat-new' });
  });
});
