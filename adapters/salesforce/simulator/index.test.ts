/**
 * The adapter (real jsforce) against the simulator on loopback, plus the simulator's own
 * contract: Salesforce's paths, error array, token endpoint, limits and SOQL subset.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, serveOnLoopback } from '../../sandbox/serve.js';
import { SESSION_EXPIRED } from '../errors.js';
import { checkId } from '../ids.js';
import { createSalesforceAdapter, opportunitySoql, primaryQuoteSoql } from '../index.js';
import { parseOutboundMessage } from '../webhooks.js';
import { createSalesforceSimulator, type SalesforceSimulator } from './index.js';

const NOW = new Date('2026-01-15T10:00:00.000Z');

let sim: SalesforceSimulator;
let server: RunningServer;
let tokens: string[];

/** One simulator served for the file; each test gets a fresh org behind it. */
let current: SalesforceSimulator;
beforeAll(async () => {
  const front = new Hono();
  front.all('*', (c) => current.app.fetch(c.req.raw));
  server = await serveOnLoopback(front);
});
afterAll(() => server.close());
beforeEach(() => {
  current = createSalesforceSimulator({ now: () => NOW });
  sim = current;
  tokens = [];
});

const adapterFor = (s: SalesforceSimulator, extra: { refresh?: boolean } = { refresh: true }) =>
  createSalesforceAdapter({
    instanceUrl: server.url,
    accessToken: s.credentials.accessToken,
    ...(extra.refresh
      ? {
          refreshToken: s.credentials.refreshToken,
          clientId: s.credentials.clientId,
          clientSecret: s.credentials.clientSecret,
          loginUrl: server.url,
        }
      : {}),
    onTokenRefresh: (t) => tokens.push(t),
  });

const api = (path: string, init: RequestInit = {}, token = sim.credentials.accessToken) =>
  fetch(`${server.url}/services/data/v62.0${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected freely in assertions.
const json = async (res: Response): Promise<any> => res.json();

const queries = () => sim.faults.seen.filter((r) => r.path.endsWith('/query'));

describe('adapter round trip', () => {
  it('reads the demo closed-won deal', async () => {
    const seeded = sim.seedClosedWonOpportunity();
    const result = await adapterFor(sim).fetchDeal(seeded.opportunityId);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value).toEqual({
      source: 'salesforce',
      deal: {
        id: seeded.opportunityId,
        name: 'Acme Robotics, Inc. - Annual subscription',
        stage: 'Closed Won',
        isWon: true,
        closeDate: '2026-01-15',
        currency: 'USD',
        amount: '2000',
        accountId: seeded.accountId,
        lastModified: NOW.toISOString(),
        renewalOf: null,
      },
      account: {
        id: seeded.accountId,
        name: 'Acme Robotics, Inc.',
        email: null,
        billingAddress: {
          line1: '415 Mission Street',
          city: 'San Francisco',
          region: 'CA',
          postalCode: '94105',
          country: 'US',
        },
      },
      lineItems: [
        {
          id: seeded.lineItemIds[0],
          productId: seeded.productIds[0],
          productCode: 'PLATFORM',
          productName: 'Platform fee',
          quantity: '1',
          unitPrice: '1000',
          description: null,
          attributes: {
            'Product2.Family': 'Subscription',
            PricebookEntryId: seeded.pricebookEntryIds[0],
            ListPrice: '1000',
          },
        },
        {
          id: seeded.lineItemIds[1],
          productId: seeded.productIds[1],
          productCode: 'SEAT',
          productName: 'Seat licence',
          quantity: '25',
          unitPrice: '40',
          description: null,
          attributes: { 'Product2.Family': 'Seat', PricebookEntryId: seeded.pricebookEntryIds[1], ListPrice: '40' },
        },
      ],
      contacts: [
        {
          id: seeded.contactIds[0],
          firstName: 'Maya',
          lastName: 'Okafor',
          email: 'maya.okafor@acme-robotics.example',
          phone: null,
          role: 'Decision Maker',
          isPrimary: true,
        },
        {
          id: seeded.contactIds[1],
          firstName: 'Leo',
          lastName: 'Brandt',
          email: 'ap@acme-robotics.example',
          phone: '+1 415 555 0100',
          role: 'Billing Contact',
          isPrimary: false,
        },
      ],
    });
  });

  it('keeps one primary contact role per opportunity and derives Contact.Name', async () => {
    const seeded = sim.seedClosedWonOpportunity({
      contacts: [
        { firstName: 'Ana', lastName: 'One', email: 'one@acme.example', role: 'Decision Maker', isPrimary: true },
        { firstName: 'Bo', lastName: 'Two', email: 'two@acme.example', role: 'Billing Contact', isPrimary: true },
      ],
    });
    const result = await adapterFor(sim).fetchDeal(seeded.opportunityId);
    if (!result.ok) throw new Error(result.reason);
    // Making the second primary cleared the first, as Salesforce does.
    expect(result.value.contacts.map((c) => [c.lastName, c.isPrimary])).toEqual([
      ['One', false],
      ['Two', true],
    ]);
    expect((await json(await api(`/sobjects/Contact/${seeded.contactIds[1]}`))).Name).toBe('Bo Two');
  });

  it('seeds valid 18-character ids with the right key prefixes', () => {
    const s = sim.seedClosedWonOpportunity();
    const expectations: [string, string][] = [
      [s.opportunityId, '006'],
      [s.accountId, '001'],
      ...s.productIds.map((id): [string, string] => [id, '01t']),
      ...s.pricebookEntryIds.map((id): [string, string] => [id, '01u']),
      ...s.lineItemIds.map((id): [string, string] => [id, '00k']),
    ];
    for (const [id, prefix] of expectations) {
      expect(id).toHaveLength(18);
      expect(checkId(id, prefix)).toBeNull();
    }
    expect(new Set(expectations.map(([id]) => id)).size).toBe(expectations.length);
  });

  it('honours seed overrides: currency, no line items, amount, decimals', async () => {
    const bare = sim.seedClosedWonOpportunity({ currency: 'EUR', lineItems: [], amount: 500.25, billingAddress: null });
    const odd = sim.seedClosedWonOpportunity({
      currency: 'JPY',
      lineItems: [
        { name: 'Consulting day', productCode: 'CONS', family: 'Services', quantity: 2.5, unitPrice: 120000 },
      ],
    });
    const sf = adapterFor(sim);
    const a = await sf.fetchDeal(bare.opportunityId);
    const b = await sf.fetchDeal(odd.opportunityId);
    if (!a.ok || !b.ok) throw new Error('fetch failed');
    expect(a.value.deal).toMatchObject({ currency: 'EUR', amount: '500.25' });
    expect(a.value.lineItems).toEqual([]);
    expect(a.value.account?.billingAddress).toBeNull();
    expect(b.value.deal).toMatchObject({ currency: 'JPY', amount: '300000' });
    expect(b.value.lineItems.map((l) => [l.quantity, l.unitPrice, l.attributes['Product2.Family']])).toEqual([
      ['2.5', '120000', 'Services'],
    ]);
  });

  it('reads a single-currency org: CurrencyIsoCode left out, currency null', async () => {
    sim = current = createSalesforceSimulator({ now: () => NOW, multiCurrency: false });
    const seeded = sim.seedClosedWonOpportunity();
    const sf = adapterFor(sim);
    const first = await sf.fetchDeal(seeded.opportunityId);
    const second = await sf.fetchDeal(seeded.opportunityId);
    expect(first.ok && first.value.deal.currency).toBeNull();
    expect(second).toEqual(first);
    // The first attempt met INVALID_FIELD; after that the adapter no longer asks for the field.
    expect(queries()).toHaveLength(3);
  });

  it('answers "opportunity not found" for a well-formed id the org does not have', async () => {
    const result = await adapterFor(sim).fetchDeal('0068c00000zzzzzAAA'.slice(0, 15));
    expect(result).toMatchObject({ ok: false, kind: 'permanent', reason: expect.stringMatching(/not found/) });
  });

  it('goes from an Outbound Message to the deal it names', async () => {
    const seeded = sim.seedClosedWonOpportunity();
    const message = parseOutboundMessage(sim.outboundMessageFor(seeded.opportunityId));
    if (!message.ok) throw new Error(message.reason);
    expect(message.value.organizationId).toBe(sim.state.organizationId);
    const [notification] = message.value.notifications;
    expect(notification).toMatchObject({ objectType: 'Opportunity', objectId: seeded.opportunityId });
    expect(notification.fields).toMatchObject({ StageName: 'Closed Won', IsWon: 'true', Amount: '2000' });
    const deal = await adapterFor(sim).fetchDeal(notification.objectId);
    expect(deal.ok && deal.value.deal.id).toBe(seeded.opportunityId);
    // Each message gets its own notification id (the inbox dedupes on it).
    const again = parseOutboundMessage(sim.outboundMessageFor(seeded.opportunityId));
    expect(again.ok && again.value.notifications[0].id).not.toBe(notification.id);
  });
});

describe('sessions and tokens', () => {
  it('refreshes an expired access token through the simulator token endpoint', async () => {
    const seeded = sim.seedClosedWonOpportunity();
    const sf = adapterFor(sim);
    sim.expireAccessToken();
    const result = await sf.fetchDeal(seeded.opportunityId);
    expect(result.ok).toBe(true);
    expect(sim.state.refreshes).toBe(1);
    expect(tokens).toHaveLength(1);
    expect(sim.state.accessTokens.has(tokens[0])).toBe(true);
    // The old token is dead for good; the new one works.
    expect((await api('/limits')).status).toBe(401);
    expect((await api('/limits', {}, tokens[0])).status).toBe(200);
    expect(sf.client.connection.accessToken).toBe(tokens[0]);
  });

  it('refreshes after an injected 401 mid-sync', async () => {
    const seeded = sim.seedClosedWonOpportunity();
    sim.faults.inject('/services/data', { kind: 'status', status: 401 });
    const result = await adapterFor(sim).fetchDeal(seeded.opportunityId);
    expect(result.ok).toBe(true);
    expect(sim.state.refreshes).toBe(1);
  });

  it('without refresh credentials, an expired session is "session expired; reconnect"', async () => {
    const seeded = sim.seedClosedWonOpportunity();
    sim.expireAccessToken();
    const result = await adapterFor(sim, { refresh: false }).fetchDeal(seeded.opportunityId);
    expect(result).toEqual({ ok: false, kind: 'retryable', reason: SESSION_EXPIRED, status: 401, reconnect: true });
  });

  it('a revoked refresh token is "session expired; reconnect"', async () => {
    const seeded = sim.seedClosedWonOpportunity();
    sim.expireAccessToken();
    sim.revokeRefreshToken();
    const result = await adapterFor(sim).fetchDeal(seeded.opportunityId);
    expect(result).toMatchObject({ ok: false, kind: 'retryable', reason: SESSION_EXPIRED });
    expect(sim.state.refreshes).toBe(0);
    expect(tokens).toEqual([]);
  });

  it('speaks the OAuth error shape on the token endpoint', async () => {
    const post = (form: Record<string, string>) =>
      fetch(`${server.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
    const bad = await post({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: sim.credentials.clientId });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toEqual({ error: 'invalid_grant', error_description: 'expired access/refresh token' });
    const other = await post({ grant_type: 'password', client_id: sim.credentials.clientId });
    expect((await json(other)).error).toBe('unsupported_grant_type');
    const good = await post({
      grant_type: 'refresh_token',
      refresh_token: sim.credentials.refreshToken,
      client_id: sim.credentials.clientId,
    });
    const body = await json(good);
    expect(body).toMatchObject({ token_type: 'Bearer', instance_url: server.url, issued_at: String(NOW.getTime()) });
    expect(body.id).toBe(`${server.url}/id/${sim.state.organizationId}/${body.id.split('/').pop()}`);
  });
});

describe('faults and limits', () => {
  it('a 503 is retryable and the next attempt succeeds', async () => {
    const seeded = sim.seedClosedWonOpportunity();
    sim.faults.inject('/services/data', { kind: 'status', status: 503 });
    const sf = adapterFor(sim);
    expect(await sf.fetchDeal(seeded.opportunityId)).toMatchObject({ ok: false, kind: 'retryable', status: 503 });
    expect((await sf.fetchDeal(seeded.opportunityId)).ok).toBe(true);
    expect(queries()).toHaveLength(2); // the SDK did not retry on its own
  });

  it('a 429 from in front of Salesforce carries its Retry-After', async () => {
    const seeded = sim.seedClosedWonOpportunity();
    sim.faults.inject('/services/data', { kind: 'status', status: 429, retryAfterSeconds: 20 });
    const result = await adapterFor(sim).fetchDeal(seeded.opportunityId);
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 429, retryAfterMs: 20_000 });
  });

  it('a connection dropped mid-response is retryable for a read, then the read succeeds', async () => {
    const seeded = sim.seedClosedWonOpportunity();
    sim.faults.inject('/services/data', { kind: 'timeout' });
    const sf = adapterFor(sim);
    expect(await sf.fetchDeal(seeded.opportunityId)).toMatchObject({ ok: false, kind: 'retryable' });
    expect((await sf.fetchDeal(seeded.opportunityId)).ok).toBe(true);
  });

  it('enforces the daily API allocation with 403 REQUEST_LIMIT_EXCEEDED', async () => {
    sim = current = createSalesforceSimulator({ now: () => NOW, apiRequestLimit: 2 });
    const seeded = sim.seedClosedWonOpportunity();
    const sf = adapterFor(sim);
    expect((await sf.fetchDeal(seeded.opportunityId)).ok).toBe(true);
    const limits = await api('/limits');
    expect(limits.headers.get('sforce-limit-info')).toBe('api-usage=2/2');
    expect(await json(limits)).toEqual({ DailyApiRequests: { Max: 2, Remaining: 0 } });
    const result = await sf.fetchDeal(seeded.opportunityId);
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 403, retryAfterMs: 3_600_000 });
  });
});

describe('simulator REST contract', () => {
  it('GET and PATCH an sObject; derived fields follow', async () => {
    const seeded = sim.seedClosedWonOpportunity({ stageName: 'Negotiation/Review' });
    const before = await json(await api(`/sobjects/Opportunity/${seeded.opportunityId}?fields=StageName,IsWon,Amount`));
    expect(before).toMatchObject({ StageName: 'Negotiation/Review', IsWon: false, Amount: 2000 });
    expect(before.attributes).toEqual({
      type: 'Opportunity',
      url: `/services/data/v62.0/sobjects/Opportunity/${seeded.opportunityId}`,
    });
    const patch = await api(`/sobjects/Opportunity/${seeded.opportunityId}`, {
      method: 'PATCH',
      body: JSON.stringify({ StageName: 'Closed Won' }),
    });
    expect(patch.status).toBe(204);
    // PATCH sets fields: sending it again (same clock) changes nothing and creates nothing.
    const stateAfterFirst = JSON.stringify(sim.state.store.all('Opportunity'));
    const again = await api(`/sobjects/Opportunity/${seeded.opportunityId}`, {
      method: 'PATCH',
      body: JSON.stringify({ StageName: 'Closed Won' }),
    });
    expect(again.status).toBe(204);
    expect(JSON.stringify(sim.state.store.all('Opportunity'))).toBe(stateAfterFirst);
    const deal = await adapterFor(sim).fetchDeal(seeded.opportunityId);
    expect(deal.ok && deal.value.deal).toMatchObject({ stage: 'Closed Won', isWon: true });
    expect(sim.state.store.count('Opportunity')).toBe(1);
  });

  it('rejects read-only and unknown fields with the error array', async () => {
    const { opportunityId } = sim.seedClosedWonOpportunity();
    const readOnly = await api(`/sobjects/Opportunity/${opportunityId}`, {
      method: 'PATCH',
      body: JSON.stringify({ IsWon: true }),
    });
    expect(readOnly.status).toBe(400);
    expect(await json(readOnly)).toEqual([
      expect.objectContaining({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['IsWon'] }),
    ]);
    const unknown = await api(`/sobjects/Opportunity/${opportunityId}`, {
      method: 'PATCH',
      body: JSON.stringify({ Colour__c: 'red' }),
    });
    expect((await json(unknown))[0].errorCode).toBe('INVALID_FIELD');
    const missing = await api('/sobjects/Opportunity/0068c00000zzzzz');
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it("accepts the org's custom fields (Hub_*__c) on PATCH, stores and returns them", async () => {
    const { opportunityId } = sim.seedClosedWonOpportunity();
    const res = await api(`/sobjects/Opportunity/${opportunityId}`, {
      method: 'PATCH',
      body: JSON.stringify({ Hub_Billing_Status__c: 'paid', Hub_Amount_Paid__c: 2145 }),
    });
    expect(res.status).toBe(204);
    expect(sim.state.store.get('Opportunity', opportunityId)).toMatchObject({
      Hub_Billing_Status__c: 'paid',
      Hub_Amount_Paid__c: 2145,
    });
    expect(sim.state.updates).toEqual([
      { type: 'Opportunity', id: opportunityId, values: { Hub_Billing_Status__c: 'paid', Hub_Amount_Paid__c: 2145 } },
    ]);
    const read = await json(await api(`/sobjects/Opportunity/${opportunityId}?fields=Hub_Billing_Status__c`));
    expect(read.Hub_Billing_Status__c).toBe('paid');
  });

  it('returns Salesforce query shapes: parent records, null empty children', async () => {
    const { opportunityId } = sim.seedClosedWonOpportunity({ lineItems: [] });
    const res = await api(`/query?q=${encodeURIComponent(opportunitySoql(opportunityId))}`);
    const body = await json(res);
    expect(body).toMatchObject({ totalSize: 1, done: true });
    expect(body.records[0].Account).toMatchObject({ attributes: { type: 'Account' }, BillingCity: 'San Francisco' });
    expect(body.records[0].OpportunityLineItems).toBeNull();
  });

  it.each([
    ['SELECT COUNT() FROM Opportunity', 'MALFORMED_QUERY'],
    ["SELECT Id FROM Opportunity WHERE Name LIKE 'A%'", 'MALFORMED_QUERY'],
    ["SELECT Id FROM Opportunity WHERE Id = '006'", 'INVALID_QUERY_FILTER_OPERATOR'],
    ["SELECT Id FROM Opportunity WHERE Id = '0068c0000000001AAA' AND IsWon = true", 'MALFORMED_QUERY'],
    ['SELECT Id, Colour__c FROM Opportunity', 'INVALID_FIELD'],
    ['SELECT Id, Owner.Name FROM Opportunity', 'INVALID_FIELD'],
    ['SELECT Id FROM Lead', 'INVALID_TYPE'],
    ['SELECT Id, (SELECT Id FROM Contacts) FROM Opportunity', 'INVALID_TYPE'],
    ['SELECT Id FROM', 'MALFORMED_QUERY'],
    ["SELECT Id FROM SBQQ__Quote__c WHERE Name = 'Q-00001'", 'MALFORMED_QUERY'],
    ["SELECT Id FROM SBQQ__Quote__c WHERE SBQQ__Opportunity2__c = '006'", 'INVALID_QUERY_FILTER_OPERATOR'],
    ['SELECT Id FROM SBQQ__Quote__c WHERE SBQQ__Opportunity2__c = 5', 'MALFORMED_QUERY'],
    [
      'SELECT Id, (SELECT Id FROM SBQQ__LineItems__r WHERE SBQQ__Quantity__c = 1) FROM SBQQ__Quote__c',
      'MALFORMED_QUERY',
    ],
    ['SELECT Id, SBQQ__Colour__c FROM SBQQ__QuoteLine__c', 'INVALID_FIELD'],
  ])('answers %j with 400 %s', async (soql, errorCode) => {
    const res = await api(`/query?q=${encodeURIComponent(soql)}`);
    expect(res.status).toBe(400);
    const [error] = await json(res);
    expect(error.errorCode).toBe(errorCode);
    expect(typeof error.message).toBe('string');
  });

  it('rejects unknown tokens and API versions the way Salesforce does', async () => {
    const noAuth = await api('/limits', {}, 'bogus');
    expect(noAuth.status).toBe(401);
    expect(await json(noAuth)).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const badVersion = await fetch(`${server.url}/services/data/latest/limits`, {
      headers: { authorization: `Bearer ${sim.credentials.accessToken}` },
    });
    expect(badVersion.status).toBe(404);
  });
});

describe('Salesforce CPQ quotes', () => {
  const QUOTE_LINES = [
    { name: 'Platform fee', productCode: 'PLATFORM', family: 'Subscription', quantity: 1, netPrice: 900 },
    {
      name: 'Seat licence',
      productCode: 'SEAT',
      family: 'Seat',
      quantity: 25,
      netPrice: 36.5,
      chargeType: 'Recurring',
    },
  ];

  it('gives the primary quote lines at their net prices to an adapter with cpq on', async () => {
    const { opportunityId, productIds } = sim.seedClosedWonOpportunity();
    sim.seedCpqQuote(opportunityId, [{ ...QUOTE_LINES[0]!, netPrice: 1 }], { primary: false });
    const { quoteId, quoteLineIds } = sim.seedCpqQuote(opportunityId, QUOTE_LINES);
    expect(quoteId.startsWith('a0x')).toBe(true);
    expect(quoteLineIds.every((id) => id.startsWith('a0y'))).toBe(true);

    const adapter = createSalesforceAdapter(
      { instanceUrl: server.url, accessToken: sim.credentials.accessToken },
      { cpq: true },
    );
    const result = await adapter.fetchDeal(opportunityId);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.deal.closeDate).toBe('2026-01-15');
    expect(result.value.lineItems).toEqual([
      {
        id: quoteLineIds[0],
        productId: productIds[0],
        productCode: 'PLATFORM',
        productName: 'Platform fee',
        quantity: '1',
        unitPrice: '900',
        description: null,
        attributes: {
          'Product2.Family': 'Subscription',
          SBQQ__ChargeType__c: 'Recurring',
          SBQQ__BillingFrequency__c: 'Monthly',
        },
      },
      {
        id: quoteLineIds[1],
        productId: productIds[1],
        productCode: 'SEAT',
        productName: 'Seat licence',
        quantity: '25',
        unitPrice: '36.5',
        description: null,
        attributes: {
          'Product2.Family': 'Seat',
          SBQQ__ChargeType__c: 'Recurring',
          SBQQ__BillingFrequency__c: 'Monthly',
        },
      },
    ]);
    // The opportunity, its primary quote, the quote's lines (the SOQL itself: the nock test).
    expect(queries()).toHaveLength(3);
  });

  it('falls back to the opportunity line items without a primary quote, and reads no quote without cpq', async () => {
    const { opportunityId, lineItemIds } = sim.seedClosedWonOpportunity();
    sim.seedCpqQuote(opportunityId, QUOTE_LINES, { primary: false });
    const cpq = createSalesforceAdapter(
      { instanceUrl: server.url, accessToken: sim.credentials.accessToken },
      { cpq: true },
    );
    const withCpq = await cpq.fetchDeal(opportunityId);
    if (!withCpq.ok) throw new Error(withCpq.reason);
    expect(withCpq.value.lineItems.map((l) => l.id)).toEqual(lineItemIds);

    sim.seedCpqQuote(opportunityId, QUOTE_LINES);
    const plain = await adapterFor(sim, {}).fetchDeal(opportunityId);
    if (!plain.ok) throw new Error(plain.reason);
    expect(plain.value.lineItems.map((l) => l.id)).toEqual(lineItemIds);
  });

  it('keeps one primary quote per opportunity, as CPQ does', async () => {
    const { opportunityId } = sim.seedClosedWonOpportunity();
    sim.seedCpqQuote(opportunityId, QUOTE_LINES);
    sim.seedCpqQuote(opportunityId, QUOTE_LINES);
    const res = await api(`/query?q=${encodeURIComponent(primaryQuoteSoql(opportunityId).replace(' LIMIT 1', ''))}`);
    expect(res.status).toBe(200);
    expect((await json(res)).totalSize).toBe(1);
  });
});
