/**
 * The real @hubspot/api-client (generated CRM APIs on our fetch transport) against nock: the
 * requests it sends (paths, properties, batch bodies, Bearer token) and how we sort HubSpot's
 * answers. Response bodies come from __fixtures__; request shapes are checked against
 * ../shared/apispecs/hubspot.json.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAILY_LIMIT_RETRY_AFTER_MS, TOKEN_REJECTED } from './errors.js';
import { createHubSpotAdapter } from './index.js';
import { COMPANY_PROPERTIES, CONTACT_PROPERTIES, DEAL_PROPERTIES, LINE_ITEM_PROPERTIES } from './map.js';

const API = 'https://api.hubapi.com';
const DEAL_ID = '18273645501';
const TOKEN = 'pat-na1-11111111-2222-4333-8444-555555555555';
const NOW = new Date('2026-01-15T10:00:00.000Z');

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'));
const errors = fixture('errors');
const spec = JSON.parse(readFileSync(new URL('../../../shared/apispecs/hubspot.json', import.meta.url), 'utf8'));

const adapter = () => createHubSpotAdapter({ accessToken: TOKEN, now: () => NOW });

interface Sent {
  path: string;
  auth: string | undefined;
  body: unknown;
}

/** Answers the whole read of the fixture deal, recording every request. */
function interceptDeal(sent: Sent[], overrides: { products?: boolean } = {}) {
  const record = function (this: { req: { headers: Record<string, string> } }, uri: string, body: unknown) {
    sent.push({ path: uri, auth: this.req.headers.authorization, body });
  };
  const scope = nock(API)
    .get(`/crm/v3/objects/deals/${DEAL_ID}`)
    .query(true)
    .reply(function (uri, body) {
      record.call(this, uri, body);
      return [200, fixture('deal')];
    })
    .get(`/crm/v4/objects/deals/${DEAL_ID}/associations/line_items`)
    .query(true)
    .reply(function (uri, body) {
      record.call(this, uri, body);
      return [200, fixture('associations-line-items')];
    })
    .get(`/crm/v4/objects/deals/${DEAL_ID}/associations/companies`)
    .query(true)
    .reply(function (uri, body) {
      record.call(this, uri, body);
      return [200, fixture('associations-companies')];
    })
    .get(`/crm/v4/objects/deals/${DEAL_ID}/associations/contacts`)
    .query(true)
    .reply(function (uri, body) {
      record.call(this, uri, body);
      return [200, fixture('associations-contacts')];
    })
    .post('/crm/v3/objects/contacts/batch/read')
    .reply(function (uri, body) {
      record.call(this, uri, body);
      return [200, fixture('batch-contacts')];
    })
    .post('/crm/v3/objects/line_items/batch/read')
    .reply(function (uri, body) {
      record.call(this, uri, body);
      return [200, fixture('batch-line-items')];
    })
    .post('/crm/v3/objects/companies/batch/read')
    .reply(function (uri, body) {
      record.call(this, uri, body);
      return [200, fixture('batch-companies')];
    });
  if (overrides.products !== false) {
    scope.post('/crm/v3/objects/products/batch/read').reply(function (uri, body) {
      record.call(this, uri, body);
      return [200, fixture('batch-products')];
    });
  }
  return scope;
}

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('fetchDeal requests', () => {
  it('reads the deal, its associations, line items, company and missing product SKUs with the Bearer token', async () => {
    const sent: Sent[] = [];
    const scope = interceptDeal(sent);
    const result = await adapter().fetchDeal(DEAL_ID);
    if (!result.ok) throw new Error(result.reason);
    expect(scope.isDone()).toBe(true);
    expect(sent.every((s) => s.auth === `Bearer ${TOKEN}`)).toBe(true);

    const dealRead = new URL(sent.find((s) => s.path.startsWith('/crm/v3/objects/deals/'))?.path ?? '', API);
    // The SDK repeats the parameter (properties=a&properties=b), which HubSpot accepts.
    expect(dealRead.searchParams.getAll('properties')).toEqual([...DEAL_PROPERTIES, 'hub_renewal_of']);

    for (const type of ['line_items', 'companies', 'contacts']) {
      const assoc = new URL(sent.find((s) => s.path.includes(`/associations/${type}`))?.path ?? '', API);
      expect(assoc.searchParams.get('limit')).toBe('500');
      expect(assoc.searchParams.has('after')).toBe(false);
    }

    const lineRead = sent.find((s) => s.path === '/crm/v3/objects/line_items/batch/read')?.body;
    expect(lineRead).toEqual({
      inputs: [{ id: '9401' }, { id: '9402' }],
      properties: LINE_ITEM_PROPERTIES,
      propertiesWithHistory: [],
    });
    // The "Primary" company, not the first association listed.
    const companyRead = sent.find((s) => s.path === '/crm/v3/objects/companies/batch/read')?.body;
    expect(companyRead).toMatchObject({ inputs: [{ id: '5502' }], properties: COMPANY_PROPERTIES });
    const contactRead = sent.find((s) => s.path === '/crm/v3/objects/contacts/batch/read')?.body;
    expect(contactRead).toEqual({
      inputs: [{ id: '8801' }, { id: '8802' }],
      properties: CONTACT_PROPERTIES,
      propertiesWithHistory: [],
    });
    // Only the line item without its own SKU needs its product.
    const productRead = sent.find((s) => s.path === '/crm/v3/objects/products/batch/read')?.body;
    expect(productRead).toMatchObject({ inputs: [{ id: '7701' }] });
  });

  it('maps the deal exactly, keeping HubSpot decimal strings as sent', async () => {
    interceptDeal([]);
    const result = await adapter().fetchDeal(DEAL_ID);
    expect(result).toEqual({
      ok: true,
      value: {
        source: 'hubspot',
        deal: {
          id: DEAL_ID,
          name: 'Globex - Annual subscription',
          stage: 'closedwon',
          isWon: true,
          closeDate: '2026-01-15',
          currency: 'EUR',
          amount: '2000.00',
          accountId: '5502',
          lastModified: '2026-01-15T10:04:11.512Z',
          renewalOf: null,
        },
        account: {
          id: '5502',
          name: 'Globex Corporation',
          email: null,
          billingAddress: {
            line1: '500 Main Street',
            city: 'Springfield',
            region: 'OR',
            postalCode: '97477',
            country: 'United States',
          },
        },
        lineItems: [
          {
            id: '9401',
            productId: '7701',
            productCode: 'PLATFORM',
            productName: 'Platform fee',
            quantity: '1',
            unitPrice: '1000.00',
            description: 'Platform, billed yearly',
            attributes: { hs_sku: 'PLATFORM', recurringbillingfrequency: 'annually' },
          },
          {
            id: '9402',
            productId: '7702',
            productCode: 'SEAT',
            productName: 'Seat licence',
            quantity: '25',
            unitPrice: '40.00',
            description: null,
            attributes: { hs_sku: 'SEAT', recurringbillingfrequency: 'monthly' },
          },
        ],
        // In association order (not batch order); an empty email is no email; the custom
        // association label is the role.
        contacts: [
          {
            id: '8801',
            firstName: 'Frank',
            lastName: 'Grimes',
            email: null,
            phone: null,
            role: null,
            isPrimary: false,
          },
          {
            id: '8802',
            firstName: 'Hank',
            lastName: 'Scorpio',
            email: 'ap@globex.example',
            phone: '+1 541 555 0142',
            role: 'Billing contact',
            isPrimary: false,
          },
        ],
      },
    });
  });

  it('follows association paging', async () => {
    nock(API).get(`/crm/v3/objects/deals/${DEAL_ID}`).query(true).reply(200, fixture('deal'));
    nock(API).get(`/crm/v4/objects/deals/${DEAL_ID}/associations/companies`).query(true).reply(200, { results: [] });
    nock(API).get(`/crm/v4/objects/deals/${DEAL_ID}/associations/contacts`).query(true).reply(200, { results: [] });
    const pages = nock(API)
      .get(`/crm/v4/objects/deals/${DEAL_ID}/associations/line_items`)
      .query({ limit: '500' })
      .reply(200, {
        results: [{ toObjectId: 9402, associationTypes: [] }],
        paging: { next: { after: 'MQ==', link: 'x' } },
      })
      .get(`/crm/v4/objects/deals/${DEAL_ID}/associations/line_items`)
      .query({ limit: '500', after: 'MQ==' })
      .reply(200, { results: [{ toObjectId: 9401, associationTypes: [] }] });
    let body: { inputs: { id: string }[] } | undefined;
    nock(API)
      .post('/crm/v3/objects/line_items/batch/read', (b) => {
        body = b;
        return true;
      })
      .reply(200, fixture('batch-line-items'));
    nock(API).post('/crm/v3/objects/products/batch/read').reply(200, fixture('batch-products'));
    const result = await adapter().fetchDeal(DEAL_ID);
    expect(pages.isDone()).toBe(true);
    expect(body?.inputs).toEqual([{ id: '9402' }, { id: '9401' }]);
    expect(result.ok && result.value.account).toBeNull();
    expect(result.ok && result.value.lineItems.map((l) => l.id)).toEqual(['9402', '9401']);
  });

  it.each(['', 'abc', '123 OR 1=1', '12.5'])('rejects the malformed id %j without calling HubSpot', async (id) => {
    const result = await adapter().fetchDeal(id);
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'dealId' });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('sends requests to a configured base URL', async () => {
    const scope = nock('http://127.0.0.1:9')
      .get(`/crm/v3/objects/deals/${DEAL_ID}`)
      .query(true)
      .reply(404, errors['404']);
    const result = await createHubSpotAdapter({ accessToken: TOKEN, baseUrl: 'http://127.0.0.1:9/' }).fetchDeal(
      DEAL_ID,
    );
    expect(scope.isDone()).toBe(true);
    expect(result.ok).toBe(false);
  });

  it('uses an injected fetch when given one', async () => {
    const urls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response(JSON.stringify(errors['404']), {
        status: 404,
        headers: { 'content-type': 'application/json' },
      });
    };
    const result = await createHubSpotAdapter({ accessToken: TOKEN, fetch: fakeFetch }).fetchDeal(DEAL_ID);
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(new RegExp(`^${API}/crm/v3/objects/deals/${DEAL_ID}\\?properties=`));
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 404 });
  });
});

describe('request shapes match the official API description', () => {
  const op = (group: { operations: { method: string; path: string }[] }, method: string, path: string) =>
    group.operations.find((o) => o.method === method && o.path === path) as
      | {
          parameters: { query?: { name: string }[] };
          request?: { required: string[]; properties: Record<string, string> };
        }
      | undefined;

  it('deal read takes a properties query parameter (deals are object type 0-3)', () => {
    const read = op(spec.objects.deals, 'GET', '/crm/v3/objects/0-3/{dealId}');
    expect(read?.parameters.query?.map((q) => q.name)).toContain('properties');
    for (const name of spec.objects.deals.default_properties_per_spec_description) {
      expect(DEAL_PROPERTIES).toContain(name);
    }
  });

  it('batch read bodies carry every required field', () => {
    for (const type of ['line_items', 'companies', 'products']) {
      const read = op(spec.objects[type], 'POST', `/crm/v3/objects/${type}/batch/read`);
      expect(read?.request?.required).toEqual(
        expect.arrayContaining(['inputs', 'properties', 'propertiesWithHistory']),
      );
      // Our body (asserted above) has exactly these keys.
      expect(Object.keys(read?.request?.properties ?? {})).toEqual(
        expect.arrayContaining(['inputs', 'properties', 'propertiesWithHistory']),
      );
    }
  });

  it('association reads use the v4 list endpoint with limit and after', () => {
    const list = op(spec.associations_v4, 'GET', '/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}');
    expect(list?.parameters.query?.map((q) => q.name).sort()).toEqual(['after', 'limit']);
  });

  it('the error fixtures follow the Error schema', () => {
    for (const required of spec.common_schemas.Error.required as string[]) {
      for (const status of ['400', '401', '403', '404', '500']) expect(errors[status]).toHaveProperty(required);
    }
  });
});

describe('error classification', () => {
  const dealRead = () => nock(API).get(`/crm/v3/objects/deals/${DEAL_ID}`).query(true);

  it('429 with Retry-After is retryable after that many seconds', async () => {
    dealRead().reply(429, errors['429'], { 'Retry-After': '7', 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000' });
    const result = await adapter().fetchDeal(DEAL_ID);
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 429, retryAfterMs: 7000 });
    expect(!result.ok && result.reason).toContain('ten_secondly_rolling');
  });

  it('429 without Retry-After waits one rate-limit window', async () => {
    dealRead().reply(429, errors['429'], { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000' });
    expect(await adapter().fetchDeal(DEAL_ID)).toMatchObject({ kind: 'retryable', retryAfterMs: 10_000 });
  });

  it('429 with the daily allowance spent waits an hour', async () => {
    dealRead().reply(429, errors['429'], { 'X-HubSpot-RateLimit-Daily-Remaining': '0' });
    expect(await adapter().fetchDeal(DEAL_ID)).toMatchObject({ retryAfterMs: DAILY_LIMIT_RETRY_AFTER_MS });
  });

  it('500 is retryable and names the correlation id', async () => {
    dealRead().reply(500, errors['500']);
    const result = await adapter().fetchDeal(DEAL_ID);
    expect(result).toMatchObject({ ok: false, kind: 'retryable', status: 500 });
    expect(!result.ok && result.reason).toContain(errors['500'].correlationId);
  });

  it('a 502 HTML page from a proxy is retryable with its status', async () => {
    dealRead().reply(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' });
    expect(await adapter().fetchDeal(DEAL_ID)).toMatchObject({ kind: 'retryable', status: 502 });
  });

  it('401 asks for a reconnect and is retryable', async () => {
    dealRead().reply(401, errors['401']);
    expect(await adapter().fetchDeal(DEAL_ID)).toEqual({
      ok: false,
      kind: 'retryable',
      reason: TOKEN_REJECTED,
      status: 401,
      reconnect: true,
    });
  });

  it('404 on the deal is permanent: deal not found', async () => {
    dealRead().reply(404, errors['404']);
    expect(await adapter().fetchDeal(DEAL_ID)).toEqual({
      ok: false,
      kind: 'permanent',
      reason: `deal not found: ${DEAL_ID}`,
      status: 404,
    });
  });

  it('400 VALIDATION_ERROR is permanent and names the property', async () => {
    dealRead().reply(400, errors['400']);
    const result = await adapter().fetchDeal(DEAL_ID);
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 400, field: 'colour' });
    expect(!result.ok && result.reason).toContain('VALIDATION_ERROR');
  });

  it('403 MISSING_SCOPES is permanent', async () => {
    dealRead().reply(403, errors['403']);
    const result = await adapter().fetchDeal(DEAL_ID);
    expect(result).toMatchObject({ kind: 'permanent', status: 403 });
    expect(!result.ok && result.reason).toContain('MISSING_SCOPES');
  });

  it('a network error is retryable', async () => {
    dealRead().replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    const result = await adapter().fetchDeal(DEAL_ID);
    expect(result).toMatchObject({ ok: false, kind: 'retryable' });
    expect(!result.ok && result.reason).toContain('network error');
  });

  it('a failure after the deal read (batch read 500) is classified too', async () => {
    nock(API).get(`/crm/v3/objects/deals/${DEAL_ID}`).query(true).reply(200, fixture('deal'));
    nock(API)
      .get(`/crm/v4/objects/deals/${DEAL_ID}/associations/line_items`)
      .query(true)
      .reply(200, fixture('associations-line-items'));
    nock(API).get(`/crm/v4/objects/deals/${DEAL_ID}/associations/companies`).query(true).reply(200, { results: [] });
    nock(API).get(`/crm/v4/objects/deals/${DEAL_ID}/associations/contacts`).query(true).reply(200, { results: [] });
    nock(API).post('/crm/v3/objects/line_items/batch/read').reply(500, errors['500']);
    expect(await adapter().fetchDeal(DEAL_ID)).toMatchObject({ kind: 'retryable', status: 500 });
  });

  it('a 207 batch read missing a line item is retryable (deleted between reads)', async () => {
    nock(API).get(`/crm/v3/objects/deals/${DEAL_ID}`).query(true).reply(200, fixture('deal'));
    nock(API)
      .get(`/crm/v4/objects/deals/${DEAL_ID}/associations/line_items`)
      .query(true)
      .reply(200, fixture('associations-line-items'));
    nock(API).get(`/crm/v4/objects/deals/${DEAL_ID}/associations/companies`).query(true).reply(200, { results: [] });
    nock(API).get(`/crm/v4/objects/deals/${DEAL_ID}/associations/contacts`).query(true).reply(200, { results: [] });
    const batch = fixture('batch-line-items');
    nock(API)
      .post('/crm/v3/objects/line_items/batch/read')
      .reply(207, {
        ...batch,
        results: batch.results.slice(0, 1),
        numErrors: 1,
        errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'missing', context: { ids: ['9401'] } }],
      });
    const result = await adapter().fetchDeal(DEAL_ID);
    expect(result).toMatchObject({ ok: false, kind: 'retryable' });
    expect(!result.ok && result.reason).toContain('9401');
  });
});

describe('writeBack', () => {
  const PATH = `/crm/v3/objects/deals/${DEAL_ID}`;

  it('PATCHes /crm/v3/objects/deals/{id} with string properties ("" clears one)', async () => {
    const sent: { body: unknown; auth: string | undefined }[] = [];
    const scope = nock(API)
      .patch(PATH)
      .reply(function (_uri, body) {
        sent.push({ body, auth: this.req.headers.authorization });
        return [200, { ...fixture('deal'), properties: { hub_billing_status: 'paid' } }];
      });
    const result = await adapter().writeBack(DEAL_ID, {
      hub_billing_status: 'paid',
      hub_amount_paid: '2145.00',
      hub_outstanding: 0,
      hub_last_invoice: null,
    });
    expect(result).toEqual({ ok: true, value: undefined });
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual([
      {
        body: {
          properties: {
            hub_billing_status: 'paid',
            hub_amount_paid: '2145.00',
            hub_outstanding: '0',
            hub_last_invoice: '',
          },
        },
        auth: `Bearer ${TOKEN}`,
      },
    ]);
    const update = spec.objects.deals.operations.find(
      (o: { method: string; path: string }) => o.method === 'PATCH' && o.path === '/crm/v3/objects/0-3/{dealId}',
    );
    expect(update.request.required).toEqual(['properties']);
  });

  it('400 PROPERTY_DOESNT_EXIST is permanent and names the property', async () => {
    nock(API).patch(PATH).reply(400, errors['400']);
    expect(await adapter().writeBack(DEAL_ID, { colour: 'red' })).toMatchObject({
      ok: false,
      kind: 'permanent',
      status: 400,
      field: 'colour',
    });
  });

  it('404 is permanent: deal not found', async () => {
    nock(API).patch(PATH).reply(404, errors['404']);
    expect(await adapter().writeBack(DEAL_ID, { hub_billing_status: 'paid' })).toMatchObject({
      ok: false,
      kind: 'permanent',
      reason: `deal not found: ${DEAL_ID}`,
    });
  });

  it.each([
    ['500', 500, {}, { status: 500 }],
    ['429 with Retry-After', 429, { 'Retry-After': '10' }, { status: 429, retryAfterMs: 10_000 }],
  ])('%s is retryable', async (name, status, headers, expected) => {
    nock(API).patch(PATH).reply(status, errors[name.slice(0, 3)], headers);
    expect(await adapter().writeBack(DEAL_ID, { hub_billing_status: 'paid' })).toMatchObject({
      ok: false,
      kind: 'retryable',
      ...expected,
    });
  });

  it('refuses a malformed id without a request', async () => {
    expect(await adapter().writeBack('abc', {})).toMatchObject({ ok: false, kind: 'permanent', field: 'dealId' });
  });
});

describe('writeBackAccount', () => {
  const COMPANY_ID = '9301';
  const PATH = `/crm/v3/objects/companies/${COMPANY_ID}`;

  it('PATCHes /crm/v3/objects/companies/{id} with string properties', async () => {
    const sent: unknown[] = [];
    const scope = nock(API)
      .patch(PATH)
      .reply((_uri, body) => {
        sent.push(body);
        return [200, { id: COMPANY_ID, properties: {} }];
      });
    const result = await adapter().writeBackAccount(COMPANY_ID, { hub_amount_paid: '2145.00', hub_outstanding: 0 });
    expect(result).toEqual({ ok: true, value: undefined });
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual([{ properties: { hub_amount_paid: '2145.00', hub_outstanding: '0' } }]);
  });

  it('404 is permanent: company not found; 500 retryable', async () => {
    nock(API).patch(PATH).reply(404, errors['404']);
    expect(await adapter().writeBackAccount(COMPANY_ID, { hub_outstanding: 0 })).toMatchObject({
      ok: false,
      kind: 'permanent',
      reason: `company not found: ${COMPANY_ID}`,
    });
    nock(API).patch(PATH).reply(500, errors['500']);
    expect(await adapter().writeBackAccount(COMPANY_ID, { hub_outstanding: 0 })).toMatchObject({
      ok: false,
      kind: 'retryable',
    });
  });

  it('refuses a malformed id without a request', async () => {
    expect(await adapter().writeBackAccount('abc', {})).toMatchObject({
      ok: false,
      kind: 'permanent',
      field: 'accountId',
    });
  });
});

describe('listWonDealsChangedSince (the poller)', () => {
  it('POSTs a deal search on hs_lastmodifieddate and the trigger stages, oldest first', async () => {
    const sent: { body: unknown; auth: string | undefined }[] = [];
    const scope = nock(API)
      .post('/crm/v3/objects/deals/search')
      .reply(function (_uri, body) {
        sent.push({ body, auth: this.req.headers.authorization });
        return [
          200,
          {
            total: 1,
            results: [
              {
                id: DEAL_ID,
                properties: { hs_lastmodifieddate: '2026-01-15T09:30:00.123Z', dealstage: 'closedwon' },
                createdAt: '2026-01-10T08:00:00.000Z',
                updatedAt: '2026-01-15T09:30:00.123Z',
                archived: false,
              },
            ],
          },
        ];
      });
    const result = await createHubSpotAdapter({
      accessToken: TOKEN,
      now: () => NOW,
      triggerStageIds: ['closedwon', '1234567'],
    }).listWonDealsChangedSince('2026-01-15T09:00:00.000Z', 500);
    expect(scope.isDone()).toBe(true);
    expect(result).toEqual({ ok: true, value: [{ id: DEAL_ID, lastModified: '2026-01-15T09:30:00.123Z' }] });
    const body = sent[0]!.body as Record<string, unknown>;
    expect(sent[0]!.auth).toBe(`Bearer ${TOKEN}`);
    expect(body).toEqual({
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'hs_lastmodifieddate',
              operator: 'GT',
              value: String(Date.parse('2026-01-15T09:00:00.000Z')),
            },
            { propertyName: 'dealstage', operator: 'IN', values: ['closedwon', '1234567'] },
          ],
        },
      ],
      sorts: ['hs_lastmodifieddate'],
      properties: ['hs_lastmodifieddate', 'dealstage'],
      limit: 200, // the search API's page maximum
      after: '0',
    });
    // Every field the spec requires, and nothing it does not know.
    const search = spec.objects.deals.operations.find(
      (o: { method: string; path: string }) => o.method === 'POST' && o.path === '/crm/v3/objects/0-3/search',
    );
    expect(Object.keys(body).sort()).toEqual([...search.request.required].sort());
    for (const key of Object.keys(body)) expect(search.request.properties).toHaveProperty(key);
  });

  it('defaults to closedwon and sorts failures like every other call', async () => {
    let stages: unknown;
    nock(API)
      .post('/crm/v3/objects/deals/search')
      .reply((_uri, body) => {
        stages = (body as { filterGroups: { filters: { values?: string[] }[] }[] }).filterGroups[0]!.filters[1]!.values;
        return [500, errors['500']];
      });
    const failed = await adapter().listWonDealsChangedSince('2026-01-15T09:00:00.000Z', 10);
    expect(stages).toEqual(['closedwon']);
    expect(failed).toMatchObject({ ok: false, kind: 'retryable' });
  });
});
