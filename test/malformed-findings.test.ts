/**
 * The malformed requests issue #16 found answered with a 5xx (or no answer), one request each:
 * each must now get a 4xx problem naming what is wrong, and change nothing. The fuzz sweep
 * (test/sweep/fuzz.test.ts) generates requests like these at random; these are the exact ones,
 * so a finding that comes back fails by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStripePayload } from '../adapters/stripe/simulator/webhooks.js';
import { SANDBOX_STRIPE } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';
import { changedTables, rowCounts } from './sweep/db-rows.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, body: unknown) =>
  h.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Sends one request; answers its status, problem body and the tables it changed. */
async function probe(send: () => Promise<Response>) {
  const before = await rowCounts(h.db);
  const res = await send();
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await readJson(res) : await res.text();
  return { status: res.status, type, body, changed: changedTables(before, await rowCounts(h.db)) };
}

const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

/** A deal bundle the dry run accepts, to spoil one field of. */
function bundle(overrides: { closeDate?: string; quantity?: unknown } = {}) {
  return {
    source: 'salesforce',
    deal: {
      id: '006000000000001AAA',
      name: 'Acme renewal',
      stage: 'Closed Won',
      isWon: true,
      closeDate: overrides.closeDate ?? '2026-03-01',
      currency: 'USD',
      amount: '1000.00',
      accountId: '001000000000001AAA',
      lastModified: '2026-03-01T00:00:00Z',
    },
    account: { id: '001000000000001AAA', name: 'Acme', email: 'ap@acme.test', billingAddress: null },
    lineItems: [
      {
        id: '00k000000000001AAA',
        productId: '01t000000000001AAA',
        productCode: 'SEATS',
        productName: 'Seats',
        quantity: overrides.quantity ?? '25',
        unitPrice: '40.00',
        description: null,
        attributes: {},
      },
    ],
  };
}

describe('issue #16 findings: a 4xx naming the field, never a 5xx, nothing written', () => {
  it.each([' 12 ', '', '1,000.00', 'twelve'])(
    'POST /pricing/preview with a package price whose package_size is %j',
    async (value) => {
      const answer = await probe(() =>
        post('/api/v1/pricing/preview', {
          price: { model: 'package', package_size: value, package_amount: value },
          usage: { quantity: '25', currency: 'USD' },
        }),
      );
      expect(answer.status).toBe(400);
      expect(fields(answer.body)).toEqual(expect.arrayContaining(['price.package_size', 'price.package_amount']));
      expect(answer.changed).toEqual([]);
    },
  );

  it.each([
    ['a line item quantity that is not a decimal string', { quantity: '25 seats' }, 'bundle.lineItems.0.quantity'],
    ['a number for a quantity', { quantity: 25 }, 'bundle.lineItems.0.quantity'],
    ['closeDate 9999-12-31, outside the supported years', { closeDate: '9999-12-31' }, 'bundle.deal.closeDate'],
  ])('POST /mappings/default/dry-run with %s', async (_, overrides, field) => {
    const answer = await probe(() => post('/api/v1/mappings/default/dry-run', { bundle: bundle(overrides) }));
    expect(answer.status).toBe(400);
    expect(fields(answer.body)).toContain(field);
    expect(answer.changed).toEqual([]);
  });

  it('POST /mappings/default/dry-run maps the unspoilt bundle (the cases above differ in one field only)', async () => {
    const answer = await probe(() => post('/api/v1/mappings/default/dry-run', { bundle: bundle() }));
    expect(answer.status).toBe(200);
    expect(answer.changed).toEqual([]);
  });

  it.each(['2026-03-01T00:00:00+99:00', '2026-03-01', '2026-02-30', '1999-12-31', '2200-01-01'])(
    'POST /billing-runs with at %j: a date outside the grammar is refused, a good one starts',
    async (at) => {
      const answer = await probe(() => post('/api/v1/billing-runs', { at }));
      if (at === '2026-03-01') {
        expect(answer.status).toBe(202);
        return;
      }
      expect(answer.status).toBe(400);
      expect(fields(answer.body)).toEqual(['at']);
      expect(answer.changed).toEqual([]);
    },
  );

  it('POST /webhooks/salesforce/{connection}/{token} with a deeply nested 700 KB body', async () => {
    const depth = 100_000;
    const xml = `<?xml version="1.0"?>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
    expect(xml.length).toBeGreaterThan(600_000);
    const answer = await probe(() => h.deliverOutboundMessage(xml));
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.changed).toEqual([]);
  });

  it.each([1e308, 2 ** 53 + 2, -1, '1772442000'])(
    'POST /webhooks/stripe/{id}, correctly signed, with created %j',
    async (created) => {
      const body = JSON.stringify({
        id: 'evt_findings',
        object: 'event',
        type: 'payment_intent.succeeded',
        created,
        data: { object: { id: 'pi_1', object: 'payment_intent', amount: 1000, currency: 'usd', metadata: {} } },
      });
      const signature = await signStripePayload(
        SANDBOX_STRIPE.webhookSecret,
        body,
        Math.floor(h.clock.now().getTime() / 1000),
      );
      const answer = await probe(async () =>
        h.hub.app.request(`/webhooks/stripe/${h.stripeConnectionId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signature },
          body,
        }),
      );
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain('created');
      expect(answer.changed).toEqual([]);
    },
  );
});
