/**
 * The payment webhook's inbound budget is spent by refused requests only: a provider delivering
 * more signed events in a minute than the budget allows (a billing run's payments) gets every one
 * taken, while a stranger's unsigned requests are cut off with 429 once the budget is spent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { webhookInbox } from '../src/db/schema.js';
import { INBOUND_RATE_LIMIT } from '../src/http/rate-limit.js';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const post = (body: string, signature?: string) =>
  h.hub.app.request(`/webhooks/stripe/${h.stripeConnectionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    body,
  });

const event = (i: number) =>
  JSON.stringify({
    id: `evt_budget_${i}`,
    object: 'event',
    type: 'customer.created',
    created: Math.floor(h.clock.now().getTime() / 1000),
    data: { object: {} },
  });

describe('payment webhook budget', () => {
  it('takes every signed event, beyond the budget, in one window', async () => {
    h = await startHarness();
    const statuses = new Set<number>();
    for (let i = 0; i < INBOUND_RATE_LIMIT.limit + 20; i++) {
      const body = event(i);
      statuses.add((await post(body, await h.sims.stripe.signPayload(body))).status);
    }
    expect([...statuses]).toEqual([200]);
    expect(await h.db.$count(webhookInbox)).toBe(INBOUND_RATE_LIMIT.limit + 20);
  });

  it('answers 429 once refused requests spent the budget, even to a signed event, until the next window', async () => {
    h = await startHarness();
    for (let i = 0; i < INBOUND_RATE_LIMIT.limit; i++) expect((await post(event(i), 't=1,v1=bad')).status).toBe(401);
    const body = event(9999);
    const limited = await post(body, await h.sims.stripe.signPayload(body));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    h.clock.advance(INBOUND_RATE_LIMIT.windowMs);
    expect((await post(body, await h.sims.stripe.signPayload(body))).status).toBe(200);
    expect(await h.db.$count(webhookInbox)).toBe(1);
  });
});
