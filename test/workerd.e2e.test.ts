/**
 * The deal-to-cash path of test/deal-to-cash.e2e.test.ts with the hub under workerd (Miniflare:
 * D1, Queues, Cron, nodejs_compat; bundled by wrangler from wrangler.toml) and the vendor
 * simulators in this process on loopback. Judged by what the simulated vendors hold, then by
 * the deal trace. Waiting is a bounded loop of polls; no sleep decides an assertion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerdSandbox, type WorkerdSandbox } from './support/workerd-sandbox.js';

let w: WorkerdSandbox;

beforeAll(async () => {
  w = await startWorkerdSandbox();
}, 120_000);

afterAll(async () => {
  await w?.close();
});

describe('deal to cash on workerd', () => {
  it('refuses bad sandbox setup input with a problem naming the field', async () => {
    const res = await fetch(`${w.hub.url}/sandbox/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connections: [{ vendor: 'nope' }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toContain('connections.0.vendor');
  });

  it('carries a closed-won opportunity to tax, payment and QuickBooks (queue and cron)', async () => {
    const before = w.cash();
    const opportunityId = await w.closeSalesforceDeal();
    const trace = await w.expectPaid('salesforce', opportunityId, { before, sweep: true });
    const intents = [...w.sims.stripe.state.paymentIntents.values()] as { status: string }[];
    expect(intents.filter((pi) => pi.status !== 'succeeded')).toEqual([]);
    // The billing state was written back to the simulated Opportunity.
    expect(w.sims.salesforce.state.store.get('Opportunity', opportunityId)).toMatchObject({
      Hub_Billing_Status__c: 'paid',
      Hub_Amount_Paid__c: trace.invoices[0]!.total_minor / 100,
      Hub_Outstanding__c: 0,
    });
  });

  it('carries a deal to cash once when its Outbound Message arrives 50 times at once', async () => {
    const before = w.cash();
    const opportunityId = await w.closeSalesforceDeal({ deliveries: 50 });
    // One of each at every vendor, one job per flow, one contract and one paid invoice.
    const trace = await w.expectPaid('salesforce', opportunityId, { before, sweep: true });
    expect(new Set(trace.jobs.map((j) => j.dedupe_key)).size).toBe(trace.jobs.length);
  });

  it('runs a deal on queue delivery alone, re-sending a rate-limited job with its delay', async () => {
    // Avalara answers the first tax call with 429 Retry-After: 1; the consumer re-sends the
    // rescheduled job with delaySeconds and no cron sweep runs in this test.
    w.sims.avalara.faults.inject('/api/v2/transactions', { kind: 'status', status: 429, retryAfterSeconds: 1 }, 1);
    const before = w.cash();
    const opportunityId = await w.closeSalesforceDeal();
    const trace = await w.expectPaid('salesforce', opportunityId, { before, sweep: false });
    const retried = trace.jobs.filter((j) => j.attempts > 1);
    expect(retried.map((j) => j.dedupe_key.split(':')[0])).toEqual(['finalize-invoice']);
  });

  it('marks a job dead with a readable reason when its message reaches the dead letter queue', async () => {
    w.sims.avalara.faults.always('/api/v2/transactions', { kind: 'status', status: 503 });
    try {
      const opportunityId = await w.closeSalesforceDeal();
      const waiting = await w.pollTrace(
        'salesforce',
        opportunityId,
        (t) => t.jobs.some((j) => j.dedupe_key.startsWith('finalize-invoice') && j.state === 'queued' && j.last_error),
        { sweep: false },
      );
      const job = waiting.jobs.find((j) => j.dedupe_key.startsWith('finalize-invoice'))!;
      expect(job.state).toBe('queued');

      await w.hub.sendToDeadLetters(job.id);
      const after = await w.pollTrace(
        'salesforce',
        opportunityId,
        (t) => t.jobs.find((j) => j.id === job.id)?.state === 'dead',
        {
          sweep: false,
        },
      );
      const dead = after.jobs.find((j) => j.id === job.id)!;
      expect(dead.state).toBe('dead');
      expect(dead.last_error).toMatch(/^queue delivery failed repeatedly .*hub-jobs-dlq.*last job error: retryable/);

      const listed = await w.api('/api/v1/jobs?state=dead');
      expect(listed.status).toBe(200);
      const { jobs } = (await listed.json()) as { jobs: { id: string }[] };
      expect(jobs.map((j) => j.id)).toContain(job.id);
    } finally {
      w.sims.avalara.faults.clear();
    }
  });
});

describe('the admin console on workerd', () => {
  it('signs in with the API key, serves a page with its stylesheet and htmx, and refuses a post without CSRF', async () => {
    const anonymous = await fetch(`${w.hub.url}/ui/jobs`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    const signIn = await fetch(`${w.hub.url}/ui/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: w.apiKey, next: '/ui/jobs' }),
      redirect: 'manual',
    });
    expect(signIn.status).toBe(303);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^hub_console=/);
    const page = await fetch(`${w.hub.url}/ui/jobs`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Sync log');
    const script = /<script src="([^"]+)"/.exec(html)![1]!;
    const htmx = await fetch(`${w.hub.url}${script}`);
    expect(htmx.status).toBe(200);
    expect(await htmx.text()).toContain('htmx');
    const css = /<link rel="stylesheet" href="([^"]+)"/.exec(html)![1]!;
    expect((await fetch(`${w.hub.url}${css}`)).status).toBe(200);
    const noCsrf = await fetch(`${w.hub.url}/ui/sign-out`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    expect(noCsrf.status).toBe(403);
  });

  it('answers the deal search and trace, the editor, connections and the sync-log API under workerd', async () => {
    const before = w.cash();
    const opportunityId = await w.closeSalesforceDeal();
    await w.expectPaid('salesforce', opportunityId, { before, sweep: true });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${w.hub.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${w.apiKey}`, 'content-type': 'application/json', ...init.headers },
      });
    const found = await api(`/api/v1/search/deals?q=${opportunityId}`);
    expect(found.status).toBe(200);
    const deals = (await found.json()) as { data: { deal_id: string; trace_url: string }[] };
    expect(deals.data.map((d) => d.deal_id)).toEqual([opportunityId]);
    const invoices = (await (await api(`/api/v1/search/invoices?q=${opportunityId}`)).json()) as { data: unknown[] };
    expect(invoices.data).toHaveLength(1);
    const replay = await api('/api/v1/jobs/replay', { method: 'POST', body: JSON.stringify({ flow: 'no-such-flow' }) });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toEqual({ replayed: 0, job_ids: [], more: false });

    const signIn = await fetch(`${w.hub.url}/ui/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: w.apiKey }),
      redirect: 'manual',
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const html = async (path: string) => {
      const res = await fetch(`${w.hub.url}${path}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };
    expect(await html(`/ui/deals?q=${opportunityId}`)).toContain(`href="/ui/deals/salesforce/${opportunityId}"`);
    const trace = await html(`/ui/deals/salesforce/${opportunityId}`);
    expect(trace).toMatch(/data-testid="stage-write_back">succeeded/);
    expect(await html('/ui/mappings/default-salesforce')).toContain('aria-label="Lookup table currencyCodes"');
    expect(await html('/ui/connections')).toContain('data-testid="connect-salesforce"');
    const css = [...trace.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    for (const href of css) expect((await fetch(`${w.hub.url}${href}`)).status).toBe(200);
  });
});
