/**
 * What a customer owes and holds, for GET /api/v1/customers: the balance is what is still due
 * (amountDueMinor) over its open invoices, the credit what is left of its prepaid grants that
 * can still be spent today. Pure: the repository gathers the rows, this adds them up.
 */
import { remainingBalances, usableGrants } from './billing/credits.js';
import type { CreditGrant } from './contracts/terms.js';
import { amountDueMinor, type InvoiceDocumentKind, type InvoiceStatus } from './invoice-lifecycle.js';

/**
 * Issued and not settled: the customer is asked to pay these. Drafts and tax_pending are not bills
 * yet; paid and void owe nothing; uncollectible is written off (no longer counted as receivable).
 */
export const OPEN_INVOICE_STATUSES = ['finalized', 'partially_paid', 'overdue'] as const satisfies InvoiceStatus[];

export function isOpenInvoice(status: InvoiceStatus): boolean {
  return (OPEN_INVOICE_STATUSES as readonly InvoiceStatus[]).includes(status);
}

export interface BalanceInvoice {
  documentKind: InvoiceDocumentKind;
  status: InvoiceStatus;
  currency: string;
  totalMinor: number;
  amountPaidMinor: number;
  /** Issued credit notes against it. */
  creditedMinor: number;
}

export interface CustomerBalance {
  /** What is due per currency, over open invoices (a currency appears once it has an open invoice). */
  dueByCurrency: Map<string, number>;
  /** Open invoices with something still due. */
  openInvoiceCount: number;
}

export function customerBalance(invoices: readonly BalanceInvoice[]): CustomerBalance {
  const dueByCurrency = new Map<string, number>();
  let openInvoiceCount = 0;
  for (const invoice of invoices) {
    if (invoice.documentKind === 'credit_note' || !isOpenInvoice(invoice.status)) continue;
    const due = amountDueMinor(invoice);
    if (due <= 0) continue;
    openInvoiceCount++;
    dueByCurrency.set(invoice.currency, (dueByCurrency.get(invoice.currency) ?? 0) + due);
  }
  return { dueByCurrency, openInvoiceCount };
}

/** One wallet (a deal's newest terms): its grants, their currency and what invoices drew (≤ 0 per grant). */
export interface Wallet {
  grants: readonly CreditGrant[];
  currency: string;
  drawnMinor: ReadonlyMap<string, number>;
}

/** Unspent prepaid credit per currency on `today`: grants granted by then and not yet expired. */
export function walletCredit(wallets: readonly Wallet[], today: string): Map<string, number> {
  const credit = new Map<string, number>();
  for (const w of wallets) {
    const left = remainingBalances(usableGrants(w.grants, today), w.currency, w.drawnMinor);
    const sum = Object.values(left).reduce((a, b) => a + b, 0);
    if (sum > 0) credit.set(w.currency, (credit.get(w.currency) ?? 0) + sum);
  }
  return credit;
}
