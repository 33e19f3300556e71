/**
 * The console's server-side guards over HTTP (no browser): sign-in by key and by invitation, a forged,
 * expired or revoked session refused, CSRF on every state-changing request, roles on every action.
 * The browser tests (console.browser.test.ts) drive the same pages through Chromium.
 */
import { eq, sql } from 'drizzle-orm';
import { sign } from 'hono/jwt';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMappings } from '../mappings/index.js';
import { createInvitation } from '../src/db/repos/console-invitations.js';
import { apiKeys } from '../src/db/schema.js';
import { addApiKey } from '../src/db/seed.js';
import { SESSION_TTL_SECONDS } from '../src/http/ui/session.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const HTML = { accept: 'text/html' };

async function signIn(apiKey: string): Promise<{ cookie: string; csrf: string }> {
  const res = await h.hub.app.request('/ui/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: apiKey, next: '/ui/mappings' }),
  });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/ui/mappings');
  const setCookie = res.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  const cookie = setCookie.split(';')[0]!;
  const page = await h.hub.app.request('/ui/mappings', { headers: { cookie, ...HTML } });
  expect(page.status).toBe(200);
  const csrf = /name="_csrf" value="([0-9a-f]+)"/.exec(await page.text())?.[1];
  expect(csrf).toBeDefined();
  return { cookie, csrf: csrf! };
}

function post(path: string, cookie: string, fields: Record<string, string>) {
  return h.hub.app.request(path, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
}

describe('console sessions', () => {
  it('signs in with an API key; pages need the session; a wrong key is refused', async () => {
    h = await startHarness();
    const anonymous = await h.hub.app.request('/ui/mappings', { headers: HTML });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/ui/sign-in?next=%2Fui%2Fmappings');
    expect((await h.hub.app.request('/ui/jobs/status')).status).toBe(401);

    const wrong = await h.hub.app.request('/ui/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: `hub_${'0'.repeat(64)}` }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const { cookie } = await signIn(h.apiKey);
    const overview = await h.hub.app.request('/ui', { headers: { cookie, ...HTML } });
    expect(overview.status).toBe(200);
    expect(overview.headers.get('content-security-policy')).toMatch(
      /frame-ancestors 'self' https:\/\/\*\.salesforce\.com/,
    );
    expect(overview.headers.get('x-frame-options')).toBeNull();
  });

  it('refuses a sign-in posted from another site', async () => {
    h = await startHarness();
    const res = await h.hub.app.request('http://localhost/ui/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ api_key: h.apiKey }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a forged, an expired and a revoked session', async () => {
    h = await startHarness();
    const { cookie } = await signIn(h.apiKey);
    const token = cookie.split('=')[1]!;
    const [header, payload, signature] = token.split('.');
    // Same claims, other signature; and a token signed with another secret.
    const tampered = `hub_console=${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('A') ? 'BB' : 'AA'}`;
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const otherSecret = `hub_console=${await sign({ ...claims, role: 'admin' }, 'not-the-secret', 'HS256')}`;
    for (const forged of [tampered, otherSecret]) {
      const page = await h.hub.app.request('/ui', { headers: { cookie: forged, ...HTML } });
      expect(page.status).toBe(302);
      expect(page.headers.get('location')).toMatch(/^\/ui\/sign-in/);
      const fetch = await h.hub.app.request('/ui/jobs', { headers: { cookie: forged } });
      expect(fetch.status).toBe(401);
      const htmx = await h.hub.app.request('/ui/jobs/job_x/status', {
        headers: { cookie: forged, 'hx-request': 'true' },
      });
      expect(htmx.status).toBe(401);
      expect(htmx.headers.get('hx-redirect')).toBe('/ui/sign-in');
    }

    h.clock.advance(SESSION_TTL_SECONDS * 1000 - 1000);
    expect((await h.hub.app.request('/ui', { headers: { cookie, ...HTML } })).status).toBe(200);
    h.clock.advance(1000);
    expect((await h.hub.app.request('/ui', { headers: { cookie } })).status).toBe(401);

    const second = await signIn(h.apiKey);
    await h.db.run(sql.raw(`UPDATE api_keys SET revoked_at = '2026-03-02T10:00:00Z' WHERE org_id = '${h.orgId}'`));
    expect((await h.hub.app.request('/ui', { headers: { cookie: second.cookie } })).status).toBe(401);
  });

  it('starts a session from an invitation link once', async () => {
    h = await startHarness();
    const now = h.clock.now();
    const { token } = await createInvitation(h.db, now.toISOString(), {
      orgId: h.orgId,
      role: 'finance',
      label: 'Fay from finance',
      createdBy: 'test',
      expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
    });
    const confirm = await h.hub.app.request(`/ui/invite/${token}`);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Fay from finance');
    const used = await h.hub.app.request(`/ui/invite/${token}`, { method: 'POST' });
    expect(used.status).toBe(303);
    const cookie = used.headers.get('set-cookie')!.split(';')[0]!;
    const jobs = await h.hub.app.request('/ui/jobs', { headers: { cookie } });
    expect(jobs.status).toBe(200);
    expect(await jobs.text()).toContain('Fay from finance · finance');
    const again = await h.hub.app.request(`/ui/invite/${token}`, { method: 'POST' });
    expect(again.status).toBe(404);
    expect(again.headers.get('set-cookie')).toBeNull();
  });
});

describe('console actions', () => {
  it('refuses a form without its CSRF token, or with another session’s', async () => {
    h = await startHarness();
    const a = await signIn(h.apiKey);
    const b = await signIn(h.apiKey);
    const fields = { crm: 'salesforce', 'field.currency': "'USD'" };
    const none = await post('/ui/mappings', a.cookie, fields);
    expect(none.status).toBe(403);
    const other = await post('/ui/mappings', a.cookie, { ...fields, _csrf: b.csrf });
    expect(other.status).toBe(403);
    const signOut = await post('/ui/sign-out', a.cookie, {});
    expect(signOut.status).toBe(403);
    // Nothing was saved by the refused posts.
    const list = await h.api('/api/v1/mappings?crm=salesforce');
    expect((await readJson(list)).versions).toHaveLength(0);
  });

  it('lets a viewer read but never publish, save or replay (the server refuses)', async () => {
    h = await startHarness();
    const admin = await signIn(h.apiKey);
    const viewerKey = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    const viewer = await signIn(viewerKey);
    const { description, defaults, lookups, fields } = defaultMappings.salesforce;
    const draft = await readJson(
      await h.api('/api/v1/mappings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ crm: 'salesforce', definition: { description, defaults, lookups, fields } }),
      }),
    );

    const page = await h.hub.app.request('/ui/mappings', { headers: { cookie: viewer.cookie, ...HTML } });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(`/ui/mappings/${draft.id}/publish`);
    const publish = await post(`/ui/mappings/${draft.id}/publish`, viewer.cookie, { _csrf: viewer.csrf });
    expect(publish.status).toBe(403);
    const preview = await post('/ui/mappings/preview', viewer.cookie, { _csrf: viewer.csrf });
    expect(preview.status).toBe(403);
    const replay = await post('/ui/jobs/job_x/replay', viewer.cookie, { _csrf: viewer.csrf });
    expect(replay.status).toBe(403);
    expect((await h.hub.app.request('/ui/jobs', { headers: { cookie: viewer.cookie } })).status).toBe(403);
    const versions = (await readJson(await h.api('/api/v1/mappings?crm=salesforce'))).versions;
    expect(versions.every((v: { status: string }) => v.status === 'draft')).toBe(true);

    const byAdmin = await post(`/ui/mappings/${draft.id}/publish`, admin.cookie, { _csrf: admin.csrf });
    expect(byAdmin.status).toBe(303);
    const after = (await readJson(await h.api('/api/v1/mappings?crm=salesforce'))).versions;
    expect(after.find((v: { id: string }) => v.id === draft.id).status).toBe('published');
  });

  it('marks a dead job resolved with a reason, and only a dead one', async () => {
    h = await startHarness();
    const admin = await signIn(h.apiKey);
    await h.db.run(
      sql.raw(`INSERT INTO jobs (id, org_id, kind, payload, dedupe_key, correlation_id, connection_key, state, attempts, max_attempts, next_attempt_at, last_error, created_at, updated_at)
       VALUES ('job_dead', '${h.orgId}', 'flow', '{"flow":"post-invoice-to-erp","subjectId":"inv_1","input":{}}', 'k1', 'c1', 'quickbooks', 'dead', 8, 8, 0,
       'gave up after 8 attempts; last error retryable: HTTP 500', '2026-03-02T09:00:00Z', '2026-03-02T09:00:00Z')`),
    );
    const empty = await post('/ui/jobs/job_dead/resolve', admin.cookie, { _csrf: admin.csrf, reason: ' ' });
    expect(decodeURIComponent(empty.headers.get('location')!)).toMatch(/Nothing changed/);
    const res = await post('/ui/jobs/job_dead/resolve', admin.cookie, { _csrf: admin.csrf, reason: 'posted by hand' });
    expect(decodeURIComponent(res.headers.get('location')!)).toMatch(/Marked resolved/);
    const detail = await (await h.hub.app.request('/ui/jobs/job_dead', { headers: { cookie: admin.cookie } })).text();
    expect(detail).toContain('posted by hand');
    expect(detail).toContain('The hub tried 8 times and stopped');
    const open = await (
      await h.hub.app.request('/ui/jobs?state=dead&open=open', { headers: { cookie: admin.cookie } })
    ).text();
    expect(open).not.toContain('job-link-job_dead');
    const resolved = await (
      await h.hub.app.request('/ui/jobs?open=resolved&connection=quickbooks&error=HTTP%20500', {
        headers: { cookie: admin.cookie },
      })
    ).text();
    expect(resolved).toContain('job-link-job_dead');
  });

  it('previews a real deal fetched through the CRM connection, and says when it cannot', async () => {
    h = await startHarness();
    const admin = await signIn(h.apiKey);
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const { description, defaults, lookups, fields } = defaultMappings.salesforce;
    const form = {
      _csrf: admin.csrf,
      crm: 'salesforce',
      description,
      defaults: JSON.stringify(defaults),
      lookups: JSON.stringify(lookups),
      ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [`field.${k}`, v])),
      source: 'deal',
    };
    const ok = await (await post('/ui/mappings/preview', admin.cookie, { ...form, deal_id: opportunityId })).text();
    expect(ok).toContain('The draft maps this deal.');
    expect(ok).toContain(`data-preview-field="customer.sourceId"`);
    const missing = await (
      await post('/ui/mappings/preview', admin.cookie, { ...form, deal_id: '006000000000000AAA' })
    ).text();
    expect(missing).toMatch(/id="error-deal-id"[^>]*>opportunity not found: 006000000000000AAA</);
    expect(missing).not.toContain('The draft maps this deal.');
  });

  it('lets an admin invite a person, create and revoke a key, and read the audit log; nobody else', async () => {
    h = await startHarness();
    const admin = await signIn(h.apiKey);
    const invited = await (
      await post('/ui/users/invitations', admin.cookie, {
        _csrf: admin.csrf,
        label: 'Sam (sales ops)',
        role: 'sales_ops',
      })
    ).text();
    const link = /http:\/\/[^/"<]+(\/ui\/invite\/[0-9a-f]{64})/.exec(invited)?.[1];
    expect(link).toBeDefined();
    const used = await h.hub.app.request(link!, { method: 'POST' });
    expect(used.status).toBe(303);
    const samCookie = used.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await h.hub.app.request('/ui', { headers: { cookie: samCookie } })).text()).toContain(
      'Sam (sales ops) · sales_ops',
    );
    expect((await h.hub.app.request('/ui/users', { headers: { cookie: samCookie } })).status).toBe(403);

    const created = await (
      await post('/ui/users/keys', admin.cookie, { _csrf: admin.csrf, name: 'ledger export', role: 'finance' })
    ).text();
    const key = /hub_[0-9a-f]{64}/.exec(created)?.[0];
    expect(key).toBeDefined();
    expect((await h.api('/api/v1/jobs', { key: key! })).status).toBe(200);
    const [row] = await h.db.select().from(apiKeys).where(eq(apiKeys.name, 'ledger export'));
    expect(created).toContain(`action="/ui/users/keys/${row!.id}/revoke"`);
    const keyId = row!.id;
    const keys = await (await h.hub.app.request('/ui/users', { headers: { cookie: admin.cookie } })).text();
    expect(keys).not.toContain(key!); // shown once
    const revoked = await post(`/ui/users/keys/${keyId}/revoke`, admin.cookie, { _csrf: admin.csrf });
    expect(revoked.status).toBe(303);
    expect((await h.api('/api/v1/jobs', { key: key! })).status).toBe(401);

    const bad = await post('/ui/users/keys', admin.cookie, { _csrf: admin.csrf, name: '', role: 'owner' });
    expect(bad.status).toBe(400);
    const audit = await (
      await h.hub.app.request('/ui/users?action=api_key.', { headers: { cookie: admin.cookie } })
    ).text();
    expect(audit).toContain('api_key.created');
    expect(audit).toContain('api_key.revoked');
    expect(audit).not.toContain('console.invitation_created');
  });
});
