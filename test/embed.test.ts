/**
 * The CRM-embedded billing views on Node against the simulators: Salesforce Canvas (signed
 * request), the API-key view, "Sync now", and the HubSpot CRM card (signature v3).
 */
import { and, count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connections, jobs } from '../src/db/schema.js';
import { addApiKey } from '../src/db/seed.js';
import { signCanvasRequest } from '../src/http/canvas.js';
import { EMBED_CSP } from '../src/http/routes/embed.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

const CSP =
  'frame-ancestors https://*.salesforce.com https://*.force.com https://*.lightning.force.com https://*.hubspot.com https://app.hubspot.com';
const SYNC_PROFILE = '00eHs000000SyncAAA';
const PLAIN_PROFILE = '00eHs000000ViewAAA';
const PORTAL_ID = '24680135';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  // The admin lists the profiles that may sync (15-character form here; Canvas sends 18).
  await patchConfig('salesforce', { syncProfileIds: ` 00eHs000000Sync , 00eHs000000Othr ` });
  await patchConfig('hubspot', { portalId: PORTAL_ID });
});
afterEach(async () => {
  await h.close();
});

async function patchConfig(vendor: string, patch: Record<string, string>) {
  const where = and(eq(connections.orgId, h.orgId), eq(connections.vendor, vendor));
  const [row] = await h.db.select().from(connections).where(where);
  const config = JSON.stringify({ ...JSON.parse(row!.config), ...patch });
  await h.db.update(connections).set({ config }).where(where);
}

const jobCount = async () => (await h.db.select({ n: count() }).from(jobs))[0]!.n;

function envelope(recordId: string, profileId = SYNC_PROFILE, organizationId = h.sims.salesforce.state.organizationId) {
  return {
    algorithm: 'HMACSHA256',
    issuedAt: -1_234_567_890,
    userId: '005Hs00000AbCdEIAV',
    client: {
      instanceId: '_:billing:j_id0:j_id1',
      instanceUrl: 'https://acme.my.salesforce.com',
      targetOrigin: 'https://acme.my.salesforce.com',
      oauthToken: '00DHs!AQ4AQ.canvas.token',
    },
    context: {
      user: {
        userId: '005Hs00000AbCdEIAV',
        userName: 'ops@acme.example',
        fullName: 'Olga Ops',
        profileId,
        email: 'ops@acme.example',
      },
      organization: { organizationId, name: 'Acme', currencyIsoCode: 'USD' },
      environment: {
        displayLocation: 'Visualforce',
        record: { attributes: { type: 'Opportunity' }, Id: recordId },
        parameters: {},
      },
    },
  };
}

const sfSecret = () => h.sims.salesforce.credentials.clientSecret;

async function canvasPost(path: string, signedRequest: string) {
  return h.hub.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ signed_request: signedRequest }).toString(),
  });
}

async function settledOpportunity(opts: { accountName?: string } = {}) {
  const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity(opts);
  const ack = await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
  expect(ack.status).toBe(200);
  await h.settle();
  const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
  return { opportunityId, trace };
}

function expectEmbedHeaders(res: Response) {
  expect(res.headers.get('content-security-policy')).toBe(CSP);
  expect(res.headers.get('x-frame-options')).toBeNull();
}

describe('Salesforce Canvas view', () => {
  it('renders the verified deal trace with SLDS markup and the frame-ancestors policy', async () => {
    const { opportunityId, trace } = await settledOpportunity();
    const invoice = trace.invoices[0];
    const res = await canvasPost(
      '/embed/salesforce/canvas',
      await signCanvasRequest(envelope(opportunityId), sfSecret()),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(EMBED_CSP).toBe(CSP);
    expectEmbedHeaders(res);
    const body = await res.text();
    expect(body).toContain(`<td>${invoice.number}</td>`);
    expect(body).toContain('<span class="slds-badge slds-theme_success">paid</span>');
    expect(body).toContain('2145.00 USD'); // total in major units
    expect(body).toContain('salesforce-opportunity@2');
    expect(body).toContain('Acme Robotics, Inc.');
    expect(body).toContain('class="slds-card"');
    expect(body).toContain('class="slds-table');
    expect(body).toContain(
      '<link rel="stylesheet" href="/assets/slds/2.264.1/salesforce-lightning-design-system.min.css">',
    );
    expect(body).toContain('quickbooks'); // ERP refs
    expect(body).toContain('deal-to-contract'); // jobs
    expect(body).toContain('viewing as ops@acme.example');
  });

  it('uses the stylesheet URL the admin configured on the Salesforce connection', async () => {
    const { opportunityId } = await settledOpportunity();
    await patchConfig('salesforce', { sldsCssUrl: 'https://acme.my.salesforce.com/resource/slds/styles.css' });
    const res = await canvasPost(
      '/embed/salesforce/canvas',
      await signCanvasRequest(envelope(opportunityId), sfSecret()),
    );
    expect(await res.text()).toContain('href="https://acme.my.salesforce.com/resource/slds/styles.css"');
    await patchConfig('salesforce', { sldsCssUrl: 'javascript:alert(1)' });
    const unsafe = await canvasPost(
      '/embed/salesforce/canvas',
      await signCanvasRequest(envelope(opportunityId), sfSecret()),
    );
    expect(await unsafe.text()).toContain('href="/assets/slds/2.264.1/salesforce-lightning-design-system.min.css"');
  });

  it('answers a tampered, wrongly signed, unknown-org or missing signed request with 401 and no deal data', async () => {
    const { opportunityId, trace } = await settledOpportunity();
    const good = await signCanvasRequest(envelope(opportunityId, PLAIN_PROFILE), sfSecret());
    const [signature] = good.split('.');
    // Same signature, envelope changed to a permitted profile: the HMAC no longer matches.
    const forged = await signCanvasRequest(envelope(opportunityId, SYNC_PROFILE), 'attacker');
    const tampered = `${signature}.${forged.split('.')[1]}`;
    const wrongSecret = await signCanvasRequest(envelope(opportunityId), 'not-the-consumer-secret');
    const unknownOrg = await signCanvasRequest(envelope(opportunityId, SYNC_PROFILE, '00DHs0000000000AAA'), sfSecret());
    const cases = [tampered, wrongSecret, unknownOrg, '', 'garbage', `${signature}.`, `.${forged.split('.')[1]}`];
    for (const signedRequest of cases) {
      const res = await canvasPost('/embed/salesforce/canvas', signedRequest);
      expect(res.status, signedRequest).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expectEmbedHeaders(res);
      const body = await res.text();
      expect(body).not.toContain(trace.invoices[0].number);
      expect(body).not.toContain(trace.contracts[0].id);
      expect(body).not.toContain('Acme Robotics');
    }
    const noField = await h.hub.app.request('/embed/salesforce/canvas', { method: 'POST' });
    expect(noField.status).toBe(401);
  });

  it('shows "Sync now" only to permitted profiles, carrying the signed request in a hidden field', async () => {
    const { opportunityId } = await settledOpportunity();
    const permitted = await signCanvasRequest(envelope(opportunityId, SYNC_PROFILE), sfSecret());
    const page = await (await canvasPost('/embed/salesforce/canvas', permitted)).text();
    expect(page).toContain('Sync now');
    expect(page).toContain(`action="opportunity/${opportunityId}/sync"`);
    expect(page).toContain(`<input type="hidden" name="signed_request" value="${permitted}">`);

    const plain = await signCanvasRequest(envelope(opportunityId, PLAIN_PROFILE), sfSecret());
    const plainPage = await (await canvasPost('/embed/salesforce/canvas', plain)).text();
    expect(plainPage).toContain('Acme Robotics, Inc.');
    expect(plainPage).not.toContain('Sync now');
    expect(plainPage).not.toContain('signed_request');
  });

  it('"Sync now" enqueues the deal-to-contract job once, however often it is pressed', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const permitted = await signCanvasRequest(envelope(opportunityId, SYNC_PROFILE), sfSecret());
    const path = `/embed/salesforce/opportunity/${opportunityId}/sync`;
    const first = await canvasPost(path, permitted);
    expect(first.status).toBe(202);
    expectEmbedHeaders(first);
    const page = await first.text();
    expect(page).toContain('Sync requested');
    expect(page).toContain('action="sync"');
    expect((await canvasPost(path, permitted)).status).toBe(202);
    expect(await jobCount()).toBe(1);
    const [job] = await h.db.select().from(jobs);
    expect(job!.kind).toBe('flow');
    expect(JSON.parse(job!.payload)).toMatchObject({
      flow: 'deal-to-contract',
      input: { system: 'salesforce', dealId: opportunityId },
    });

    // The same job as the API's sync: pressing it there too changes nothing.
    expect((await h.api(`/api/v1/sync/salesforce/opportunities/${opportunityId}`, { method: 'POST' })).status).toBe(
      202,
    );
    expect(await jobCount()).toBe(1);
    await h.settle();
    const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
    expect(trace.invoices[0].status).toBe('paid');
  });

  it('refuses a sync from a profile that may not sync, a tampered request or another record', async () => {
    const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
    const other = h.sims.salesforce.seedClosedWonOpportunity().opportunityId;
    const path = `/embed/salesforce/opportunity/${opportunityId}/sync`;
    const plain = await signCanvasRequest(envelope(opportunityId, PLAIN_PROFILE), sfSecret());
    expect((await canvasPost(path, plain)).status).toBe(403);
    const wrong = await signCanvasRequest(envelope(opportunityId, SYNC_PROFILE), 'nope');
    expect((await canvasPost(path, wrong)).status).toBe(401);
    const forOther = await signCanvasRequest(envelope(other, SYNC_PROFILE), sfSecret());
    expect((await canvasPost(path, forOther)).status).toBe(403);
    expect((await h.hub.app.request(path, { method: 'POST' })).status).toBe(401);
    expect(await jobCount()).toBe(0);
  });

  it('escapes every value: an account named with markup renders as text', async () => {
    const accountName = `<script>alert("x")</script> & 'Co' <img src=x onerror=alert(1)>`;
    const { opportunityId, trace } = await settledOpportunity({ accountName });
    expect(trace.contracts).toHaveLength(1);
    const res = await canvasPost(
      '/embed/salesforce/canvas',
      await signCanvasRequest(envelope(opportunityId), sfSecret()),
    );
    const body = await res.text();
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toContain('<img');
    expect(body).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39; &lt;img src=x onerror=alert(1)&gt;',
    );
  });
});

describe('API-key view outside Canvas', () => {
  it('needs the API key in the Authorization header and shows "Sync now" to admin and sales_ops only', async () => {
    const { opportunityId, trace } = await settledOpportunity();
    const path = `/embed/salesforce/opportunity/${opportunityId}`;
    const anonymous = await h.hub.app.request(path);
    expect(anonymous.status).toBe(401);
    expectEmbedHeaders(anonymous);
    expect(await anonymous.text()).not.toContain(trace.invoices[0].number);
    expect((await h.hub.app.request(`${path}?key=${h.apiKey}`)).status).toBe(401);

    const admin = await h.api(path);
    expect(admin.status).toBe(200);
    expectEmbedHeaders(admin);
    const adminPage = await admin.text();
    expect(adminPage).toContain(trace.invoices[0].number);
    expect(adminPage).toContain(`action="${opportunityId}/sync"`);

    const viewerKey = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    const viewerPage = await (await h.api(path, { key: viewerKey })).text();
    expect(viewerPage).toContain(trace.invoices[0].number);
    expect(viewerPage).not.toContain('Sync now');
    expect((await h.api(`${path}/sync`, { method: 'POST', key: viewerKey })).status).toBe(403);

    const opsKey = await addApiKey(h.db, h.clock, h.orgId, 'sales_ops');
    expect(await (await h.api(path, { key: opsKey })).text()).toContain('Sync now');
    expect((await h.api('/embed/salesforce/opportunity/not-an-id')).status).toBe(400);
  });
});

describe('HubSpot CRM card', () => {
  async function settledHubSpotDeal() {
    const { dealId } = h.sims.hubspot.seedClosedWonDeal();
    expect((await h.api(`/api/v1/sync/hubspot/deals/${dealId}`, { method: 'POST' })).status).toBe(202);
    await h.settle();
    return dealId;
  }

  const cardUrl = (dealId: string, portalId = PORTAL_ID) =>
    `${h.server.url}/embed/hubspot/crm-card?userId=123&userEmail=ops%40acme.example&associatedObjectId=${dealId}&associatedObjectType=DEAL&portalId=${portalId}`;

  it('answers a signed data fetch with the billing summary in the CRM card shape', async () => {
    const dealId = await settledHubSpotDeal();
    const trace = await readJson(await h.api(`/api/v1/deals/hubspot/${dealId}/trace`));
    const url = cardUrl(dealId);
    const headers = await h.sims.hubspot.signWebhook({ method: 'GET', url, body: '' });
    const res = await fetch(url, { headers });
    expect(res.status).toBe(200);
    expectEmbedHeaders(res);
    const card = await readJson(res);
    const invoice = trace.invoices[0];
    const major = (minor: number) => (minor / 100).toFixed(2);
    expect(card).toEqual({
      results: [
        {
          objectId: 1,
          title: `Contract ${trace.contracts[0].id} (v1)`,
          properties: [
            { label: 'Contract', dataType: 'STRING', value: trace.contracts[0].id },
            { label: 'Billing status', dataType: 'STATUS', value: 'Paid', optionType: 'SUCCESS' },
            { label: 'Last invoice', dataType: 'STRING', value: invoice.number },
            {
              label: 'Amount paid',
              dataType: 'CURRENCY',
              value: major(invoice.amount_paid_minor),
              currencyCode: 'USD',
            },
            { label: 'Outstanding', dataType: 'CURRENCY', value: '0.00', currencyCode: 'USD' },
          ],
        },
      ],
    });
  });

  it('gives an empty card for a deal the hub has not billed', async () => {
    const url = cardUrl('987654321');
    const res = await fetch(url, { headers: await h.sims.hubspot.signWebhook({ method: 'GET', url, body: '' }) });
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ results: [] });
  });

  it('rejects a bad, stale or missing signature and an unknown portal with 401', async () => {
    const dealId = await settledHubSpotDeal();
    const url = cardUrl(dealId);
    const good = await h.sims.hubspot.signWebhook({ method: 'GET', url, body: '' });
    const wrong = { ...good, 'X-HubSpot-Signature-v3': 'AAAA' };
    const stale = await h.sims.hubspot.signWebhook({
      method: 'GET',
      url,
      body: '',
      timestamp: h.clock.now().getTime() - 6 * 60_000,
    });
    // Signed for another deal: the URL is part of what is signed.
    const otherDeal = await h.sims.hubspot.signWebhook({ method: 'GET', url: cardUrl('1'), body: '' });
    for (const headers of [{}, wrong, stale, otherDeal]) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(401);
      expectEmbedHeaders(res);
      expect(await res.text()).not.toContain('Contract');
    }
    const unknownPortal = cardUrl(dealId, '999');
    const res = await fetch(unknownPortal, {
      headers: await h.sims.hubspot.signWebhook({ method: 'GET', url: unknownPortal, body: '' }),
    });
    expect(res.status).toBe(401);
  });
});
