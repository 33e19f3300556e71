/**
 * The one handler behind every payment vendor's webhook endpoint: one endpoint per connection, so
 * the signing secret (and the org) is known before the body is trusted; the org's PaymentPort
 * verifies and parses the event, and a payment event starts the record-payment flow (or is parked
 * until the hub's record of the payment attempt exists: flows/parked-webhooks.ts).
 */
import type { Context } from 'hono';
import {
  type HandledPaymentEvent,
  invoiceOfEvent,
  recordPaymentJobFor,
  unparkPayment,
} from '../../../flows/parked-webhooks.js';
import { atomic } from '../../db/atomic.js';
import { findConnectionById } from '../../db/repos/connections.js';
import { parkWebhookStatement } from '../../db/repos/parked-webhooks.js';
import { recordInboxEvent } from '../../db/repos/webhook-inbox.js';
import type { PaymentVendor } from '../../domain/vendors.js';
import { enqueueStatement } from '../../jobs/queue.js';
import type { HubContext } from '../context.js';
import { problem } from '../problem.js';
import { type RefusalBudget, unauthenticated } from './webhook-answers.js';

export function paymentWebhookHandler(
  hub: HubContext,
  vendor: PaymentVendor,
  endpointName: string,
  budget: RefusalBudget,
  /** The vendor's plain-text acknowledgement (Adyen `[accepted]`), sent for every event taken. */
  acknowledge?: string,
) {
  const taken = (c: Context, handled: boolean) =>
    acknowledge === undefined ? c.json({ received: true, handled }) : c.text(acknowledge);
  return async (c: Context): Promise<Response> => {
    const connectionId = c.req.param('connectionId') ?? '';
    const key = `${vendor}:${endpointName}:${connectionId}`;
    const spent = budget.spent(c, key);
    if (spent) return spent;
    // Only refusals spend the budget: every event the vendor signed is taken, however many.
    const refuse = (why?: string) => {
      budget.charge(key);
      return unauthenticated(c, why);
    };
    const connection = await findConnectionById(hub.db, connectionId);
    if (connection?.vendor !== vendor) return refuse();
    const orgId = connection.orgId;
    const adapters = await hub.adaptersFor(orgId);
    if (!adapters.ok) {
      // Nothing can verify the event; the vendor retries (Stripe: any non-2xx, for three days).
      console.warn(`[webhooks] ${vendor} event for org ${orgId} refused: ${adapters.reason}`);
      return refuse();
    }
    if (adapters.value.payment.vendor !== vendor)
      return refuse(`the org pays through ${adapters.value.payment.vendor}`);
    const raw = await c.req.text();
    const event = await adapters.value.payment.parseWebhook(raw, c.req.raw.headers);
    if (!event.ok) {
      // A body the signature vouches for but that is not a well-formed event is the sender's
      // mistake to fix (400 naming it); everything else is refused like a bad credential.
      if (event.status === 400) return problem(c, 400, 'Invalid event', event.reason);
      return refuse(event.reason);
    }
    const e = event.value;
    const inbox = recordInboxEvent(hub.db, orgId, {
      provider: vendor,
      eventId: e.eventId,
      payload: raw,
      receivedAt: hub.clock.now().toISOString(),
    });
    if (e.type === 'ignored' || !e.paymentExternalId) {
      await atomic(hub.db, [inbox]);
      return taken(c, false);
    }
    const handled = e as HandledPaymentEvent;
    const invoiceId = await invoiceOfEvent(hub.db, orgId, vendor, handled);
    if (!invoiceId) {
      // Before our own record of the attempt committed (or with no invoice id of ours): parked,
      // and applied once the attempt exists (flows/parked-webhooks.ts). Looked for once more right
      // after parking, in case the attempt committed in between.
      await atomic(hub.db, [
        inbox,
        parkWebhookStatement(hub.db, orgId, {
          provider: vendor,
          eventId: e.eventId,
          paymentExternalId: handled.paymentExternalId,
          event: handled,
          parkedAt: hub.clock.now().toISOString(),
        }),
      ]);
      await unparkPayment(hub, orgId, vendor, handled.paymentExternalId);
      return taken(c, true);
    }
    const job = enqueueStatement(
      hub.db,
      hub.clock,
      await recordPaymentJobFor(hub.db, orgId, vendor, handled, invoiceId),
    );
    await atomic(hub.db, [inbox, job.statement]);
    await hub.driver.notify([job.id]);
    return taken(c, true);
  };
}
