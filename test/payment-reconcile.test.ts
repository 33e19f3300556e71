/**
 * A payment does not depend on the webhook alone: killed right after Stripe created the
 * PaymentIntent, with Stripe never delivering the event, the reconciler asks Stripe about the
 * finalized, unpaid invoice and records the payment once — and a late webhook changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RECONCILE_AFTER_MS, reconcilePayments } from '../flows/index.js';
import { payments } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { type Harness, ONE_OF_EACH, readJson, startHarness, vendorCounts } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('payment reconciler', () => {
  it('records a payment whose webhook never came, once', async () => {
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
    const seeded = h.sims.salesforce.seedClosedWonOpportunity();
    expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(
      200,
    );
    await expect(h.settle()).rejects.toThrow(/simulated crash/);
    // Stripe's event is never delivered.
    h.sims.stripe.setWebhookUrl(undefined);
    await h.restart();
    h.clock.advance(6 * 60_000);
    await h.settle();
    const trace = async () => readJson(await h!.api(`/api/v1/deals/salesforce/${seeded.opportunityId}/trace`));
    expect((await trace()).invoices[0].status).toBe('finalized');
    expect(await h.db.select().from(payments)).toHaveLength(0);

    // Too early: the attempt is younger than the reconciler's patience.
    expect((await reconcilePayments(h.hub.context)).enqueued).toBe(0);
    h.clock.advance(RECONCILE_AFTER_MS);
    const first = await reconcilePayments(h.hub.context);
    expect(first).toEqual({ checked: 1, enqueued: 1, errors: [] });
    await h.settle();
    expect((await trace()).invoices[0].status).toBe('paid');

    // Run again, and let the webhook arrive after all: still one payment, one of everything.
    expect((await reconcilePayments(h.hub.context)).enqueued).toBe(0);
    h.sims.stripe.setWebhookUrl(`${h.server.url}/webhooks/stripe/${h.stripeConnectionId}`);
    await h.settle();
    expect(await h.db.select().from(payments)).toHaveLength(1);
    expect(vendorCounts(h.sims)).toEqual(ONE_OF_EACH);
  });
});
