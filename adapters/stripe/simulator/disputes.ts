/**
 * Chargebacks in the simulated account: a test (or the sandbox) opens a dispute on a succeeded
 * PaymentIntent's charge, moves it along and closes it won or lost; each step queues the event
 * Stripe sends (charge.dispute.created / .updated / .closed), delivered signed by the outbox.
 * https://docs.stripe.com/disputes/how-disputes-work and https://docs.stripe.com/api/disputes/object
 */
import type { SimDispute, SimDisputeEvent } from './objects.js';
import type { StripeSim } from './state.js';

export interface DisputeControls {
  /** Opens a dispute for the whole amount (or `amount`, in Stripe's units) of a succeeded PaymentIntent. */
  openDispute(paymentIntentId: string, options?: { reason?: SimDispute['reason']; amount?: number }): SimDispute;
  /** The cardholder's bank reviews the evidence: status under_review, an `updated` event. */
  reviewDispute(disputeId: string): SimDispute;
  /** The bank decides: won or lost, a `closed` event. */
  closeDispute(disputeId: string, outcome: 'won' | 'lost'): SimDispute;
}

export function disputeControls(sim: StripeSim): DisputeControls {
  const emit = (type: SimDisputeEvent['type'], dispute: SimDispute) => {
    const event: SimDisputeEvent = {
      id: sim.newId('evt'),
      object: 'event',
      api_version: sim.options.apiVersion ?? '2026-10-28.endive',
      created: sim.nowSeconds(),
      data: { object: structuredClone(dispute) },
      livemode: false,
      pending_webhooks: sim.webhookUrl ? 1 : 0,
      // Not caused by an API request of ours: Stripe sends null request ids for these.
      request: { id: null, idempotency_key: null },
      type,
    };
    sim.state.events.push(event);
    sim.state.outbox.push(event);
  };
  const find = (id: string) => {
    const dispute = sim.state.disputes.get(id);
    if (!dispute) throw new Error(`no dispute ${id} in the simulated account`);
    return dispute;
  };
  return {
    openDispute(paymentIntentId, options = {}) {
      const intent = sim.state.paymentIntents.get(paymentIntentId);
      if (intent?.status !== 'succeeded' || !intent.latest_charge) {
        throw new Error(`PaymentIntent ${paymentIntentId} has no succeeded charge to dispute`);
      }
      const dispute: SimDispute = {
        id: sim.newId('du'),
        object: 'dispute',
        amount: options.amount ?? intent.amount_received,
        charge: intent.latest_charge,
        created: sim.nowSeconds(),
        currency: intent.currency,
        is_charge_refundable: false,
        livemode: false,
        metadata: {},
        payment_intent: intent.id,
        reason: options.reason ?? 'fraudulent',
        status: 'needs_response',
      };
      sim.state.disputes.set(dispute.id, dispute);
      emit('charge.dispute.created', dispute);
      return structuredClone(dispute);
    },
    reviewDispute(disputeId) {
      const dispute = find(disputeId);
      dispute.status = 'under_review';
      emit('charge.dispute.updated', dispute);
      return structuredClone(dispute);
    },
    closeDispute(disputeId, outcome) {
      const dispute = find(disputeId);
      dispute.status = outcome;
      emit('charge.dispute.closed', dispute);
      return structuredClone(dispute);
    },
  };
}
