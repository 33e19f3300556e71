/**
 * The adapter (real SDK, global fetch) against the simulator on loopback, plus the
 * simulator's own contract: HubSpot's paths, error envelope, batch limits, write-back and
 * signed webhooks. Shapes are checked against ../shared/apispecs/hubspot.json.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, serveOnLoopback } from '../../sandbox/serve.js';
import { TOKEN_REJECTED } from '../errors.js';
import { createHubSpotAdapter } from '../index.js';
import {
  dealEventDedupeKey,
  isStageTransition,
  parseDealEvents,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookV3,
} from '../webhooks.js';
import { createHubSpotSimulator, DEFAULT_CLIENT_SECRET, type HubSpotSimulator, type SeedLineItem } from './index.js';

const NOW = new Date('2026-01-15T10:00:00.000Z');
const spec = JSON.parse(readFileSync(new URL('../../../../shared/apispecs/hubspot.json', import.meta.url), 'utf8'));

let server: RunningServer;
let sim: HubSpotSimulator;
beforeAll(async () => {
  const front = new Hono();
  front.all('*', (c) => sim.app.fetch(c.req.raw));
  server = await serveOnLoopback(front);
});
afterAll(() => server.close());
beforeEach(() => {
  sim = createHubSpotSimulator({ now: () => NOW });
});

const adapter = (token = [...sim.state.accessTokens][0]) =>
  createHubSpotAdapter({ accessToken: token, baseUrl: server.url, now: () => NOW });

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${[...sim.state.accessTokens][0]}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected freely in assertions.
const json = async (res: Response): Promise<any> => res.json();

describe('adapter round trip', () => {
  it('reads the demo closed-won deal', async () => {
    const seeded = sim.seedClosedWonDeal();
    const result = await adapter().fetchDeal(seeded.dealId);
    if (!result.ok) throw new Error(result.reason);
    expect(seeded.dealId).toMatch(/^\d+$/);
    expect(result.value).toEqual({
      source: 'hubspot',
      deal: {
        id: seeded.dealId,
        name: 'Acme Robotics, Inc. - Annual subscription',
        stage: 'closedwon',
        isWon: true,
        closeDate: '2026-01-15',
        currency: 'USD',
        amount: '2000',
        accountId: seeded.companyId,
        lastModified: NOW.toISOString(),
        renewalOf: null,
      },
      account: {
        id: seeded.companyId,
        name: 'Acme Robotics, Inc.',
        email: null,
        billingAddress: {
          line1: '1 Market St',
          city: 'San Francisco',
          region: 'CA',
          postalCode: '94105',
          country: 'United States',
        },
      },
      lineItems: [
        {
          id: seeded.lineItemIds[0],
          productId: seeded.productIds[0],
          productCode: 'PLATFORM',
          productName: 'Platform fee',
          quantity: '1',
          unitPrice: '1000.00',
          description: null,
          attributes: { hs_sku: 'PLATFORM', recurringbillingfrequency: 'annually' },
        },
        {
          id: seeded.lineItemIds[1],
          productId: seeded.productIds[1],
          productCode: 'SEAT',
          productName: 'Seat licence',
          quantity: '25',
          unitPrice: '40.00',
          description: null,
          attributes: { hs_sku: 'SEAT', recurringbillingfrequency: 'monthly' },
        },
      ],
      contacts: [
        {
          id: seeded.contactIds[0],
          firstName: 'Maya',
          lastName: 'Okafor',
          email: 'maya.okafor@acme-robotics.example',
          phone: null,
          role: 'Decision maker',
          isPrimary: false,
        },
        {
          id: seeded.contactIds[1],
          firstName: 'Leo',
          lastName: 'Brandt',
          email: 'ap@acme-robotics.example',
          phone: null,
          role: 'Billing contact',
          isPrimary: false,
        },
      ],
    });
    // Every line item has its SKU: no product read was needed.
    expect(sim.faults.seen.some((r) => r.path.includes('/products/'))).toBe(false);
  });

  it('reads a deal with 500 line items in batch reads of 100', async () => {
    const lines: SeedLineItem[] = Array.from({ length: 500 }, (_, i) => ({
      name: `Item ${i}`,
      sku: `SKU-${i}`,
      quantity: String(i + 1),
      price: '0.10',
    }));
    const seeded = sim.seedClosedWonDeal({ lineItems: lines });
    const result = await adapter().fetchDeal(seeded.dealId);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.lineItems).toHaveLength(500);
    expect(result.value.lineItems.map((l) => l.id)).toEqual(seeded.lineItemIds);
    expect(result.value.lineItems[499]).toMatchObject({ productCode: 'SKU-499', quantity: '500', unitPrice: '0.10' });
    expect(result.value.deal.amount).toBe('12525'); // 0.10 × (1 + … + 500)
    const batchReads = sim.faults.seen.filter((r) => r.path === '/crm/v3/objects/line_items/batch/read');
    expect(batchReads).toHaveLength(5);
  });

  it('a deal without company or currency maps to nulls', async () => {
    const seeded = sim.seedClosedWonDeal({ companyName: null, currency: null, lineItems: [] });
    const result = await adapter().fetchDeal(seeded.dealId);
    expect(result.ok && result.value).toMatchObject({
      deal: { currency: null, accountId: null, amount: '0' },
      account: null,
      lineItems: [],
    });
  });

  it('an unknown deal is permanent "deal not found"', async () => {
    expect(await adapter().fetchDeal('99999')).toMatchObject({
      ok: false,
      kind: 'permanent',
      reason: 'deal not found: 99999',
      status: 404,
    });
  });

  it('a wrong token is retryable with a reconnect reason, in HubSpot’s envelope', async () => {
    const seeded = sim.seedClosedWonDeal();
    expect(await adapter('pat-na1-wrong').fetchDeal(seeded.dealId)).toMatchObject({
      kind: 'retryable',
      reason: TOKEN_REJECTED,
      status: 401,
    });
    const res = await fetch(`${server.url}/crm/v3/objects/deals/${seeded.dealId}`);
    expect(res.status).toBe(401);
    const body = await json(res);
    for (const required of spec.common_schemas.Error.required) expect(body).toHaveProperty(required);
    expect(body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
  });
});

describe('fault injection', () => {
  it('429 with Retry-After, then success on the next attempt', async () => {
    const seeded = sim.seedClosedWonDeal();
    sim.faults.inject('/crm/v4/', { kind: 'status', status: 429, retryAfterSeconds: 2 });
    const first = await adapter().fetchDeal(seeded.dealId);
    expect(first).toMatchObject({ ok: false, kind: 'retryable', status: 429, retryAfterMs: 2000 });
    expect(!first.ok && first.reason).toContain('ten_secondly_rolling');
    expect((await adapter().fetchDeal(seeded.dealId)).ok).toBe(true);
  });

  it('429 without Retry-After uses the rate-limit window header', async () => {
    const seeded = sim.seedClosedWonDeal();
    sim.faults.inject('/crm/v3/objects/deals/', { kind: 'status', status: 429 });
    expect(await adapter().fetchDeal(seeded.dealId)).toMatchObject({ kind: 'retryable', retryAfterMs: 10_000 });
  });

  it('500 until recovery is retryable; then the read succeeds', async () => {
    const seeded = sim.seedClosedWonDeal();
    sim.faults.always('/crm/v3/objects/line_items/batch/read', { kind: 'status', status: 500 });
    expect(await adapter().fetchDeal(seeded.dealId)).toMatchObject({ kind: 'retryable', status: 500 });
    expect(await adapter().fetchDeal(seeded.dealId)).toMatchObject({ kind: 'retryable', status: 500 });
    sim.faults.clear();
    expect((await adapter().fetchDeal(seeded.dealId)).ok).toBe(true);
  });

  it('an injected 401 (token expired mid-sync) asks for a reconnect', async () => {
    const seeded = sim.seedClosedWonDeal();
    sim.faults.inject('/crm/v3/objects/companies/', { kind: 'status', status: 401 });
    expect(await adapter().fetchDeal(seeded.dealId)).toMatchObject({ kind: 'retryable', reason: TOKEN_REJECTED });
  });

  it('a dropped connection on a read is retryable (reads are safe to repeat)', async () => {
    const seeded = sim.seedClosedWonDeal();
    sim.faults.inject('/crm/v3/objects/deals/', { kind: 'timeout' });
    const result = await adapter().fetchDeal(seeded.dealId);
    expect(result).toMatchObject({ ok: false, kind: 'retryable' });
    expect(!result.ok && result.reason).toContain('network error');
  });
});

describe('simulator contract', () => {
  it('answers the spec’s deal read shape, with the 0-3 alias and comma or repeated properties', async () => {
    const { dealId } = sim.seedClosedWonDeal();
    const a = await json(await api(`/crm/v3/objects/0-3/${dealId}?properties=dealname,amount`));
    const b = await json(await api(`/crm/v3/objects/deals/${dealId}?properties=dealname&properties=amount`));
    const read = spec.objects.deals.operations.find(
      (o: { method: string; path: string }) => o.method === 'GET' && o.path === '/crm/v3/objects/0-3/{dealId}',
    );
    for (const required of read.responses['200'].required) expect(a).toHaveProperty(required);
    expect(a).toEqual(b);
    expect(a.properties).toMatchObject({ dealname: expect.any(String), amount: '2000', hs_object_id: dealId });
    // Without properties: HubSpot's defaults.
    const c = await json(await api(`/crm/v3/objects/deals/${dealId}`));
    expect(Object.keys(c.properties)).toEqual(expect.arrayContaining(['dealname', 'dealstage', 'pipeline']));
  });

  it('batch read refuses more than 100 inputs and reports missing ids with a 207', async () => {
    const { lineItemIds } = sim.seedClosedWonDeal();
    const tooMany = await api('/crm/v3/objects/line_items/batch/read', {
      method: 'POST',
      body: JSON.stringify({
        inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })),
        properties: [],
        propertiesWithHistory: [],
      }),
    });
    expect(tooMany.status).toBe(400);
    expect(await json(tooMany)).toMatchObject({ category: 'VALIDATION_ERROR' });
    const partial = await api('/crm/v3/objects/line_items/batch/read', {
      method: 'POST',
      body: JSON.stringify({
        inputs: [{ id: lineItemIds[0] }, { id: '1' }],
        properties: ['name'],
        propertiesWithHistory: [],
      }),
    });
    expect(partial.status).toBe(207);
    const body = await json(partial);
    const op = spec.objects.line_items.operations.find(
      (o: { path: string }) => o.path === '/crm/v3/objects/line_items/batch/read',
    );
    for (const required of op.responses['207'].required) expect(body).toHaveProperty(required);
    expect(body.results.map((r: { id: string }) => r.id)).toEqual([lineItemIds[0]]);
    expect(body.errors[0].context.ids).toEqual(['1']);
  });

  it('pages associations (limit ≤ 500, after cursor) with the v4 result shape', async () => {
    const { dealId, lineItemIds } = sim.seedClosedWonDeal();
    const first = await json(await api(`/crm/v4/objects/deals/${dealId}/associations/line_items?limit=1`));
    expect(first.results).toEqual([
      {
        toObjectId: Number(lineItemIds[0]),
        associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 19, label: null }],
      },
    ]);
    const second = await json(
      await api(`/crm/v4/objects/deals/${dealId}/associations/line_items?limit=1&after=${first.paging.next.after}`),
    );
    expect(second.results[0].toObjectId).toBe(Number(lineItemIds[1]));
    expect(second.paging).toBeUndefined();
    // Associations go both ways.
    const back = await json(await api(`/crm/v4/objects/line_items/${lineItemIds[0]}/associations/deals`));
    expect(back.results[0].toObjectId).toBe(Number(dealId));
  });

  it('PATCH writes back a deal property; repeating it changes nothing else', async () => {
    const { dealId } = sim.seedClosedWonDeal();
    const dealsBefore = sim.state.store.count('deals');
    const patch = () =>
      api(`/crm/v3/objects/deals/${dealId}`, {
        method: 'PATCH',
        body: JSON.stringify({ properties: { billing_status: 'invoiced' } }),
      });
    const first = await json(await patch());
    const second = await json(await patch());
    expect(first).toMatchObject({ id: dealId, properties: { billing_status: 'invoiced' } });
    expect(second).toEqual(first);
    expect(sim.state.store.count('deals')).toBe(dealsBefore);
    expect(sim.state.store.get('deals', dealId)?.properties.billing_status).toBe('invoiced');
  });

  it("PATCH accepts the portal's custom deal properties (hub_*) and reads them back", async () => {
    const { dealId } = sim.seedClosedWonDeal();
    const res = await api(`/crm/v3/objects/deals/${dealId}`, {
      method: 'PATCH',
      body: JSON.stringify({ properties: { hub_billing_status: 'paid', hub_amount_paid: '2145.00' } }),
    });
    expect(res.status).toBe(200);
    expect(sim.state.updates).toEqual([
      { type: 'deals', id: dealId, properties: { hub_billing_status: 'paid', hub_amount_paid: '2145.00' } },
    ]);
    const read = await json(await api(`/crm/v3/objects/deals/${dealId}?properties=hub_billing_status`));
    expect(read.properties.hub_billing_status).toBe('paid');
  });

  it('PATCH refuses unknown and read-only properties with VALIDATION_ERROR, writing nothing', async () => {
    const { dealId } = sim.seedClosedWonDeal();
    for (const name of ['colour', 'hs_is_closed_won']) {
      const res = await api(`/crm/v3/objects/deals/${dealId}`, {
        method: 'PATCH',
        body: JSON.stringify({ properties: { dealname: 'changed', [name]: 'x' } }),
      });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ category: 'VALIDATION_ERROR', errors: [{ in: name }] });
    }
    expect(sim.state.store.get('deals', dealId)?.properties.dealname).not.toBe('changed');
  });
});

describe('signed webhooks', () => {
  it('a stage change event, signed by the simulator, verifies and counts once', async () => {
    const { dealId } = sim.seedClosedWonDeal({ stage: 'contractsent' });
    expect(sim.state.store.get('deals', dealId)?.properties.hs_is_closed_won).toBe('false');
    const event = sim.dealStageChangedEvent(dealId, 'closedwon');
    expect(sim.state.store.get('deals', dealId)?.properties.hs_is_closed_won).toBe('true');
    const body = JSON.stringify([event]);
    const url = 'https://hub.example.com/webhooks/hubspot';
    const headers = await sim.signWebhook({ url, body });
    const verified = await verifyWebhookV3({
      method: 'POST',
      url,
      rawBody: body,
      signature: headers[SIGNATURE_HEADER],
      timestamp: headers[TIMESTAMP_HEADER],
      clientSecret: DEFAULT_CLIENT_SECRET,
      now: () => NOW,
    });
    expect(verified.ok).toBe(true);
    const events = parseDealEvents(body);
    if (!events.ok) throw new Error(events.reason);
    expect(isStageTransition(events.value[0], ['closedwon'])).toBe(true);
    expect(dealEventDedupeKey(events.value[0])).toBe(`${dealId}:closedwon:${NOW.getTime()}`);
    // The adapter now reads it as won.
    const deal = await adapter().fetchDeal(dealId);
    expect(deal.ok && deal.value.deal.isWon).toBe(true);
  });

  it('the same headers do not verify a different body', async () => {
    const headers = await sim.signWebhook({ url: 'https://hub.example.com/w', body: '[]' });
    const result = await verifyWebhookV3({
      method: 'POST',
      url: 'https://hub.example.com/w',
      rawBody: '[{}]',
      signature: headers[SIGNATURE_HEADER],
      timestamp: headers[TIMESTAMP_HEADER],
      clientSecret: DEFAULT_CLIENT_SECRET,
      now: () => NOW,
    });
    expect(result).toMatchObject({ ok: false, kind: 'permanent', status: 401 });
  });
});
