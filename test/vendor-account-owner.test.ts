/**
 * One owner per vendor account, hosts from an allow-list, and authenticated, bounded, quiet
 * webhook routes. Verdicts come from the database, the simulators' request logs and the answers.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { disallowedUrlReason } from '../adapters/hosts.js';
import { buildOutboundMessage } from '../adapters/salesforce/webhooks.js';
import { connections, jobs, webhookInbox } from '../src/db/schema.js';
import { createOrgWithKey, VendorAccountTakenError } from '../src/db/seed.js';
import { configureConnection, type Harness, readJson, startHarness } from './support/harness.js';
import { pemOf, rsaKeyPair } from './support/rsa.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const xmlHeaders = { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' };
const postXml = (x: Harness, path: string, body: string) =>
  x.hub.app.request(path, { method: 'POST', headers: xmlHeaders, body });
const postJson = (x: Harness, path: string, body: unknown, key?: string) =>
  x.api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(key ? { key } : {}),
  });

async function salesforceConnection(x: Harness) {
  const [row] = await x.db
    .select()
    .from(connections)
    .where(and(eq(connections.orgId, x.orgId), eq(connections.vendor, 'salesforce')));
  return row!;
}

async function otherOrg(x: Harness) {
  return createOrgWithKey(x.db, x.clock, x.encryptionKey, { name: 'Other', connections: [] });
}

const jobCount = async (x: Harness) => (await x.db.select({ id: jobs.id }).from(jobs)).length;

describe('one owner per vendor account', () => {
  it('answers 409 when another org connects a Salesforce org this org holds, and changes nothing', async () => {
    h = await startHarness();
    const b = await otherOrg(h);
    const pair = await rsaKeyPair();
    const clientId = '3MVG9SIM.jwt.app';
    h.sims.salesforce.registerJwtPublicKey(clientId, await crypto.subtle.exportKey('spki', pair.publicKey));
    const loginUrl = h.sims.servers.salesforce!.url;
    const res = await postJson(
      h,
      '/api/v1/connections/salesforce/jwt',
      { clientId, username: 'b@other.example', privateKeyPem: await pemOf(pair.privateKey), loginUrl },
      b.apiKey,
    );
    expect(res.status).toBe(409);
    expect((await readJson(res)).detail).toContain(h.sims.salesforce.state.organizationId);
    const rows = await h.db.select().from(connections).where(eq(connections.vendor, 'salesforce'));
    expect(rows.map((r) => r.orgId)).toEqual([h.orgId]);
    // Org A's messages still reach org A.
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId))).status).toBe(200);
    const [job] = await h.db.select().from(jobs).where(eq(jobs.orgId, h.orgId));
    expect(job).toBeDefined();
  });

  it('answers 409 when a reconnect names a HubSpot portal another org holds', async () => {
    h = await startHarness();
    const put = (key: string | undefined, portalId: string) =>
      h!.api('/api/v1/connections/hubspot', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ config: { portalId }, secrets: { accessToken: 'pat-1', clientSecret: 's' } }),
        ...(key ? { key } : {}),
      });
    expect((await put(undefined, '4242')).status).toBe(200);
    const b = await createOrgWithKey(h.db, h.clock, h.encryptionKey, {
      name: 'Other',
      connections: h.sims.connections
        .filter((c) => c.vendor === 'hubspot')
        .map(({ externalAccountId: _none, ...rest }) => rest),
    });
    const res = await put(b.apiKey, '4242');
    expect(res.status).toBe(409);
    expect((await readJson(res)).errors[0].field).toBe('config.portalId');
    const owners = await h.db.select().from(connections).where(eq(connections.externalAccountId, '4242'));
    expect(owners.map((r) => r.orgId)).toEqual([h.orgId]);
  });

  it('refuses to seed an org with a vendor account another org holds (the database enforces it too)', async () => {
    h = await startHarness();
    const salesforce = h.sims.connections.find((c) => c.vendor === 'salesforce')!;
    await expect(
      createOrgWithKey(h.db, h.clock, h.encryptionKey, { name: 'Copycat', connections: [salesforce] }),
    ).rejects.toBeInstanceOf(VendorAccountTakenError);
    const row = await salesforceConnection(h);
    const copy = async () =>
      h!.db
        .insert(connections)
        .values({ ...row, id: 'con_copy', orgId: 'org_copy' })
        .run();
    await expect(copy()).rejects.toThrow(/UNIQUE/);
  });
});

describe('hosts from an allow-list, never from the request', () => {
  it('refuses a JWT login URL outside the allow-list before calling it', async () => {
    h = await startHarness();
    const mark = h.sims.salesforce.faults.seen.length;
    const res = await postJson(h, '/api/v1/connections/salesforce/jwt', {
      clientId: 'x',
      username: 'u@x.example',
      privateKeyPem: 'x',
      loginUrl: 'https://attacker.example',
    });
    expect(res.status).toBe(400);
    expect((await readJson(res)).errors[0].field).toBe('loginUrl');
    expect(h.sims.salesforce.faults.seen.length).toBe(mark);
  });

  it('refuses a reconnect whose config names another host, naming the field, and keeps the old config', async () => {
    h = await startHarness();
    const before = await h.db.select().from(connections).where(eq(connections.orgId, h.orgId));
    const res = await h.api('/api/v1/connections/stripe', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        config: { baseUrl: 'https://api.stripe.com' },
        secrets: { apiKey: 'k', webhookSecret: 'w' },
      }),
    });
    // In sandbox mode even the vendor's real host is refused: only the simulators may be named.
    expect(res.status).toBe(400);
    expect((await readJson(res)).errors[0].field).toBe('config.baseUrl');
    expect(await h.db.select().from(connections).where(eq(connections.orgId, h.orgId))).toEqual(before);
  });

  it('live mode allows the hosts each vendor documents, https only', () => {
    expect(disallowedUrlReason('salesforce', 'https://login.salesforce.com', 'live')).toBeUndefined();
    expect(disallowedUrlReason('salesforce', 'https://acme--uat.sandbox.my.salesforce.com', 'live')).toBeUndefined();
    expect(disallowedUrlReason('quickbooks', 'https://sandbox-quickbooks.api.intuit.com', 'live')).toBeUndefined();
    expect(disallowedUrlReason('salesforce', 'https://salesforce.com.attacker.example', 'live')).toMatch(
      /not a salesforce host/,
    );
    expect(disallowedUrlReason('stripe', 'http://api.stripe.com', 'live')).toMatch(/https/);
    expect(disallowedUrlReason('stripe', 'http://127.0.0.1:9', 'live')).toBeDefined();
    expect(disallowedUrlReason('stripe', 'https://user:pw@api.stripe.com', 'live')).toMatch(/credentials/);
    expect(disallowedUrlReason('stripe', 'http://127.0.0.1:9', 'sandbox')).toBeUndefined();
    expect(disallowedUrlReason('hubspot', 'http://10.0.0.5', 'sandbox')).toMatch(/simulators/);
  });

  it('builds no adapters from a stored config naming a host outside the allow-list', async () => {
    h = await startHarness();
    await configureConnection(h, 'quickbooks', 'baseUrl', 'https://attacker.example');
    const built = await h.hub.context.adaptersFor(h.orgId);
    expect(built.ok).toBe(false);
    expect(!built.ok && built.reason).toContain('config.baseUrl');
  });
});

describe('Salesforce Outbound Messages: a secret URL per connection', () => {
  it('accepts the connection URL, and answers one 401 for a wrong token, an unknown connection and a foreign org', async () => {
    h = await startHarness();
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const message = h.sims.salesforce.outboundMessageFor(opportunityId);
    const row = await salesforceConnection(h);
    const wrongToken = await postXml(h, `/webhooks/salesforce/${row.id}/${'0'.repeat(64)}`, message);
    const unknown = await postXml(h, `/webhooks/salesforce/con_nope/${'0'.repeat(64)}`, message);
    const foreign = buildOutboundMessage({
      organizationId: '00D000000000001AAA',
      notifications: [{ id: '04l000000000001AAA', fields: { Id: opportunityId, IsWon: true } }],
    });
    const wrongOrg = await postXml(h, h.salesforceOutboundPath, foreign);
    const bodies = await Promise.all([wrongToken, unknown, wrongOrg].map((r) => r.text()));
    expect([wrongToken.status, unknown.status, wrongOrg.status]).toEqual([401, 401, 401]);
    expect(new Set(bodies).size).toBe(1);
    expect(await jobCount(h)).toBe(0);
    expect((await postXml(h, h.salesforceOutboundPath, message)).status).toBe(200);
    expect(await jobCount(h)).toBe(1);
  });

  it('rotating the URL stops the old one at once', async () => {
    h = await startHarness();
    const rotated = await postJson(h, '/api/v1/connections/salesforce/outbound-message-url', {});
    expect(rotated.status).toBe(200);
    const { outbound_message_url: url } = await readJson(rotated);
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const message = h.sims.salesforce.outboundMessageFor(opportunityId);
    expect((await postXml(h, h.salesforceOutboundPath, message)).status).toBe(401);
    expect((await postXml(h, new URL(url).pathname, message)).status).toBe(200);
    const row = await salesforceConnection(h);
    expect(row.inboundTokenHash).not.toContain(new URL(url).pathname.split('/').pop());
  });

  it('the org-id-only route answers 401 (unknown org alike) unless the connection opts in, shown as a warning', async () => {
    h = await startHarness();
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const message = h.sims.salesforce.outboundMessageFor(opportunityId);
    const off = await postXml(h, '/webhooks/salesforce', message);
    const unknownOrg = await postXml(
      h,
      '/webhooks/salesforce',
      message.replace(h.sims.salesforce.state.organizationId, '00D000000000009AAA'),
    );
    expect([off.status, unknownOrg.status]).toEqual([401, 401]);
    expect(await off.text()).toBe(await unknownOrg.text());
    expect(await jobCount(h)).toBe(0);

    await configureConnection(h, 'salesforce', 'orgIdRoute', 'enabled');
    expect((await postXml(h, '/webhooks/salesforce', message)).status).toBe(200);
    expect(await jobCount(h)).toBe(1);
    const health = (await readJson(await h.api('/api/v1/connections'))).connections as {
      vendor: string;
      warnings: string[];
    }[];
    expect(health.find((c) => c.vendor === 'salesforce')!.warnings.join(' ')).toContain('orgIdRoute=enabled');
  });

  it('refuses a message of more than 100 notifications, storing nothing', async () => {
    h = await startHarness();
    const notifications = Array.from({ length: 101 }, (_, i) => ({
      id: `04l00000000${String(i).padStart(4, '0')}AAA`,
      fields: { Id: `006000000000${String(i).padStart(3, '0')}AAA`, IsWon: true },
    }));
    const xml = buildOutboundMessage({ organizationId: h.sims.salesforce.state.organizationId, notifications });
    const res = await postXml(h, h.salesforceOutboundPath, xml);
    expect(res.status).toBe(400);
    expect((await readJson(res)).detail).toContain('at most 100');
    expect(await h.db.select().from(webhookInbox)).toEqual([]);
  });

  it('refuses a body over 1 MB with 413 before reading it', async () => {
    h = await startHarness();
    const huge = `<x>${'a'.repeat(1024 * 1024)}</x>`;
    const res = await postXml(h, h.salesforceOutboundPath, huge);
    expect(res.status).toBe(413);
    expect(await h.db.select().from(webhookInbox)).toEqual([]);
  });

  it('limits the rate per connection with 429 and Retry-After, then lets the next window in', async () => {
    h = await startHarness();
    const bad = `/webhooks/salesforce/${(await salesforceConnection(h)).id}/wrong`;
    const statuses: number[] = [];
    for (let i = 0; i < 301; i++) statuses.push((await postXml(h, bad, '<x/>')).status);
    expect(statuses.slice(0, 300).every((s) => s === 401)).toBe(true);
    const limited = await postXml(h, bad, '<x/>');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    h.clock.advance(60_000);
    expect((await postXml(h, bad, '<x/>')).status).toBe(401);
  });
});

describe('a connection missing its inbound secret', () => {
  it('answers 401 on the CDC route (not 503) and shows the missing eventSecret on its health', async () => {
    h = await startHarness();
    const row = await salesforceConnection(h);
    const res = await h.hub.app.request(`/webhooks/salesforce/events/${row.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    const unknown = await h.hub.app.request('/webhooks/salesforce/events/con_nope', { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toBe(await res.text());
    const health = (await readJson(await h.api('/api/v1/connections'))).connections as {
      vendor: string;
      warnings: string[];
    }[];
    expect(health.find((c) => c.vendor === 'salesforce')!.warnings.join(' ')).toContain('no eventSecret');
  });

  it('answers an unknown Stripe or HubSpot endpoint like a bad signature', async () => {
    h = await startHarness();
    const unknownStripe = await h.hub.app.request('/webhooks/stripe/con_nope', { method: 'POST', body: '{}' });
    const forgedStripe = await h.hub.app.request(`/webhooks/stripe/${h.stripeConnectionId}`, {
      method: 'POST',
      headers: { 'stripe-signature': 't=1,v1=00' },
      body: '{}',
    });
    const unknownHubSpot = await h.hub.app.request('/webhooks/hubspot/con_nope', { method: 'POST', body: '[]' });
    expect([unknownStripe.status, forgedStripe.status, unknownHubSpot.status]).toEqual([401, 401, 401]);
    expect(await unknownStripe.text()).toBe(await forgedStripe.text());
  });
});
