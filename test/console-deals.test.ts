/**
 * Search for deals, contracts and invoices (API and console page) and the console's deal trace,
 * over a real deal-to-cash run on the simulators: cursor pages, the org boundary, and each stage of
 * the trace with its jobs' state and sync-log links.
 */
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { invoices, jobs } from '../src/db/schema.js';
import { addApiKey, createOrgWithKey } from '../src/db/seed.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function signIn(apiKey: string): Promise<string> {
  const res = await h.hub.app.request('/ui/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: apiKey }),
  });
  expect(res.status).toBe(303);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

const get = (path: string, cookie: string) => h.hub.app.request(path, { headers: { cookie } });

/** Two closed-won deals carried to cash, the first one first. */
async function twoDeals(): Promise<[string, string]> {
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId))).status).toBe(200);
    await h.settle();
    h.clock.advance(60_000);
    ids.push(opportunityId);
  }
  return ids as [string, string];
}

describe('search API', () => {
  it('finds deals, contracts and invoices by deal id, customer and number, paged by cursor', async () => {
    h = await startHarness();
    const [first, second] = await twoDeals();

    const all = await readJson(await h.api('/api/v1/search/deals?limit=1'));
    expect(all.data.map((d: { deal_id: string }) => d.deal_id)).toEqual([second]);
    expect(all.next_cursor).toEqual(expect.any(String));
    const older = await readJson(await h.api(`/api/v1/search/deals?limit=1&cursor=${all.next_cursor}`));
    expect(older.data.map((d: { deal_id: string }) => d.deal_id)).toEqual([first]);
    expect(older.next_cursor).toBeNull();
    expect(older.data[0]).toMatchObject({
      source_system: 'salesforce',
      versions: 1,
      latest_status: 'active',
      currency: 'USD',
      trace_url: `/api/v1/deals/salesforce/${first}/trace`,
    });

    const byId = await readJson(await h.api(`/api/v1/search/deals?q=${first.slice(-6)}`));
    expect(byId.data.map((d: { deal_id: string }) => d.deal_id)).toEqual([first]);
    const customer = byId.data[0].customer_name as string;
    const byName = await readJson(
      await h.api(`/api/v1/search/contracts?q=${encodeURIComponent(customer.slice(0, 4).toLowerCase())}`),
    );
    expect(byName.data.length).toBe(2);
    expect(byName.data[0]).toMatchObject({ deal_id: second, version: 1, customer_name: customer });

    const [inv] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    expect(inv!.number).toEqual(expect.any(String));
    const byNumber = await readJson(await h.api(`/api/v1/search/invoices?q=${encodeURIComponent(inv!.number!)}`));
    expect(byNumber.data).toHaveLength(1);
    expect(byNumber.data[0]).toMatchObject({ id: inv!.id, number: inv!.number, status: 'paid', total_minor: 214_500 });

    // A literal % matches nothing rather than everything.
    expect((await readJson(await h.api('/api/v1/search/invoices?q=%25'))).data).toEqual([]);
    // A bad cursor or a misspelt parameter is a 400 problem, not a silent full list.
    const bad = await h.api('/api/v1/search/deals?cursor=nope!');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await h.api('/api/v1/search/deals?query=x')).status).toBe(400);

    // Another org's key sees none of it.
    const other = await createOrgWithKey(h.db, h.clock, h.encryptionKey, { name: 'Other', connections: [] });
    for (const what of ['deals', 'contracts', 'invoices']) {
      const res = await readJson(await h.api(`/api/v1/search/${what}`, { key: other.apiKey }));
      expect(res.data).toEqual([]);
    }
    // A viewer may search.
    const viewer = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    expect((await h.api('/api/v1/search/invoices', { key: viewer })).status).toBe(200);
  }, 60_000);
});

describe('console: search and deal trace', () => {
  it('links a search hit to the trace, which shows every stage with its jobs', async () => {
    h = await startHarness();
    const [first] = await twoDeals();
    const cookie = await signIn(await addApiKey(h.db, h.clock, h.orgId, 'viewer'));

    const search = await get(`/ui/deals?q=${first}`, cookie);
    expect(search.status).toBe(200);
    const html = await search.text();
    expect(html).toContain(`href="/ui/deals/salesforce/${first}"`);
    const onlyInvoices = await (await get(`/ui/deals?type=invoices&q=${first}`, cookie)).text();
    expect(onlyInvoices).toContain('aria-label="Invoices"');
    expect(onlyInvoices).not.toContain('aria-label="Deals"');

    const trace = await get(`/ui/deals/salesforce/${first}`, cookie);
    expect(trace.status).toBe(200);
    const page = await trace.text();
    for (const stage of ['deal', 'contract', 'invoices', 'tax', 'payments', 'erp', 'write_back']) {
      expect(page).toMatch(
        new RegExp(`<span class="slds-badge slds-theme_success" data-testid="stage-${stage}">succeeded`),
      );
    }
    const dealJobs = await h.db
      .select()
      .from(jobs)
      .where(eq(jobs.correlationId, `salesforce:deal:${first}`));
    expect(dealJobs.length).toBeGreaterThan(3);
    for (const job of dealJobs) expect(page).toContain(`href="/ui/jobs/${job.id}"`);
    expect(page).toMatch(/tax: done/);
    expect(page).toMatch(/erp-invoice: done/);
    expect(page).toMatch(/write-back: done/);
    const [inv] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    expect(page).toContain('aria-label="Ledger entries"');
    expect(page).toMatch(/href="\/ui\/invoices\/inv_/);
    expect(inv).toBeDefined();

    // A dead write-back turns its stage red, and only that stage.
    const writeBack = dealJobs.find((j) => JSON.parse(j.payload).flow === 'crm-write-back')!;
    await h.db.run(
      sql`UPDATE jobs SET state = 'dead', last_error = 'permanent: field missing' WHERE id = ${writeBack.id}`,
    );
    await h.db.run(
      sql`UPDATE flow_steps SET status = 'failed', error = 'permanent: field missing' WHERE run_id IN (SELECT id FROM flow_runs WHERE job_id = ${writeBack.id})`,
    );
    const broken = await (await get(`/ui/deals/salesforce/${first}`, cookie)).text();
    expect(broken).toMatch(/data-testid="stage-write_back">dead/);
    expect(broken).toMatch(/data-testid="stage-erp">succeeded/);
    expect(broken).toContain('permanent: field missing');

    expect((await get('/ui/deals/salesforce/006NOPE', cookie)).status).toBe(404);
    expect((await get(`/ui/deals/quickbooks/${first}`, cookie)).status).toBe(404);
    // Another org's session cannot open this org's deal.
    const other = await createOrgWithKey(h.db, h.clock, h.encryptionKey, { name: 'Other', connections: [] });
    const otherCookie = await signIn(other.apiKey);
    expect((await get(`/ui/deals/salesforce/${first}`, otherCookie)).status).toBe(404);
    expect(await (await get(`/ui/deals?q=${first}`, otherCookie)).text()).toContain('No deal matches.');
    // No session, no page.
    expect((await h.hub.app.request(`/ui/deals/salesforce/${first}`)).status).toBe(401);
  }, 60_000);
});
