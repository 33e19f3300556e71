/**
 * The sync log's fixes through the JSON API: edit a dead job's input and retry it, and bulk replay
 * of a filter, with their guards (role, org, state, bad input changes nothing) and audit entries.
 */
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { jobs } from '../src/db/schema.js';
import { addApiKey, createOrgWithKey } from '../src/db/seed.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function deadJob(id: string, input: unknown, connection = 'quickbooks', orgId = h.orgId) {
  const payload = JSON.stringify({ flow: 'post-invoice-to-erp', subjectId: `inv_${id}`, input });
  await h.db.run(
    sql`INSERT INTO jobs (id, org_id, kind, payload, dedupe_key, correlation_id, connection_key, state, attempts, max_attempts, next_attempt_at, last_error, created_at, updated_at)
       VALUES (${id}, ${orgId}, 'flow', ${payload}, ${`k-${id}`}, 'c1', ${connection}, 'dead', 8, 8, 0,
       'gave up after 8 attempts; last error retryable: HTTP 500', '2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z')`,
  );
}

const jobRow = async (id: string) => (await h.db.select().from(jobs).where(eq(jobs.id, id)))[0]!;

const postJson = (path: string, body: unknown, key?: string) =>
  h.api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(key ? { key } : {}),
  });

describe('POST /api/v1/jobs/{id}/payload', () => {
  it('saves the edited input (redacted values kept), requeues the job and audits it', async () => {
    h = await startHarness();
    await deadJob('job_edit', { invoiceId: 'inv_wrong', token: 's3cret' });

    for (const input of [[1, 2], 'text', null]) {
      const bad = await postJson('/api/v1/jobs/job_edit/payload', { input });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await postJson('/api/v1/jobs/job_edit/payload', { input: {}, extra: 1 })).status).toBe(400);
    expect((await jobRow('job_edit')).state).toBe('dead');

    const viewer = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    expect((await postJson('/api/v1/jobs/job_edit/payload', { input: {} }, viewer)).status).toBe(403);
    const other = await createOrgWithKey(h.db, h.clock, h.encryptionKey, { name: 'Other', connections: [] });
    expect((await postJson('/api/v1/jobs/job_edit/payload', { input: {} }, other.apiKey)).status).toBe(404);
    expect((await jobRow('job_edit')).state).toBe('dead');

    const finance = await addApiKey(h.db, h.clock, h.orgId, 'finance');
    const ok = await postJson(
      '/api/v1/jobs/job_edit/payload',
      { input: { invoiceId: 'inv_right', token: '[redacted]' } },
      finance,
    );
    expect(ok.status).toBe(202);
    expect(await readJson(ok)).toEqual({
      id: 'job_edit',
      state: 'queued',
      attempts: 0,
      max_attempts: 8,
      flow: 'post-invoice-to-erp',
      input: { invoiceId: 'inv_right', token: '[redacted]' },
    });
    expect(JSON.parse((await jobRow('job_edit')).payload).input).toEqual({ invoiceId: 'inv_right', token: 's3cret' });
    const audit = await readJson(await h.api('/api/v1/audit-log?action=job.payload_edited'));
    expect(audit.data[0]).toMatchObject({
      subject: 'job_edit',
      detail: { before: { invoiceId: 'inv_wrong', token: '[redacted]' }, after: { invoiceId: 'inv_right' } },
    });

    const again = await postJson('/api/v1/jobs/job_edit/payload', { input: { a: 1 } });
    expect(again.status).toBe(409);
    expect((await readJson(again)).detail).toMatch(/only a dead flow job/);
    expect((await postJson('/api/v1/jobs/job_nope/payload', { input: {} })).status).toBe(404);
  });
});

describe('POST /api/v1/jobs/replay', () => {
  it('requeues the dead jobs a filter matches, only this org’s, and audits the batch', async () => {
    h = await startHarness();
    await deadJob('job_qb1', {});
    await deadJob('job_qb2', {});
    await deadJob('job_stripe', {}, 'stripe');
    const other = await createOrgWithKey(h.db, h.clock, h.encryptionKey, { name: 'Other', connections: [] });
    await deadJob('job_other', {}, 'quickbooks', other.orgId);

    expect((await postJson('/api/v1/jobs/replay', { connection: 'quickbooks', state: 'queued' })).status).toBe(400);
    const viewer = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    expect((await postJson('/api/v1/jobs/replay', {}, viewer)).status).toBe(403);

    const res = await postJson('/api/v1/jobs/replay', { connection: 'quickbooks' });
    expect(res.status).toBe(202);
    const body = await readJson(res);
    expect(body.replayed).toBe(2);
    expect(body.job_ids.sort()).toEqual(['job_qb1', 'job_qb2']);
    expect(body.more).toBe(false);
    expect((await jobRow('job_stripe')).state).toBe('dead');
    expect((await jobRow('job_other')).state).toBe('dead');
    const audit = await readJson(await h.api('/api/v1/audit-log?action=job.bulk_replayed'));
    expect(audit.data[0].detail).toMatchObject({ filter: { state: 'dead', connection: 'quickbooks' } });

    const none = await readJson(await postJson('/api/v1/jobs/replay', { flow: 'crm-write-back' }));
    expect(none).toEqual({ replayed: 0, job_ids: [], more: false });

    // The document lists both routes.
    const doc = await readJson(await h.hub.app.request('/api/v1/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/jobs/{id}/payload',
        '/jobs/replay',
        '/search/deals',
        '/search/contracts',
        '/search/invoices',
      ]),
    );
  });
});
