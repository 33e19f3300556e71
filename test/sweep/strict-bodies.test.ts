/**
 * "Input at the edge is parsed, never trusted": every JSON body and query of the public API
 * refuses a field it does not know, with a 400 problem naming that field, and writes nothing.
 *
 * Read off the OpenAPI document, so a new route is covered without an edit here: every object a
 * request body can hold must be closed (`additionalProperties: false`) unless FREE_FORM says why
 * it is open and what checks its contents, and every route with a body or a query is sent one
 * unknown field. NESTED sends unknown fields inside the free-form parts, where the route's own
 * schema (contract terms, price specs, mappings, deal bundles) must refuse them by name too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMappings } from '../../mappings/index.js';
import { type Harness, readJson, startHarness } from '../support/harness.js';
import { changedTables, rowCounts } from './db-rows.js';
import { type JsonSchema, type RouteCatalogue, routeCatalogue } from './routes.js';

/**
 * Open objects of request bodies, by `<route> <path in the body>`, with what checks them instead.
 * Anything open that is not here fails the sweep.
 */
const FREE_FORM: Record<string, string> = {
  'POST /api/v1/pricing/preview price': 'the price model schemas (strict, per model)',
  'POST /api/v1/pricing/preview usage': 'the route refuses keys usageSchema does not know',
  'POST /api/v1/mappings definition': 'mappingDefinitionSchema (strict)',
  'POST /api/v1/mappings/{id}/dry-run bundle': 'dealBundleSchema (strict; line item attributes are the CRM’s own)',
  'POST /api/v1/contracts terms': 'contractTermsSchema (strict)',
  'POST /api/v1/contracts/{id}/amendments terms': 'contractTermsSchema (strict)',
  'POST /api/v1/events properties': 'free-form by design: the scalar properties metrics read (bounded)',
  'POST /api/v1/events/batch events[].properties': 'free-form by design: the scalar properties metrics read (bounded)',
  'PUT /api/v1/connections/{vendor} config': "per-vendor settings, values checked by the vendor module's schema",
  'PUT /api/v1/connections/{vendor} secrets': "per-vendor credentials, checked by the vendor module's schema",
  'PUT /api/v1/erp/settings account_map':
    'free-form by design: keys are hub account codes, each checked against the chart (422 naming an unknown one)',
  'POST /api/v1/jobs/{id}/payload input':
    "free-form by design: the flow's own input, checked by the flow's schema on replay",
};

/** JSON-body routes outside the OpenAPI document (they read their body with readBody/zod themselves). */
const UNDOCUMENTED_BODIES = [
  'POST /api/v1/connections/salesforce/jwt',
  'POST /api/v1/connections/salesforce/oauth/start',
];

/** Unknown fields inside the free-form parts: each must be refused by its full path. */
const { id: _id, version: _v, crm: _crm, ...DEFAULT_DEFINITION } = defaultMappings.salesforce;
const perUnit = { model: 'per_unit', unit_amount: '40.00' };
const NESTED: { name: string; path: string; body: unknown; field: string }[] = [
  {
    name: 'price spec',
    path: '/api/v1/pricing/preview',
    body: { price: { ...perUnit, unit_amout: '1' }, usage: { quantity: '2', currency: 'USD' } },
    field: 'price.unit_amout',
  },
  {
    name: 'usage',
    path: '/api/v1/pricing/preview',
    body: { price: perUnit, usage: { quantity: '2', currency: 'USD', qty: '3' } },
    field: 'usage.qty',
  },
  {
    name: 'pricing options',
    path: '/api/v1/pricing/preview',
    body: { price: perUnit, usage: { quantity: '2', currency: 'USD' }, options: { rounding_mode: 'up' } },
    field: 'options.rounding_mode',
  },
  {
    name: 'pricing rounding',
    path: '/api/v1/pricing/preview',
    body: {
      price: perUnit,
      usage: { quantity: '2', currency: 'USD' },
      options: { rounding: { mode: 'up', level: 'line', digits: 2 } },
    },
    field: 'options.rounding.digits',
  },
  {
    name: 'mapping definition',
    path: '/api/v1/mappings',
    body: { crm: 'salesforce', definition: { ...DEFAULT_DEFINITION, field: {} } },
    field: 'definition.field',
  },
  {
    name: 'usage event in a batch',
    path: '/api/v1/events/batch',
    body: {
      events: [
        { transaction_id: 't', customer_id: 'c', metric: 'm', timestamp: '2026-03-01T00:00:00Z', customerId: 'c' },
      ],
    },
    field: 'events.0.customerId',
  },
  {
    name: 'contract source',
    path: '/api/v1/contracts',
    body: { customer_id: 'c', status: 'draft', terms: {}, source: { system: 'api', deal_id: 'd', deal: 'x' } },
    field: 'source.deal',
  },
];

let h: Harness;
let cat: RouteCatalogue;
let contractId: string;

beforeAll(async () => {
  h = await startHarness();
  cat = await routeCatalogue(h.hub.app);
  const { opportunityId } = h.sims.salesforce.seedClosedWonOpportunity();
  expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId))).status).toBe(200);
  await h.settle();
  const trace = await readJson(await h.api(`/api/v1/deals/salesforce/${opportunityId}/trace`));
  contractId = trace.contracts[0].id;
});
afterAll(async () => {
  await h?.close();
});

/** Every open object in a request body schema, as `path` (`events[].properties`). */
function openObjects(schema0: JsonSchema, path: string, out: string[], depth = 0): string[] {
  const schema = cat.resolve(schema0);
  if (!schema || typeof schema !== 'object' || depth > 12) return out;
  for (const variant of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) {
    openObjects(variant, path, out, depth + 1);
  }
  if (schema.items) openObjects(schema.items, `${path}[]`, out, depth + 1);
  const isObject = schema.type === 'object' || schema.properties;
  if (isObject && schema.additionalProperties !== false) out.push(path || '(body)');
  for (const [key, child] of Object.entries<JsonSchema>(schema.properties ?? {})) {
    openObjects(child, path ? `${path}.${key}` : key, out, depth + 1);
  }
  return out;
}

const GOOD_PATH: Record<string, () => string> = {
  id: () => contractId,
  vendor: () => 'salesforce',
};

function concretePath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(GOOD_PATH[name]?.() ?? 'x'));
}

async function send(method: string, path: string, body?: unknown) {
  const before = await rowCounts(h.db);
  const res = await h.api(path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const changed = changedTables(before, await rowCounts(h.db));
  return { status: res.status, body: text ? JSON.parse(text) : null, changed, type: res.headers.get('content-type') };
}

describe('strict input: unknown fields are refused by name and change nothing', () => {
  it('closes every object of every request body, except the documented free-form ones', () => {
    const open: string[] = [];
    for (const route of cat.routes.filter((r) => r.body)) {
      for (const path of openObjects(route.body, '', [])) open.push(`${route.name} ${path}`);
    }
    const unexplained = open.filter((name) => !(name in FREE_FORM));
    expect(unexplained, 'open objects without an entry in FREE_FORM').toEqual([]);
    // Every FREE_FORM entry still exists: a stale entry would hide nothing, but misleads.
    expect(Object.keys(FREE_FORM).filter((name) => !open.includes(name))).toEqual([]);
  });

  it('answers an unknown top-level field of every JSON body with a 400 naming it', async () => {
    const bodyRoutes = [
      ...cat.routes.filter((r) => r.body).map((r) => ({ method: r.method, template: r.template })),
      ...UNDOCUMENTED_BODIES.map((name) => {
        const [method, template] = name.split(' ') as [string, string];
        return { method, template };
      }),
    ];
    expect(bodyRoutes.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const route of bodyRoutes) {
      const answer = await send(route.method, concretePath(route.template), { unknown_field: 1 });
      const fields = (answer.body?.errors ?? []).map((e: { field: string }) => e.field);
      if (answer.status !== 400 || !fields.includes('unknown_field') || answer.changed.length > 0) {
        wrong.push(
          `${route.method} ${route.template}: ${answer.status} ${JSON.stringify(answer.body)} changed ${answer.changed}`,
        );
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers an unknown query parameter of every route with a query with a 400 naming it', async () => {
    const queryRoutes = cat.routes.filter((r) => r.params.some((p) => p.in === 'query'));
    expect(queryRoutes.map((r) => r.name)).toContain('GET /api/v1/invoices');
    const wrong: string[] = [];
    for (const route of queryRoutes) {
      const answer = await send(route.method, `${concretePath(route.template)}?unknown_filter=1`);
      const fields = (answer.body?.errors ?? []).map((e: { field: string }) => e.field);
      if (answer.status !== 400 || !fields.includes('unknown_filter')) {
        wrong.push(`${route.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(NESTED)('refuses an unknown field inside the $name by its full path', async ({ path, body, field }) => {
    const answer = await send('POST', path, body);
    expect(answer.status).toBe(400);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(answer.changed).toEqual([]);
  });

  it('refuses unknown fields inside contract terms and a pasted deal bundle by their full path', async () => {
    const terms = await send('POST', `/api/v1/contracts/${contractId}/amendments`, {
      effective_date: '2026-03-15',
      terms: { colour: 'blue' },
    });
    expect(terms.status).toBe(400);
    expect(terms.body.errors.map((e: { field: string }) => e.field)).toContain('terms.colour');
    expect(terms.changed).toEqual([]);

    const bundle = await send('POST', '/api/v1/mappings/default/dry-run', {
      bundle: { source: 'salesforce', deal: {}, account: null, lineItems: [], contact: [] },
    });
    expect(bundle.status).toBe(400);
    expect(bundle.body.errors.map((e: { field: string }) => e.field)).toContain('bundle.contact');
  });
});
