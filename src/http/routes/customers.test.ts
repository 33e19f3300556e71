/**
 * GET /api/v1/customers and /customers/{id} over the real app on an in-memory hub, with rows
 * written by hand: invoices in every state (only open ones count towards the balance, less
 * payments and issued credit notes), a deal's prepaid grants across two contract versions (only
 * the newest active version's usable grants count, less what invoices drew), vendor ids, and a
 * second org whose customers must stay invisible.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomic } from '../../db/atomic.js';
import { contracts, customers, externalRefs, invoiceLines, invoices, payments } from '../../db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../db/secrets.js';
import { createOrgWithKey } from '../../db/seed.js';
import { ManualClock } from '../../domain/clock.js';
import { createHub, type Hub } from '../../hub.js';
import { openSqlite } from '../../runtime/sqlite.js';

// biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
type Json = any;

let hub: Hub;
let close: () => void;
const keys = { acme: '', other: '' };

const request = (path: string, key = keys.acme, init: RequestInit = {}) =>
  hub.app.request(`/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string> | undefined) },
  });
const get = async (path: string, key = keys.acme): Promise<{ status: number; body: Json }> => {
  const res = await request(path, key);
  return { status: res.status, body: await res.json() };
};

function customer(orgId: string, id: string, name: string, createdAt: string, over = {}) {
  return {
    id,
    orgId,
    name,
    email: null,
    currency: 'USD',
    address: null,
    sourceSystem: 'api',
    sourceId: id,
    createdAt,
    ...over,
  } satisfies typeof customers.$inferInsert;
}

function invoice(orgId: string, id: string, over: Partial<typeof invoices.$inferInsert>) {
  return {
    id,
    orgId,
    number: null,
    contractId: 'ctr_v2',
    customerId: 'cus_globex',
    kind: 'advance',
    periodStart: id,
    periodEnd: '2026-12-31',
    status: 'finalized',
    currency: 'USD',
    subtotalMinor: 0,
    taxMinor: 0,
    totalMinor: 0,
    amountPaidMinor: 0,
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    rounding: JSON.stringify({ mode: 'half_up', level: 'line' }),
    createdAt: '2026-03-01T06:00:00.000Z',
    documentKind: 'recurring',
    ...over,
  } satisfies typeof invoices.$inferInsert;
}

function contract(orgId: string, id: string, version: number, status: 'active' | 'superseded', credits: unknown[]) {
  return {
    id,
    orgId,
    customerId: 'cus_globex',
    sourceSystem: 'salesforce',
    sourceDealId: '006000000000001AAA',
    version,
    status,
    currency: 'USD',
    startDate: '2026-01-01',
    billingCadence: 'monthly',
    billingTiming: 'in_advance',
    paymentTermsDays: 30,
    mappingVersion: 'v1',
    terms: JSON.stringify({ currency: 'USD', startDate: '2026-01-01', credits }),
    createdAt: '2026-01-01T00:00:00.000Z',
  } satisfies typeof contracts.$inferInsert;
}

beforeAll(async () => {
  const sqlite = openSqlite(':memory:');
  close = sqlite.close;
  const { db } = sqlite;
  const clock = new ManualClock('2026-03-15T09:00:00Z');
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  hub = createHub({ db, clock, encryptionKey });
  const acme = await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme', connections: [] });
  const other = await createOrgWithKey(db, clock, encryptionKey, { name: 'Initech', connections: [] });
  keys.acme = acme.apiKey;
  keys.other = other.apiKey;
  const orgId = acme.orgId;
  const ref = (id: string, system: string, objectType: string, localId: string, externalId: string) => ({
    id,
    orgId,
    system,
    objectType,
    localId,
    externalId,
    createdAt: '2026-03-01T00:00:00.000Z',
  });
  await atomic(db, [
    db.insert(customers).values([
      customer(orgId, 'cus_globex', 'Globex Corporation', '2026-03-03T00:00:00.000Z', {
        email: 'AP@globex.example',
        address: JSON.stringify({
          line1: '1 Globex Way',
          city: 'Cypress Creek',
          region: 'OR',
          postalCode: '97000',
          country: 'US',
        }),
        sourceSystem: 'salesforce',
        sourceId: '001000000000001AAA',
      }),
      customer(orgId, 'cus_hooli', 'Hooli', '2026-03-02T00:00:00.000Z', { email: 'billing@hooli.example' }),
      customer(orgId, 'cus_pct', '100% Widgets', '2026-03-01T00:00:00.000Z', { currency: 'JPY' }),
      customer(other.orgId, 'cus_theirs', 'Globex Elsewhere', '2026-03-04T00:00:00.000Z'),
    ]),
    db.insert(invoices).values([
      // 10,000 finalized, 3,000 paid, 1,000 credited by an issued note: 6,000 due.
      invoice(orgId, 'inv_partial', { status: 'partially_paid', totalMinor: 10000, amountPaidMinor: 3000 }),
      invoice(orgId, 'cn_issued', {
        kind: 'credit_note',
        documentKind: 'credit_note',
        creditedInvoiceId: 'inv_partial',
        totalMinor: 1000,
      }),
      // A draft credit note takes nothing off yet.
      invoice(orgId, 'cn_draft', {
        kind: 'credit_note',
        documentKind: 'credit_note',
        creditedInvoiceId: 'inv_partial',
        status: 'draft',
        totalMinor: 500,
      }),
      invoice(orgId, 'inv_overdue', { status: 'overdue', totalMinor: 5000 }),
      // Not open: none of these count.
      invoice(orgId, 'inv_draft', { status: 'draft', totalMinor: 70000 }),
      invoice(orgId, 'inv_pending', { status: 'tax_pending', totalMinor: 70000 }),
      invoice(orgId, 'inv_paid', { status: 'paid', totalMinor: 70000, amountPaidMinor: 70000 }),
      invoice(orgId, 'inv_void', { status: 'void', totalMinor: 70000 }),
      invoice(orgId, 'inv_bad', { status: 'uncollectible', totalMinor: 70000 }),
      // Fully credited: open, but nothing due, so not counted as open.
      invoice(orgId, 'inv_zero', { totalMinor: 2000 }),
      invoice(orgId, 'cn_zero', {
        kind: 'credit_note',
        documentKind: 'credit_note',
        creditedInvoiceId: 'inv_zero',
        totalMinor: 2000,
      }),
      // Another currency than the customer's.
      invoice(orgId, 'inv_eur', { currency: 'EUR', totalMinor: 4200 }),
      invoice(orgId, 'inv_hooli', { customerId: 'cus_hooli', totalMinor: 999 }),
    ]),
    db.insert(contracts).values([
      // The superseded version's grant is carried by the newest version's terms or gone.
      contract(orgId, 'ctr_v1', 1, 'superseded', [{ id: 'old', amount: '9999', priority: 0, grantedOn: '2026-01-01' }]),
      contract(orgId, 'ctr_v2', 2, 'active', [
        { id: 'prepaid', amount: '500', priority: 0, grantedOn: '2026-01-01' },
        { id: 'expired', amount: '100', priority: 1, grantedOn: '2026-01-01', expiresOn: '2026-03-15' },
        { id: 'future', amount: '100', priority: 2, grantedOn: '2026-04-01' },
      ]),
    ]),
    // Invoices of both versions drew 80.00 and 40.00 from the deal's one wallet.
    db.insert(invoiceLines).values([
      {
        id: 'l1',
        orgId,
        invoiceId: 'inv_paid',
        lineNo: 1,
        productId: 'p',
        description: 'Prepaid credit prepaid',
        quantity: '1',
        unitAmount: '0',
        amountMinor: -8000,
        taxMinor: 0,
        lineKind: 'credit',
        sourceRef: 'prepaid',
      },
      {
        id: 'l2',
        orgId,
        invoiceId: 'inv_overdue',
        lineNo: 1,
        productId: 'p',
        description: 'Prepaid credit prepaid',
        quantity: '1',
        unitAmount: '0',
        amountMinor: -4000,
        taxMinor: 0,
        lineKind: 'credit',
        sourceRef: 'prepaid',
      },
    ]),
    db.insert(payments).values({
      id: 'pay_1',
      orgId,
      invoiceId: 'inv_partial',
      provider: 'stripe',
      externalId: 'pi_1',
      status: 'succeeded',
      amountMinor: 3000,
      feeMinor: 0,
      currency: 'USD',
      receivedAt: '2026-03-05T00:00:00.000Z',
      createdAt: '2026-03-05T00:00:00.000Z',
    }),
    db
      .insert(externalRefs)
      .values([
        ref('r1', 'stripe', 'customer', 'cus_globex', 'cus_Stripe123'),
        ref('r2', 'quickbooks', 'customer', 'cus_globex', '58'),
        ref('r3', 'quickbooks', 'invoice', 'cus_globex', 'not-a-customer-ref'),
      ]),
  ]);
});

afterAll(() => close());

describe('GET /customers/{id}', () => {
  it('answers balance over open invoices, unspent usable credit, open count and vendor ids', async () => {
    const { status, body } = await get('/customers/cus_globex');
    expect(status).toBe(200);
    expect(body).toEqual({
      id: 'cus_globex',
      name: 'Globex Corporation',
      email: 'AP@globex.example',
      currency: 'USD',
      address: { line1: '1 Globex Way', city: 'Cypress Creek', region: 'OR', postal_code: '97000', country: 'US' },
      external_refs: [
        { system: 'salesforce', object_type: 'source', external_id: '001000000000001AAA' },
        { system: 'quickbooks', object_type: 'customer', external_id: '58' },
        { system: 'stripe', object_type: 'customer', external_id: 'cus_Stripe123' },
      ],
      // 6,000 (partially paid, credited) + 5,000 (overdue)
      balance_minor: 11000,
      // 500.00 granted, 120.00 drawn; the expired, future and superseded grants count for nothing
      credit_minor: 38000,
      // partially paid, overdue and the EUR one: the count spans currencies
      open_invoice_count: 3,
      other_currencies: [{ currency: 'EUR', balance_minor: 4200, credit_minor: 0 }],
      created_at: '2026-03-03T00:00:00.000Z',
    });
  });

  it('answers a customer with nothing open with zeros', async () => {
    const { body } = await get('/customers/cus_pct');
    expect(body).toMatchObject({ balance_minor: 0, credit_minor: 0, open_invoice_count: 0, other_currencies: [] });
    expect(body.external_refs).toEqual([]);
  });

  it("answers another org's customer with a 404 problem", async () => {
    const res = await request('/customers/cus_globex', keys.other);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.text()).not.toContain('Globex Corporation');
    expect((await get('/customers/cus_theirs')).status).toBe(404);
  });
});

describe('GET /customers', () => {
  it('pages newest first with an opaque cursor, and only this org’s customers', async () => {
    const first = await get('/customers?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.map((c: Json) => c.id)).toEqual(['cus_globex', 'cus_hooli']);
    expect(first.body.data[1].balance_minor).toBe(999);
    expect(typeof first.body.next_cursor).toBe('string');
    const second = await get(`/customers?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: 'cus_pct' })], next_cursor: null });
    const theirs = await get('/customers', keys.other);
    expect(theirs.body.data.map((c: Json) => c.id)).toEqual(['cus_theirs']);
  });

  it('searches a part of the name or email, in any case, with % taken literally', async () => {
    const ids = async (search: string) =>
      (await get(`/customers?search=${encodeURIComponent(search)}`)).body.data.map((c: Json) => c.id);
    expect(await ids('GLOBEX')).toEqual(['cus_globex']);
    expect(await ids('billing@hooli')).toEqual(['cus_hooli']);
    expect(await ids('%')).toEqual(['cus_pct']);
    expect(await ids('_')).toEqual([]);
    expect(await ids('nobody')).toEqual([]);
  });

  it('answers Accept: text/csv with the same page as CSV, amounts in the currency exponent', async () => {
    const res = await request('/customers?limit=1', keys.acme, { headers: { accept: 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('link')).toMatch(/^<\/api\/v1\/customers\?limit=1&cursor=[A-Za-z0-9_-]+>; rel="next"$/);
    const [header, row, end] = (await res.text()).split('\r\n');
    expect(header).toBe(
      'id,name,email,currency,balance,balance_minor,credit,credit_minor,open_invoice_count,address_line1,address_city,address_region,address_postal_code,address_country,external_refs,created_at',
    );
    expect(row).toBe(
      'cus_globex,Globex Corporation,AP@globex.example,USD,110.00,11000,380.00,38000,3,1 Globex Way,Cypress Creek,OR,97000,US,salesforce:source:001000000000001AAA quickbooks:customer:58 stripe:customer:cus_Stripe123,2026-03-03T00:00:00.000Z',
    );
    expect(end).toBe('');
  });

  it('refuses an unknown parameter, a bad cursor and an empty search with a problem naming it', async () => {
    for (const [query, field] of [
      ['?serach=x', 'serach'],
      ['?cursor=nope', 'cursor'],
      ['?search=', 'search'],
      ['?limit=0', 'limit'],
    ]) {
      const res = await request(`/customers${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.text(), query).toContain(field);
    }
  });
});

describe('PATCH /customers/{id} on the same router', () => {
  it('still changes the address, and GET shows it', async () => {
    const res = await request('/customers/cus_hooli', keys.acme, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        address: { line1: '2 Hooli Ave', city: 'Palo Alto', region: 'CA', postal_code: '94301', country: 'US' },
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).address.postal_code).toBe('94301');
    expect((await get('/customers/cus_hooli')).body.address).toEqual({
      line1: '2 Hooli Ave',
      city: 'Palo Alto',
      region: 'CA',
      postal_code: '94301',
      country: 'US',
    });
  });
});

describe('OpenAPI document', () => {
  it('declares the customer reads and the invoice document with their content types', async () => {
    const doc: Json = await (await hub.app.request('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths['/customers'].get.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(doc.paths['/customers/{id}'].get.responses['404']).toBeDefined();
    expect(doc.paths['/customers/{id}'].patch).toBeDefined();
    expect(doc.components.schemas.Customer.required).toEqual(
      expect.arrayContaining(['balance_minor', 'credit_minor', 'open_invoice_count', 'external_refs']),
    );
    expect(Object.keys(doc.paths['/invoices/{id}/document'].get.responses['200'].content)).toEqual([
      'text/html',
      'application/pdf',
    ]);
  });
});
