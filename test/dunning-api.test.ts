/**
 * The dunning API: settings (read by the dunning flow from the same row), templates with their
 * placeholders, and the outbox listed, paged and replayed; roles, 422s and tenancy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomic } from '../src/db/atomic.js';
import { dunningSettingsOf, notificationInsert, templateOf } from '../src/db/repos/dunning.js';
import { auditLog } from '../src/db/schema.js';
import { addApiKey, createOrgWithKey } from '../src/db/seed.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
let viewer: string;
let finance: string;
beforeAll(async () => {
  h = await startHarness();
  viewer = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
  finance = await addApiKey(h.db, h.clock, h.orgId, 'finance');
});
afterAll(async () => h.close());

const put = (path: string, body: unknown, key?: string) =>
  h.api(path, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(key ? { key } : {}),
  });

describe('dunning settings', () => {
  it('reads the default, refuses bad schedules with 422 naming the field, and writes what the flow reads', async () => {
    const first = await readJson(await h.api('/api/v1/dunning/settings', { key: viewer }));
    expect(first).toEqual({ retry_days: [1, 3, 5, 7], final_action: 'notify_only', default: true });

    expect(
      (await put('/api/v1/dunning/settings', { retry_days: [2], final_action: 'notify_only' }, viewer)).status,
    ).toBe(403);
    for (const [retry_days, message] of [
      [[3, 1], 'strictly increasing'],
      [[0, 2], 'retry day 0'],
      [[-1], 'retry day -1'],
      [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'between 1 and 10'],
      [[], 'between 1 and 10'],
    ] as const) {
      const res = await put('/api/v1/dunning/settings', { retry_days, final_action: 'notify_only' });
      expect(res.status).toBe(422);
      const body = await readJson(res);
      expect(body.errors[0].field).toBe('retry_days');
      expect(body.errors[0].message).toContain(message);
    }
    // A malformed body is a 400 like anywhere in the API, naming the field.
    const badAction = await put('/api/v1/dunning/settings', { retry_days: [1], final_action: 'shout' });
    expect(badAction.status).toBe(400);
    expect((await readJson(badAction)).errors[0].field).toBe('final_action');
    expect((await dunningSettingsOf(h.db, h.orgId)).retryDays).toEqual([1, 3, 5, 7]);

    const ok = await put('/api/v1/dunning/settings', { retry_days: [2, 4, 10], final_action: 'mark_at_risk' }, finance);
    expect(ok.status).toBe(200);
    expect(await readJson(ok)).toEqual({ retry_days: [2, 4, 10], final_action: 'mark_at_risk', default: false });
    // The row flows/dunning.ts reads at each retry.
    expect(await dunningSettingsOf(h.db, h.orgId)).toEqual({ retryDays: [2, 4, 10], finalAction: 'mark_at_risk' });
    expect((await readJson(await h.api('/api/v1/dunning/settings'))).default).toBe(false);
    const audited = (await h.db.select().from(auditLog)).filter((a) => a.action === 'dunning.settings_updated');
    expect(audited).toHaveLength(1);
  });
});

describe('notification templates', () => {
  it("lists the hub's defaults, refuses an unknown placeholder by name, and stores the org's own", async () => {
    const listed = await readJson(await h.api('/api/v1/notification-templates', { key: viewer }));
    expect(listed.data.map((t: { kind: string }) => t.kind)).toEqual([
      'payment_failed',
      'reminder',
      'overdue',
      'receipt',
    ]);
    expect(listed.data.every((t: { default: boolean }) => t.default)).toBe(true);
    expect(listed.data[1].placeholders).toContain('next_retry');

    const bad = await put('/api/v1/notification-templates/reminder', {
      subject: 'Hi {{customer_name}}',
      body: 'Pay {{amount_due}} by {{deadline}}',
    });
    expect(bad.status).toBe(422);
    const problem = await readJson(bad);
    expect(problem.errors).toHaveLength(1);
    expect(problem.errors[0].field).toBe('body');
    expect(problem.errors[0].message).toContain('{{deadline}}');
    expect((await put('/api/v1/notification-templates/nonsense', { subject: 'a', body: 'b' })).status).toBe(404);
    expect((await put('/api/v1/notification-templates/reminder', { subject: '', body: 'b' })).status).toBe(400);
    expect((await put('/api/v1/notification-templates/reminder', { subject: 'a', body: 'b' }, viewer)).status).toBe(
      403,
    );

    const good = await put('/api/v1/notification-templates/reminder', {
      subject: 'Hi {{customer_name}}',
      body: 'Pay {{amount_due}} for {{invoice_number}}',
    });
    expect(good.status).toBe(200);
    expect(await templateOf(h.db, h.orgId, 'reminder')).toEqual({
      subject: 'Hi {{customer_name}}',
      body: 'Pay {{amount_due}} for {{invoice_number}}',
    });
    const again = await readJson(await h.api('/api/v1/notification-templates'));
    expect(again.data[1]).toMatchObject({ kind: 'reminder', default: false, subject: 'Hi {{customer_name}}' });
    expect(again.data[0].default).toBe(true);
  });
});

describe('notification outbox', () => {
  it('lists newest first with a cursor and filters, replays one (audited), and hides other orgs', async () => {
    const write = async (orgId: string, key: string, invoiceId: string, at: string) => {
      h.clock.set(at);
      await atomic(h.db, [
        notificationInsert(
          h.db,
          orgId,
          {
            kind: 'reminder',
            invoiceId,
            customerId: null,
            recipient: 'ap@example.com',
            subject: key,
            body: 'b',
            dedupeKey: key,
          },
          h.clock.now().toISOString(),
        ),
      ]);
    };
    await write(h.orgId, 'n1', 'inv_a', '2026-04-01T00:00:00Z');
    await write(h.orgId, 'n2', 'inv_b', '2026-04-02T00:00:00Z');
    await write(h.orgId, 'n3', 'inv_a', '2026-04-03T00:00:00Z');
    const other = await createOrgWithKey(h.db, h.clock, h.encryptionKey, { name: 'Other', connections: [] });
    await write(other.orgId, 'x1', 'inv_x', '2026-04-04T00:00:00Z');

    const p1 = await readJson(await h.api('/api/v1/notifications?limit=2', { key: viewer }));
    expect(p1.data.map((n: { subject: string }) => n.subject)).toEqual(['n3', 'n2']);
    expect(p1.next_cursor).toEqual(expect.any(String));
    const p2 = await readJson(await h.api(`/api/v1/notifications?limit=2&cursor=${p1.next_cursor}`));
    expect(p2.data.map((n: { subject: string }) => n.subject)).toEqual(['n1']);
    expect(p2.next_cursor).toBeNull();
    const byInvoice = await readJson(await h.api('/api/v1/notifications?invoice_id=inv_a'));
    expect(byInvoice.data.map((n: { subject: string }) => n.subject)).toEqual(['n3', 'n1']);
    expect((await readJson(await h.api('/api/v1/notifications?status=sent'))).data).toEqual([]);
    expect((await h.api('/api/v1/notifications?cursor=nope')).status).toBe(400);
    expect((await h.api('/api/v1/notifications?status=lost')).status).toBe(400);

    const id = p1.data[0].id as string;
    expect((await h.api(`/api/v1/notifications/${id}/replay`, { method: 'POST', key: viewer })).status).toBe(403);
    const replayed = await h.api(`/api/v1/notifications/${id}/replay`, { method: 'POST', key: finance });
    expect(replayed.status).toBe(202);
    expect(await readJson(replayed)).toMatchObject({
      id,
      status: 'pending',
      replays: 1,
      replayed_at: expect.any(String),
    });
    const audited = (await h.db.select().from(auditLog)).filter((a) => a.action === 'notification.replayed');
    expect(audited.map((a) => a.subject)).toEqual([id]);

    // Another org's notification is not found here, and its list shows only its own.
    const theirs = await readJson(await h.api('/api/v1/notifications', { key: other.apiKey }));
    expect(theirs.data.map((n: { subject: string }) => n.subject)).toEqual(['x1']);
    expect((await h.api(`/api/v1/notifications/${theirs.data[0].id}/replay`, { method: 'POST' })).status).toBe(404);
    expect((await h.api(`/api/v1/notifications/${id}/replay`, { method: 'POST', key: other.apiKey })).status).toBe(404);
  });
});
