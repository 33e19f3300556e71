/**
 * A payment webhook that comes before the hub's own record of the attempt: the hub is killed after
 * Stripe created the PaymentIntent and before the collect step committed, and Stripe's event (here
 * without our invoice id in its metadata, so only the attempt can tie it to an invoice) arrives
 * meanwhile. It is parked, not refused or dropped, and applied when the attempt commits: one
 * charge at Stripe, one payment, the invoice paid. A duplicate delivery changes nothing.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { reconcilePayments } from '../flows/index.js';
import { unparkPayment } from '../flows/parked-webhooks.js';
import { atomic } from '../src/db/atomic.js';
import { newId } from '../src/db/client.js';
import { externalRefs, invoices, jobs, parkedWebhooks, payments } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Starts a hub that is killed right after Stripe accepted the payment, before our commit. */
async function crashedAfterStripeAccepted() {
  let crashed = false;
  const harness = await startHarness({
    hooks: {
      afterExternalWrite: (flow, step) => {
        if (!crashed && flow === 'collect-payment' && step === 'payment') {
          crashed = true;
          throw new SimulatedCrash(`after ${flow} › ${step}`);
        }
      },
    },
  });
  // Stripe's events are held back, to be delivered by hand at the chosen moment.
  harness.sims.stripe.setWebhookUrl(undefined);
  const seeded = harness.sims.salesforce.seedClosedWonOpportunity();
  await harness.deliverOutboundMessage(harness.sims.salesforce.outboundMessageFor(seeded.opportunityId));
  await expect(harness.settle()).rejects.toThrow(/simulated crash/);
  return harness;
}

/** Stripe's payment_intent.succeeded, without our invoice id, signed as Stripe signs it. */
async function succeededEventWithoutInvoiceId(harness: Harness) {
  const event = harness.sims.stripe.state.outbox.find((e) => e.type === 'payment_intent.succeeded');
  expect(event, 'Stripe queued payment_intent.succeeded').toBeDefined();
  const copy = JSON.parse(JSON.stringify(event)) as {
    data: { object: { id: string; metadata: Record<string, string> } };
  };
  delete copy.data.object.metadata.hub_invoice_id;
  const body = JSON.stringify(copy, null, 2);
  return { body, paymentIntentId: copy.data.object.id, signature: await harness.sims.stripe.signPayload(body) };
}

const deliver = (harness: Harness, signed: { body: string; signature: string }) =>
  harness.hub.app.request(`/webhooks/stripe/${harness.stripeConnectionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signed.signature },
    body: signed.body,
  });

describe('payment webhooks that come before our attempt commits', () => {
  it('parks the event, applies it when the attempt commits, and charges once', async () => {
    h = await crashedAfterStripeAccepted();
    const signed = await succeededEventWithoutInvoiceId(h);

    const res = await deliver(h, signed);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, handled: true });
    const [parked] = await h.db.select().from(parkedWebhooks);
    expect(parked).toMatchObject({ provider: 'stripe', paymentExternalId: signed.paymentIntentId, appliedAt: null });
    expect(await h.db.select().from(payments)).toHaveLength(0);

    // The hub comes back; the collect step finds the PaymentIntent by our key (no second charge)
    // and applies the parked event in its own commit.
    await h.restart();
    h.clock.advance(6 * 60_000); // the crashed job's lease runs out
    await h.settle();
    expect(h.sims.stripe.state.paymentIntents.size).toBe(1);
    const recorded = await h.db.select().from(payments);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.externalId).toBe(signed.paymentIntentId);
    const [invoice] = await h.db.select().from(invoices).where(eq(invoices.id, recorded[0]!.invoiceId));
    expect(invoice!.status).toBe('paid');
    const [applied] = await h.db.select().from(parkedWebhooks);
    expect(applied!.appliedAt).not.toBeNull();
    expect(applied!.invoiceId).toBe(invoice!.id);

    // Delivered again (and Stripe's own copy, with the metadata): nothing new.
    const jobCount = (await h.db.select().from(jobs)).length;
    const resigned = { ...signed, signature: await h.sims.stripe.signPayload(signed.body) };
    expect((await deliver(h, resigned)).status).toBe(200);
    h.sims.stripe.setWebhookUrl(`${h.server.url}/webhooks/stripe/${h.stripeConnectionId}`);
    await h.settle();
    expect(await h.db.select().from(payments)).toHaveLength(1);
    expect(await h.db.select().from(parkedWebhooks)).toHaveLength(1);
    expect((await h.db.select().from(jobs)).length).toBe(jobCount);
  });

  it('an event parked after the attempt was read is applied by the sweep once the attempt exists', async () => {
    h = await crashedAfterStripeAccepted();
    const signed = await succeededEventWithoutInvoiceId(h);
    expect((await deliver(h, signed)).status).toBe(200);
    const [invoice] = await h.db.select().from(invoices);

    // Nothing to tie it to yet: looking again applies nothing.
    expect(await unparkPayment(h.hub.context, h.orgId, 'stripe', signed.paymentIntentId)).toBe(0);
    // The attempt's ref commits without the collect step seeing the parked event (the race the
    // sweep is there for).
    const now = h.clock.now().toISOString();
    await atomic(h.db, [
      h.db.insert(externalRefs).values({
        id: newId('ref'),
        orgId: h.orgId,
        system: 'stripe',
        objectType: 'payment_intent',
        localId: invoice!.id,
        externalId: signed.paymentIntentId,
        createdAt: now,
      }),
    ]);
    await reconcilePayments(h.hub.context);
    const [applied] = await h.db.select().from(parkedWebhooks);
    expect(applied!.appliedAt).toBe(now);
    await h.restart();
    await h.settle();
    expect(await h.db.select().from(payments)).toHaveLength(1);
    expect(h.sims.stripe.state.paymentIntents.size).toBe(1);
    const [paid] = await h.db.select().from(invoices).where(eq(invoices.id, invoice!.id));
    expect(paid!.status).toBe('paid');
  });
});
