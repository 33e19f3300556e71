/**
 * The one handler behind every payment vendor's webhook endpoint: one endpoint per connection, so
 * the signing secret (and the org) is known before the body is trusted; the org's PaymentPort
 * verifies and parses the event, and a payment event starts the record-payment flow.
 */
import type { Context } from 'hono';
import type { PaymentEvent } from '../../../adapters/ports.js';
import { dealCorrelationId, flowJob } from '../../../flows/index.js';
import { atomic } from '../../db/atomic.js';
import { getContract, getInvoiceWithLines } from '../../db/repos/billing.js';
import { findConnectionById } from '../../db/repos/connections.js';
import { recordInboxEvent } from '../../db/repos/webhook-inbox.js';
import type { PaymentVendor } from '../../domain/vendors.js';
import { enqueueStatement } from '../../jobs/queue.js';
import type { HubContext } from '../context.js';
import { problem } from '../problem.js';
import { type RefusalBudget, unauthenticated } from './webhook-answers.js';

type HandledEvent = PaymentEvent & {
  type: 'payment.succeeded' | 'payment.failed';
  paymentExternalId: string;
  invoiceId: string;
};

/** The record-payment job for an event that names our invoice, correlated with its deal when there is one. */
async function recordPaymentJob(hub: HubContext, orgId: string, vendor: PaymentVendor, e: HandledEvent) {
  const invoice = await getInvoiceWithLines(hub.db, orgId, e.invoiceId);
  if (!invoice) return undefined;
  const contract = await getContract(hub.db, orgId, invoice.invoice.contractId);
  return enqueueStatement(
    hub.db,
    hub.clock,
    flowJob({
      orgId,
      flow: 'record-payment',
      subjectId: `${vendor}:${e.paymentExternalId}:${e.type}`,
      input: {
        provider: vendor,
        paymentExternalId: e.paymentExternalId,
        invoiceId: e.invoiceId,
        status: e.type === 'payment.succeeded' ? 'succeeded' : 'failed',
        amountMinor: e.amountMinor,
        currency: e.currency,
        occurredAt: e.occurredAt,
      },
      correlationId: contract
        ? dealCorrelationId(contract.sourceSystem, contract.sourceDealId)
        : `invoice:${e.invoiceId}`,
      connectionKey: vendor,
    }),
  );
}

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
    if (e.type === 'ignored' || !e.paymentExternalId || !e.invoiceId) {
      await atomic(hub.db, [inbox]);
      return taken(c, false);
    }
    const job = await recordPaymentJob(hub, orgId, vendor, e as HandledEvent);
    if (!job)
      return problem(c, 422, 'Unknown invoice', `event ${e.eventId} names invoice ${e.invoiceId}, not in this org`);
    await atomic(hub.db, [inbox, job.statement]);
    await hub.driver.notify([job.id]);
    return taken(c, true);
  };
}
