/** The simulator's deal search: the filters, sort, limit and `after` paging the poller uses. */
import { describe, expect, it } from 'vitest';
import { wonDealsSearchRequest } from '../index.js';
import { createHubSpotSimulator, DEFAULT_ACCESS_TOKEN } from './index.js';

async function search(sim: ReturnType<typeof createHubSpotSimulator>, body: unknown) {
  const res = await sim.app.request('/crm/v3/objects/deals/search', {
    method: 'POST',
    headers: { authorization: `Bearer ${DEFAULT_ACCESS_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: asserting on the JSON shape
  return { status: res.status, body: (await res.json()) as any };
}

describe('HubSpot simulator: deal search', () => {
  it('filters by stage and hs_lastmodifieddate (GT, epoch ms), sorts ascending and pages with after', async () => {
    let now = new Date('2026-03-02T09:00:00.000Z');
    const sim = createHubSpotSimulator({ now: () => now });
    const a = sim.seedClosedWonDeal();
    now = new Date('2026-03-02T09:10:00.000Z');
    const b = sim.seedClosedWonDeal({ name: 'B' });
    sim.seedClosedWonDeal({ name: 'Open', stage: 'contractsent' });
    now = new Date('2026-03-02T09:05:00.000Z');
    const c = sim.seedClosedWonDeal({ name: 'C', stage: 'custom_won' });

    const since = Date.parse('2026-03-02T08:00:00Z');
    const all = await search(sim, wonDealsSearchRequest(since, ['closedwon', 'custom_won'], 10));
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(3);
    expect(all.body.results.map((r: { id: string }) => r.id)).toEqual([a.dealId, c.dealId, b.dealId]);
    expect(all.body.results[0].properties.hs_lastmodifieddate).toBe('2026-03-02T09:00:00.000Z');
    expect(all.body.paging).toBeUndefined();

    const after = await search(sim, wonDealsSearchRequest(Date.parse('2026-03-02T09:00:00Z'), ['closedwon'], 10));
    expect(after.body.results.map((r: { id: string }) => r.id)).toEqual([b.dealId]);

    const first = await search(sim, wonDealsSearchRequest(since, ['closedwon', 'custom_won'], 2));
    expect(first.body.results).toHaveLength(2);
    expect(first.body.paging.next.after).toBe('2');
    const second = await search(sim, wonDealsSearchRequest(since, ['closedwon', 'custom_won'], 2, '2'));
    expect(second.body.results.map((r: { id: string }) => r.id)).toEqual([b.dealId]);
  });

  it('refuses limits over 200 and operators it does not speak', async () => {
    const sim = createHubSpotSimulator();
    expect((await search(sim, wonDealsSearchRequest(0, ['closedwon'], 201))).status).toBe(400);
    const bad = { filterGroups: [{ filters: [{ propertyName: 'dealname', operator: 'BETWEEN', value: 'a' }] }] };
    expect((await search(sim, bad)).status).toBe(400);
  });

  it('answers an injected 500 with HubSpot error envelope', async () => {
    const sim = createHubSpotSimulator();
    sim.faults.inject('/crm/v3/objects/deals/search', { kind: 'status', status: 500 });
    const res = await search(sim, wonDealsSearchRequest(0, ['closedwon'], 10));
    expect(res.status).toBe(500);
    expect(res.body.category).toBe('INTERNAL_ERROR');
  });
});
