/**
 * Connecting Salesforce with OAuth (web-server flow and JWT bearer), storing and refreshing tokens,
 * and HubSpot OAuth refresh, against the simulators. Verdicts come from the simulated vendors and
 * the database.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createHubSpotAdapter } from '../adapters/hubspot/index.js';
import { needsReconnect } from '../adapters/registry.js';
import { loadConnectionMaterial } from '../src/db/repos/connections.js';
import { auditLog, connections } from '../src/db/schema.js';
import { type Harness, readJson, startHarness } from './support/harness.js';
import { pemOf, rsaKeyPair } from './support/rsa.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function salesforceRow(x: Harness) {
  const [row] = await x.db
    .select()
    .from(connections)
    .where(and(eq(connections.orgId, x.orgId), eq(connections.vendor, 'salesforce')));
  return row!;
}

async function salesforceSecrets(x: Harness) {
  const material = await loadConnectionMaterial(x.db, x.hub.context.encryptionKey, x.orgId);
  return material.find((m) => m.vendor === 'salesforce')!;
}

const post = (x: Harness, path: string, body: unknown) =>
  x.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The web-server flow up to Salesforce's redirect: the callback path with code and state. */
async function approve(x: Harness): Promise<{ callback: URL; state: string }> {
  const res = await post(x, '/api/v1/connections/salesforce/oauth/start', {});
  expect(res.status).toBe(200);
  const { authorizeUrl } = (await readJson(res)) as { authorizeUrl: string };
  const authorize = new URL(authorizeUrl);
  expect(authorize.pathname).toBe('/services/oauth2/authorize');
  expect(authorize.searchParams.get('response_type')).toBe('code');
  expect(authorize.searchParams.get('client_id')).toBe(x.sims.salesforce.credentials.clientId);
  // The user approves at the (simulated) Salesforce login page, which redirects with a code.
  const redirect = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const callback = new URL(redirect.headers.get('location')!);
  return { callback, state: callback.searchParams.get('state')! };
}

const callback = (x: Harness, query: string) => x.hub.app.request(`/oauth/salesforce/callback?${query}`);

/** Forgets the seeded credentials at the simulator, so only newly obtained ones work. */
function revokeSeededCredentials(x: Harness) {
  const sf = x.sims.salesforce;
  sf.state.accessTokens.delete(sf.credentials.accessToken);
  sf.state.refreshTokens.delete(sf.credentials.refreshToken);
}

async function syncDeal(x: Harness) {
  const seeded = x.sims.salesforce.seedClosedWonOpportunity();
  expect((await x.deliverOutboundMessage(x.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(200);
  await x.settle();
  const trace = await readJson(await x.api(`/api/v1/deals/salesforce/${seeded.opportunityId}/trace`));
  return trace.contracts as unknown[];
}

describe('Salesforce web-server flow', () => {
  it('start → callback stores encrypted tokens on a healthy connection, and a deal syncs with them', async () => {
    h = await startHarness();
    const { callback: back } = await approve(h);
    expect(back.pathname).toBe('/oauth/salesforce/callback');
    const res = await callback(h, back.searchParams.toString());
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Salesforce connected');

    const row = await salesforceRow(h);
    expect(row.status).toBe('healthy');
    expect(row.externalAccountId).toBe(h.sims.salesforce.state.organizationId);
    const { secrets, config } = await salesforceSecrets(h);
    expect(secrets.accessToken).not.toBe(h.sims.salesforce.credentials.accessToken);
    expect(h.sims.salesforce.state.accessTokens.has(secrets.accessToken!)).toBe(true);
    expect(secrets.refreshToken).toMatch(/code/);
    expect(row.secretsEnc).not.toContain(secrets.accessToken!);
    expect(row.secretsEnc).not.toContain(secrets.refreshToken!);
    expect(config.instanceUrl).toBeTruthy();
    // The token's issue time (the simulator's issued_at, on the harness clock) is stored with it.
    expect(secrets.accessTokenIssuedAt).toBe(h.clock.now().toISOString());
    const audits = await h.db.select().from(auditLog).where(eq(auditLog.action, 'connection.oauth_connected'));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.detail).not.toContain(secrets.accessToken!);

    revokeSeededCredentials(h);
    expect(await syncDeal(h)).toHaveLength(1);
  });

  it('refuses a tampered, expired or malformed state (400) and stores nothing', async () => {
    h = await startHarness();
    const before = await salesforceRow(h);
    const { callback: back, state } = await approve(h);
    const code = back.searchParams.get('code')!;
    const [body, mac] = state.split('.');
    const flipped = `${mac!.slice(0, -2)}${mac!.endsWith('AA') ? 'BB' : 'AA'}`;
    const forgedBody = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), orgId: 'org_other' }),
    ).toString('base64url');
    for (const bad of [`${body}.${flipped}`, `${forgedBody}.${mac}`, 'garbage', '']) {
      const res = await callback(h, new URLSearchParams({ code, state: bad }).toString());
      expect(res.status).toBe(400);
    }
    h.clock.advance(11 * 60_000);
    const expired = await callback(h, back.searchParams.toString());
    expect(expired.status).toBe(400);
    expect((await readJson(expired)).detail).toMatch(/expired/);

    const after = await salesforceRow(h);
    expect(after.secretsEnc).toBe(before.secretsEnc);
    expect(await h.db.select().from(auditLog).where(eq(auditLog.action, 'connection.oauth_connected'))).toHaveLength(0);
  });

  it('start is admin-only and needs an API key', async () => {
    h = await startHarness();
    const res = await h.hub.app.request('/api/v1/connections/salesforce/oauth/start', { method: 'POST' });
    expect(res.status).toBe(401);
  });
});

describe('Salesforce JWT bearer flow', () => {
  it('stores the token and the private key encrypted, and mints a new token when the session ends', async () => {
    h = await startHarness();
    const pair = await rsaKeyPair();
    const clientId = '3MVG9SIM.jwt.app';
    h.sims.salesforce.registerJwtPublicKey(clientId, await crypto.subtle.exportKey('spki', pair.publicKey));
    const privateKeyPem = await pemOf(pair.privateKey);
    const loginUrl = (await salesforceSecrets(h)).config.loginUrl!;
    const res = await post(h, '/api/v1/connections/salesforce/jwt', {
      clientId,
      username: 'integration@acme.example',
      privateKeyPem,
      loginUrl,
    });
    expect(res.status).toBe(200);
    const row = await salesforceRow(h);
    expect(row.status).toBe('healthy');
    const { secrets } = await salesforceSecrets(h);
    expect(secrets).toMatchObject({ clientId, username: 'integration@acme.example', privateKeyPem });
    expect(secrets.accessTokenIssuedAt).toBe(h.clock.now().toISOString());
    expect(row.secretsEnc).not.toContain('PRIVATE KEY');
    expect(row.secretsEnc).not.toContain(secrets.accessToken!);

    // The session ends: the adapter signs a new JWT itself, and the new token is stored.
    h.sims.salesforce.expireAccessToken();
    expect(await syncDeal(h)).toHaveLength(1);
    await h.hub.settleBackgroundWrites();
    const renewed = (await salesforceSecrets(h)).secrets.accessToken!;
    expect(renewed).not.toBe(secrets.accessToken);
    expect(h.sims.salesforce.state.accessTokens.has(renewed)).toBe(true);

    // Near the end of the session (default 2 hours) a new JWT is minted before the call, and stored.
    h.clock.advance(117 * 60_000);
    const mark = h.sims.salesforce.faults.seen.length;
    expect(await syncDeal(h)).toHaveLength(1);
    await h.hub.settleBackgroundWrites();
    const seen = h.sims.salesforce.faults.seen.slice(mark).map((r) => r.path);
    expect(seen.indexOf('/services/oauth2/token')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('/services/oauth2/token')).toBeLessThan(seen.findIndex((p) => p.endsWith('/query')));
    const reminted = (await salesforceSecrets(h)).secrets;
    expect(reminted.accessToken).not.toBe(renewed);
    expect(reminted.accessTokenIssuedAt).toBe(h.clock.now().toISOString());
  });

  it('a JWT signed with the wrong key is refused with a readable reason, and nothing is stored', async () => {
    h = await startHarness();
    const registered = await rsaKeyPair();
    const other = await rsaKeyPair();
    const clientId = '3MVG9SIM.jwt.app';
    h.sims.salesforce.registerJwtPublicKey(clientId, await crypto.subtle.exportKey('spki', registered.publicKey));
    const before = await salesforceRow(h);
    const loginUrl = (await salesforceSecrets(h)).config.loginUrl!;
    const res = await post(h, '/api/v1/connections/salesforce/jwt', {
      clientId,
      username: 'integration@acme.example',
      privateKeyPem: await pemOf(other.privateKey),
      loginUrl,
    });
    expect(res.status).toBe(400);
    expect((await readJson(res)).detail).toMatch(/invalid_grant.*invalid assertion/);
    const garbage = await post(h, '/api/v1/connections/salesforce/jwt', {
      clientId,
      username: 'u',
      privateKeyPem: 'not a key',
      loginUrl,
    });
    expect(garbage.status).toBe(400);
    expect((await readJson(garbage)).errors[0].field).toBe('privateKeyPem');
    expect((await salesforceRow(h)).secretsEnc).toBe(before.secretsEnc);
  });
});

describe('token refresh is persisted', () => {
  it('Salesforce: a refreshed access token is stored (encrypted) on the connection', async () => {
    h = await startHarness();
    const before = (await salesforceSecrets(h)).secrets.accessToken;
    h.sims.salesforce.expireAccessToken();
    expect(await syncDeal(h)).toHaveLength(1);
    await h.hub.settleBackgroundWrites();
    expect(h.sims.salesforce.state.refreshes).toBe(1);
    const after = (await salesforceSecrets(h)).secrets.accessToken!;
    expect(after).not.toBe(before);
    expect(h.sims.salesforce.state.accessTokens.has(after)).toBe(true);
    expect((await salesforceRow(h)).secretsEnc).not.toContain(after);
    expect((await salesforceSecrets(h)).secrets.accessTokenIssuedAt).toBe(h.clock.now().toISOString());
  });

  it('Salesforce: a token near the end of its session is refreshed before the call, and stored with its issue time', async () => {
    h = await startHarness();
    const { callback: back } = await approve(h);
    expect((await callback(h, back.searchParams.toString())).status).toBe(200);
    revokeSeededCredentials(h);
    const connected = (await salesforceSecrets(h)).secrets;
    expect(connected.accessTokenIssuedAt).toBe(h.clock.now().toISOString());

    // 1 h 56 min into a 2-hour session: the refresh comes first, so Salesforce never answers 401.
    h.clock.advance(116 * 60_000);
    const sf = h.sims.salesforce;
    const mark = sf.faults.seen.length;
    expect(await syncDeal(h)).toHaveLength(1);
    await h.hub.settleBackgroundWrites();
    expect(sf.state.refreshes).toBe(1);
    const seen = sf.faults.seen.slice(mark).map((r) => r.path);
    const firstQuery = seen.findIndex((p) => p.endsWith('/query'));
    expect(seen.indexOf('/services/oauth2/token')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('/services/oauth2/token')).toBeLessThan(firstQuery);
    const refreshed = (await salesforceSecrets(h)).secrets;
    expect(refreshed.accessToken).not.toBe(connected.accessToken);
    expect(sf.state.accessTokens.has(refreshed.accessToken!)).toBe(true);
    expect(refreshed.accessTokenIssuedAt).toBe(h.clock.now().toISOString());
    expect(refreshed.refreshToken).toBe(connected.refreshToken);
    expect((await salesforceRow(h)).status).toBe('healthy');
  });

  it('HubSpot: an OAuth connection refreshes through /oauth/v3/token before the token expires', async () => {
    h = await startHarness();
    const hs = h.sims.hubspot;
    const baseUrl = h.sims.connections.find((c) => c.vendor === 'hubspot')!.config.baseUrl!;
    const stored: Record<string, string>[] = [];
    const adapter = createHubSpotAdapter({
      accessToken: 'expired-oauth-token',
      baseUrl,
      now: () => h!.clock.now(),
      oauth: {
        refreshToken: 'sim-oauth-refresh-token',
        clientId: hs.state.oauth.clientId,
        clientSecret: hs.state.clientSecret,
      },
      onTokenRefresh: (secrets) => stored.push(secrets),
    });
    const { dealId } = hs.seedClosedWonDeal();
    expect((await adapter.fetchDeal(dealId)).ok).toBe(true);
    expect(hs.state.refreshes).toBe(1);
    expect(stored[0]).toMatchObject({ accessToken: 'sim-oauth-access-1', refreshToken: 'sim-oauth-refresh-token' });

    // Within the token's life: no refresh. 26 minutes later (inside the 5-minute margin): refresh.
    h.clock.advance(20 * 60_000);
    expect((await adapter.fetchDeal(dealId)).ok).toBe(true);
    expect(hs.state.refreshes).toBe(1);
    h.clock.advance(6 * 60_000);
    expect((await adapter.fetchDeal(dealId)).ok).toBe(true);
    expect(hs.state.refreshes).toBe(2);

    // A refresh token HubSpot no longer knows needs a reconnect.
    hs.state.oauth.refreshTokens.clear();
    h.clock.advance(31 * 60_000);
    const failed = await adapter.fetchDeal(dealId);
    expect(failed.ok).toBe(false);
    expect(failed.ok ? undefined : needsReconnect(failed)?.vendor).toBe('hubspot');
  });

  it('HubSpot: private-app tokens are used as they are, with no refresh', async () => {
    h = await startHarness();
    const { dealId } = h.sims.hubspot.seedClosedWonDeal();
    const material = h.sims.connections.find((c) => c.vendor === 'hubspot')!;
    const adapter = createHubSpotAdapter({
      accessToken: material.secrets.accessToken!,
      baseUrl: material.config.baseUrl,
    });
    expect((await adapter.fetchDeal(dealId)).ok).toBe(true);
    expect(h.sims.hubspot.state.refreshes).toBe(0);
  });
});
