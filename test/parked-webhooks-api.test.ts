/**
 * GET /payments/parked-webhooks: a Stripe event that names a payment the hub has not recorded
 * (the hub crashed after Stripe accepted it) is listed with its type, the PaymentIntent it waits
 * for, since when and how often it was delivered; once the attempt commits it is gone from the
 * list. Admin and finance only; another org sees nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addApiKey, createOrgWithKey } from '../src/db/seed.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('parked payment webhooks API', () => {
  it('lists what is parked and what it waits for, counts deliveries, and empties once applied', async () => {
    let crashed = false;
    h = await startHarness({
      hooks: {
        afterExternalWrite: (flow, step) => {
          if (!crashed && flow === 'collect-payment' && step === 'payment') {
            crashed = true;
            throw new SimulatedCrash(`after ${flow} › ${step}`);
          }
        },
      },
    });
    h.sims.stripe.setWebhookUrl(undefined);
    const seeded = h.sims.salesforce.seedClosedWonOpportunity();
    await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId));
    await expect(h.settle()).rejects.toThrow(/simulated crash/);

    const event = h.sims.stripe.state.outbox.find((e) => e.type === 'payment_intent.succeeded');
    const copy = JSON.parse(JSON.stringify(event)) as {
      id: string;
      data: { object: { id: string; metadata: Record<string, string> } };
    };
    delete copy.data.object.metadata.hub_invoice_id;
    const body = JSON.stringify(copy);
    const signature = await h.sims.stripe.signPayload(body);
    const deliver = () =>
      h!.hub.app.request(`/webhooks/stripe/${h!.stripeConnectionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body,
      });
    expect((await deliver()).status).toBe(200);
    h.clock.advance(1000);
    expect((await deliver()).status).toBe(200);

    const listed = await readJson(await h.api('/api/v1/payments/parked-webhooks'));
    expect(listed.next_cursor).toBeNull();
    expect(listed.data).toEqual([
      {
        id: expect.any(String),
        provider: 'stripe',
        event_id: copy.id,
        event_type: 'payment.succeeded',
        waiting_for: copy.data.object.id,
        parked_at: '2026-03-02T09:00:00.000Z',
        attempts: 2,
      },
    ]);
    const finance = await addApiKey(h.db, h.clock, h.orgId, 'finance');
    expect((await h.api('/api/v1/payments/parked-webhooks?limit=1', { key: finance })).status).toBe(200);
    const viewer = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
    expect((await h.api('/api/v1/payments/parked-webhooks', { key: viewer })).status).toBe(403);
    expect((await h.api('/api/v1/payments/parked-webhooks?cursor=x')).status).toBe(400);
    const other = await createOrgWithKey(h.db, h.clock, h.encryptionKey, { name: 'Other', connections: [] });
    expect((await readJson(await h.api('/api/v1/payments/parked-webhooks', { key: other.apiKey }))).data).toEqual([]);

    // The hub comes back, the attempt commits and applies the event: nothing is parked any more.
    await h.restart();
    h.clock.advance(6 * 60_000);
    await h.settle();
    expect((await readJson(await h.api('/api/v1/payments/parked-webhooks'))).data).toEqual([]);
  });
});
