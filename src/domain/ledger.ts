/**
 * Double-entry journal entries. Entries are immutable; corrections are reversing entries.
 * Debits equal credits per currency in every entry, checked before anything is written.
 */
import { type Outcome, ok, permanent } from './outcome.js';

export type LedgerAccount = 'accounts_receivable' | 'revenue' | 'tax_payable' | 'cash' | 'payment_fees';

export interface JournalLine {
  account: LedgerAccount;
  currency: string;
  debitMinor: number;
  creditMinor: number;
}

export interface JournalEntry {
  kind: 'invoice_issued' | 'payment_received';
  memo: string;
  lines: JournalLine[];
}

export function checkBalanced(entry: JournalEntry): Outcome<JournalEntry> {
  const totals = new Map<string, number>();
  for (const line of entry.lines) {
    if (!Number.isSafeInteger(line.debitMinor) || !Number.isSafeInteger(line.creditMinor)) {
      return permanent(`ledger line ${line.account} has a non-integer amount`);
    }
    if (line.debitMinor < 0 || line.creditMinor < 0) return permanent(`ledger line ${line.account} is negative`);
    totals.set(line.currency, (totals.get(line.currency) ?? 0) + line.debitMinor - line.creditMinor);
  }
  for (const [currency, net] of totals) {
    if (net !== 0) return permanent(`journal entry "${entry.memo}" is unbalanced in ${currency} by ${net}`);
  }
  return ok(entry);
}

const line = (account: LedgerAccount, currency: string, debitMinor: number, creditMinor: number): JournalLine => ({
  account,
  currency,
  debitMinor,
  creditMinor,
});

/** Invoice finalized: the customer owes the total; revenue and tax payable are credited. */
export function invoiceIssuedEntry(invoice: {
  number: string;
  currency: string;
  subtotalMinor: number;
  taxMinor: number;
}): Outcome<JournalEntry> {
  const { currency } = invoice;
  return checkBalanced({
    kind: 'invoice_issued',
    memo: `Invoice ${invoice.number} issued`,
    lines: [
      line('accounts_receivable', currency, invoice.subtotalMinor + invoice.taxMinor, 0),
      line('revenue', currency, 0, invoice.subtotalMinor),
      ...(invoice.taxMinor !== 0 ? [line('tax_payable', currency, 0, invoice.taxMinor)] : []),
    ],
  });
}

/** Payment settled: cash net of the processor fee, the fee as an expense, receivable cleared. */
export function paymentReceivedEntry(payment: {
  invoiceNumber: string;
  currency: string;
  amountMinor: number;
  feeMinor: number;
}): Outcome<JournalEntry> {
  const { currency } = payment;
  return checkBalanced({
    kind: 'payment_received',
    memo: `Payment for invoice ${payment.invoiceNumber}`,
    lines: [
      line('cash', currency, payment.amountMinor - payment.feeMinor, 0),
      ...(payment.feeMinor !== 0 ? [line('payment_fees', currency, payment.feeMinor, 0)] : []),
      line('accounts_receivable', currency, 0, payment.amountMinor),
    ],
  });
}
