/**
 * The console's second part over HTTP (issue #14): editing a dead job's payload and retrying it,
 * bulk replay of a filter, and the webhooks page (register, delivery log, resend), with their
 * guards (role, CSRF, bad input changes nothing).
 */
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { jobs, webhookEndpoints } from '../src/db/schema.js';
import { addApiKey } from '../src/db/seed.js';
import { restoreRedacted } from '../src/http/ui/jobs.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function signIn(apiKey: string): Promise<{ cookie: string; csrf: string }> {
  const res = await h.hub.app.request('/ui/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: apiKey }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await h.hub.app.request('/ui/mappings', { headers: { cookie } })).text();
  return { cookie, csrf: /name="_csrf" value="([0-9a-f]+)"/.exec(page)![1]! };
}

function post(path: string, cookie: string, fields: Record<string, string> | URLSearchParams) {
  return h.hub.app.request(path, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: fields instanceof URLSearchParams ? fields : new URLSearchParams(fields),
  });
}

const noticeOf = (res: Response) => new URL(res.headers.get('location')!, 'http://x').searchParams.get('notice');

const get = (path: string, cookie: string) => h.hub.app.request(path, { headers: { cookie } });

async function deadJob(id: string, input: unknown, connection = 'quickbooks') {
  const payload = JSON.stringify({ flow: 'post-invoice-to-erp', subjectId: `inv_${id}`, input });
  await h.db.run(
    sql`INSERT INTO jobs (id, org_id, kind, payload, dedupe_key, correlation_id, connection_key, state, attempts, max_attempts, next_attempt_at, last_error, created_at, updated_at)
       VALUES (${id}, ${h.orgId}, 'flow', ${payload}, ${`k-${id}`}, 'c1', ${connection}, 'dead', 8, 8, 0,
       'gave up after 8 attempts; last error retryable: HTTP 500', '2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z')`,
  );
}

const jobRow = async (id: string) => (await h.db.select().from(jobs).where(eq(jobs.id, id)))[0]!;

describe('sync log: edit the payload and retry', () => {
  it('keeps a blanked secret when the edit leaves it as shown', () => {
    expect(
      restoreRedacted(
        { invoiceId: 'inv_2', token: '[redacted]', list: [{ apiKey: '[redacted]' }] },
        { invoiceId: 'inv_1', token: 's3cret', list: [{ apiKey: 'k1' }] },
      ),
    ).toEqual({ invoiceId: 'inv_2', token: 's3cret', list: [{ apiKey: 'k1' }] });
  });

  it('saves an edited input, requeues the job with a fresh budget and audits both payloads', async () => {
    h = await startHarness();
    const admin = await signIn(h.apiKey);
    await deadJob('job_edit', { invoiceId: 'inv_wrong', token: 's3cret' });
    const page = await (await get('/ui/jobs/job_edit', admin.cookie)).text();
    expect(page).toContain('Edit the payload and retry');
    expect(page).not.toContain('s3cret');

    // Not JSON, or not an object: the error at the field, nothing changed.
    for (const input of ['{"invoiceId": ', '[1, 2]']) {
      const bad = await post('/ui/jobs/job_edit/edit', admin.cookie, { _csrf: admin.csrf, input });
      expect(bad.status).toBe(400);
      const html = await bad.text();
      expect(html).toMatch(/class="slds-form-element slds-has-error"/);
      expect(html).toMatch(/id="error-edit-input"[^>]*>(Not JSON|The input must be a JSON object)/);
      expect((await jobRow('job_edit')).state).toBe('dead');
    }
    // Without the CSRF token: refused.
    expect((await post('/ui/jobs/job_edit/edit', admin.cookie, { input: '{}' })).status).toBe(403);

    const ok = await post('/ui/jobs/job_edit/edit', admin.cookie, {
      _csrf: admin.csrf,
      input: JSON.stringify({ invoiceId: 'inv_right', token: '[redacted]' }),
    });
    expect(ok.status).toBe(303);
    expect(decodeURIComponent(ok.headers.get('location')!)).toContain('Payload saved; retrying now.');
    const row = await jobRow('job_edit');
    expect(row).toMatchObject({ state: 'queued', attempts: 0 });
    expect(JSON.parse(row.payload)).toEqual({
      flow: 'post-invoice-to-erp',
      subjectId: 'inv_job_edit',
      input: { invoiceId: 'inv_right', token: 's3cret' },
    });
    const audit = await readJson(await h.api('/api/v1/audit-log?action=job.payload_edited'));
    expect(audit.data[0]).toMatchObject({
      subject: 'job_edit',
      detail: { before: { invoiceId: 'inv_wrong', token: '[redacted]' }, after: { invoiceId: 'inv_right' } },
    });
    // Queued now: a second edit is refused and changes nothing.
    const again = await post('/ui/jobs/job_edit/edit', admin.cookie, { _csrf: admin.csrf, input: '{"a":1}' });
    expect(decodeURIComponent(again.headers.get('location')!)).toContain('only a dead flow job');
    expect(JSON.parse((await jobRow('job_edit')).payload).input.invoiceId).toBe('inv_right');

    const viewer = await signIn(await addApiKey(h.db, h.clock, h.orgId, 'viewer'));
    expect((await post('/ui/jobs/job_edit/edit', viewer.cookie, { _csrf: viewer.csrf, input: '{}' })).status).toBe(403);
  });

  it('replays every dead job a filter matches, and only those', async () => {
    h = await startHarness();
    const admin = await signIn(h.apiKey);
    await deadJob('job_qb1', {});
    await deadJob('job_qb2', {});
    await deadJob('job_stripe', {}, 'stripe');
    const list = await (await get('/ui/jobs?state=dead&connection=quickbooks', admin.cookie)).text();
    expect(list).toContain('data-testid="replay-matching"');
    expect(list).toMatch(/<input type="hidden" name="connection" value="quickbooks"/);

    const res = await post(
      '/ui/jobs/replay',
      admin.cookie,
      new URLSearchParams({ _csrf: admin.csrf, state: 'dead', connection: 'quickbooks' }),
    );
    expect(res.status).toBe(303);
    expect(noticeOf(res)).toBe('Replayed 2 dead jobs.');
    expect((await jobRow('job_qb1')).state).not.toBe('dead');
    expect((await jobRow('job_qb2')).state).not.toBe('dead');
    expect((await jobRow('job_stripe')).state).toBe('dead');
    const audit = await readJson(await h.api('/api/v1/audit-log?action=job.bulk_replayed'));
    expect(audit.data[0].detail.jobIds.sort()).toEqual(['job_qb1', 'job_qb2']);

    const none = await post('/ui/jobs/replay', admin.cookie, { _csrf: admin.csrf, connection: 'hubspot' });
    expect(noticeOf(none)).toContain('No dead job matches');
    expect((await post('/ui/jobs/replay', admin.cookie, { connection: 'stripe' })).status).toBe(403);
    expect((await jobRow('job_stripe')).state).toBe('dead');
  });
});

describe('webhooks page', () => {
  it('registers an endpoint (secret shown once), shows its deliveries and resends one; admins only', async () => {
    h = await startHarness();
    const admin = await signIn(h.apiKey);
    const fields = new URLSearchParams({ _csrf: admin.csrf, url: 'http://127.0.0.1:9/hooks', description: 'ops' });
    fields.append('event_types', 'contract.created');
    fields.append('event_types', 'invoice.finalized');
    const created = await post('/ui/webhooks', admin.cookie, fields);
    expect(created.status).toBe(200);
    const html = await created.text();
    const secret = /whsec_[A-Za-z0-9+/]{32}/.exec(html)?.[0];
    expect(secret).toBeDefined();
    const [row] = await h.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, h.orgId));
    expect(JSON.parse(row!.eventTypes)).toEqual(['contract.created', 'invoice.finalized']);
    expect(row!.secretSealed).not.toContain(secret!.slice(6));
    const list = await (await get('/ui/webhooks', admin.cookie)).text();
    expect(list).toContain('http://127.0.0.1:9/hooks');
    expect(list).not.toContain(secret!);

    const noEvents = new URLSearchParams({ _csrf: admin.csrf, url: 'http://127.0.0.1:9/other' });
    expect((await post('/ui/webhooks', admin.cookie, noEvents)).status).toBe(400);
    const badUrl = new URLSearchParams({ _csrf: admin.csrf, url: 'not a url', event_types: 'contract.created' });
    const refused = await post('/ui/webhooks', admin.cookie, badUrl);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/id="error-webhook-url"[^>]*>The URL must be an absolute URL/);
    expect((await h.db.select().from(webhookEndpoints)).length).toBe(1);

    const disabled = await post(`/ui/webhooks/${row!.id}/disable`, admin.cookie, { _csrf: admin.csrf });
    expect(disabled.status).toBe(303);
    expect(await (await get(`/ui/webhooks/${row!.id}`, admin.cookie)).text()).toContain('Enable');
    expect((await readJson(await h.api(`/api/v1/webhook-endpoints/${row!.id}`))).enabled).toBe(false);

    const viewer = await signIn(await addApiKey(h.db, h.clock, h.orgId, 'finance'));
    expect((await get('/ui/webhooks', viewer.cookie)).status).toBe(403);
    expect((await post(`/ui/webhooks/${row!.id}/enable`, viewer.cookie, { _csrf: viewer.csrf })).status).toBe(403);
    expect((await get('/ui/webhooks/whe_nope', admin.cookie)).status).toBe(404);
  });
});
