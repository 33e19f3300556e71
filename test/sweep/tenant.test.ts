/**
 * The tenant sweep: every route that takes an id, called with another org's key and this org's
 * ids, must answer as if the id did not exist — 404 for the hub's own resources (contracts,
 * invoices, jobs, mappings, billing runs, ...), never 200 or 403 — change nothing, and show none
 * of the first org's data.
 *
 * The routes come from the app (the OpenAPI document and Hono's route list), so a new route is
 * swept without an edit here. Its resource is the path segment before its first parameter
 * (`/invoices/{id}/void` → `invoices`); a resource needs one entry in FIXTURES (how org A gets
 * one) or in NOT_HUB_RESOURCES (why the sweep does not apply), and the sweep fails naming the
 * route when it has neither.
 */
import { and, eq, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMappings } from '../../mappings/index.js';
import { atomic } from '../../src/db/atomic.js';
import { notificationInsert } from '../../src/db/repos/dunning.js';
import {
  apiKeys,
  contracts,
  customers,
  invoices,
  jobs,
  notifications,
  products,
  webhookDeliveries,
} from '../../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../src/db/secrets.js';
import { addApiKey, createOrgWithKey } from '../../src/db/seed.js';
import { webhookEventStatements } from '../../src/jobs/webhooks-out.js';
import { SANDBOX_QBO } from '../../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from '../support/harness.js';
import { changedTables, rowCounts } from './db-rows.js';
import { fillPath, resourceOf, routeCatalogue, type SweptRoute } from './routes.js';

const { id: _id, version: _v, crm: _crm, ...DEFAULT_DEFINITION } = defaultMappings.salesforce;

/** How org A gets one resource of each kind: its id. */
const FIXTURES: Record<string, ((h: Harness) => Promise<string>) | undefined> = {
  contracts: async (h) => first(await h.db.select().from(contracts).where(eq(contracts.orgId, h.orgId)), 'contract'),
  invoices: async (h) =>
    first(
      await h.db
        .select()
        .from(invoices)
        .where(and(eq(invoices.orgId, h.orgId), ne(invoices.kind, 'credit_note'))),
      'invoice',
    ),
  'credit-notes': async (h) =>
    first(
      await h.db
        .select()
        .from(invoices)
        .where(and(eq(invoices.orgId, h.orgId), eq(invoices.kind, 'credit_note'))),
      'credit note',
    ),
  customers: async (h) => first(await h.db.select().from(customers).where(eq(customers.orgId, h.orgId)), 'customer'),
  jobs: async (h) => first(await h.db.select().from(jobs).where(eq(jobs.orgId, h.orgId)), 'job'),
  products: async (h) => first(await h.db.select().from(products).where(eq(products.orgId, h.orgId)), 'product'),
  'tax-rates': async (h) => {
    const res = await h.api('/api/v1/tax-rates', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jurisdiction: 'US-CA', rate: '0.0725' }),
    });
    expect(res.status, 'fixture: PUT /api/v1/tax-rates').toBe(200);
    return (await readJson(res)).id;
  },
  mappings: async (h) => {
    const res = await h.api('/api/v1/mappings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ crm: 'salesforce', definition: DEFAULT_DEFINITION }),
    });
    expect(res.status, 'fixture: POST /api/v1/mappings').toBe(201);
    return (await readJson(res)).id;
  },
  // A chart account org A added (PATCH and DELETE take its code).
  accounts: async (h) => {
    const res = await h.api('/api/v1/ledger/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'revenue:sweep', name: 'Sweep' }),
    });
    expect(res.status, 'fixture: POST /api/v1/ledger/accounts').toBe(201);
    return (await readJson(res)).code;
  },
  // A reconciliation item of org A: its QuickBooks invoice made to disagree, then a run.
  items: async (h) => {
    const [invoice] = await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId));
    const realm = h.sims.quickbooks.state.realms.get(SANDBOX_QBO.realmId) as unknown as {
      entities: { Invoice: Map<string, { DocNumber?: string; TotalAmt: number }> };
    };
    const copy = [...realm.entities.Invoice.values()].find((i) => i.DocNumber === invoice?.number);
    if (!copy) throw new Error('fixture: no QuickBooks invoice');
    copy.TotalAmt += 1;
    const period = invoice!.issueDate.slice(0, 7);
    const res = await h.api(`/api/v1/reconciliation/run?system=quickbooks&period=${period}`, { method: 'POST' });
    expect(res.status, 'fixture: POST /api/v1/reconciliation/run').toBe(200);
    return first((await readJson(res)).data, 'reconciliation item');
  },
  // The console's Users and keys page revokes keys by id.
  keys: async (h) => {
    await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    const rows = await h.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.orgId, h.orgId), eq(apiKeys.role, 'viewer')));
    return first(rows, 'viewer key');
  },
  'api-keys': async (h) => {
    const res = await h.api('/api/v1/api-keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sweep', role: 'viewer' }),
    });
    expect(res.status, 'fixture: POST /api/v1/api-keys').toBe(201);
    return (await readJson(res)).id;
  },
  notifications: async (h) => {
    await atomic(h.db, [
      notificationInsert(
        h.db,
        h.orgId,
        {
          kind: 'reminder',
          invoiceId: null,
          customerId: null,
          recipient: 'ap@example.com',
          subject: 'Reminder',
          body: 'Org A only',
          dedupeKey: 'tenant-sweep',
        },
        h.clock.now().toISOString(),
      ),
    ]);
    return first(await h.db.select().from(notifications).where(eq(notifications.orgId, h.orgId)), 'notification');
  },
  'webhook-endpoints': async (h) => (await webhookFixture(h)).endpointId,
  'webhook-deliveries': async (h) => (await webhookFixture(h)).deliveryId,
  // The console's Webhooks page: /ui/webhooks/{id} and /ui/webhooks/deliveries/{id}/resend.
  webhooks: async (h) => (await webhookFixture(h)).endpointId,
  deliveries: async (h) => (await webhookFixture(h)).deliveryId,
  'billing-runs': async (h) => {
    const res = await h.api('/api/v1/billing-runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status, 'fixture: POST /api/v1/billing-runs').toBeLessThan(300);
    return (await readJson(res)).id;
  },
};

/**
 * Path parameters that are not the hub's resources: the sweep still checks that another org's
 * answer shows none of org A's data and matches its answer for an id nobody has.
 */
const NOT_HUB_RESOURCES: Record<string, string> = {
  opportunities: 'a Salesforce record id: each org pulls from its own CRM connection',
  deals: 'a CRM record id (the HubSpot deal, or the Salesforce Opportunity of a trace): read in the caller’s org',
  hubspot: 'a HubSpot deal id of a trace: read in the caller’s org',
  salesforce: 'the Salesforce record id of an embedded page: read in the caller’s org',
  opportunity: 'the Salesforce record id of an embedded page: read in the caller’s org',
  connections: 'a vendor name: every org has its own connection of each vendor',
  periods: 'a calendar month (YYYY-MM): each org closes its own books',
  invite: 'a console invitation token: the token is the credential, and a used or unknown one answers alike',
  'notification-templates':
    'a notification kind (reminder, overdue, ...): every org sets its own template of each kind',
};

/**
 * Routes whose path names a vendor and act on the caller's own connection of it: a known vendor
 * and an unknown one answer differently for every org alike (vendor names are public), so only
 * the leak checks below apply.
 */
const OWN_CONNECTION_ACTIONS: Record<string, string> = {
  'POST /ui/connections/{vendor}/connect':
    "starts the caller's own OAuth: a known vendor checks the form (400), an unknown one is 404",
};

/** Routes authenticated by their own secret, not an org's API key; their tenancy is their own test. */
const OWN_CREDENTIAL_ROUTES: Record<string, string> = {
  'POST /webhooks/salesforce/{connectionId}/{token}': 'test/vendor-account-owner.test.ts',
  'POST /webhooks/salesforce/events/{connectionId}': 'test/vendor-account-owner.test.ts',
  'POST /webhooks/hubspot/{connectionId}': 'test/vendor-account-owner.test.ts',
  'POST /webhooks/stripe/{connectionId}': 'test/reliability.test.ts (forged signatures)',
  'POST /webhooks/adyen/{connectionId}': 'test/payment-providers.e2e.test.ts (forged and unsigned deliveries)',
  'POST /webhooks/razorpay/{connectionId}': 'test/payment-providers.e2e.test.ts (forged and unsigned deliveries)',
  'GET /assets/slds/2.264.1/salesforce-lightning-design-system.min.css': 'public, no id',
};

/** Bodies that get a request past validation to the id lookup (routes without one are sent `{}`). */
const BODIES: Record<string, ((h: H) => Promise<unknown>) | undefined> = {
  'POST /api/v1/mappings/{id}/dry-run': async (h) => ({ deal_id: h.opportunityId }),
  'POST /api/v1/contracts/{id}/amendments': async () => ({ effective_date: '2026-03-15', terms: { items: [] } }),
  'PATCH /api/v1/customers/{id}': async () => ({ name: 'Renamed by another org' }),
  'PATCH /api/v1/ledger/accounts/{code}': async () => ({ name: 'Renamed by another org' }),
  'PUT /api/v1/products/{id}/tax-codes': async () => ({ avalara: 'SW054000' }),
  'POST /api/v1/invoices/{id}/credit-notes': async () => ({ reason: 'other' }),
  'POST /api/v1/jobs/{id}/payload': async () => ({ input: { edited_by: 'another org' } }),
  'POST /api/v1/reconciliation/items/{id}/resolve': async () => ({ reason: 'resolved by another org' }),
};

/** Required query parameters, for routes that have them. */
const QUERIES: Record<string, string | undefined> = {
  'GET /api/v1/contracts/{id}/invoice-preview': '?at=2026-03-15',
};

/** One endpoint of org A with one delivery (an event announced to it, its job left queued). */
let webhookIds: Promise<{ endpointId: string; deliveryId: string }> | undefined;
function webhookFixture(h: Harness) {
  webhookIds ??= (async () => {
    const res = await h.api('/api/v1/webhook-endpoints', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/sweep', event_types: ['invoice.finalized'] }),
    });
    expect(res.status, 'fixture: POST /api/v1/webhook-endpoints').toBe(201);
    const endpointId = (await readJson(res)).id as string;
    const at = h.clock.now().toISOString();
    const event = { type: 'invoice.finalized' as const, key: 'invoice.finalized:sweep', at, data: {} };
    const { statements } = await webhookEventStatements(h.db, h.clock, h.orgId, event, 'sweep');
    await atomic(h.db, statements);
    const [delivery] = await h.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.orgId, h.orgId));
    return { endpointId, deliveryId: first(delivery ? [delivery] : [], 'webhook delivery') };
  })();
  return webhookIds;
}

function first(rows: { id: string }[], what: string): string {
  if (!rows[0]) throw new Error(`fixture: org A has no ${what}`);
  return rows[0].id;
}

type H = Harness & { opportunityId: string };
let h: H;
let keyB: string;
let aIds: string[];

beforeAll(async () => {
  const harness = await startHarness();
  const seeded = harness.sims.salesforce.seedClosedWonOpportunity();
  expect(
    (await harness.deliverOutboundMessage(harness.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status,
  ).toBe(200);
  await harness.settle();
  h = Object.assign(harness, { opportunityId: seeded.opportunityId }) as H;
  keyB = (
    await createOrgWithKey(h.db, h.clock, await importEncryptionKey(generateEncryptionKey()), {
      name: 'Other',
      connections: [],
    })
  ).apiKey;
  // Whatever org A holds that must never appear in org B's answers.
  aIds = [
    ...(await h.db.select().from(contracts).where(eq(contracts.orgId, h.orgId))).map((r) => r.id),
    ...(await h.db.select().from(invoices).where(eq(invoices.orgId, h.orgId))).map((r) => r.id),
    ...(await h.db.select().from(customers).where(eq(customers.orgId, h.orgId))).map((r) => r.id),
  ];
  expect(aIds.length).toBeGreaterThan(2);
});
afterAll(async () => h?.close());

/** The console (/ui) takes a session cookie and its CSRF token, not the key: one session per key. */
const consoleSessions = new Map<string, { cookie: string; csrf: string }>();
async function consoleSession(key: string) {
  let session = consoleSessions.get(key);
  if (!session) {
    const res = await h.hub.app.request('/ui/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: key }),
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await (await h.hub.app.request('/ui/mappings', { headers: { cookie } })).text();
    session = { cookie, csrf: /name="_csrf" value="([0-9a-f]+)"/.exec(page)?.[1] ?? '' };
    consoleSessions.set(key, session);
  }
  return session;
}

async function call(route: SweptRoute, path: string, key: string, body: unknown) {
  const auth: Record<string, string> = path.startsWith('/ui/')
    ? await consoleSession(key).then((s) => ({ cookie: s.cookie, 'x-csrf-token': s.csrf }))
    : { authorization: `Bearer ${key}` };
  const res = await h.hub.app.request(path, {
    method: route.method,
    headers: { ...auth, 'content-type': 'application/json' },
    ...(route.method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
  });
  return { status: res.status, text: await res.text() };
}

describe('tenant sweep: another org’s key and this org’s ids', () => {
  it('every route with an id answers org B as if the id did not exist, and changes nothing', async () => {
    const cat = await routeCatalogue(h.hub.app);
    const withIds = cat.routes.filter((r) => r.params.some((p) => p.in === 'path') && !OWN_CREDENTIAL_ROUTES[r.name]);
    expect(withIds.length).toBeGreaterThan(10);
    const problems: string[] = [];
    const fixtureIds = new Map<string, string>();
    for (const route of withIds) {
      const { param, resource } = resourceOf(route)!;
      const fixture = FIXTURES[resource];
      if (!fixture && !NOT_HUB_RESOURCES[resource]) {
        problems.push(
          `${route.name}: no fixture for resource "${resource}" — add one to FIXTURES in test/sweep/tenant.test.ts`,
        );
        continue;
      }
      let aId: string;
      if (fixture) {
        if (!fixtureIds.has(resource)) {
          try {
            fixtureIds.set(resource, await fixture(h));
          } catch (error) {
            problems.push(`${route.name}: ${(error as Error).message}`);
            continue;
          }
        }
        aId = fixtureIds.get(resource)!;
      } else {
        aId = resource === 'connections' ? 'salesforce' : h.opportunityId;
      }
      const otherParams = Object.fromEntries(route.params.filter((p) => p.in === 'path').map((p) => [p.name, aId]));
      const bodyOf = BODIES[route.name];
      const body = bodyOf ? await bodyOf(h) : {};
      const query = QUERIES[route.name] ?? '';
      const path = fillPath(route.template, { ...otherParams, [param]: aId }) + query;
      const unknownPath =
        fillPath(route.template, {
          ...otherParams,
          [param]: fixture ? `${aId.split('_')[0]}_0000000000000000000000000000000` : aId.replace(/.{3}$/, 'ZZZ'),
        }) + query;

      const before = await rowCounts(h.db);
      const asB = await call(route, path, keyB, body);
      const unknownAsB = await call(route, unknownPath, keyB, body);
      const where = `${route.name} (${param}=${aId})`;
      if (fixture) {
        const changed = changedTables(before, await rowCounts(h.db));
        if (asB.status !== 404) problems.push(`${where}: org B got ${asB.status}, not 404: ${asB.text.slice(0, 200)}`);
        if (changed.length > 0) problems.push(`${where}: org B's call changed ${changed.join(', ')}`);
        // The fixture is real: org A's own key does not get the 404 org B got (for a route that reads it).
        if (route.method === 'GET') {
          const asA = await call(route, path, h.apiKey, body);
          if (asA.status === 404) problems.push(`${where}: org A's own key got 404, so the sweep proves nothing`);
        }
      } else if (asB.status !== unknownAsB.status && !(route.name in OWN_CONNECTION_ACTIONS)) {
        problems.push(`${where}: org B got ${asB.status} for org A's id but ${unknownAsB.status} for an unknown one`);
      }
      if (asB.status === 403) problems.push(`${where}: 403 tells org B the id exists`);
      // The id org B sent may be echoed back ("no contract ctr_… in this org"); nothing else of org A's may.
      for (const id of aIds)
        if (id !== aId && asB.text.includes(id)) problems.push(`${where}: org B's answer shows org A's ${id}`);
    }
    expect(problems).toEqual([]);
  });
});
