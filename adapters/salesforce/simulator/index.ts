/**
 * Salesforce simulator: a stateful Hono app speaking the REST API paths the hub uses
 * (query, sObject read/update, limits), the OAuth grants (refresh token, web-server authorization
 * code with its authorize redirect, JWT bearer with RS256 checked against a registered key), Bearer auth with
 * Salesforce's error array, the daily API request limit (403 REQUEST_LIMIT_EXCEEDED) and the
 * shared fault knobs. Runtime-neutral: Hono and Web APIs only.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm
 */
import Decimal from 'decimal.js';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { makeId } from '../ids.js';
import { base64Url, base64UrlDecode, JWT_BEARER_GRANT } from '../oauth.js';
import { buildOutboundMessage } from '../webhooks.js';
import { runSoql, SoqlError, withAttributes } from './soql.js';
import { type FieldValue, SCHEMA, type SObjectRecord, SObjectStore } from './state.js';

export interface SalesforceSimulatorOptions {
  organizationId?: string;
  now?: () => Date;
  /** false: a single-currency org, where no object has CurrencyIsoCode (default true). */
  multiCurrency?: boolean;
  /** The org's corporate currency (default USD). */
  corporateCurrency?: string;
  /** Daily API request allocation (default 100 000). */
  apiRequestLimit?: number;
  /** Instance URL written into outbound messages (the app itself answers on any host). */
  instanceUrl?: string;
}

export interface SeedLineItem {
  name: string;
  productCode?: string;
  family?: string | null;
  quantity: number;
  unitPrice: number;
  description?: string | null;
}

export interface SeedOptions {
  name?: string;
  accountName?: string;
  /** Ignored in a single-currency org. */
  currency?: string;
  closeDate?: string;
  stageName?: string;
  billingAddress?: { street: string; city: string; state: string; postalCode: string; country: string } | null;
  /** [] seeds an opportunity without products. */
  lineItems?: SeedLineItem[];
  /** Amount of an opportunity without line items (Salesforce sums the lines otherwise). */
  amount?: number | null;
  /** Contacts on the account with their roles on the opportunity ([]: none; default DEMO_CONTACTS). */
  contacts?: SeedContact[];
}

export interface SeedContact {
  firstName: string;
  lastName: string;
  email?: string | null;
  phone?: string | null;
  /** OpportunityContactRole.Role: Business User, Decision Maker, Economic Buyer, ... */
  role?: string | null;
  isPrimary?: boolean;
}

/** The demo deal's people: a primary decision maker and an accounts-payable contact. */
export const DEMO_CONTACTS: SeedContact[] = [
  {
    firstName: 'Maya',
    lastName: 'Okafor',
    email: 'maya.okafor@acme-robotics.example',
    role: 'Decision Maker',
    isPrimary: true,
  },
  {
    firstName: 'Leo',
    lastName: 'Brandt',
    email: 'ap@acme-robotics.example',
    phone: '+1 415 555 0100',
    role: 'Billing Contact',
  },
];

export interface SeededOpportunity {
  opportunityId: string;
  accountId: string;
  productIds: string[];
  pricebookEntryIds: string[];
  lineItemIds: string[];
  contactIds: string[];
}

/** A CPQ quote line: the product (found or created by code) and the quote's net price. */
export interface SeedQuoteLine {
  name: string;
  productCode?: string;
  family?: string | null;
  quantity: number;
  /** SBQQ__NetPrice__c: the unit price after all discounts. */
  netPrice: number;
  /** SBQQ__ListPrice__c (default: netPrice). */
  listPrice?: number;
  description?: string | null;
  /** SBQQ__ChargeType__c: One-Time, Recurring or Usage. */
  chargeType?: string | null;
  /** SBQQ__BillingFrequency__c: Monthly, Quarterly, Semiannual, Annual, Invoice Plan. */
  billingFrequency?: string | null;
}

export interface SeededQuote {
  quoteId: string;
  quoteLineIds: string[];
}

export const DEMO_LINE_ITEMS: SeedLineItem[] = [
  { name: 'Platform fee', productCode: 'PLATFORM', family: 'Subscription', quantity: 1, unitPrice: 1000 },
  { name: 'Seat licence', productCode: 'SEAT', family: 'Seat', quantity: 25, unitPrice: 40 },
];

type SalesforceError = { message: string; errorCode: string; fields?: string[] };

function sfErrors(c: Context, status: number, errors: SalesforceError[]): Response {
  return c.json(errors, status as 400);
}

/** Error bodies for injected faults: Salesforce's array, or a proxy's page where Salesforce never answers so. */
function faultBody(status: number, c: Context): Response {
  if (new URL(c.req.url).pathname.startsWith('/services/oauth2/')) {
    return c.json({ error: 'server_error', error_description: 'simulated failure' }, status as 500);
  }
  if (status === 401)
    return sfErrors(c, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  if (status === 500) {
    return sfErrors(c, 500, [
      {
        message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1',
        errorCode: 'UNKNOWN_EXCEPTION',
      },
    ]);
  }
  if (status === 503) {
    return sfErrors(c, 503, [{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }]);
  }
  // The REST API signals limits with 403 REQUEST_LIMIT_EXCEEDED; a 429 or 502 comes from
  // something in between, with a plain body.
  return c.text(status === 429 ? 'Too Many Requests' : 'Bad Gateway', status as 429);
}

export function createSalesforceSimulator(options: SalesforceSimulatorOptions = {}) {
  const now = options.now ?? (() => new Date());
  const organizationId = options.organizationId ?? makeId('00D', 1);
  const userId = makeId('005', 1);
  const store = new SObjectStore({
    now,
    multiCurrency: options.multiCurrency ?? true,
    corporateCurrency: options.corporateCurrency ?? 'USD',
  });
  const standardPricebook = store.insert('Pricebook2', {
    Name: 'Standard Price Book',
    IsActive: true,
    IsStandard: true,
  });
  let tokenCounter = 0;
  const issueToken = () => `${organizationId.slice(0, 15)}!SIM.access.${++tokenCounter}`;
  const credentials = {
    accessToken: issueToken(),
    refreshToken: `5Aep861SIM.refresh.${organizationId.slice(0, 15)}`,
    clientId: '3MVG9SIM.consumer.key',
    clientSecret: 'SIM-consumer-secret',
  };
  const state = {
    organizationId,
    store,
    /** Access tokens the API accepts. */
    accessTokens: new Set([credentials.accessToken]),
    refreshTokens: new Set([credentials.refreshToken]),
    api: { max: options.apiRequestLimit ?? 100_000, used: 0 },
    /** Number of access tokens issued through the refresh grant. */
    refreshes: 0,
    /** Authorization codes not yet exchanged (single use), with the redirect URI they were issued for. */
    authorizationCodes: new Map<string, { clientId: string; redirectUri: string }>(),
    /** Connected-app certificates for the JWT bearer flow: client id → SPKI public key. */
    jwtPublicKeys: new Map<string, Uint8Array>(),
    /** Every accepted record update (PATCH), in order: what a test counts writes by. */
    updates: [] as { type: string; id: string; values: SObjectRecord }[],
  };
  const faults = new FaultPlan();
  const app = new Hono();
  let notificationCounter = 0;
  let quoteCounter = 0;

  app.use('*', faultMiddleware(faults, faultBody));

  // OAuth 2.0 refresh token flow.
  // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
  let codeCounter = 0;
  const tokenResponse = (c: Context, accessToken: string, extra: Record<string, string> = {}) => {
    const origin = new URL(c.req.url).origin;
    const issuedAt = String(now().getTime());
    const id = `${origin}/id/${organizationId}/${userId}`;
    return c.json({
      access_token: accessToken,
      ...extra,
      scope: 'api refresh_token',
      instance_url: origin,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      // Salesforce signs id + issued_at with the consumer secret; the simulator only fakes its shape.
      signature: base64Url(`${id}${issuedAt}`),
    });
  };

  function issueAuthorizationCode(redirectUri: string, clientId = credentials.clientId): string {
    const code = `aPrxSIM.code.${++codeCounter}`;
    state.authorizationCodes.set(code, { clientId, redirectUri });
    return code;
  }

  // Web-server flow, step 1: the user approves and is sent back with ?code=&state=.
  app.get('/services/oauth2/authorize', (c) => {
    const redirectUri = c.req.query('redirect_uri');
    if (c.req.query('response_type') !== 'code' || !redirectUri) {
      return c.json(
        { error: 'invalid_request', error_description: 'response_type=code and redirect_uri required' },
        400,
      );
    }
    if (c.req.query('client_id') !== credentials.clientId) {
      return c.json({ error: 'invalid_client_id', error_description: 'client identifier invalid' }, 400);
    }
    const target = new URL(redirectUri);
    target.searchParams.set('code', issueAuthorizationCode(redirectUri));
    const st = c.req.query('state');
    if (st) target.searchParams.set('state', st);
    return c.redirect(target.toString(), 302);
  });

  async function verifyJwt(assertion: string): Promise<string | undefined> {
    const [h, p, sig] = assertion.split('.');
    if (!h || !p || !sig) return 'malformed assertion';
    let claims: { iss?: string; sub?: string; aud?: string; exp?: number };
    try {
      const header = JSON.parse(new TextDecoder().decode(base64UrlDecode(h))) as { alg?: string };
      if (header.alg !== 'RS256') return 'unsupported algorithm';
      claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(p)));
    } catch {
      return 'malformed assertion';
    }
    const spki = state.jwtPublicKeys.get(claims.iss ?? '');
    if (!spki) return 'client identifier invalid';
    const key = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
      'verify',
    ]);
    const valid = await crypto.subtle.verify(
      'RSASSA-PKCS1-v1_5',
      key,
      base64UrlDecode(sig),
      new TextEncoder().encode(`${h}.${p}`),
    );
    if (!valid) return 'invalid assertion';
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < now().getTime()) return 'expired authorization code';
    if (!claims.sub) return "user hasn't approved this consumer";
    return undefined;
  }

  app.post('/services/oauth2/token', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const issued = state.authorizationCodes.get(form.get('code') ?? '');
      if (form.get('client_id') !== credentials.clientId) {
        return c.json({ error: 'invalid_client_id', error_description: 'client identifier invalid' }, 400);
      }
      if (form.get('client_secret') !== credentials.clientSecret) {
        return c.json({ error: 'invalid_client', error_description: 'invalid client credentials' }, 400);
      }
      if (!issued || issued.redirectUri !== form.get('redirect_uri')) {
        return c.json({ error: 'invalid_grant', error_description: 'invalid authorization code' }, 400);
      }
      state.authorizationCodes.delete(form.get('code') ?? '');
      const accessToken = issueToken();
      const refreshToken = `5Aep861SIM.refresh.code.${codeCounter}.${tokenCounter}`;
      state.accessTokens.add(accessToken);
      state.refreshTokens.add(refreshToken);
      return tokenResponse(c, accessToken, { refresh_token: refreshToken });
    }
    if (grant === JWT_BEARER_GRANT) {
      const problem = await verifyJwt(form.get('assertion') ?? '');
      if (problem) return c.json({ error: 'invalid_grant', error_description: problem }, 400);
      const accessToken = issueToken();
      state.accessTokens.add(accessToken);
      return tokenResponse(c, accessToken);
    }
    if (grant !== 'refresh_token') {
      return c.json({ error: 'unsupported_grant_type', error_description: 'grant type not supported' }, 400);
    }
    if (form.get('client_id') !== credentials.clientId) {
      return c.json({ error: 'invalid_client_id', error_description: 'client identifier invalid' }, 400);
    }
    const secret = form.get('client_secret');
    if (secret !== null && secret !== credentials.clientSecret) {
      return c.json({ error: 'invalid_client', error_description: 'invalid client credentials' }, 400);
    }
    if (!state.refreshTokens.has(form.get('refresh_token') ?? '')) {
      return c.json({ error: 'invalid_grant', error_description: 'expired access/refresh token' }, 400);
    }
    const accessToken = issueToken();
    state.accessTokens.add(accessToken);
    state.refreshes += 1;
    return tokenResponse(c, accessToken);
  });

  // Every REST call: a known API version, a live session, and the org's daily allocation.
  app.use('/services/data/:version/*', async (c, next) => {
    if (!/^v\d{2,3}\.0$/.test(c.req.param('version'))) {
      return sfErrors(c, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    }
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token || !state.accessTokens.has(token)) {
      return sfErrors(c, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
    if (state.api.used >= state.api.max) {
      return sfErrors(c, 403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    }
    state.api.used += 1;
    await next();
    c.res.headers.set('Sforce-Limit-Info', `api-usage=${state.api.used}/${state.api.max}`);
  });

  const versionOf = (c: Context) => c.req.param('version')?.slice(1) ?? '62.0';

  app.get('/services/data/:version/query', (c) => {
    const soql = c.req.query('q');
    if (!soql)
      return sfErrors(c, 400, [{ errorCode: 'MALFORMED_QUERY', message: 'A query string has to be specified' }]);
    try {
      return c.json(runSoql(store, soql, versionOf(c)));
    } catch (error) {
      if (error instanceof SoqlError) return sfErrors(c, 400, [{ errorCode: error.errorCode, message: error.message }]);
      throw error;
    }
  });

  app.get('/services/data/:version/limits', (c) =>
    c.json({ DailyApiRequests: { Max: state.api.max, Remaining: state.api.max - state.api.used } }),
  );

  const notFound = (c: Context) =>
    sfErrors(c, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);

  app.get('/services/data/:version/sobjects/:type/:id', (c) => {
    const type = c.req.param('type');
    const record = SCHEMA[type] ? store.get(type, c.req.param('id')) : undefined;
    if (!record) return notFound(c);
    const wanted = c.req
      .query('fields')
      ?.split(',')
      .map((f) => f.trim());
    const fields = wanted ? wanted.map((f) => store.resolveField(type, f) ?? f) : store.fieldsOf(type);
    const unknown = fields.find((f) => !store.resolveField(type, f));
    if (unknown) {
      return sfErrors(c, 400, [
        { errorCode: 'INVALID_FIELD', message: `No such column '${unknown}' on sobject of type ${type}` },
      ]);
    }
    const body: Record<string, unknown> = withAttributes(type, versionOf(c), record.Id);
    for (const f of fields) body[f] = record[f] ?? null;
    return c.json(body);
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm
  app.patch('/services/data/:version/sobjects/:type/:id', async (c) => {
    const type = c.req.param('type');
    if (!SCHEMA[type] || !store.get(type, c.req.param('id'))) return notFound(c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return sfErrors(c, 400, [{ errorCode: 'JSON_PARSER_ERROR', message: 'The request body is not valid JSON' }]);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sfErrors(c, 400, [{ errorCode: 'JSON_PARSER_ERROR', message: 'Expected a JSON object' }]);
    }
    const values: SObjectRecord = {};
    for (const [name, value] of Object.entries(body as Record<string, FieldValue>)) {
      if (name === 'attributes') continue;
      const field = store.resolveField(type, name);
      if (!field) {
        return sfErrors(c, 400, [
          { errorCode: 'INVALID_FIELD', message: `No such column '${name}' on sobject of type ${type}` },
        ]);
      }
      if (SCHEMA[type].readOnly.includes(field)) {
        return sfErrors(c, 400, [
          {
            errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
            message: `Unable to create/update fields: ${field}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
            fields: [field],
          },
        ]);
      }
      values[field] = value;
    }
    const updated = store.update(type, c.req.param('id'), values);
    state.updates.push({ type, id: String(updated?.Id ?? c.req.param('id')), values });
    return c.body(null, 204);
  });

  app.notFound(notFound);

  /** Finds a product by code or creates it, with a standard price book entry in `currency`. */
  function productFor(line: SeedLineItem, currency: string | null) {
    const code = line.productCode ?? line.name;
    const product =
      store.all('Product2').find((p) => p.ProductCode === code) ??
      store.insert('Product2', { Name: line.name, ProductCode: code, Family: line.family ?? null, IsActive: true });
    const entry =
      store
        .all('PricebookEntry')
        .find((e) => e.Product2Id === product.Id && (currency === null || e.CurrencyIsoCode === currency)) ??
      store.insert('PricebookEntry', {
        Name: product.Name,
        Pricebook2Id: standardPricebook.Id,
        Product2Id: product.Id,
        ProductCode: code,
        UnitPrice: line.unitPrice,
        IsActive: true,
        UseStandardPrice: false,
        ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
      });
    return { product, entry };
  }

  /** A demo closed-won deal: an account in San Francisco, a platform fee and 25 seats, in USD. */
  function seedClosedWonOpportunity(opts: SeedOptions = {}): SeededOpportunity {
    const currency = store.options.multiCurrency ? (opts.currency ?? 'USD') : null;
    const address =
      opts.billingAddress === undefined
        ? { street: '415 Mission Street', city: 'San Francisco', state: 'CA', postalCode: '94105', country: 'US' }
        : opts.billingAddress;
    const account = store.insert('Account', {
      Name: opts.accountName ?? 'Acme Robotics, Inc.',
      BillingStreet: address?.street ?? null,
      BillingCity: address?.city ?? null,
      BillingState: address?.state ?? null,
      BillingPostalCode: address?.postalCode ?? null,
      BillingCountry: address?.country ?? null,
      ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
    });
    const lines = opts.lineItems ?? DEMO_LINE_ITEMS;
    const opportunity = store.insert('Opportunity', {
      Name: opts.name ?? `${account.Name} - Annual subscription`,
      AccountId: account.Id,
      StageName: opts.stageName ?? 'Closed Won',
      CloseDate: opts.closeDate ?? now().toISOString().slice(0, 10),
      Amount: lines.length === 0 ? (opts.amount ?? null) : null,
      Probability: 100,
      Pricebook2Id: standardPricebook.Id,
      Type: 'New Business',
      ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
    });
    const seeded: SeededOpportunity = {
      opportunityId: String(opportunity.Id),
      accountId: String(account.Id),
      productIds: [],
      pricebookEntryIds: [],
      lineItemIds: [],
      contactIds: [],
    };
    for (const person of opts.contacts ?? DEMO_CONTACTS) {
      const contact = store.insert('Contact', {
        AccountId: account.Id,
        FirstName: person.firstName,
        LastName: person.lastName,
        Email: person.email ?? null,
        Phone: person.phone ?? null,
      });
      store.insert('OpportunityContactRole', {
        OpportunityId: opportunity.Id,
        ContactId: contact.Id,
        Role: person.role ?? null,
        IsPrimary: person.isPrimary === true,
      });
      seeded.contactIds.push(String(contact.Id));
    }
    lines.forEach((line, index) => {
      const { product, entry } = productFor(line, currency);
      const item = store.insert('OpportunityLineItem', {
        OpportunityId: opportunity.Id,
        PricebookEntryId: entry.Id,
        Product2Id: product.Id,
        ProductCode: product.ProductCode,
        Name: `${opportunity.Name} ${product.Name}`,
        Quantity: line.quantity,
        UnitPrice: line.unitPrice,
        ListPrice: entry.UnitPrice,
        Description: line.description ?? null,
        SortOrder: index + 1,
        ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
      });
      seeded.productIds.push(String(product.Id));
      seeded.pricebookEntryIds.push(String(entry.Id));
      seeded.lineItemIds.push(String(item.Id));
    });
    return seeded;
  }

  /**
   * A Salesforce CPQ quote (SBQQ__Quote__c) on the opportunity with its lines
   * (SBQQ__QuoteLine__c); primary unless `primary` is false. As in CPQ, making a quote primary
   * makes the opportunity's other quotes non-primary.
   */
  function seedCpqQuote(
    opportunityId: string,
    lines: SeedQuoteLine[],
    opts: { primary?: boolean; startDate?: string; subscriptionTerm?: number } = {},
  ): SeededQuote {
    const opportunity = store.get('Opportunity', opportunityId);
    if (!opportunity) throw new Error(`no opportunity ${opportunityId} in the simulator`);
    const primary = opts.primary ?? true;
    const currency = store.options.multiCurrency ? (opportunity.CurrencyIsoCode as string | null) : null;
    if (primary) {
      for (const other of store.all('SBQQ__Quote__c')) {
        if (other.SBQQ__Opportunity2__c === opportunity.Id)
          store.update('SBQQ__Quote__c', String(other.Id), { SBQQ__Primary__c: false });
      }
    }
    quoteCounter += 1;
    const quote = store.insert('SBQQ__Quote__c', {
      Name: `Q-${String(quoteCounter).padStart(5, '0')}`,
      SBQQ__Opportunity2__c: opportunity.Id,
      SBQQ__Account__c: opportunity.AccountId,
      SBQQ__Primary__c: primary,
      SBQQ__StartDate__c: opts.startDate ?? (opportunity.CloseDate as string | null),
      SBQQ__SubscriptionTerm__c: opts.subscriptionTerm ?? 12,
      SBQQ__NetAmount__c: lines
        .reduce((sum, l) => sum.add(new Decimal(l.netPrice).mul(l.quantity)), new Decimal(0))
        .toNumber(),
      ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
    });
    const seeded: SeededQuote = { quoteId: String(quote.Id), quoteLineIds: [] };
    lines.forEach((line, index) => {
      const { product } = productFor({ ...line, unitPrice: line.listPrice ?? line.netPrice }, currency);
      const record = store.insert('SBQQ__QuoteLine__c', {
        SBQQ__Quote__c: quote.Id,
        SBQQ__Product__c: product.Id,
        SBQQ__ProductCode__c: product.ProductCode,
        SBQQ__ProductName__c: product.Name,
        SBQQ__Number__c: index + 1,
        SBQQ__Quantity__c: line.quantity,
        SBQQ__ListPrice__c: line.listPrice ?? line.netPrice,
        SBQQ__NetPrice__c: line.netPrice,
        SBQQ__NetTotal__c: new Decimal(line.netPrice).mul(line.quantity).toNumber(),
        SBQQ__Description__c: line.description ?? null,
        SBQQ__ChargeType__c: line.chargeType ?? 'Recurring',
        SBQQ__BillingFrequency__c: line.billingFrequency ?? 'Monthly',
        ...(currency !== null ? { CurrencyIsoCode: currency } : {}),
      });
      seeded.quoteLineIds.push(String(record.Id));
    });
    return seeded;
  }

  /** The Outbound Message Salesforce would send for the opportunity's current state. */
  function outboundMessageFor(opportunityId: string): string {
    const opp = store.get('Opportunity', opportunityId);
    if (!opp) throw new Error(`no opportunity ${opportunityId} in the simulator`);
    const names = [
      'Id',
      'Name',
      'StageName',
      'IsWon',
      'CloseDate',
      'Amount',
      'AccountId',
      'CurrencyIsoCode',
      'SystemModstamp',
    ];
    const fields: Record<string, FieldValue> = {};
    for (const name of names) if (name in opp) fields[name] = opp[name];
    // SOAP writes xsd:dateTime in UTC with a Z.
    fields.SystemModstamp = new Date(String(opp.SystemModstamp).replace(/\+0000$/, 'Z')).toISOString();
    notificationCounter += 1;
    return buildOutboundMessage({
      organizationId,
      actionId: makeId('04k', 1),
      instanceUrl: options.instanceUrl,
      notifications: [{ id: makeId('04l', notificationCounter), objectType: 'Opportunity', fields }],
    });
  }

  return {
    app,
    faults,
    state,
    credentials,
    seedClosedWonOpportunity,
    seedCpqQuote,
    outboundMessageFor,
    /** A single-use web-server-flow code, as if the user had approved the app (redirect_uri must match at exchange). */
    issueAuthorizationCode,
    /** Registers the certificate (SPKI public key) of a connected app using the JWT bearer flow. */
    registerJwtPublicKey(clientId: string, spki: ArrayBuffer | Uint8Array): void {
      state.jwtPublicKeys.set(clientId, new Uint8Array(spki));
    },
    /** Ends every current session: the next API call answers 401 INVALID_SESSION_ID. */
    expireAccessToken(): void {
      state.accessTokens.clear();
    },
    /** Revokes the refresh token too: refreshing fails with invalid_grant. */
    revokeRefreshToken(): void {
      state.refreshTokens.clear();
    },
  };
}

export type SalesforceSimulator = ReturnType<typeof createSalesforceSimulator>;
