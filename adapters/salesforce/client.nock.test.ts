/**
 * The real jsforce against nock: the requests it sends (path, SOQL, auth, token refresh form)
 * and how we sort Salesforce's answers. Response bodies come from __fixtures__; request shapes
 * are checked against ../shared/apispecs/salesforce.json.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_EXPIRED } from './errors.js';
import { createSalesforceAdapter, opportunitySoql, primaryQuoteSoql, quoteLinesSoql } from './index.js';

const INSTANCE = 'https://globex.my.salesforce.com';
const LOGIN = 'https://login.salesforce.com';
const QUERY_PATH = '/services/data/v62.0/query';
const OPP_ID = '0065g00000KxYzQAAV';
const TOKEN = '00D5g0000012ABC!AQ4AQOld.Token';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'));
const errors = fixture('errors');
const spec = JSON.parse(readFileSync(new URL('../../../shared/apispecs/salesforce.json', import.meta.url), 'utf8'));

/** Intercepts one query, recording the SOQL and Authorization header it was sent with. */
function interceptQuery(sent: { soql: string[]; auth: string[] }) {
  return nock(INSTANCE)
    .get(QUERY_PATH)
    .query((q) => {
      sent.soql.push(String(q.q));
      return true;
    })
    .matchHeader('authorization', (value) => {
      sent.auth.push(value);
      return true;
    });
}

const adapter = () => createSalesforceAdapter({ instanceUrl: INSTANCE, accessToken: TOKEN });

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('fetchDeal request', () => {
  it('sends one SOQL query over GET /services/data/vXX.X/query with the Bearer token', async () => {
    const sent = { soql: [] as string[], auth: [] as string[] };
    const scope = interceptQuery(sent).reply(200, fixture('query-opportunity'));
    const result = await adapter().fetchDeal(OPP_ID);
    expect(result.ok).toBe(true);
    expect(scope.isDone()).toBe(true);
    expect(sent.auth).toEqual([`Bearer ${TOKEN}`]);
    expect(sent.soql).toEqual([opportunitySoql(OPP_ID)]);
    expect(sent.soql[0]).toContain(`FROM Opportunity WHERE Id = '${OPP_ID}'`);
    expect(sent.soql[0]).toContain('FROM OpportunityLineItems');
  });

  it('uses the path and fields of the official API description', () => {
    const queryOp = spec.operations.find((op: { path: string }) => op.path.startsWith('/query'));
    expect(queryOp.method).toBe('GET');
    expect(spec.base_url).toMatch(/\/services\/data\/vXX\.X$/);
    expect(`/services/data/vXX.X${queryOp.path.split('?')[0]}`.replace('XX.X', '62.0')).toBe(QUERY_PATH);

    // Every field the query selects is a documented field of its object (system fields aside).
    const documented = (object: string) =>
      new Set<string>([
        'SystemModstamp',
        ...spec.objects[object].fields_of_interest.map((f: string) => f.replace(/\s*\(.*\)$/, '')),
      ]);
    const soql = opportunitySoql(OPP_ID);
    const sub = /\(SELECT (.+?) FROM OpportunityLineItems/.exec(soql)?.[1] ?? '';
    const roles = /\(SELECT ([^()]+?) FROM OpportunityContactRoles/.exec(soql)?.[1] ?? '';
    const top = soql
      .replace(/\(SELECT .+?\)/g, '')
      .replace(/^SELECT /, '')
      .replace(/ FROM Opportunity .*$/, '');
    const check = (fieldList: string, object: string, parents: Record<string, string>) => {
      const fields = fieldList
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      expect(fields.length).toBeGreaterThan(3);
      for (const field of fields) {
        const [head, tail] = field.split('.');
        if (tail) expect(documented(parents[head]), field).toContain(tail);
        else expect(documented(object), field).toContain(head);
      }
    };
    check(top, 'Opportunity', { Account: 'Account' });
    check(sub, 'OpportunityLineItem', { Product2: 'Product2' });
    // OpportunityContactRole and Contact are not in the stored description; their fields are
    // checked against Salesforce's object reference instead:
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunitycontactrole.htm
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
    const reference: Record<string, string[]> = {
      OpportunityContactRole: ['Id', 'ContactId', 'IsPrimary', 'OpportunityId', 'Role'],
      Contact: ['FirstName', 'LastName', 'Email', 'Phone'],
    };
    for (const field of roles.split(',').map((f) => f.trim())) {
      const [head, tail] = field.split('.');
      if (tail) expect(reference.Contact, field).toContain(tail);
      else expect(reference.OpportunityContactRole, field).toContain(head);
    }
    expect(roles.split(',').length).toBe(8);
  });

  it('accepts a 15-character id and sends it as given', async () => {
    const sent = { soql: [] as string[], auth: [] as string[] };
    interceptQuery(sent).reply(200, fixture('query-opportunity'));
    const result = await adapter().fetchDeal(OPP_ID.slice(0, 15));
    expect(result.ok && result.value.deal.id).toBe(OPP_ID);
    expect(sent.soql[0]).toContain(`WHERE Id = '${OPP_ID.slice(0, 15)}'`);
  });

  it.each([
    ['0015g00000AbCdEAAV', 'key prefix 006'], // an Account id
    ['0065g00000KxYzQAAA', 'checksum'],
    ['0065g00000KxYz', '15 or 18'],
    ["006' OR Name != '", '15 or 18'],
    ['', '15 or 18'],
  ])('rejects the malformed id %j without calling Salesforce', async (id, why) => {
    const result = await adapter().fetchDeal(id);
    expect(result).toMatchObject({ ok: false, kind: 'permanent', field: 'dealId' });
    expect(!result.ok && result.reason).toContain(why);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('answers "opportunity not found" when the query returns no rows', async () => {
    nock(INSTANCE).get(QUERY_PATH).query(true).reply(200, fixture('query-empty'));
    const result = await adapter().fetchDeal(OPP_ID);
    expect(result).toEqual({ ok: false, kind: 'permanent', reason: `opportunity not found: ${OPP_ID}` });
  });
});

describe('fetchDeal mapping', () => {
  it('maps the opportunity, account and line items without float arithmetic', async () => {
    nock(INSTANCE).get(QUERY_PATH).query(true).reply(200, fixture('query-opportunity'));
    const result = await adapter().fetchDeal(OPP_ID);
    if (!result.ok) throw new Error(result.reason);
    const { deal, account, lineItems, contacts } = result.value;
    expect(deal).toEqual({
      id: OPP_ID,
      name: 'Globex - Platform renewal 2026',
      stage: 'Closed Won',
      isWon: true,
      closeDate: '2026-01-14',
      currency: 'EUR',
      amount: '3200.5',
      accountId: '0015g00000AbCdEAAV',
      lastModified: '2026-01-14T16:02:11.000Z',
      renewalOf: null,
    });
    expect(account).toEqual({
      id: '0015g00000AbCdEAAV',
      name: 'Globex GmbH',
      email: null,
      billingAddress: {
        line1: 'Friedrichstraße 68, Aufgang B',
        city: 'Berlin',
        region: '',
        postalCode: '10117',
        country: 'Germany',
      },
    });
    expect(lineItems.map((l) => [l.productCode, l.productName, l.quantity, l.unitPrice])).toEqual([
      ['PLATFORM', 'Platform fee', '1', '1200'],
      ['SEAT', 'Seat licence', '40', '49.99'],
      [null, 'Premium support', '0.5', '1'],
    ]);
    expect(lineItems.map((l) => l.attributes)).toEqual([
      { 'Product2.Family': 'Subscription', PricebookEntryId: '01u5g00000PbE0XAAR', ListPrice: '1200' },
      { 'Product2.Family': 'Seat', PricebookEntryId: '01u5g00000PbE1XAAR', ListPrice: '59' },
      { 'Product2.Family': null, PricebookEntryId: '01u5g00000PbE2XAAR', ListPrice: '1' },
    ]);
    // The role whose contact was deleted (Contact lookup null) is left out; text is trimmed.
    expect(contacts).toEqual([
      {
        id: '0035g00000Ct1aAAAR',
        firstName: 'Greta',
        lastName: 'Vogel',
        email: 'greta.vogel@globex.example',
        phone: null,
        role: 'Economic Buyer',
        isPrimary: true,
      },
      {
        id: '0035g00000Ct1aBAAR',
        firstName: null,
        lastName: 'Kreditoren',
        email: 'ap@globex.example',
        phone: '+49 30 1234567',
        role: 'Billing Contact',
        isPrimary: false,
      },
    ]);
    expect(lineItems[1]).toMatchObject({
      id: '00k5g00000Pq1rTAAR',
      productId: '01t5g00000Sea7XAAR',
      description: 'Named users',
    });
  });

  it('drops CurrencyIsoCode in a single-currency org and remembers it', async () => {
    const sent = { soql: [] as string[], auth: [] as string[] };
    interceptQuery(sent).reply(400, errors.invalidCurrencyField);
    interceptQuery(sent).times(2).reply(200, fixture('query-opportunity-single-currency'));
    const sf = adapter();
    const first = await sf.fetchDeal(OPP_ID);
    const second = await sf.fetchDeal(OPP_ID);
    expect(first).toEqual(second);
    if (!first.ok) throw new Error(first.reason);
    expect(first.value.deal).toMatchObject({ currency: null, amount: null, accountId: null });
    expect(first.value.account).toBeNull();
    expect(first.value.lineItems).toEqual([]);
    expect(sent.soql.map((q) => q.includes('CurrencyIsoCode'))).toEqual([true, false, false]);
  });

  it('follows nextRecordsUrl when the line items do not fit in one batch', async () => {
    nock(INSTANCE).get(QUERY_PATH).query(true).reply(200, fixture('query-opportunity-paged-lines'));
    const page2 = nock(INSTANCE)
      .get('/services/data/v62.0/query/01g5g00000AbCdE-2000')
      .reply(200, fixture('query-lineitems-page2'));
    const result = await adapter().fetchDeal(OPP_ID);
    expect(page2.isDone()).toBe(true);
    expect(result.ok && result.value.lineItems.map((l) => [l.productCode, l.quantity])).toEqual([
      ['PLATFORM', '1'],
      ['SEAT', '25'],
    ]);
  });
});

describe('error classification', () => {
  const cases: [string, number, unknown, Record<string, string>, object][] = [
    [
      '401 expired session, no refresh token',
      401,
      errors.invalidSession,
      {},
      { kind: 'retryable', reason: SESSION_EXPIRED, status: 401 },
    ],
    ['403 daily API limit', 403, errors.requestLimit, {}, { kind: 'retryable', retryAfterMs: 3_600_000, status: 403 }],
    [
      '403 concurrent request limit',
      403,
      errors.concurrentLimit,
      {},
      { kind: 'retryable', retryAfterMs: 60_000, status: 403 },
    ],
    ['500 UNKNOWN_EXCEPTION', 500, errors.unknownException, {}, { kind: 'retryable', status: 500 }],
    [
      '503 with Retry-After',
      503,
      errors.serverUnavailable,
      { 'Retry-After': '30' },
      { kind: 'retryable', retryAfterMs: 30_000, status: 503 },
    ],
    [
      '429 from a proxy with Retry-After',
      429,
      'Too Many Requests',
      { 'Retry-After': '12', 'Content-Type': 'text/plain' },
      { kind: 'retryable', retryAfterMs: 12_000, status: 429 },
    ],
    [
      '502 html page',
      502,
      '<html>Bad Gateway</html>',
      { 'Content-Type': 'text/html' },
      { kind: 'retryable', status: 502 },
    ],
    ['404 NOT_FOUND', 404, errors.notFound, {}, { kind: 'permanent', status: 404 }],
    ['400 MALFORMED_QUERY', 400, errors.malformedQuery, {}, { kind: 'permanent', status: 400 }],
    [
      '400 validation naming a field',
      400,
      errors.validation,
      {},
      { kind: 'permanent', status: 400, field: 'CloseDate' },
    ],
  ];

  it.each(cases)('%s', async (_name, status, body, headers, expected) => {
    nock(INSTANCE)
      .get(QUERY_PATH)
      .query(true)
      .reply(status, body as nock.Body, headers);
    // Were the SDK to retry by itself, it would reach this success instead of reporting the error.
    const success = nock(INSTANCE).get(QUERY_PATH).query(true).reply(200, fixture('query-opportunity'));
    const result = await adapter().fetchDeal(OPP_ID);
    expect(result).toMatchObject({ ok: false, ...expected });
    expect(success.isDone()).toBe(false);
  });

  it('keeps reasons readable: the Salesforce code and a one-line message', async () => {
    nock(INSTANCE).get(QUERY_PATH).query(true).reply(400, errors.malformedQuery);
    const result = await adapter().fetchDeal(OPP_ID);
    expect(!result.ok && result.reason).toMatch(
      /^Salesforce MALFORMED_QUERY: SELECT Id FROM Opportunity WHERE \^ ERROR/,
    );
  });

  it('error fixtures use the envelope of the API description', () => {
    expect(spec.errors.shape).toContain('"errorCode"');
    for (const list of Object.values(errors) as { message: unknown; errorCode: unknown }[][]) {
      expect(Array.isArray(list)).toBe(true);
      for (const e of list) {
        expect(typeof e.message).toBe('string');
        expect(typeof e.errorCode).toBe('string');
      }
    }
    expect(spec.errors.statuses['403']).toContain('REQUEST_LIMIT_EXCEEDED');
  });

  it('a dropped connection on a read is retryable', async () => {
    // An Error instance: nock 14 never completes a node-fetch request given a plain object here.
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    nock(INSTANCE).get(QUERY_PATH).query(true).replyWithError(reset);
    const result = await adapter().fetchDeal(OPP_ID);
    expect(result).toMatchObject({ ok: false, kind: 'retryable' });
    expect(!result.ok && result.reason).toContain('socket hang up');
  });

  it('an unreachable host is retryable', async () => {
    // No interceptor: nock refuses the connection.
    const result = await adapter().fetchDeal(OPP_ID);
    expect(result).toMatchObject({ ok: false, kind: 'retryable' });
    expect(!result.ok && result.reason).toMatch(/network error/);
  });
});

describe('token refresh on 401', () => {
  const refreshing = (onTokenRefresh: (t: string) => void) =>
    createSalesforceAdapter({
      instanceUrl: INSTANCE,
      accessToken: TOKEN,
      refreshToken: '5Aep861.refresh',
      clientId: '3MVG9.consumer',
      clientSecret: 'consumer-secret',
      onTokenRefresh,
    });
  const fresh = fixture('token-refresh').access_token as string;

  it('refreshes through the token endpoint, replays the query and reports the new token', async () => {
    const sent = { soql: [] as string[], auth: [] as string[] };
    interceptQuery(sent).reply(401, errors.invalidSession);
    let form: URLSearchParams | undefined;
    const token = nock(LOGIN)
      .post('/services/oauth2/token', (body) => {
        form = new URLSearchParams(body);
        return true;
      })
      .reply(200, fixture('token-refresh'));
    interceptQuery(sent).times(2).reply(200, fixture('query-opportunity'));
    const reported: string[] = [];
    const sf = refreshing((t) => reported.push(t));

    const result = await sf.fetchDeal(OPP_ID);
    expect(result.ok).toBe(true);
    expect(token.isDone()).toBe(true);
    expect(Object.fromEntries(form ?? [])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: '5Aep861.refresh',
      client_id: '3MVG9.consumer',
      client_secret: 'consumer-secret',
    });
    expect(reported).toEqual([fresh]);
    // The next call goes out with the new token straight away.
    expect((await sf.fetchDeal(OPP_ID)).ok).toBe(true);
    expect(sent.auth).toEqual([`Bearer ${TOKEN}`, `Bearer ${fresh}`, `Bearer ${fresh}`]);
  });

  it('a failing onTokenRefresh does not fail the read', async () => {
    nock(INSTANCE).get(QUERY_PATH).query(true).reply(401, errors.invalidSession);
    nock(LOGIN).post('/services/oauth2/token').reply(200, fixture('token-refresh'));
    nock(INSTANCE).get(QUERY_PATH).query(true).reply(200, fixture('query-opportunity'));
    let called = 0;
    const result = await refreshing(() => {
      called += 1;
      throw new Error('token store is down');
    }).fetchDeal(OPP_ID);
    expect(result.ok).toBe(true);
    expect(called).toBe(1);
  });

  it('a refused refresh is "session expired; reconnect"', async () => {
    nock(INSTANCE).get(QUERY_PATH).query(true).reply(401, errors.invalidSession);
    nock(LOGIN).post('/services/oauth2/token').reply(400, fixture('token-invalid-grant'));
    const reported: string[] = [];
    const result = await refreshing((t) => reported.push(t)).fetchDeal(OPP_ID);
    expect(result).toEqual({ ok: false, kind: 'retryable', reason: SESSION_EXPIRED, status: 401, reconnect: true });
    expect(reported).toEqual([]);
  });

  it('does not loop when the new token is rejected too: one refresh per call', async () => {
    nock(INSTANCE).get(QUERY_PATH).query(true).times(2).reply(401, errors.invalidSession);
    const token = nock(LOGIN).post('/services/oauth2/token').reply(200, fixture('token-refresh'));
    const result = await refreshing(() => undefined).fetchDeal(OPP_ID);
    expect(result).toMatchObject({ ok: false, kind: 'retryable', reason: SESSION_EXPIRED });
    expect(token.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('writeBack', () => {
  const PATH = `/services/data/v62.0/sobjects/Opportunity/${OPP_ID}`;
  const fields = { Hub_Billing_Status__c: 'paid', Hub_Amount_Paid__c: 2145.5, Hub_Last_Invoice__c: null };

  it('PATCHes /sobjects/Opportunity/{id} with the fields and no Id in the body', async () => {
    const sent: { body: unknown; auth: string | undefined }[] = [];
    const scope = nock(INSTANCE)
      .patch(PATH)
      .reply(function (_uri, body) {
        sent.push({ body, auth: this.req.headers.authorization });
        return [204, ''];
      });
    expect(await adapter().writeBack(OPP_ID, fields)).toEqual({ ok: true, value: undefined });
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual([{ body: fields, auth: `Bearer ${TOKEN}` }]);
    const update = spec.operations.find((op: { method: string; path: string }) => op.method === 'PATCH');
    expect(`/services/data/vXX.X${update.path}`.replace('XX.X', '62.0')).toBe(
      PATH.replace('Opportunity', '{SObject}').replace(OPP_ID, '{Id}'),
    );
  });

  it('a field the org does not have (400 INVALID_FIELD) is permanent and names it', async () => {
    nock(INSTANCE)
      .patch(PATH)
      .reply(400, [
        {
          errorCode: 'INVALID_FIELD',
          message: "No such column 'Hub_Colour__c' on sobject of type Opportunity",
          fields: ['Hub_Colour__c'],
        },
      ]);
    const result = await adapter().writeBack(OPP_ID, { Hub_Colour__c: 'red' });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 400, field: 'Hub_Colour__c' });
    expect(!result.ok && result.reason).toMatch(/INVALID_FIELD/);
  });

  it('404 NOT_FOUND (deleted opportunity) is permanent', async () => {
    nock(INSTANCE).patch(PATH).reply(404, errors.notFound);
    expect(await adapter().writeBack(OPP_ID, fields)).toMatchObject({ ok: false, kind: 'permanent', status: 404 });
  });

  it.each([
    ['500 UNKNOWN_EXCEPTION', 500, errors.unknownException, {}, { status: 500 }],
    [
      '503 with Retry-After',
      503,
      errors.serverUnavailable,
      { 'Retry-After': '30' },
      { status: 503, retryAfterMs: 30_000 },
    ],
  ])('%s is retryable, and the SDK does not retry by itself', async (_name, status, body, headers, expected) => {
    nock(INSTANCE).patch(PATH).reply(status, body, headers);
    const success = nock(INSTANCE).patch(PATH).reply(204, '');
    expect(await adapter().writeBack(OPP_ID, fields)).toMatchObject({ ok: false, kind: 'retryable', ...expected });
    expect(success.isDone()).toBe(false);
  });

  it('refuses a malformed id without a request', async () => {
    expect(await adapter().writeBack('006bad', fields)).toMatchObject({
      ok: false,
      kind: 'permanent',
      field: 'dealId',
    });
  });
});

describe('writeBackAccount', () => {
  const ACCOUNT_ID = '0015g00000AbCdEAAV';
  const PATH = `/services/data/v62.0/sobjects/Account/${ACCOUNT_ID}`;
  const fields = { Hub_Amount_Paid__c: 2145.5, Hub_Outstanding__c: 0 };

  it('PATCHes /sobjects/Account/{id} with the fields and no Id in the body', async () => {
    const sent: unknown[] = [];
    const scope = nock(INSTANCE)
      .patch(PATH)
      .reply((_uri, body) => {
        sent.push(body);
        return [204, ''];
      });
    expect(await adapter().writeBackAccount(ACCOUNT_ID, fields)).toEqual({ ok: true, value: undefined });
    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual([fields]);
  });

  it('404 is permanent, 500 retryable', async () => {
    nock(INSTANCE).patch(PATH).reply(404, errors.notFound);
    expect(await adapter().writeBackAccount(ACCOUNT_ID, fields)).toMatchObject({ ok: false, kind: 'permanent' });
    nock(INSTANCE).patch(PATH).reply(500, errors.unknownException);
    expect(await adapter().writeBackAccount(ACCOUNT_ID, fields)).toMatchObject({ ok: false, kind: 'retryable' });
  });

  it('refuses a non-Account id without a request', async () => {
    expect(await adapter().writeBackAccount(OPP_ID, fields)).toMatchObject({
      ok: false,
      kind: 'permanent',
      field: 'accountId',
    });
  });
});

describe('listWonDealsChangedSince (the poller)', () => {
  it('queries won Opportunities by SystemModstamp with an unquoted dateTime literal, oldest first', async () => {
    const sent = { soql: [] as string[], auth: [] as string[] };
    interceptQuery(sent).reply(200, {
      totalSize: 2,
      done: true,
      records: [
        {
          attributes: { type: 'Opportunity', url: `/services/data/v62.0/sobjects/Opportunity/${OPP_ID}` },
          Id: OPP_ID,
          SystemModstamp: '2026-03-02T09:00:01.000+0000',
        },
        {
          attributes: { type: 'Opportunity', url: '/services/data/v62.0/sobjects/Opportunity/0065g00000KxYzRAAV' },
          Id: '0065g00000KxYzRAAV',
          SystemModstamp: '2026-03-02T09:05:00.000+0000',
        },
      ],
    });
    const result = await adapter().listWonDealsChangedSince('2026-03-02T09:00:00.250Z', 200);
    expect(sent.soql).toEqual([
      'SELECT Id, SystemModstamp FROM Opportunity WHERE IsWon = true AND SystemModstamp > 2026-03-02T09:00:00Z ORDER BY SystemModstamp LIMIT 200',
    ]);
    expect(sent.auth).toEqual([`Bearer ${TOKEN}`]);
    expect(result).toEqual({
      ok: true,
      value: [
        { id: OPP_ID, lastModified: '2026-03-02T09:00:01.000Z' },
        { id: '0065g00000KxYzRAAV', lastModified: '2026-03-02T09:05:00.000Z' },
      ],
    });
  });

  it('a 500 is a retryable failure; a bad cursor is refused before any request', async () => {
    nock(INSTANCE).get(QUERY_PATH).query(true).reply(500, errors.unknownException);
    const failed = await adapter().listWonDealsChangedSince('2026-03-02T09:00:00Z', 10);
    expect(failed).toMatchObject({ ok: false, kind: 'retryable' });
    expect(await adapter().listWonDealsChangedSince('yesterday', 10)).toMatchObject({ ok: false, kind: 'permanent' });
  });
});

describe('Salesforce CPQ (cpq on)', () => {
  const QUOTE_ID = 'a0x5g00000Qt1AbAAJ';
  const cpqAdapter = () => createSalesforceAdapter({ instanceUrl: INSTANCE, accessToken: TOKEN }, { cpq: true });
  const quoteLine = {
    attributes: {
      type: 'SBQQ__QuoteLine__c',
      url: '/services/data/v62.0/sobjects/SBQQ__QuoteLine__c/a0y5g00000Ln1AbAAJ',
    },
    Id: 'a0y5g00000Ln1AbAAJ',
    SBQQ__Product__c: '01t5g00000Fam1LAAR',
    SBQQ__ProductCode__c: 'PLATFORM',
    SBQQ__ProductName__c: 'Platform fee',
    SBQQ__Quantity__c: 1.0,
    SBQQ__NetPrice__c: 1080.25,
    SBQQ__Description__c: null,
    SBQQ__ChargeType__c: 'Recurring',
    SBQQ__BillingFrequency__c: 'Monthly',
    SBQQ__Product__r: { attributes: { type: 'Product2', url: '/x' }, Family: 'Subscription' },
  };

  it('reads the primary quote and its lines, and takes the lines at their net prices', async () => {
    const sent = { soql: [] as string[], auth: [] as string[] };
    const scope = interceptQuery(sent)
      .reply(200, fixture('query-opportunity'))
      .get(QUERY_PATH)
      .query((q) => {
        sent.soql.push(String(q.q));
        return true;
      })
      .reply(200, {
        totalSize: 1,
        done: true,
        records: [
          {
            attributes: { type: 'SBQQ__Quote__c', url: `/services/data/v62.0/sobjects/SBQQ__Quote__c/${QUOTE_ID}` },
            Id: QUOTE_ID,
            Name: 'Q-00042',
            SBQQ__Primary__c: true,
            SBQQ__StartDate__c: '2026-02-01',
            SBQQ__SubscriptionTerm__c: 12,
            CurrencyIsoCode: 'EUR',
          },
        ],
      })
      .get(QUERY_PATH)
      .query((q) => {
        sent.soql.push(String(q.q));
        return true;
      })
      .reply(200, { totalSize: 1, done: true, records: [quoteLine] });
    const result = await cpqAdapter().fetchDeal(OPP_ID);
    expect(scope.isDone()).toBe(true);
    expect(sent.soql).toEqual([
      opportunitySoql(OPP_ID),
      `SELECT Id, Name, SBQQ__Primary__c, SBQQ__StartDate__c, SBQQ__SubscriptionTerm__c, CurrencyIsoCode FROM SBQQ__Quote__c WHERE SBQQ__Opportunity2__c = '${OPP_ID}' AND SBQQ__Primary__c = true ORDER BY Id LIMIT 1`,
      `SELECT Id, SBQQ__Product__c, SBQQ__ProductCode__c, SBQQ__ProductName__c, SBQQ__Quantity__c, SBQQ__NetPrice__c, SBQQ__Description__c, SBQQ__ChargeType__c, SBQQ__BillingFrequency__c, SBQQ__Product__r.Family FROM SBQQ__QuoteLine__c WHERE SBQQ__Quote__c = '${QUOTE_ID}' ORDER BY SBQQ__Number__c, Id`,
    ]);
    expect(sent.soql[1]).toBe(primaryQuoteSoql(OPP_ID));
    expect(sent.soql[2]).toBe(quoteLinesSoql(QUOTE_ID));
    if (!result.ok) throw new Error(result.reason);
    // The opportunity's own close date stays; the lines are the quote's.
    expect(result.value.deal.closeDate).toBe('2026-01-14');
    expect(result.value.lineItems).toEqual([
      {
        id: 'a0y5g00000Ln1AbAAJ',
        productId: '01t5g00000Fam1LAAR',
        productCode: 'PLATFORM',
        productName: 'Platform fee',
        quantity: '1',
        unitPrice: '1080.25',
        description: null,
        attributes: {
          'Product2.Family': 'Subscription',
          SBQQ__ChargeType__c: 'Recurring',
          SBQQ__BillingFrequency__c: 'Monthly',
        },
      },
    ]);
  });

  it('falls back to the OpportunityLineItems when there is no primary quote', async () => {
    const sent = { soql: [] as string[], auth: [] as string[] };
    const scope = interceptQuery(sent)
      .reply(200, fixture('query-opportunity'))
      .get(QUERY_PATH)
      .query((q) => {
        sent.soql.push(String(q.q));
        return true;
      })
      .reply(200, { totalSize: 0, done: true, records: [] });
    const result = await cpqAdapter().fetchDeal(OPP_ID);
    expect(scope.isDone()).toBe(true);
    expect(sent.soql).toHaveLength(2);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.lineItems.map((l) => l.id)).toEqual(
      fixture('query-opportunity').records[0].OpportunityLineItems.records.map((r: { Id: string }) => r.Id),
    );
  });

  it('sends no CPQ query without the option', async () => {
    const sent = { soql: [] as string[], auth: [] as string[] };
    interceptQuery(sent).reply(200, fixture('query-opportunity'));
    expect((await adapter().fetchDeal(OPP_ID)).ok).toBe(true);
    expect(sent.soql).toEqual([opportunitySoql(OPP_ID)]);
  });
});
