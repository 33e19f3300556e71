/**
 * The payment reconciler: the safety net for payment webhooks that never arrive. For every
 * finalized invoice with a payment attempt older than RECONCILE_AFTER_MS and no payment recorded,
 * it asks the provider for the payment's state (PaymentPort.findPayment, by our invoice id) and,
 * once it has settled, enqueues the same record-payment job the webhook would — same dedupe key,
 * so a webhook arriving too changes nothing.
 */
import { atomic, rowsChanged } from '../src/db/atomic.js';
import type { Db } from '../src/db/client.js';
import { unsettledPaymentAttempts } from '../src/db/repos/payment-reconcile.js';
import type { Clock } from '../src/domain/clock.js';
import type { Outcome } from '../src/domain/outcome.js';
import type { PaymentVendor } from '../src/domain/vendors.js';
import { enqueueStatement } from '../src/jobs/queue.js';
import type { JobDriver } from '../src/jobs/types.js';
import { dealCorrelationId } from './jobs.js';
import { sweepParkedWebhooks } from './parked-webhooks.js';
import { recordPaymentJob } from './record-payment.js';
import type { AdapterSet } from './types.js';

/** A webhook normally arrives within seconds; after this long the reconciler asks. */
export const RECONCILE_AFTER_MS = 5 * 60_000;
export const RECONCILE_INTERVAL_MS = 5 * 60_000;
/** Invoices looked at per run; the rest wait for the next one. */
export const RECONCILE_LIMIT = 200;

export interface PaymentReconcileDeps {
  db: Db;
  clock: Clock;
  driver: JobDriver;
  adaptersFor(orgId: string): Promise<Outcome<AdapterSet>>;
}

export interface ReconcileResult {
  checked: number;
  enqueued: number;
  errors: string[];
}

export { recordPaymentJob };

export async function reconcilePayments(deps: PaymentReconcileDeps): Promise<ReconcileResult> {
  // Webhooks parked before their attempt committed, whose attempt has appeared since.
  await sweepParkedWebhooks(deps);
  const now = deps.clock.now();
  const before = new Date(now.getTime() - RECONCILE_AFTER_MS).toISOString();
  const attempts = await unsettledPaymentAttempts(deps.db, before, RECONCILE_LIMIT);
  const result: ReconcileResult = { checked: 0, enqueued: 0, errors: [] };
  for (const attempt of attempts) {
    const adapters = await deps.adaptersFor(attempt.orgId);
    if (!adapters.ok) {
      result.errors.push(`${attempt.invoiceId}: ${adapters.reason}`);
      continue;
    }
    const { payment } = adapters.value;
    if (payment.vendor !== attempt.provider) continue;
    result.checked += 1;
    const state = await payment.findPayment(attempt.invoiceId);
    if (!state.ok) {
      result.errors.push(`${attempt.invoiceId}: ${state.reason}`);
      continue;
    }
    const found = state.value;
    if (!found || (found.status !== 'succeeded' && found.status !== 'failed')) continue;
    const { statement, id } = enqueueStatement(
      deps.db,
      deps.clock,
      recordPaymentJob({
        orgId: attempt.orgId,
        input: {
          provider: payment.vendor as PaymentVendor,
          paymentExternalId: found.externalId,
          invoiceId: attempt.invoiceId,
          status: found.status,
          amountMinor: found.amountMinor,
          currency: found.currency,
          occurredAt: now.toISOString(),
        },
        correlationId:
          attempt.sourceSystem && attempt.sourceDealId
            ? dealCorrelationId(attempt.sourceSystem, attempt.sourceDealId)
            : `invoice:${attempt.invoiceId}`,
      }),
    );
    const [changes] = await atomic(deps.db, [statement]);
    if (rowsChanged(changes) > 0) {
      result.enqueued += 1;
      await deps.driver.notify([id]);
    }
  }
  if (result.errors.length > 0) console.warn(`[payment-reconcile] ${result.errors.join('; ')}`);
  return result;
}
