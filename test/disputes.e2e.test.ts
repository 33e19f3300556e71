/**
 * Stripe chargebacks end to end with the simulated Stripe: a dispute opened on a paid invoice's
 * payment is on the invoice detail and moves the amount from cash to disputed_funds; lost books
 * it as bad debt, won brings it back to cash; a duplicate event books nothing twice; and a
 * dispute that arrives before the hub has recorded its payment attempt is parked and applied
 * once the payment is recorded.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { invoices, ledgerEntries, ledgerLines, parkedWebhooks, payments } from '../src/db/schema.js';
import { SimulatedCrash } from '../src/jobs/types.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function paidInvoice(x: Harness) {
  const seeded = x.sims.salesforce.seedClosedWonOpportunity();
  await x.deliverOutboundMessage(x.sims.salesforce.outboundMessageFor(seeded.opportunityId));
  await x.settle();
  const [invoice] = await x.db.select().from(invoices);
  expect(invoice!.status).toBe('paid');
  const [intent] = [...x.sims.stripe.state.paymentIntents.values()];
  return { invoice: invoice!, intentId: intent!.id };
}

/** The dispute journal: kind → [account, debit, credit] lines. */
async function disputeJournal(x: Harness) {
  const entries = (await x.db.select().from(ledgerEntries)).filter((e) => e.sourceType === 'dispute');
  const lines = await x.db.select().from(ledgerLines);
  return Object.fromEntries(
    entries.map((e) => [
      e.kind,
      lines
        .filter((l) => l.entryId === e.id)
        .map((l) => [l.account, l.debitMinor, l.creditMinor])
        .sort(),
    ]),
  );
}

const deliver = (x: Harness, body: string, signature: string) =>
  x.hub.app.request(`/webhooks/stripe/${x.stripeConnectionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body,
  });

describe('Stripe disputes', () => {
  it('records a dispute on the invoice and in the ledger, once, and books a lost one as bad debt', async () => {
    h = await startHarness();
    const { invoice, intentId } = await paidInvoice(h);
    const opened = h.sims.stripe.openDispute(intentId, { reason: 'fraudulent' });
    const createdEvent = h.sims.stripe.state.outbox.find((e) => e.type === 'charge.dispute.created')!;
    const createdBody = JSON.stringify(createdEvent, null, 2);
    await h.settle();

    const detail = await readJson(await h.api(`/api/v1/invoices/${invoice.id}`));
    expect(detail.disputes).toEqual([
      expect.objectContaining({
        external_id: opened.id,
        provider: 'stripe',
        status: 'needs_response',
        outcome: null,
        reason: 'fraudulent',
        amount_minor: invoice.totalMinor,
        currency: invoice.currency,
        closed_at: null,
      }),
    ]);
    const total = invoice.totalMinor;
    expect(await disputeJournal(h)).toEqual({
      dispute_opened: [
        ['cash', 0, total],
        ['disputed_funds', total, 0],
      ],
    });

    // Stripe delivers the same event again: nothing new is booked.
    expect((await deliver(h, createdBody, await h.sims.stripe.signPayload(createdBody))).status).toBe(200);
    await h.settle();
    expect(Object.keys(await disputeJournal(h))).toEqual(['dispute_opened']);

    h.sims.stripe.reviewDispute(opened.id);
    await h.settle();
    expect((await readJson(await h.api(`/api/v1/invoices/${invoice.id}`))).disputes[0].status).toBe('under_review');

    h.sims.stripe.closeDispute(opened.id, 'lost');
    await h.settle();
    const closed = (await readJson(await h.api(`/api/v1/invoices/${invoice.id}`))).disputes;
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ status: 'lost', outcome: 'lost', closed_at: expect.any(String) });
    expect(await disputeJournal(h)).toEqual({
      dispute_opened: [
        ['cash', 0, total],
        ['disputed_funds', total, 0],
      ],
      dispute_lost: [
        ['bad_debt', total, 0],
        ['disputed_funds', 0, total],
      ],
    });
    // A late `updated` (replayed out of order) does not reopen a decided dispute.
    const updated = h.sims.stripe.state.events.find((e) => e.type === 'charge.dispute.updated')!;
    const late = JSON.stringify({ ...updated, id: 'evt_late_update' });
    expect((await deliver(h, late, await h.sims.stripe.signPayload(late))).status).toBe(200);
    await h.settle();
    expect((await readJson(await h.api(`/api/v1/invoices/${invoice.id}`))).disputes[0].status).toBe('lost');
  });

  it('brings the amount back to cash when the dispute is won', async () => {
    h = await startHarness();
    const { intentId, invoice } = await paidInvoice(h);
    const opened = h.sims.stripe.openDispute(intentId, { reason: 'product_not_received' });
    await h.settle();
    h.sims.stripe.closeDispute(opened.id, 'won');
    await h.settle();
    const total = invoice.totalMinor;
    expect(await disputeJournal(h)).toEqual({
      dispute_opened: [
        ['cash', 0, total],
        ['disputed_funds', total, 0],
      ],
      dispute_won: [
        ['cash', total, 0],
        ['disputed_funds', 0, total],
      ],
    });
  });

  it('parks a dispute that arrives before the payment attempt is recorded and applies it after', async () => {
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
    const [intent] = [...h.sims.stripe.state.paymentIntents.values()];
    const opened = h.sims.stripe.openDispute(intent!.id);
    const event = h.sims.stripe.state.outbox.find((e) => e.type === 'charge.dispute.created')!;
    const body = JSON.stringify(event, null, 2);
    expect((await deliver(h, body, await h.sims.stripe.signPayload(body))).status).toBe(200);
    const [parked] = await h.db.select().from(parkedWebhooks);
    expect(parked).toMatchObject({ paymentExternalId: intent!.id, appliedAt: null });
    expect(await disputeJournal(h)).toEqual({});

    // The hub comes back: the attempt commits (applying the parked dispute), Stripe's events
    // arrive, the payment is recorded, and the dispute job (retrying until then) records it.
    h.sims.stripe.setWebhookUrl(`${h.server.url}/webhooks/stripe/${h.stripeConnectionId}`);
    await h.restart();
    h.clock.advance(6 * 60_000);
    await h.settle();
    h.clock.advance(5 * 60_000);
    await h.settle();
    expect(await h.db.select().from(payments)).toHaveLength(1);
    const [invoice] = await h.db.select().from(invoices);
    const detail = await readJson(await h.api(`/api/v1/invoices/${invoice!.id}`));
    expect(detail.disputes.map((d: { external_id: string }) => d.external_id)).toEqual([opened.id]);
    expect(Object.keys(await disputeJournal(h))).toEqual(['dispute_opened']);
    const [applied] = await h.db.select().from(parkedWebhooks).where(eq(parkedWebhooks.id, parked!.id));
    expect(applied!.appliedAt).not.toBeNull();
  });
});
