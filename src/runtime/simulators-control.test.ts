/** The simulators' control port: what it changes at the simulated vendors and what it sends the hub. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Simulators, startSimulators } from './simulators.js';
import { simulatorsControl } from './simulators-control.js';

const NOW = new Date('2026-03-02T09:00:00Z');
let sims: Simulators;
let sent: { url: string; body: string }[];
let control: ReturnType<typeof simulatorsControl>;

beforeEach(async () => {
  sims = await startSimulators({ now: () => NOW });
  sent = [];
  const hub = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), body: String(init?.body) });
    return new Response('<ack/>', { status: 200 });
  }) as typeof fetch;
  control = simulatorsControl(sims, hub);
});
afterEach(async () => {
  await sims.close();
});

const post = (path: string, body?: unknown) =>
  control.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('the simulators control port', () => {
  it('refuses to send an Outbound Message before the hub named its endpoint', async () => {
    const res = await post('/salesforce/demo-deal');
    expect(res.status).toBe(409);
    expect(sent).toEqual([]);
  });

  it('closes a demo deal and amends it, each time sending the Outbound Message to the hub', async () => {
    const endpoint = 'http://127.0.0.1:1/webhooks/salesforce/con_1/token';
    const set = await control.request('/salesforce/outbound-endpoint', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: endpoint }),
    });
    expect(set.status).toBe(200);
    const deal = (await (await post('/salesforce/demo-deal')).json()) as {
      opportunity_id: string;
      outbound_message_status: number;
    };
    expect(deal.outbound_message_status).toBe(200);
    expect(sent.map((s) => s.url)).toEqual([endpoint]);
    expect(sent[0]!.body).toContain(deal.opportunity_id);

    const amended = await post(`/salesforce/opportunities/${deal.opportunity_id}/amend`, {});
    expect(amended.status).toBe(200);
    expect(await amended.json()).toMatchObject({ product_code: 'SEAT', quantity: 30 });
    // 25 seats became 30 at 40.00: the opportunity's amount moved with its line, and the message says so.
    expect(sims.salesforce.state.store.get('Opportunity', deal.opportunity_id)?.Amount).toBe(2200);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body).toContain('<sf:Amount>2200</sf:Amount>');

    expect((await post('/salesforce/opportunities/006000000000000AAA/amend', {})).status).toBe(404);
    expect((await post(`/salesforce/opportunities/${deal.opportunity_id}/amend`, { quantity: -1 })).status).toBe(400);
  });
});
