/**
 * Payment webhooks that come before the hub's own record of the payment attempt (the provider
 * answered and sent its event before our createPayment step committed, or the event carries no
 * invoice id of ours): parked, and applied once the attempt exists, by the same record-payment job
 * the webhook would have enqueued (same dedupe key, so a later duplicate changes nothing).
 *
 * Three paths apply a parked event, so none is lost whatever the interleaving:
 * - the webhook handler looks for the attempt again right after parking;
 * - the createPayment step applies events parked on its payment in its own commit;
 * - the payment reconciler's sweep applies whatever is left (src/runtime calls it every 5 minutes).
 */
import type { PaymentEvent } from '../adapters/ports.js';
import { atomic, rowsChanged } from '../src/db/atomic.js';
import type { Db, Statement } from '../src/db/client.js';
import { getContract, getInvoiceWithLines } from '../src/db/repos/billing.js';
import {
  invoiceOfPaymentAttempt,
  type ParkedWebhook,
  parkedAppliedStatement,
  parkedOnPayment,
  parkedWaiting,
} from '../src/db/repos/parked-webhooks.js';
import type { Clock } from '../src/domain/clock.js';
import type { PaymentVendor } from '../src/domain/vendors.js';
import { enqueueStatement } from '../src/jobs/queue.js';
import type { JobDriver, NewJob } from '../src/jobs/types.js';
import { dealCorrelationId } from './jobs.js';
import { recordDisputeJob } from './record-dispute.js';
import { recordPaymentJob } from './record-payment.js';

/** A payment event the hub acts on (a payment's outcome or a dispute on it, with the provider's payment id). */
export type HandledPaymentEvent = PaymentEvent & {
  type: 'payment.succeeded' | 'payment.failed' | 'dispute.created' | 'dispute.updated' | 'dispute.closed';
  paymentExternalId: string;
};

/** Events parked per sweep; the rest wait for the next one. */
export const PARKED_SWEEP_LIMIT = 200;

/**
 * The invoice an event is about: the one it names, if this org has it, else the one whose
 * payment attempt has the event's payment id. Undefined: park it.
 */
export async function invoiceOfEvent(
  db: Db,
  orgId: string,
  vendor: string,
  e: HandledPaymentEvent,
): Promise<string | undefined> {
  if (e.invoiceId && (await getInvoiceWithLines(db, orgId, e.invoiceId))) return e.invoiceId;
  return invoiceOfPaymentAttempt(db, orgId, vendor, e.paymentExternalId);
}

/** The record-payment job for an event tied to our invoice, correlated with its deal when there is one. */
export async function recordPaymentJobFor(
  db: Db,
  orgId: string,
  vendor: PaymentVendor,
  e: HandledPaymentEvent,
  invoiceId: string,
): Promise<NewJob> {
  const invoice = await getInvoiceWithLines(db, orgId, invoiceId);
  const contract = invoice ? await getContract(db, orgId, invoice.invoice.contractId) : undefined;
  const correlationId = contract
    ? dealCorrelationId(contract.sourceSystem, contract.sourceDealId)
    : `invoice:${invoiceId}`;
  if (e.dispute && e.type.startsWith('dispute.')) {
    // A chargeback on the payment: flows/record-dispute.ts, one job per event.
    return recordDisputeJob({
      orgId,
      input: {
        provider: vendor,
        eventId: e.eventId,
        paymentExternalId: e.paymentExternalId,
        invoiceId,
        disputeExternalId: e.dispute.externalId,
        status: e.dispute.status,
        outcome: e.dispute.outcome,
        reason: e.dispute.reason,
        amountMinor: e.amountMinor,
        currency: e.currency,
        occurredAt: e.occurredAt,
      },
      correlationId,
    });
  }
  return recordPaymentJob({
    orgId,
    input: {
      provider: vendor,
      paymentExternalId: e.paymentExternalId,
      invoiceId,
      status: e.type === 'payment.succeeded' ? 'succeeded' : 'failed',
      amountMinor: e.amountMinor,
      currency: e.currency,
      occurredAt: e.occurredAt,
    },
    correlationId,
  });
}

/**
 * What applies the org's events parked on one payment, given the invoice its attempt is for:
 * each one's record-payment job and its applied mark, for the caller's commit.
 */
export async function applyParkedStatements(
  db: Db,
  orgId: string,
  provider: PaymentVendor,
  parked: readonly ParkedWebhook[],
  invoiceId: string,
  now: string,
): Promise<{ jobs: NewJob[]; statements: Statement[] }> {
  const jobs: NewJob[] = [];
  const statements: Statement[] = [];
  for (const row of parked) {
    const event = JSON.parse(row.event) as HandledPaymentEvent;
    jobs.push(await recordPaymentJobFor(db, orgId, provider, event, invoiceId));
    statements.push(parkedAppliedStatement(db, orgId, row.id, invoiceId, now));
  }
  return { jobs, statements };
}

export interface UnparkDeps {
  db: Db;
  clock: Clock;
  driver: JobDriver;
}

/** Applies the org's events parked on one payment if its attempt now exists; the number applied. */
export async function unparkPayment(
  deps: UnparkDeps,
  orgId: string,
  provider: PaymentVendor,
  paymentExternalId: string,
): Promise<number> {
  const { db, clock } = deps;
  const parked = await parkedOnPayment(db, orgId, provider, paymentExternalId);
  if (parked.length === 0) return 0;
  const first = JSON.parse(parked[0]!.event) as HandledPaymentEvent;
  const invoiceId = await invoiceOfEvent(db, orgId, provider, first);
  if (!invoiceId) return 0;
  const now = clock.now().toISOString();
  const { jobs, statements } = await applyParkedStatements(db, orgId, provider, parked, invoiceId, now);
  const enqueued = jobs.map((job) => enqueueStatement(db, clock, job));
  const changes = await atomic(db, [...statements, ...enqueued.map((e) => e.statement)]);
  await deps.driver.notify(enqueued.map((e) => e.id));
  return changes.slice(0, statements.length).filter((c) => rowsChanged(c) > 0).length;
}

/** The safety net: every payment with parked events whose attempt has appeared since. */
export async function sweepParkedWebhooks(deps: UnparkDeps): Promise<number> {
  const waiting = await parkedWaiting(deps.db, PARKED_SWEEP_LIMIT);
  const payments = new Map<string, ParkedWebhook>();
  for (const row of waiting) payments.set(`${row.orgId}|${row.provider}|${row.paymentExternalId}`, row);
  let applied = 0;
  for (const row of payments.values()) {
    applied += await unparkPayment(deps, row.orgId, row.provider as PaymentVendor, row.paymentExternalId);
  }
  return applied;
}
