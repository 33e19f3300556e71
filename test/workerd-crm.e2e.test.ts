/**
 * The CRM entry points under workerd (Miniflare: D1, Queues, Cron, nodejs_compat; bundled by
 * wrangler from wrangler.toml), one hub for the whole file, the vendor simulators in this process
 * on loopback: HubSpot webhooks v3, Salesforce Change Data Capture, the Salesforce OAuth web-server
 * flow and the CRM-embedded views. Judged by what the simulated vendors hold and by the deal trace
 * API (and, for "nothing stored", by the rows D1 holds). Waiting is a bounded loop of polls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SIGNATURE_HEADER, signEventBody } from '../adapters/salesforce/events.js';
import { signCanvasRequest } from '../src/http/canvas.js';
import { EMBED_CSP } from '../src/http/routes/embed.js';
import { opportunityWonChange } from './support/salesforce-cdc.js';
import { ONE_DEAL_OF_CASH, startWorkerdSandbox, type Trace, type WorkerdSandbox } from './support/workerd-sandbox.js';

/** The relay's signing secret, set on the Salesforce connection at setup. */
const EVENT_SECRET = 'relay-secret-for-workerd';
const SIX_MINUTES = 6 * 60_000;

let w: WorkerdSandbox;
/** The org's connection ids by vendor (webhook endpoints are per connection). */
let connectionIds: Record<string, string>;

interface ConnectionBody {
  id: string;
  vendor: string;
  status: string;
  statusReason: string | null;
}

async function listConnections(): Promise<ConnectionBody[]> {
  const res = await w.api('/api/v1/connections');
  expect(res.status).toBe(200);
  return ((await res.json()) as { connections: ConnectionBody[] }).connections;
}

beforeAll(async () => {
  w = await startWorkerdSandbox({
    name: 'Acme CRM (workerd)',
    connections: (sims) =>
      sims.connections.map((c) => {
        if (c.vendor === 'salesforce') return { ...c, secrets: { ...c.secrets, eventSecret: EVENT_SECRET } };
        if (c.vendor === 'hubspot')
          return { ...c, config: { ...c.config, portalId: String(sims.hubspot.state.portalId) } };
        return c;
      }),
  });
  connectionIds = Object.fromEntries((await listConnections()).map((c) => [c.vendor, c.id]));
}, 120_000);

afterAll(async () => {
  await w?.close();
});

/** What D1 holds that a refused request must not have added to. */
const storedRows = async () => ({
  inbox: await w.hub.countRows('webhook_inbox'),
  jobs: await w.hub.countRows('jobs'),
});

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe('HubSpot deal to cash on workerd (webhooks v3)', () => {
  const endpoint = () => `${w.hub.url}/webhooks/hubspot/${connectionIds.hubspot}`;
  const sign = (body: string, timestamp?: number) =>
    w.sims.hubspot.signWebhook({ url: endpoint(), body, ...(timestamp === undefined ? {} : { timestamp }) });
  const deliver = (body: string, headers: Record<string, string>) =>
    fetch(endpoint(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('carries a deal moved into the trigger stage to cash once, however often the webhook arrives', async () => {
    const before = w.cash();
    const inboxBefore = await w.hub.countRows('webhook_inbox', { column: 'provider', value: 'hubspot' });
    const { dealId } = w.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    const body = JSON.stringify([w.sims.hubspot.dealStageChangedEvent(dealId, 'closedwon')]);
    const headers = await sign(body);
    const first = await deliver(body, headers);
    expect(first.status).toBe(200);
    expect(await json(first)).toEqual({ received: 1, started: 1 });
    // HubSpot retries the same request.
    const again = await deliver(body, headers);
    expect(again.status).toBe(200);
    expect(await json(again)).toEqual({ received: 1, started: 0 });

    const trace = await w.expectPaid('hubspot', dealId, { before, sweep: true });
    expect(trace.contracts[0]!.mapping_version).toMatch(/^hubspot-deal@\d+$/);
    // The billing state was written back to the simulated HubSpot deal: finalized, then paid.
    const invoice = trace.invoices[0]!;
    const total = (invoice.total_minor / 100).toFixed(2);
    expect(w.sims.hubspot.state.store.get('deals', dealId)?.properties).toMatchObject({
      hub_billing_status: 'paid',
      hub_contract_id: trace.contracts[0]!.id,
      hub_last_invoice: invoice.number,
      hub_amount_paid: total,
      hub_outstanding: '0.00',
    });
    const dealWrites = () => w.sims.hubspot.state.updates.filter((u) => u.type === 'deals' && u.id === dealId);
    expect(dealWrites().map((u) => u.properties.hub_billing_status)).toEqual(['finalized', 'paid']);

    // Delivered once more after the deal was paid (signed anew): nothing new anywhere.
    const late = await deliver(body, await sign(body));
    expect(late.status).toBe(200);
    expect(await json(late)).toEqual({ received: 1, started: 0 });
    await w.hub.sweep();
    expect(w.cashSince(before)).toEqual(ONE_DEAL_OF_CASH);
    expect((await w.readTrace('hubspot', dealId)).jobs).toHaveLength(trace.jobs.length);
    expect(await w.hub.countRows('webhook_inbox', { column: 'provider', value: 'hubspot' })).toBe(inboxBefore + 1);
    expect(dealWrites()).toHaveLength(2);
  });

  it('answers a stale, wrong or missing signature with 401 and stores nothing', async () => {
    const { dealId } = w.sims.hubspot.seedClosedWonDeal({ stage: 'contractsent' });
    const event = w.sims.hubspot.dealStageChangedEvent(dealId, 'closedwon');
    const body = JSON.stringify([event]);
    const rows = await storedRows();
    const stale = await sign(body, Date.now() - SIX_MINUTES);
    const wrong = { ...(await sign(body)), 'X-HubSpot-Signature-v3': 'AAAA' };
    // A genuine signature, of another body.
    const signedForOtherBody = await sign(JSON.stringify([{ ...event, objectId: event.objectId + 1 }]));
    for (const headers of [stale, wrong, signedForOtherBody, {}]) {
      const res = await deliver(body, headers);
      expect(res.status).toBe(401);
    }
    expect(await storedRows()).toEqual(rows);
    const trace = await w.readTrace('hubspot', dealId);
    expect([trace.contracts, trace.jobs]).toEqual([[], []]);
  });
});

describe('Salesforce Change Data Capture on workerd', () => {
  const deliver = async (body: string, signature?: string) =>
    fetch(`${w.hub.url}/webhooks/salesforce/events/${connectionIds.salesforce}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [EVENT_SIGNATURE_HEADER]: signature ?? (await signEventBody(body, EVENT_SECRET)),
      },
      body,
    });

  /** Each test's change is its own transaction (one hub serves the whole file). */
  const wonChange = (opportunityId: string) =>
    opportunityWonChange(opportunityId, { at: new Date(), transactionKey: `workerd-${opportunityId}` });

  it('starts the flow for a won opportunity once; the same event again starts nothing', async () => {
    const before = w.cash();
    const { opportunityId } = w.sims.salesforce.seedClosedWonOpportunity();
    const body = JSON.stringify([wonChange(opportunityId)]);
    const first = await deliver(body);
    expect(first.status).toBe(200);
    expect(await json(first)).toEqual({ received: 1, started: 1 });

    const trace = await w.expectPaid('salesforce', opportunityId, { before, sweep: true });
    expect(w.sims.salesforce.state.store.get('Opportunity', opportunityId)).toMatchObject({
      Hub_Billing_Status__c: 'paid',
      Hub_Outstanding__c: 0,
    });
    const cdcInbox = { column: 'provider', value: 'salesforce-cdc' };
    expect(await w.hub.countRows('webhook_inbox', cdcInbox)).toBe(1);

    // The relay replays the change (a resubscribe from an earlier replayId).
    const replay = await deliver(body);
    expect(replay.status).toBe(200);
    expect(await json(replay)).toEqual({ received: 1, started: 0 });
    await w.hub.sweep();
    expect(w.cashSince(before)).toEqual(ONE_DEAL_OF_CASH);
    expect((await w.readTrace('salesforce', opportunityId)).jobs).toHaveLength(trace.jobs.length);
    expect(await w.hub.countRows('webhook_inbox', cdcInbox)).toBe(1);
  });

  it('answers a body signed with another secret with 401 and stores nothing', async () => {
    const { opportunityId } = w.sims.salesforce.seedClosedWonOpportunity();
    const body = JSON.stringify(wonChange(opportunityId));
    const rows = await storedRows();
    const res = await deliver(body, await signEventBody(body, 'not-the-relay-secret'));
    expect(res.status).toBe(401);
    expect(await storedRows()).toEqual(rows);
    expect((await w.readTrace('salesforce', opportunityId)).jobs).toEqual([]);
  });
});

describe('CRM-embedded views on workerd', () => {
  let opportunityId: string;
  let opportunity: Trace;
  let dealId: string;
  let deal: Trace;

  beforeAll(async () => {
    const beforeOpportunity = w.cash();
    opportunityId = await w.closeSalesforceDeal();
    opportunity = await w.expectPaid('salesforce', opportunityId, { before: beforeOpportunity, sweep: true });
    const beforeDeal = w.cash();
    dealId = w.sims.hubspot.seedClosedWonDeal().dealId;
    expect((await w.api(`/api/v1/sync/hubspot/deals/${dealId}`, { method: 'POST' })).status).toBe(202);
    deal = await w.expectPaid('hubspot', dealId, { before: beforeDeal, sweep: true });
  }, 60_000);

  function expectEmbedHeaders(res: Response) {
    const csp = res.headers.get('content-security-policy');
    expect(csp).toBe(EMBED_CSP);
    expect(csp).toMatch(/^frame-ancestors .*\.force\.com .*\.hubspot\.com/);
    expect(res.headers.get('x-frame-options')).toBeNull();
  }

  function expectSldsPage(page: string) {
    const [contract] = opportunity.contracts;
    expect(contract!.mapping_version).toMatch(/^salesforce-opportunity@\d+$/);
    expect(page).toContain('class="slds-card"');
    expect(page).toContain(`<td>${contract!.id}</td><td>1</td>`);
    expect(page).toContain(`<td>${contract!.mapping_version}</td>`);
    expect(page).toContain(`<td>${opportunity.invoices[0]!.number}</td>`);
    expect(page).toContain('<span class="slds-badge slds-theme_success">paid</span>');
  }

  it('GET /embed/salesforce/opportunity/{id} with the API key renders the SLDS page, framable by the CRMs only', async () => {
    const path = `/embed/salesforce/opportunity/${opportunityId}`;
    const anonymous = await fetch(`${w.hub.url}${path}`);
    expect(anonymous.status).toBe(401);
    expectEmbedHeaders(anonymous);
    expect(await anonymous.text()).not.toContain(opportunity.invoices[0]!.number);

    const res = await w.api(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expectEmbedHeaders(res);
    expectSldsPage(await res.text());
  });

  it('renders a Canvas signed request verified with the consumer secret, and answers a forged one with 401', async () => {
    const envelope = {
      algorithm: 'HMACSHA256',
      client: { instanceUrl: 'https://acme.my.salesforce.com', oauthToken: '00DHs!canvas.token' },
      context: {
        user: { userId: '005Hs00000AbCdEIAV', userName: 'ops@acme.example' },
        organization: { organizationId: w.sims.salesforce.state.organizationId },
        environment: { record: { attributes: { type: 'Opportunity' }, Id: opportunityId } },
      },
    };
    const post = async (signedRequest: string) =>
      fetch(`${w.hub.url}/embed/salesforce/canvas`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ signed_request: signedRequest }).toString(),
      });

    const res = await post(await signCanvasRequest(envelope, w.sims.salesforce.credentials.clientSecret));
    expect(res.status).toBe(200);
    expectEmbedHeaders(res);
    const page = await res.text();
    expectSldsPage(page);
    expect(page).toContain('viewing as ops@acme.example');

    const forged = await post(await signCanvasRequest(envelope, 'not-the-consumer-secret'));
    expect(forged.status).toBe(401);
    expectEmbedHeaders(forged);
    expect(await forged.text()).not.toContain(opportunity.invoices[0]!.number);
  });

  it('answers a signed HubSpot CRM card fetch with the card JSON, and a badly signed one with 401', async () => {
    const url = `${w.hub.url}/embed/hubspot/crm-card?userId=123&associatedObjectId=${dealId}&associatedObjectType=DEAL&portalId=${w.sims.hubspot.state.portalId}`;
    const signed = await w.sims.hubspot.signWebhook({ method: 'GET', url, body: '' });
    const res = await fetch(url, { headers: signed });
    expect(res.status).toBe(200);
    expectEmbedHeaders(res);
    const contract = deal.contracts[0]!;
    const invoice = deal.invoices[0]!;
    expect(await res.json()).toEqual({
      results: [
        {
          objectId: 1,
          title: `Contract ${contract.id} (v1)`,
          properties: [
            { label: 'Contract', dataType: 'STRING', value: contract.id },
            { label: 'Billing status', dataType: 'STATUS', value: 'Paid', optionType: 'SUCCESS' },
            { label: 'Last invoice', dataType: 'STRING', value: invoice.number },
            {
              label: 'Amount paid',
              dataType: 'CURRENCY',
              value: (invoice.amount_paid_minor / 100).toFixed(2),
              currencyCode: 'USD',
            },
            { label: 'Outstanding', dataType: 'CURRENCY', value: '0.00', currencyCode: 'USD' },
          ],
        },
      ],
    });

    const stale = await w.sims.hubspot.signWebhook({
      method: 'GET',
      url,
      body: '',
      timestamp: Date.now() - SIX_MINUTES,
    });
    for (const headers of [{ ...signed, 'X-HubSpot-Signature-v3': 'AAAA' }, stale, {}]) {
      const bad = await fetch(url, { headers });
      expect(bad.status).toBe(401);
      expectEmbedHeaders(bad);
      expect(await bad.text()).not.toContain(contract.id);
    }
  });
});

// Last: it replaces the Salesforce credentials the other tests use.
describe('Salesforce OAuth web-server flow on workerd', () => {
  const salesforceConnection = async () => (await listConnections()).find((c) => c.vendor === 'salesforce')!;

  it('start → Salesforce approval → callback stores a healthy connection whose new token carries a deal to cash', async () => {
    const sf = w.sims.salesforce;
    const start = await w.api('/api/v1/connections/salesforce/oauth/start', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(start.status).toBe(200);
    const { authorizeUrl, redirectUri } = (await start.json()) as { authorizeUrl: string; redirectUri: string };
    expect(redirectUri).toBe(`${w.hub.url}/oauth/salesforce/callback`);
    const authorize = new URL(authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(
      `${w.sims.servers.salesforce!.url}/services/oauth2/authorize`,
    );
    expect(authorize.searchParams.get('client_id')).toBe(sf.credentials.clientId);

    // The user approves at the (simulated) Salesforce login page, which redirects with a code.
    const approval = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(approval.status).toBe(302);
    const callback = new URL(approval.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
    const state = callback.searchParams.get('state')!;
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${state.slice(0, -2)}${state.endsWith('AA') ? 'BB' : 'AA'}`);
    const refused = await fetch(tampered);
    expect(refused.status).toBe(400);
    expect(sf.state.authorizationCodes.size).toBe(1); // a refused state never reaches Salesforce

    const tokensBefore = new Set(sf.state.accessTokens);
    const res = await fetch(callback); // no API key: the signed state is the proof
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Salesforce connected');
    // The worker exchanged the code at the simulator's token endpoint (codes are single use).
    expect(sf.state.authorizationCodes.size).toBe(0);
    const issued = [...sf.state.accessTokens].filter((t) => !tokensBefore.has(t));
    expect(issued).toHaveLength(1);
    expect(await salesforceConnection()).toMatchObject({
      id: connectionIds.salesforce,
      status: 'healthy',
      statusReason: null,
    });
    // The redirect replayed: Salesforce refuses the spent code and the hub answers 400.
    expect((await fetch(callback)).status).toBe(400);

    // Salesforce forgets every earlier credential: only the token the callback stored still works.
    for (const token of tokensBefore) sf.state.accessTokens.delete(token);
    sf.state.refreshTokens.delete(sf.credentials.refreshToken);
    const before = w.cash();
    const refreshes = sf.state.refreshes;
    const opportunityId = await w.closeSalesforceDeal();
    await w.expectPaid('salesforce', opportunityId, { before, sweep: true });
    expect(sf.state.refreshes).toBe(refreshes); // no refresh was needed, nor possible
    expect(await salesforceConnection()).toMatchObject({ status: 'healthy', statusReason: null });
  });
});
