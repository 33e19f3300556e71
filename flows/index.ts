/** Every flow by name: the job handler for kind "flow" dispatches through this registry. */
import { collectPayment } from './collect-payment.js';
import { crmWriteBack } from './crm-write-back.js';
import { dealAmendment } from './deal-amendment.js';
import { dealToContract } from './deal-to-contract.js';
import { dunningRetry } from './dunning.js';
import { finalizeInvoice } from './finalize-invoice.js';
import { issueCreditNote } from './issue-credit-note.js';
import { postInvoiceToErp } from './post-invoice-to-erp.js';
import { postJournalToErp } from './post-journal-to-erp.js';
import { postPaymentToErp } from './post-payment-to-erp.js';
import { postRefundToErp } from './post-refund-to-erp.js';
import { recordDispute } from './record-dispute.js';
import { recordPayment } from './record-payment.js';
import type { Flow } from './types.js';
import { voidInvoice } from './void-invoice.js';

// biome-ignore lint/suspicious/noExplicitAny: each flow has its own input type; the job payload carries it
export const flows: Record<string, Flow<any>> = {
  [dealToContract.name]: dealToContract,
  [dealAmendment.name]: dealAmendment,
  [finalizeInvoice.name]: finalizeInvoice,
  [issueCreditNote.name]: issueCreditNote,
  [collectPayment.name]: collectPayment,
  [recordPayment.name]: recordPayment,
  [recordDispute.name]: recordDispute,
  [dunningRetry.name]: dunningRetry,
  [postInvoiceToErp.name]: postInvoiceToErp,
  [postPaymentToErp.name]: postPaymentToErp,
  [postJournalToErp.name]: postJournalToErp,
  [postRefundToErp.name]: postRefundToErp,
  [crmWriteBack.name]: crmWriteBack,
  [voidInvoice.name]: voidInvoice,
};

export { compensateFlow } from './compensate.js';
export { DEAL_AMENDMENT, dealAmendmentJob } from './deal-amendment.js';
export { defineFlow } from './define.js';
export { dealCorrelationId, dealToContractJob, FLOW_JOB_KIND, flowJob } from './jobs.js';
export {
  RECONCILE_AFTER_MS,
  RECONCILE_INTERVAL_MS,
  type ReconcileResult,
  reconcilePayments,
  recordPaymentJob,
} from './payment-reconcile.js';
export { runFlow, STOPPED_STEP } from './runner.js';
export type { AdapterSet, FlowDeps, FlowHooks, OrgSettings } from './types.js';
