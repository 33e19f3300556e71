/** /api/v1/contracts on an in-memory hub: create, read, amend (with credit note and charge), preview, tenancy. */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBilling } from '../../../flows/billing-run/engine.js';
import { atomic } from '../../db/atomic.js';
import { newId } from '../../db/client.js';
import { invoiceId } from '../../db/repos/contracts.js';
import { invoiceIds, invoiceStatements } from '../../db/repos/invoice-inserts.js';
import { contracts, customers, invoices } from '../../db/schema.js';
import { generateEncryptionKey, importEncryptionKey } from '../../db/secrets.js';
import { addApiKey, createOrgWithKey } from '../../db/seed.js';
import { computeInvoice } from '../../domain/billing/index.js';
import { ManualClock } from '../../domain/clock.js';
import type { ContractTerms } from '../../domain/contracts/terms.js';
import { createHub, type Hub } from '../../hub.js';
import { openSqlite } from '../../runtime/sqlite.js';

/** After March, so every March usage event is in the past (ingest refuses events > 24 h ahead). */
const NOW = '2026-04-02T09:00:00.000Z';

/** A response whose JSON body is loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

interface Setup {
  hub: Hub;
  close(): void;
  orgId: string;
  key: string;
  customerId: string;
  other: { orgId: string; key: string; customerId: string };
  api(method: string, path: string, body?: unknown, key?: string): Promise<JsonResponse>;
}

async function setup(): Promise<Setup> {
  const sqlite = openSqlite(':memory:');
  const { db } = sqlite;
  const clock = new ManualClock(NOW);
  const encryptionKey = await importEncryptionKey(generateEncryptionKey());
  const hub = createHub({ db, clock, encryptionKey });
  const org = await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme', connections: [] });
  const other = await createOrgWithKey(db, clock, encryptionKey, { name: 'Globex', connections: [] });
  const customerOf = (orgId: string) => ({
    id: newId('cus'),
    orgId,
    name: 'Customer',
    currency: 'USD',
    sourceSystem: 'salesforce',
    sourceId: newId('acct'),
    createdAt: NOW,
  });
  const mine = customerOf(org.orgId);
  const theirs = customerOf(other.orgId);
  await atomic(db, [db.insert(customers).values(mine), db.insert(customers).values(theirs)]);
  const api = async (method: string, path: string, body?: unknown, key = org.apiKey): Promise<JsonResponse> =>
    hub.app.request(`/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    hub,
    close: () => sqlite.close(),
    orgId: org.orgId,
    key: org.apiKey,
    customerId: mine.id,
    other: { orgId: other.orgId, key: other.apiKey, customerId: theirs.id },
    api,
  };
}

const price = (unitAmount: string) => [
  { effectiveFrom: '2026-03-01', price: { model: 'per_unit', unit_amount: unitAmount } },
];

/** 10 seats at 10.00 monthly in advance, API calls at 0.01 monthly in arrears, calendar-aligned from March 1st. */
function terms(seats = '10'): ContractTerms {
  return {
    currency: 'USD',
    startDate: '2026-03-01',
    endDate: null,
    alignment: 'calendar',
    paymentTermsDays: 30,
    renewal: { policy: 'none' },
    phases: [
      {
        name: 'main',
        kind: 'standard',
        start: '2026-03-01',
        end: null,
        items: [
          {
            id: 'seats',
            sku: 'SEAT',
            description: 'Seats',
            prices: price('10.00'),
            quantity: seats,
            cadence: 'monthly',
            timing: 'in_advance',
          },
          {
            id: 'api',
            sku: 'API',
            description: 'API calls',
            prices: price('0.01'),
            metric: 'api_calls',
            cadence: 'monthly',
            timing: 'in_arrears',
          },
        ],
      },
    ],
  } as ContractTerms;
}

describe('contracts API', () => {
  let s: Setup;
  const create = (body: Record<string, unknown> = {}, key?: string) =>
    s.api('POST', '/contracts', { customer_id: s.customerId, status: 'active', terms: terms(), ...body }, key);
  const rows = async (table: typeof contracts | typeof invoices) =>
    s.hub.context.db.select().from(table).where(eq(table.orgId, s.orgId));

  beforeEach(async () => {
    s = await setup();
  });
  afterEach(() => s.close());

  it('creates version 1 from terms and reads it back with its versions', async () => {
    const res = await create();
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      version: 1,
      status: 'active',
      customer_id: s.customerId,
      effective_date: '2026-03-01',
      currency: 'USD',
      source: { system: 'api' },
    });
    expect(body.terms.phases[0].items).toHaveLength(2);
    const [row] = await rows(contracts);
    expect(row).toMatchObject({
      id: body.id,
      mappingVersion: 'api',
      billingCadence: 'monthly',
      billingTiming: 'in_advance',
      paymentTermsDays: 30,
      startDate: '2026-03-01',
    });

    const got = await s.api('GET', `/contracts/${body.id}`);
    expect(got.status).toBe(200);
    const read = await got.json();
    expect(read.id).toBe(body.id);
    expect(read.versions.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  it('answers a resent create (same source) with the stored contract, and a different one with 409', async () => {
    const source = { system: 'hubspot', deal_id: 'deal-42' };
    const first = await create({ source });
    expect(first.status).toBe(201);
    const again = await create({ source });
    expect(again.status).toBe(200);
    expect((await again.json()).id).toBe((await first.json()).id);
    const different = await create({ source, terms: terms('11') });
    expect(different.status).toBe(409);
    expect((await different.json()).errors[0].field).toBe('source.deal_id');
    expect(await rows(contracts)).toHaveLength(1);
  });

  it('rejects bad terms and an unknown customer, naming every field, and stores nothing', async () => {
    const bad = terms();
    // biome-ignore lint/suspicious/noExplicitAny: the test breaks the terms on purpose
    (bad.phases[0]!.items[1]!.prices[0]!.price as any).unit_amount = '-1';
    // biome-ignore lint/suspicious/noExplicitAny: the test breaks the terms on purpose
    (bad as any).currency = 'XYZ';
    const res = await create({ customer_id: s.other.customerId, terms: bad });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const fields = (await res.json()).errors.map((e: { field: string }) => e.field);
    expect(fields).toContain('customer_id');
    expect(fields).toContain('terms.currency');
    expect(fields).toContain('terms.phases.0.items.1.prices.0.price.unit_amount');
    expect(await rows(contracts)).toHaveLength(0);

    const noStatus = await s.api('POST', '/contracts', { customer_id: s.customerId, terms: terms() });
    expect(noStatus.status).toBe(400);
    expect((await noStatus.json()).errors[0].field).toBe('status');
  });

  it('lets viewers read but not write', async () => {
    const viewer = await addApiKey(s.hub.context.db, { now: () => new Date(NOW) }, s.orgId, 'viewer');
    expect((await create({}, viewer)).status).toBe(403);
    const { id } = await (await create()).json();
    expect((await s.api('GET', `/contracts/${id}`, undefined, viewer)).status).toBe(200);
    expect(
      (await s.api('POST', `/contracts/${id}/amendments`, { effective_date: '2026-03-16', terms: terms() }, viewer))
        .status,
    ).toBe(403);
  });

  it('documents the routes in the OpenAPI description', async () => {
    const doc = await (await s.api('GET', '/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/contracts',
        '/contracts/{id}',
        '/contracts/{id}/amendments',
        '/contracts/{id}/invoice-preview',
      ]),
    );
  });

  it('never shows or changes another org’s contract', async () => {
    const { id } = await (await create()).json();
    const k = s.other.key;
    expect((await s.api('GET', `/contracts/${id}`, undefined, k)).status).toBe(404);
    expect((await s.api('GET', `/contracts/${id}/invoice-preview?at=2026-03-10`, undefined, k)).status).toBe(404);
    const amend = await s.api(
      'POST',
      `/contracts/${id}/amendments`,
      { effective_date: '2026-03-16', terms: terms('20') },
      k,
    );
    expect(amend.status).toBe(404);
    expect(await rows(contracts)).toHaveLength(1);
    // Nor can another org attach a contract to this org's customer.
    const theirs = await s.api(
      'POST',
      '/contracts',
      { customer_id: s.customerId, status: 'active', terms: terms() },
      k,
    );
    expect(theirs.status).toBe(400);
    expect((await theirs.json()).errors[0].field).toBe('customer_id');
  });

  it('previews a draft with usage posted through the events API, storing nothing', async () => {
    const created = await create({ status: 'draft' });
    const { id } = await created.json();
    expect((await s.api('POST', '/metrics', { code: 'api_calls', aggregation: 'count' })).status).toBe(201);
    const events = [3, 9, 15, 28, 31].map((day, n) => ({
      transaction_id: `tx_${n}`,
      customer_id: s.customerId,
      metric: 'api_calls',
      timestamp: `2026-03-${String(day).padStart(2, '0')}T12:00:00Z`,
    }));
    // The period is end-exclusive: an event at April 1st 00:00 belongs to April.
    events.push({ ...events[0]!, transaction_id: 'tx_april', timestamp: '2026-04-01T00:00:00Z' });
    expect((await s.api('POST', '/events/batch', { events })).status).toBe(200);

    const res = await s.api('GET', `/contracts/${id}/invoice-preview?at=2026-03-10`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ contract_id: id, version: 1, at: '2026-03-10' });
    const arrears = body.invoices.find((i: { kind: string }) => i.kind === 'arrears');
    const advance = body.invoices.find((i: { kind: string }) => i.kind === 'advance');
    expect(arrears).toMatchObject({ periodStart: '2026-03-01', periodEnd: '2026-04-01' });
    const usageLine = arrears.lines.find((l: { sourceRef: string }) => l.sourceRef === 'api');
    expect(usageLine.quantity).toBe('5');
    expect(usageLine.amountMinor).toBe(5); // 5 calls × 0.01
    expect(advance.lines.find((l: { sourceRef: string }) => l.sourceRef === 'seats').amountMinor).toBe(10_000);
    expect(await rows(invoices)).toHaveLength(0);
  });

  it('answers a missing or bad `at`, and an undefined metric, with a problem naming the field', async () => {
    const { id } = await (await create({ status: 'draft' })).json();
    for (const query of ['', '?at=2026-13-01', '?at=yesterday']) {
      const res = await s.api('GET', `/contracts/${id}/invoice-preview${query}`);
      expect(res.status).toBe(400);
      expect((await res.json()).errors[0].field).toBe('at');
    }
    const unknownMetric = await s.api('GET', `/contracts/${id}/invoice-preview?at=2026-03-10`);
    expect(unknownMetric.status).toBe(422);
    expect((await unknownMetric.json()).errors[0].field).toBe('terms.phases.0.items.1.metric');
  });

  describe('amendments', () => {
    /** An active contract whose March seats invoice (in advance) is already stored, as a billing run would. */
    async function billedContract() {
      const body = await (await create()).json();
      const march = { start: '2026-03-01', end: '2026-04-01', kind: 'advance' as const, billOn: '2026-03-01' };
      const computed = computeInvoice(terms(), march, {});
      if (!computed.ok) throw new Error(JSON.stringify(computed.issues));
      const { db } = s.hub.context;
      const invoice = {
        id: await invoiceId(s.orgId, body.id, march.start, 'advance'),
        contractId: body.id as string,
        customerId: s.customerId,
        kind: 'advance' as const,
        computation: computed.invoice,
      };
      const ids = await invoiceIds(s.orgId, invoice);
      await atomic(db, invoiceStatements(db, s.orgId, NOW, invoice, ids));
      return body.id as string;
    }
    const amend = (id: string, body: unknown) => s.api('POST', `/contracts/${id}/amendments`, body);

    it('makes version 2 mid-period with a credit note for v1 and a prorated charge for v2', async () => {
      const v1 = await billedContract();
      const res = await amend(v1, { effective_date: '2026-03-16', terms: terms('20') });
      expect(res.status).toBe(201);
      const body = await res.json();
      expect(body.contract).toMatchObject({ version: 2, status: 'active', effective_date: '2026-03-16' });
      expect(body.contract.id).not.toBe(v1);
      expect(body.diff).toEqual({
        added: [],
        removed: [],
        changed: [{ id: 'seats', fields: ['quantity'] }],
        terms_fields: [],
      });

      const credit = body.invoices.find((i: { kind: string }) => i.kind === 'credit_note');
      const charge = body.invoices.find((i: { kind: string }) => i.kind === 'advance');
      expect(credit).toMatchObject({ contract_id: v1, currency: 'USD', period_end: '2026-04-01' });
      expect(charge).toMatchObject({ contract_id: body.contract.id, period_end: '2026-04-01' });
      // Credits are positive amounts on a credit note, never a negative invoice.
      expect(credit.total_minor).toBeGreaterThan(0);
      expect(credit.lines.every((l: { amount_minor: number }) => l.amount_minor >= 0)).toBe(true);
      // 16 of 31 days: 10 seats credited, 20 seats charged.
      expect(credit.total_minor).toBe(5161); // 100.00 × 16/31
      expect(charge.total_minor).toBe(10_323); // 200.00 × 16/31
      expect(credit).toMatchObject({ period_start: '2026-03-16', status: 'draft' });
      expect(charge.period_start).toBe('2026-03-16');
      // Drafts: numbered when they finalize (issue #10).
      expect([credit.number, charge.number]).toEqual([null, null]);

      const read = await (await s.api('GET', `/contracts/${v1}`)).json();
      expect(read.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
        [2, 'active'],
        [1, 'superseded'],
      ]);
      // Version 1 is otherwise untouched.
      expect(read.versions[1].terms.phases[0].items[0].quantity).toBe('10');
      expect(await rows(invoices)).toHaveLength(3);
    });

    it('by the second (Stripe): an instant in the body splits March at 12:00 UTC on the 16th; a day count refuses it', async () => {
      const v1 = await billedContract();
      const refused = await amend(v1, { effective_date: '2026-03-16T12:00:00Z', terms: terms('20') });
      expect(refused.status).toBe(400);
      expect((await refused.json()).errors).toEqual([expect.objectContaining({ field: 'effective_date' })]);
      const bySecond = { ...terms('20'), proration: { dayCount: 'by_second' as const } };
      const res = await amend(v1, { effective_date: '2026-03-16T12:00:00Z', terms: bySecond });
      expect(res.status).toBe(201);
      const body = await res.json();
      const credit = body.invoices.find((i: { kind: string }) => i.kind === 'credit_note');
      const charge = body.invoices.find((i: { kind: string }) => i.kind === 'advance');
      // 1,339,200 of 2,678,400 seconds left: exactly half of 100.00 credited and of 200.00 charged.
      expect([credit.total_minor, charge.total_minor]).toEqual([5000, 10_000]);
      expect(charge.period_start).toBe('2026-03-16');
      expect(body.contract.effective_date).toBe('2026-03-16T12:00:00Z');
    });

    it('old side: the change day stays on the old terms (15 of 31 days re-priced, not 16)', async () => {
      const v1 = await billedContract();
      const oldSide = { ...terms('20'), proration: { changeDay: 'old_side' as const } };
      const body = await (await amend(v1, { effective_date: '2026-03-16', terms: oldSide })).json();
      const credit = body.invoices.find((i: { kind: string }) => i.kind === 'credit_note');
      const charge = body.invoices.find((i: { kind: string }) => i.kind === 'advance');
      expect([credit.total_minor, charge.total_minor]).toEqual([4839, 9677]); // 100.00 and 200.00 × 15/31
      expect([credit.period_start, charge.period_start]).toEqual(['2026-03-17', '2026-03-17']);
    });

    it('answers a retried amendment with the same version and invoices, writing nothing twice', async () => {
      const v1 = await billedContract();
      const request = { effective_date: '2026-03-16', terms: terms('20') };
      const first = await (await amend(v1, request)).json();
      const retry = await amend(v1, request);
      expect(retry.status).toBe(200);
      const again = await retry.json();
      expect(again.contract.id).toBe(first.contract.id);
      expect(again.invoices.map((i: { id: string; number: string }) => [i.id, i.number])).toEqual(
        first.invoices.map((i: { id: string; number: string }) => [i.id, i.number]),
      );
      expect(await rows(contracts)).toHaveLength(2);
      expect(await rows(invoices)).toHaveLength(3);
      // A different amendment on the same date is a new version.
      expect((await amend(v1, { effective_date: '2026-03-16', terms: terms('25') })).status).toBe(201);
      expect(await rows(contracts)).toHaveLength(3);
    });

    it('rejects a bad effective date or terms, naming the field, and writes nothing', async () => {
      const v1 = await billedContract();
      const cases: [unknown, string][] = [
        [{ effective_date: 'soon', terms: terms('20') }, 'effective_date'],
        [{ effective_date: '2026-02-28', terms: terms('20') }, 'effective_date'],
        [{ effective_date: '2026-03-16', terms: { ...terms('20'), currency: 'EUR' } }, 'terms.currency'],
        [{ effective_date: '2026-03-16', terms: { ...terms(), phases: [] } }, 'terms.phases'],
      ];
      for (const [body, field] of cases) {
        const res = await amend(v1, body);
        expect(res.status).toBe(400);
        expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await rows(contracts)).toHaveLength(1);
      expect(await rows(invoices)).toHaveLength(1);
      const [row] = await s.hub.context.db
        .select()
        .from(contracts)
        .where(and(eq(contracts.orgId, s.orgId), eq(contracts.id, v1)));
      expect(row!.status).toBe('active');
    });

    it('lets a later billing run bill each version only inside its own window (no double billing)', async () => {
      expect((await s.api('POST', '/metrics', { code: 'api_calls', aggregation: 'count' })).status).toBe(201);
      const v1 = await billedContract();
      const v2 = (await (await amend(v1, { effective_date: '2026-03-16', terms: terms('20') })).json()).contract.id;
      const { db, clock } = s.hub.context;
      const run = await runBilling({ db, clock }, s.orgId, '2026-04-01');
      expect(run.failures).toEqual([]);
      const rows = await db.select().from(invoices).where(eq(invoices.orgId, s.orgId));
      const keys = rows.map((r) => `${r.contractId === v1 ? 'v1' : 'v2'} ${r.kind} ${r.periodStart}`).sort();
      expect(keys).toEqual([
        'v1 advance 2026-03-01', // billed before the amendment
        'v1 arrears 2026-03-01', // March usage, under the version in force when the period started
        'v1 credit_note 2026-03-16',
        'v2 advance 2026-03-16', // the amendment's prorated charge
        'v2 advance 2026-04-01', // from here on, version 2 alone
      ]);
      // A second run changes nothing.
      expect((await runBilling({ db, clock }, s.orgId, '2026-04-01')).invoicesCreated).toBe(0);
      expect(v2).not.toBe(v1);
    });

    it('amends a draft without invoices (nothing was billed)', async () => {
      const { id } = await (await create({ status: 'draft' })).json();
      const res = await amend(id, { effective_date: '2026-03-16', terms: terms('20') });
      expect(res.status).toBe(201);
      const body = await res.json();
      expect(body.contract.status).toBe('draft');
      expect(body.invoices).toEqual([]);
    });
  });
});
