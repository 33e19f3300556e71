/**
 * Users, keys and the audit log through /api/v1 (issue #14): an admin invites a person (the link
 * signs in once), creates a key (returned once, stored hashed) and revokes it, and reads the audit
 * log filtered and paged; nobody else may.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { apiKeys } from '../src/db/schema.js';
import { sha256Hex } from '../src/db/secrets.js';
import { addApiKey } from '../src/db/seed.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('users and keys through the API', () => {
  it('creates a key with a role (shown once, stored hashed), lists it and revokes it', async () => {
    h = await startHarness();
    const created = await h.api('/api/v1/api-keys', json({ name: 'ledger export', role: 'finance' }));
    expect(created.status).toBe(201);
    const body = await readJson(created);
    expect(body).toMatchObject({ name: 'ledger export', role: 'finance', revoked_at: null });
    expect(body.key).toMatch(/^hub_[0-9a-f]{64}$/);
    // Stored as its hash, never in clear.
    const [row] = await h.db.select().from(apiKeys).where(eq(apiKeys.id, body.id));
    expect(row!.keyHash).toBe(await sha256Hex(body.key));
    expect(JSON.stringify(row)).not.toContain(body.key);

    // The new key works with its role: finance reads jobs, but may not manage keys.
    expect((await h.api('/api/v1/jobs', { key: body.key })).status).toBe(200);
    expect((await h.api('/api/v1/api-keys', { key: body.key })).status).toBe(403);

    const list = await readJson(await h.api('/api/v1/api-keys'));
    const listed = list.data.find((k: { id: string }) => k.id === body.id);
    expect(listed).toMatchObject({ name: 'ledger export', role: 'finance', prefix: body.key.slice(0, 12) });
    expect(JSON.stringify(list)).not.toContain(body.key);

    const revoked = await h.api(`/api/v1/api-keys/${body.id}/revoke`, { method: 'POST' });
    expect(revoked.status).toBe(200);
    expect((await readJson(revoked)).revoked_at).toBe(h.clock.now().toISOString());
    expect((await h.api('/api/v1/jobs', { key: body.key })).status).toBe(401);
    expect((await h.api(`/api/v1/api-keys/${body.id}/revoke`, { method: 'POST' })).status).toBe(409);
    expect((await h.api('/api/v1/api-keys/key_unknown/revoke', { method: 'POST' })).status).toBe(404);
  });

  it('refuses a bad key request by field, changing nothing', async () => {
    h = await startHarness();
    const before = (await h.db.select().from(apiKeys)).length;
    for (const bad of [
      { name: '', role: 'finance' },
      { name: 'x', role: 'owner' },
      { name: 'x', role: 'viewer', extra: 1 },
    ]) {
      const res = await h.api('/api/v1/api-keys', json(bad));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await readJson(res)).errors[0].field).toMatch(/^(name|role|extra)$/);
    }
    expect((await h.db.select().from(apiKeys)).length).toBe(before);
  });

  it('invites a person with a role; the link starts a console session once', async () => {
    h = await startHarness();
    const res = await h.api('/api/v1/invitations', json({ label: 'Fay from finance', role: 'finance' }));
    expect(res.status).toBe(201);
    const invitation = await readJson(res);
    expect(invitation).toMatchObject({ label: 'Fay from finance', role: 'finance', used_at: null });
    const path = new URL(invitation.url).pathname;
    expect(path).toMatch(/^\/ui\/invite\/[0-9a-f]{64}$/);
    const used = await h.hub.app.request(path, { method: 'POST' });
    expect(used.status).toBe(303);
    const cookie = used.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await h.hub.app.request('/ui/jobs', { headers: { cookie } })).text()).toContain(
      'Fay from finance · finance',
    );
    expect((await h.hub.app.request(path, { method: 'POST' })).status).toBe(404);
    const list = await readJson(await h.api('/api/v1/invitations'));
    expect(list.data[0]).toMatchObject({ id: invitation.id, used_at: h.clock.now().toISOString() });
    expect(JSON.stringify(list)).not.toContain(path.split('/').pop());
  });

  it('reads the audit log filtered by action, actor, subject and time, a page at a time', async () => {
    h = await startHarness();
    const keys: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      keys.push((await readJson(await h.api('/api/v1/api-keys', json({ name, role: 'viewer' })))).id);
      h.clock.advance(60_000);
    }
    const since = h.clock.now().toISOString();
    await h.api(`/api/v1/api-keys/${keys[0]}/revoke`, { method: 'POST' });
    h.clock.advance(1000);
    await h.api('/api/v1/invitations', json({ label: 'Sam', role: 'sales_ops' }));

    const created = await readJson(await h.api('/api/v1/audit-log?action=api_key.created'));
    expect(created.data.map((a: { subject: string }) => a.subject)).toEqual([...keys].reverse());
    expect(created.data[0].detail).toEqual({ name: 'c', role: 'viewer' });

    const page1 = await readJson(await h.api('/api/v1/audit-log?action=api_key.&limit=2'));
    expect(page1.data).toHaveLength(2);
    expect(page1.next_cursor).toEqual(expect.any(String));
    const page2 = await readJson(await h.api(`/api/v1/audit-log?action=api_key.&limit=2&cursor=${page1.next_cursor}`));
    const all = [...page1.data, ...page2.data].map(
      (a: { action: string; subject: string }) => `${a.action}:${a.subject}`,
    );
    expect(all).toEqual([
      `api_key.revoked:${keys[0]}`,
      `api_key.created:${keys[2]}`,
      `api_key.created:${keys[1]}`,
      `api_key.created:${keys[0]}`,
    ]);
    expect(page2.next_cursor).toBeNull();

    const ofKey = await readJson(await h.api(`/api/v1/audit-log?subject=${keys[0]}`));
    expect(ofKey.data.map((a: { action: string }) => a.action)).toEqual(['api_key.revoked', 'api_key.created']);
    const recent = await readJson(await h.api(`/api/v1/audit-log?since=${encodeURIComponent(since)}`));
    expect(recent.data.map((a: { action: string }) => a.action)).toEqual([
      'console.invitation_created',
      'api_key.revoked',
    ]);
    const [adminKey] = await h.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.keyHash, await sha256Hex(h.apiKey)));
    const byAdmin = await readJson(await h.api(`/api/v1/audit-log?actor=${adminKey!.id}&limit=500`));
    expect(byAdmin.data).toHaveLength(5);
    const nobody = await readJson(await h.api('/api/v1/audit-log?actor=key_nobody'));
    expect(nobody.data).toEqual([]);

    expect((await h.api('/api/v1/audit-log?since=yesterday')).status).toBe(400);
    expect((await h.api('/api/v1/audit-log?cursor=nope!')).status).toBe(400);
    expect((await h.api('/api/v1/audit-log?colour=red')).status).toBe(400);
    const viewer = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    expect((await h.api('/api/v1/audit-log', { key: viewer })).status).toBe(403);
    expect((await h.api('/api/v1/invitations', { ...json({ label: 'x', role: 'admin' }), key: viewer })).status).toBe(
      403,
    );
  });
});
