/** Loads the invoice a flow works on, with its lines and customer, or a permanent failure. */

import type { Db } from '../src/db/client.js';
import { getCustomer, getInvoiceWithLines } from '../src/db/repos/billing.js';
import { type Outcome, ok, permanent } from '../src/domain/outcome.js';
import type { StepContext } from './types.js';

export async function loadInvoice(db: Db, orgId: string, invoiceId: string) {
  const found = await getInvoiceWithLines(db, orgId, invoiceId);
  if (!found) return permanent(`invoice ${invoiceId} not found`) as Outcome<never>;
  const customer = await getCustomer(db, orgId, found.invoice.customerId);
  if (!customer) return permanent(`customer ${found.invoice.customerId} not found`) as Outcome<never>;
  return ok({ ...found, customer });
}

/**
 * The invoice of a flow that runs after finalizing gave it its number (tax, collect, ERP, payments):
 * one without a number is a bug upstream, reported as a permanent failure, never sent to a vendor.
 */
export async function loadNumberedInvoice(db: Db, orgId: string, invoiceId: string) {
  const loaded = await loadInvoice(db, orgId, invoiceId);
  if (!loaded.ok) return loaded;
  const { invoice } = loaded.value;
  if (invoice.number === null)
    return permanent(`invoice ${invoiceId} has no number yet (still a draft)`) as Outcome<never>;
  return ok({ ...loaded.value, invoice: { ...invoice, number: invoice.number } });
}

/**
 * loadNumberedInvoice() kept for the attempt (StepContext.memo): for the steps that only send
 * the invoice to a vendor and record the vendor's id (tax, payment, ERP), which change none of it.
 */
export function numberedInvoiceFor(
  ctx: { deps: { db: Db }; orgId: string; memo: StepContext<unknown>['memo'] },
  invoiceId: string,
): ReturnType<typeof loadNumberedInvoice> {
  return ctx.memo(`numbered-invoice:${invoiceId}`, () => loadNumberedInvoice(ctx.deps.db, ctx.orgId, invoiceId));
}
