/**
 * HubSpot simulator: a stateful Hono app speaking the CRM v3 object reads, batch reads, deal
 * updates and associations v4 the hub uses, Bearer auth with HubSpot's error envelope, the
 * shared fault knobs, and signed webhook events. Runtime-neutral: Hono and Web APIs only.
 * https://developers.hubspot.com/docs/api/crm/understanding-the-crm
 */
import Decimal from 'decimal.js';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { SIGNATURE_HEADER, signV3, TIMESTAMP_HEADER } from '../webhooks.js';
import {
  ASSOCIATION_TYPES,
  type AssociationType,
  CrmStore,
  DEFAULT_PROPERTIES,
  hasProperty,
  type ObjectType,
  READ_ONLY,
  type StoredObject,
  TYPE_ALIASES,
  userDefinedLabel,
} from './state.js';

export interface HubSpotSimulatorOptions {
  now?: () => Date;
  /** The private-app token the API accepts (default a fixed pat-na1-... value). */
  accessToken?: string;
  /** The app's client secret webhooks are signed with. */
  clientSecret?: string;
  portalId?: number;
}

export interface SeedLineItem {
  name: string;
  sku: string;
  /** Decimal strings, as HubSpot stores them. */
  quantity: string;
  price: string;
  recurringbillingfrequency?: string | null;
  description?: string | null;
}

export interface SeedOptions {
  name?: string;
  companyName?: string | null;
  /** null: a portal without multi-currency, where deal_currency_code is empty. */
  currency?: string | null;
  closeDate?: string;
  stage?: string;
  address?: { address: string; city: string; state: string; zip: string; country: string } | null;
  /** [] seeds a deal without line items. */
  lineItems?: SeedLineItem[];
  /** Deal amount (default: the sum of the lines). */
  amount?: string | null;
  /** Contacts associated with the deal ([]: none; default DEMO_CONTACTS). */
  contacts?: SeedContact[];
}

export interface SeedContact {
  firstname: string;
  lastname: string;
  email?: string | null;
  phone?: string | null;
  /** A custom deal→contact association label the portal defined ("Billing contact"). */
  label?: string | null;
}

/** The demo deal's people: a decision maker, and accounts payable labelled as the billing contact. */
export const DEMO_CONTACTS: SeedContact[] = [
  { firstname: 'Maya', lastname: 'Okafor', email: 'maya.okafor@acme-robotics.example', label: 'Decision maker' },
  { firstname: 'Leo', lastname: 'Brandt', email: 'ap@acme-robotics.example', label: 'Billing contact' },
];

export interface SeededDeal {
  dealId: string;
  companyId: string | null;
  lineItemIds: string[];
  productIds: string[];
  contactIds: string[];
}

export const DEMO_LINE_ITEMS: SeedLineItem[] = [
  { name: 'Platform fee', sku: 'PLATFORM', quantity: '1', price: '1000.00', recurringbillingfrequency: 'annually' },
  { name: 'Seat licence', sku: 'SEAT', quantity: '25', price: '40.00', recurringbillingfrequency: 'monthly' },
];

export const DEFAULT_ACCESS_TOKEN = 'pat-na1-00000000-0000-4000-8000-000000000001';
export const DEFAULT_CLIENT_SECRET = 'sim-hubspot-client-secret';
const BATCH_LIMIT = 100;
const ASSOCIATION_PAGE_MAX = 500;
const RATE_WINDOW_MS = 10_000;

const SEARCH_MAX_LIMIT = 200;
const SEARCH_MAX_GROUPS = 5;
const SEARCH_OPERATORS = new Set(['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE', 'IN', 'NOT_IN']);
/** Properties HubSpot compares as instants (sent as epoch milliseconds or ISO 8601). */
const DATETIME_PROPERTIES = new Set(['hs_lastmodifieddate', 'createdate', 'closedate']);

interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: string | number;
  values?: (string | number)[];
}

interface SearchBody {
  filterGroups?: { filters?: SearchFilter[] }[];
  sorts?: (string | { propertyName?: string; direction?: string })[];
  properties?: string[];
  limit?: number;
  after?: string;
}

/** undefined: no sort given; null: one this simulator does not speak. */
function parseSort(sort: SearchBody['sorts'] extends (infer S)[] | undefined ? S | undefined : never) {
  if (sort === undefined) return undefined;
  if (typeof sort === 'string') return /^[a-z0-9_]+$/.test(sort) ? { propertyName: sort, descending: false } : null;
  if (typeof sort?.propertyName !== 'string') return null;
  if (sort.direction !== undefined && sort.direction !== 'ASCENDING' && sort.direction !== 'DESCENDING') return null;
  return { propertyName: sort.propertyName, descending: sort.direction === 'DESCENDING' };
}

function instant(value: string | number): number {
  return typeof value === 'number' || /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function compareProperty(name: string, a: string | number | null, b: string | number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (DATETIME_PROPERTIES.has(name)) return instant(a) - instant(b);
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && !Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function searchMatch(object: StoredObject, f: SearchFilter): boolean {
  const actual = object.properties[f.propertyName] ?? null;
  if (f.operator === 'IN' || f.operator === 'NOT_IN') {
    const found = actual !== null && (f.values ?? []).some((v) => compareProperty(f.propertyName, actual, v) === 0);
    return f.operator === 'IN' ? found : !found;
  }
  if (actual === null) return f.operator === 'NEQ';
  const d = compareProperty(f.propertyName, actual, f.value ?? null);
  switch (f.operator) {
    case 'EQ':
      return d === 0;
    case 'NEQ':
      return d !== 0;
    case 'GT':
      return d > 0;
    case 'GTE':
      return d >= 0;
    case 'LT':
      return d < 0;
    default:
      return d <= 0;
  }
}

export function createHubSpotSimulator(options: HubSpotSimulatorOptions = {}) {
  const now = options.now ?? (() => new Date());
  const accessToken = options.accessToken ?? DEFAULT_ACCESS_TOKEN;
  const clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
  const portalId = options.portalId ?? 24_680_135;
  const store = new CrmStore(now);
  const state = {
    portalId,
    store,
    accessTokens: new Set([accessToken]),
    clientSecret,
    /** The OAuth app: client id and the refresh tokens /oauth/v3/token accepts. */
    oauth: { clientId: 'sim-oauth-client-id', refreshTokens: new Set(['sim-oauth-refresh-token']) },
    /** Access tokens issued through /oauth/v3/token, with their expiry (ms). */
    oauthTokens: new Map<string, number>(),
    /** Number of refresh grants served. */
    refreshes: 0,
    /** Every accepted object update (PATCH), in order: what a test counts writes by. */
    updates: [] as { type: ObjectType; id: string; properties: Record<string, string | null> }[],
  };
  const faults = new FaultPlan();
  const app = new Hono();
  let correlation = 0;
  let eventCounter = 0;

  /** HubSpot's error envelope; correlation ids are deterministic so tests can compare them. */
  function hsError(c: Context, status: number, category: string, message: string, extra: object = {}): Response {
    const correlationId = `00000000-0000-4000-8000-${(++correlation).toString(16).padStart(12, '0')}`;
    return c.json({ status: 'error', message, correlationId, category, ...extra }, status as 400);
  }

  function faultBody(status: number, c: Context): Response {
    if (status === 401)
      return hsError(c, 401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    if (status === 429) {
      const res = hsError(c, 429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', {
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
      });
      res.headers.set('X-HubSpot-RateLimit-Interval-Milliseconds', String(RATE_WINDOW_MS));
      res.headers.set('X-HubSpot-RateLimit-Max', '190');
      res.headers.set('X-HubSpot-RateLimit-Remaining', '0');
      return res;
    }
    return hsError(c, status, 'INTERNAL_ERROR', 'internal error');
  }

  app.use('*', faultMiddleware(faults, faultBody));

  // Private-app tokens are sent as Bearer. https://developers.hubspot.com/docs/api/private-apps
  // OAuth: refresh grant, every parameter in the form body. https://developers.hubspot.com/docs/api/oauth/tokens
  app.post('/oauth/v3/token', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    if (form.get('grant_type') !== 'refresh_token') {
      return hsError(c, 400, 'VALIDATION_ERROR', 'unsupported grant_type', { status: 'BAD_GRANT_TYPE' });
    }
    if (form.get('client_id') !== state.oauth.clientId || form.get('client_secret') !== state.clientSecret) {
      return hsError(c, 400, 'VALIDATION_ERROR', 'missing or unknown client id', { status: 'BAD_CLIENT_ID' });
    }
    if (!state.oauth.refreshTokens.has(form.get('refresh_token') ?? '')) {
      return hsError(c, 400, 'VALIDATION_ERROR', 'missing or unknown refresh token', { status: 'BAD_REFRESH_TOKEN' });
    }
    state.refreshes += 1;
    const token = `sim-oauth-access-${state.refreshes}`;
    state.oauthTokens.set(token, now().getTime() + 1800 * 1000);
    return c.json({
      token_type: 'bearer',
      refresh_token: form.get('refresh_token'),
      access_token: token,
      expires_in: 1800,
    });
  });

  const tokenAccepted = (token: string) =>
    state.accessTokens.has(token) || (state.oauthTokens.get(token) ?? 0) > now().getTime();

  app.use('/crm/*', async (c, next) => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token || !tokenAccepted(token)) {
      return hsError(
        c,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
      );
    }
    await next();
    c.res.headers.set('X-HubSpot-RateLimit-Interval-Milliseconds', String(RATE_WINDOW_MS));
  });

  const typeOf = (c: Context, param: string): ObjectType | undefined => TYPE_ALIASES[c.req.param(param) ?? ''];

  /** `properties` as a repeated or comma-separated query parameter. */
  function requested(c: Context, type: ObjectType): string[] {
    const values = (c.req.queries('properties') ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
    return values.filter(Boolean).length > 0 ? values.filter(Boolean) : DEFAULT_PROPERTIES[type];
  }

  /** SimplePublicObject: requested properties (null when unset) plus the system ones. */
  function view(object: StoredObject, names: string[]) {
    const properties: Record<string, string | null> = {};
    for (const name of [...names, 'hs_object_id', 'createdate', 'hs_lastmodifieddate']) {
      const known = hasProperty(object.type, name) || READ_ONLY.includes(name);
      // HubSpot leaves out names it does not know rather than failing the read.
      if (known) properties[name] = object.properties[name] ?? null;
    }
    return {
      id: object.id,
      properties,
      createdAt: object.createdAt,
      updatedAt: object.updatedAt,
      archived: false,
    };
  }

  const notFound = (c: Context) => hsError(c, 404, 'OBJECT_NOT_FOUND', 'resource not found');

  app.get('/crm/v3/objects/:type/:id', (c) => {
    const type = typeOf(c, 'type');
    const object = type ? store.get(type, c.req.param('id')) : undefined;
    if (!type || !object) return notFound(c);
    return c.json(view(object, requested(c, type)));
  });

  // https://developers.hubspot.com/docs/api/crm/deals (batch read: up to 100 inputs)
  app.post('/crm/v3/objects/:type/batch/read', async (c) => {
    const type = typeOf(c, 'type');
    if (!type) return notFound(c);
    const body = (await c.req.json().catch(() => null)) as { inputs?: unknown; properties?: unknown } | null;
    const inputs = body?.inputs;
    if (!Array.isArray(inputs) || inputs.some((i) => typeof i?.id !== 'string')) {
      return hsError(c, 400, 'VALIDATION_ERROR', 'Invalid input JSON: inputs must be an array of {"id": string}');
    }
    if (inputs.length > BATCH_LIMIT) {
      return hsError(c, 400, 'VALIDATION_ERROR', `Batch input size must be between 1 and ${BATCH_LIMIT}`, {
        errors: [{ message: `Batch input size was ${inputs.length}`, in: 'inputs' }],
      });
    }
    const names =
      Array.isArray(body?.properties) && body.properties.length > 0
        ? (body.properties as string[])
        : DEFAULT_PROPERTIES[type];
    const at = now().toISOString();
    const results: ReturnType<typeof view>[] = [];
    const missing: string[] = [];
    for (const { id } of inputs as { id: string }[]) {
      const object = store.get(type, id);
      if (object) results.push(view(object, names));
      else missing.push(id);
    }
    const batch = { status: 'COMPLETE', results, startedAt: at, completedAt: at };
    if (missing.length === 0) return c.json(batch);
    // Partial success is a 207 with the missing ids in errors[].
    return c.json(
      {
        ...batch,
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: `Could not get some ${type.toUpperCase()} objects, they may be deleted or not exist.`,
            context: { ids: missing },
            errors: [],
            links: {},
          },
        ],
      },
      207,
    );
  });

  // https://developers.hubspot.com/docs/api/crm/search — an honest subset: AND-ed filters in
  // OR-ed groups (EQ, NEQ, GT, GTE, LT, LTE, IN, NOT_IN), sorts by one property (a name sorts
  // ascending, or { propertyName, direction }), limit (≤ 200) and `after` paging.
  app.post('/crm/v3/objects/:type/search', async (c) => {
    const type = typeOf(c, 'type');
    if (!type) return notFound(c);
    const body = (await c.req.json().catch(() => null)) as SearchBody | null;
    if (!body || typeof body !== 'object') return hsError(c, 400, 'VALIDATION_ERROR', 'Invalid input JSON');
    const groups = body.filterGroups ?? [];
    if (!Array.isArray(groups) || groups.length > SEARCH_MAX_GROUPS) {
      return hsError(c, 400, 'VALIDATION_ERROR', `filterGroups must be an array of at most ${SEARCH_MAX_GROUPS}`);
    }
    for (const group of groups) {
      for (const f of group?.filters ?? []) {
        if (typeof f?.propertyName !== 'string' || !SEARCH_OPERATORS.has(f.operator)) {
          return hsError(c, 400, 'VALIDATION_ERROR', `Unsupported filter: ${JSON.stringify(f)}`);
        }
        const many = f.operator === 'IN' || f.operator === 'NOT_IN';
        if (many ? !Array.isArray(f.values) : typeof f.value !== 'string' && typeof f.value !== 'number') {
          return hsError(c, 400, 'VALIDATION_ERROR', `Filter on ${f.propertyName} needs ${many ? 'values' : 'value'}`);
        }
      }
    }
    const limit = body.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT) {
      return hsError(c, 400, 'VALIDATION_ERROR', `limit must be between 1 and ${SEARCH_MAX_LIMIT}`);
    }
    const sort = parseSort(body.sorts?.[0]);
    if (sort === null) return hsError(c, 400, 'VALIDATION_ERROR', 'Unsupported sort');
    const offset = Number(body.after ?? 0) || 0;
    const all = [...(store.objects.get(type)?.values() ?? [])]
      .filter((o) => groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => searchMatch(o, f))))
      .sort((x, y) => {
        const key = sort?.propertyName ?? 'hs_object_id';
        const d = compareProperty(key, x.properties[key] ?? null, y.properties[key] ?? null) || compareIds(x.id, y.id);
        return sort?.descending ? -d : d;
      });
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? String(offset + limit) : null;
    const names =
      Array.isArray(body.properties) && body.properties.length > 0 ? body.properties : DEFAULT_PROPERTIES[type];
    return c.json({
      total: all.length,
      results: page.map((o) => view(o, names)),
      ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}),
    });
  });

  // https://developers.hubspot.com/docs/api/crm/deals (update)
  app.patch('/crm/v3/objects/:type/:id', async (c) => {
    const type = typeOf(c, 'type');
    const object = type ? store.get(type, c.req.param('id')) : undefined;
    if (!type || !object) return notFound(c);
    const body = (await c.req.json().catch(() => null)) as { properties?: unknown } | null;
    const properties = body?.properties;
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      return hsError(c, 400, 'VALIDATION_ERROR', 'Invalid input JSON: properties is required');
    }
    const values: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(properties)) {
      if (READ_ONLY.includes(name) || !hasProperty(type, name)) {
        const code = READ_ONLY.includes(name) ? 'READ_ONLY_VALUE' : 'PROPERTY_DOESNT_EXIST';
        const message =
          code === 'READ_ONLY_VALUE' ? `${name} is a read only property` : `Property "${name}" does not exist`;
        return hsError(c, 400, 'VALIDATION_ERROR', `Property values were not valid: ${message}`, {
          errors: [{ message, code, context: { propertyName: [name] }, in: name }],
        });
      }
      values[name] = value === null ? null : String(value);
    }
    state.updates.push({ type, id: object.id, properties: values });
    return c.json(view(store.update(object, values), Object.keys(values)));
  });

  // https://developers.hubspot.com/docs/api/crm/associations (v4 list, paged)
  app.get('/crm/v4/objects/:type/:id/associations/:toType', (c) => {
    const type = typeOf(c, 'type');
    const toType = typeOf(c, 'toType');
    if (!type || !toType) return hsError(c, 400, 'VALIDATION_ERROR', 'Unknown object type');
    const limit = Math.min(
      Number(c.req.query('limit') ?? ASSOCIATION_PAGE_MAX) || ASSOCIATION_PAGE_MAX,
      ASSOCIATION_PAGE_MAX,
    );
    const offset = Number(c.req.query('after') ?? 0) || 0;
    const all = store.associations(type, c.req.param('id'), toType);
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? String(offset + limit) : null;
    return c.json({
      results: page.map(([toId, types]) => ({ toObjectId: Number(toId), associationTypes: types })),
      ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}),
    });
  });

  /** The portal's custom association labels: each gets its own type id, as HubSpot assigns them. */
  const labelIds = new Map<string, number>();

  function seedClosedWonDeal(opts: SeedOptions = {}): SeededDeal {
    const lines = opts.lineItems ?? DEMO_LINE_ITEMS;
    const company =
      opts.companyName === null
        ? null
        : store.create('companies', {
            name: opts.companyName ?? 'Acme Robotics, Inc.',
            domain: 'acme-robotics.example',
            ...(opts.address === null
              ? {}
              : (opts.address ?? {
                  address: '1 Market St',
                  city: 'San Francisco',
                  state: 'CA',
                  zip: '94105',
                  country: 'United States',
                })),
          });
    const products = new Map<string, StoredObject>();
    for (const line of lines) {
      if (!products.has(line.sku)) {
        products.set(
          line.sku,
          store.create('products', {
            name: line.name,
            hs_sku: line.sku,
            price: line.price,
            recurringbillingfrequency: line.recurringbillingfrequency ?? null,
          }),
        );
      }
    }
    const total = lines.reduce((sum, l) => sum.plus(new Decimal(l.quantity).times(l.price)), new Decimal(0));
    const deal = store.create('deals', {
      dealname: opts.name ?? 'Acme Robotics, Inc. - Annual subscription',
      pipeline: 'default',
      dealstage: opts.stage ?? 'closedwon',
      closedate: opts.closeDate ?? `${now().toISOString().slice(0, 10)}T00:00:00Z`,
      amount: opts.amount === undefined ? total.toFixed() : opts.amount,
      deal_currency_code: opts.currency === undefined ? 'USD' : opts.currency,
    });
    if (company) {
      store.associate(
        deal,
        company,
        [ASSOCIATION_TYPES.dealToCompanyPrimary, ASSOCIATION_TYPES.dealToCompany],
        [ASSOCIATION_TYPES.companyToDealPrimary, ASSOCIATION_TYPES.companyToDeal],
      );
    }
    const lineItemIds = lines.map((line) => {
      const product = products.get(line.sku) as StoredObject;
      const item = store.create('line_items', {
        name: line.name,
        hs_product_id: product.id,
        hs_sku: line.sku,
        quantity: line.quantity,
        price: line.price,
        amount: new Decimal(line.quantity).times(line.price).toFixed(),
        description: line.description ?? null,
        recurringbillingfrequency: line.recurringbillingfrequency ?? null,
      });
      store.associate(deal, item, [ASSOCIATION_TYPES.dealToLineItem], [ASSOCIATION_TYPES.lineItemToDeal]);
      return item.id;
    });
    const contactIds = (opts.contacts ?? DEMO_CONTACTS).map((person) => {
      const contact = store.create('contacts', {
        firstname: person.firstname,
        lastname: person.lastname,
        email: person.email ?? null,
        phone: person.phone ?? null,
      });
      const types: AssociationType[] = [ASSOCIATION_TYPES.dealToContact];
      if (person.label) {
        if (!labelIds.has(person.label)) labelIds.set(person.label, 101 + labelIds.size);
        types.push(userDefinedLabel(person.label, labelIds.get(person.label)));
      }
      store.associate(deal, contact, types, [ASSOCIATION_TYPES.contactToDeal]);
      return contact.id;
    });
    return {
      dealId: deal.id,
      companyId: company?.id ?? null,
      lineItemIds,
      productIds: [...products.values()].map((p) => p.id),
      contactIds,
    };
  }

  /** Headers HubSpot sends with a webhook request (v3 signature only). */
  async function signWebhook(input: {
    method?: string;
    url: string;
    body: string;
    timestamp?: number;
  }): Promise<Record<string, string>> {
    const timestamp = String(input.timestamp ?? now().getTime());
    const signature = await signV3({
      method: input.method ?? 'POST',
      url: input.url,
      body: input.body,
      timestamp,
      clientSecret,
    });
    return { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp };
  }

  /**
   * Moves the deal to `stage` (as a user would in HubSpot) and returns the
   * deal.propertyChange event HubSpot would post about it.
   */
  function dealStageChangedEvent(dealId: string, stage: string) {
    const deal = store.get('deals', dealId);
    if (deal) store.update(deal, { dealstage: stage });
    eventCounter += 1;
    return {
      eventId: eventCounter,
      subscriptionId: 1_234_567,
      portalId,
      appId: 7_654_321,
      occurredAt: now().getTime(),
      subscriptionType: 'deal.propertyChange',
      attemptNumber: 0,
      objectId: Number(dealId),
      propertyName: 'dealstage',
      propertyValue: stage,
      changeSource: 'CRM_UI',
      sourceId: 'userId:1234567',
    };
  }

  return { app, faults, state, seedClosedWonDeal, signWebhook, dealStageChangedEvent };
}

export type HubSpotSimulator = ReturnType<typeof createHubSpotSimulator>;
