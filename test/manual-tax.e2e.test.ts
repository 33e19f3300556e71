/**
 * An org without a tax engine (PUT /api/v1/tax-settings {engine: "manual"}) taxes from its own
 * rate table: the most specific rate (region and product code, region, country) per line, the
 * invoice marked manual; the table is edited through the API with clear 400s. On Node against the
 * simulators, which are asked nothing about tax.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('the manual tax-rate table', () => {
  it('is edited through the API, with clear errors and cursor pages', async () => {
    h = await startHarness();
    const put = (body: unknown) => h.api('/api/v1/tax-rates', json('PUT', body));
    const bad = await put({ jurisdiction: 'california', rate: '0.1' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await readJson(bad))).toMatch(/jurisdiction/);
    expect((await put({ jurisdiction: 'US-CA', rate: '7.25%' })).status).toBe(400);
    expect((await put({ jurisdiction: 'US-CA', rate: '0.05', extra: 1 })).status).toBe(400);

    const first = await readJson(await put({ jurisdiction: 'US-CA', rate: '0.05' }));
    expect(first).toMatchObject({ jurisdiction: 'US-CA', product_tax_code: '', rate: '0.05', manual: true });
    // Same jurisdiction and code: the row is updated, not doubled.
    const again = await readJson(await put({ jurisdiction: 'US-CA', rate: '0.0725' }));
    expect(again.id).toBe(first.id);
    await put({ jurisdiction: 'US', rate: '0.04' });
    await put({ jurisdiction: 'DE', rate: '0.19' });

    const page1 = await readJson(await h.api('/api/v1/tax-rates?limit=2'));
    expect(page1.data).toHaveLength(2);
    const page2 = await readJson(await h.api(`/api/v1/tax-rates?limit=2&cursor=${page1.next_cursor}`));
    expect(page2.data).toHaveLength(1);
    expect(page2.next_cursor).toBeNull();
    const all = [...page1.data, ...page2.data].map((r: { jurisdiction: string }) => r.jurisdiction).sort();
    expect(all).toEqual(['DE', 'US', 'US-CA']);
    expect((await h.api('/api/v1/tax-rates?cursor=nope')).status).toBe(400);

    const de = page1.data.concat(page2.data).find((r: { jurisdiction: string }) => r.jurisdiction === 'DE');
    expect((await h.api(`/api/v1/tax-rates/${de.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await h.api(`/api/v1/tax-rates/${de.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('taxes an invoice from the table, most specific rate per product code, and marks it manual', async () => {
    h = await startHarness();
    const settings = await h.api('/api/v1/tax-settings', json('PUT', { engine: 'manual' }));
    expect(await readJson(settings)).toEqual({ engine: 'manual', effective_engine: 'manual', manual: true });
    await h.api('/api/v1/tax-rates', json('PUT', { jurisdiction: 'US', rate: '0.04' }));
    await h.api('/api/v1/tax-rates', json('PUT', { jurisdiction: 'US-CA', rate: '0.10' }));
    await h.api('/api/v1/tax-rates', json('PUT', { jurisdiction: 'US-CA', product_tax_code: 'EXEMPT-SVC', rate: '0' }));

    expect((await h.api('/api/v1/billing-settings', json('PUT', { finalize_policy: 'approval' }))).status).toBe(200);
    const seeded = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId));
    await h.settle();
    const draft = (await readJson(await h.api('/api/v1/invoices'))).data[0];
    const lines = (await readJson(await h.api(`/api/v1/invoices/${draft.id}`))).lines as {
      product_id: string;
      amount_minor: number;
    }[];
    expect(lines.length).toBeGreaterThan(1);
    // The first product is exempt by its manual product tax code; the others take California's rate.
    const code = await h.api(
      `/api/v1/products/${lines[0]!.product_id}/tax-codes`,
      json('PUT', { manual: 'EXEMPT-SVC' }),
    );
    expect(await readJson(code)).toEqual({
      product_id: lines[0]!.product_id,
      avalara: null,
      anrok: null,
      manual: 'EXEMPT-SVC',
    });
    expect((await h.api('/api/v1/products/prd_nope/tax-codes', json('PUT', { manual: 'X' }))).status).toBe(404);

    await h.api(`/api/v1/invoices/${draft.id}/finalize`, { method: 'POST' });
    await h.settle();
    const inv = await readJson(await h.api(`/api/v1/invoices/${draft.id}`));
    const expected = lines.map((l, i) => (i === 0 ? 0 : Math.round(l.amount_minor * 0.1)));
    expect(inv.lines.map((l: { tax_minor: number }) => l.tax_minor)).toEqual(expected);
    expect(inv.tax).toMatchObject({ engine: 'manual', manual: true, tax_minor: expected.reduce((a, b) => a + b, 0) });
    // No engine was asked.
    expect(h.sims.avalara.state.transactions('HUBDEMO')).toHaveLength(0);
    expect(h.sims.anrok.state.count()).toBe(0);
  });

  it('an engine that is not a tax engine is refused, naming the field', async () => {
    h = await startHarness();
    const res = await h.api('/api/v1/tax-settings', json('PUT', { engine: 'stripe' }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await readJson(res))).toMatch(/engine/);
    expect(await readJson(await h.api('/api/v1/tax-settings'))).toEqual({
      engine: null,
      effective_engine: 'avalara',
      manual: false,
    });
  });
});
