/**
 * Double-entry journal entries. Entries are immutable; corrections are reversing entries.
 * Debits equal credits per currency in every entry, checked before anything is written.
 */
import { type Outcome, ok, permanent } from './outcome.js';

/** customer_credit: what we owe customers as credit toward later invoices (a liability). */
export type LedgerAccount =
  | 'accounts_receivable'
  | 'revenue'
  | 'tax_payable'
  | 'cash'
  | 'payment_fees'
  | 'customer_credit'
  | 'deferred_revenue'
  | 'bad_debt'
  /** Cash the provider holds back while a chargeback is open (a receivable from the provider). */
  | 'disputed_funds'
  /** Cash and payment-provider rounding of grand totals (payable.ts): a gain when rounded up. */
  | 'rounding_difference';

export interface JournalLine {
  account: LedgerAccount;
  currency: string;
  debitMinor: number;
  creditMinor: number;
}

export interface JournalEntry {
  kind:
    | 'invoice_issued'
    | 'payment_received'
    | 'invoice_voided'
    | 'credit_note_issued'
    | 'refund_issued'
    | 'customer_credit_applied'
    | 'invoice_written_off'
    | 'revenue_recognized'
    | 'dispute_opened'
    | 'dispute_won'
    | 'dispute_lost';
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

/**
 * Invoice finalized: the customer owes the total; revenue and tax payable are credited. A
 * rounded grand total (cash or provider rounding) books its difference on rounding_difference:
 * credited when rounded up, debited when rounded down, so receivable = the rounded total.
 */
export function invoiceIssuedEntry(invoice: {
  number: string;
  currency: string;
  subtotalMinor: number;
  taxMinor: number;
  roundingMinor?: number;
}): Outcome<JournalEntry> {
  const { currency } = invoice;
  const rounding = invoice.roundingMinor ?? 0;
  return checkBalanced({
    kind: 'invoice_issued',
    memo: `Invoice ${invoice.number} issued`,
    lines: [
      line('accounts_receivable', currency, invoice.subtotalMinor + invoice.taxMinor + rounding, 0),
      line('revenue', currency, 0, invoice.subtotalMinor),
      ...(invoice.taxMinor !== 0 ? [line('tax_payable', currency, 0, invoice.taxMinor)] : []),
      ...(rounding > 0 ? [line('rounding_difference', currency, 0, rounding)] : []),
      ...(rounding < 0 ? [line('rounding_difference', currency, -rounding, 0)] : []),
    ],
  });
}

/**
 * Payment settled: cash net of the processor fee, the fee as an expense, receivable cleared.
 * `overpaidMinor`: the part beyond what was due (a credit note lowered it after the attempt was
 * open) is owed back to the customer, so it is credited to customer_credit, not the receivable.
 */
export function paymentReceivedEntry(payment: {
  invoiceNumber: string;
  currency: string;
  amountMinor: number;
  feeMinor: number;
  overpaidMinor?: number;
}): Outcome<JournalEntry> {
  const { currency } = payment;
  const over = payment.overpaidMinor ?? 0;
  return checkBalanced({
    kind: 'payment_received',
    memo:
      over > 0
        ? `Payment for invoice ${payment.invoiceNumber}, ${over} (minor units) over what was due kept as customer credit`
        : `Payment for invoice ${payment.invoiceNumber}`,
    lines: [
      line('cash', currency, payment.amountMinor - payment.feeMinor, 0),
      ...(payment.feeMinor !== 0 ? [line('payment_fees', currency, payment.feeMinor, 0)] : []),
      ...(payment.amountMinor - over > 0 || over === 0
        ? [line('accounts_receivable', currency, 0, payment.amountMinor - over)]
        : []),
      ...(over > 0 ? [line('customer_credit', currency, 0, over)] : []),
    ],
  });
}

/**
 * The entry that undoes `entry`: every line with debit and credit swapped. Entries are never
 * edited; a void books this beside the original (kind says which it is).
 */
export function reversingEntry(entry: JournalEntry, kind: JournalEntry['kind'], memo: string): Outcome<JournalEntry> {
  return checkBalanced({
    kind,
    memo,
    lines: entry.lines.map((l) => line(l.account, l.currency, l.creditMinor, l.debitMinor)),
  });
}

/** Invoice voided: its issue entry reversed (revenue and tax payable debited, receivable cleared). */
export function invoiceVoidedEntry(invoice: {
  number: string;
  currency: string;
  subtotalMinor: number;
  taxMinor: number;
  roundingMinor?: number;
}): Outcome<JournalEntry> {
  const issued = invoiceIssuedEntry(invoice);
  if (!issued.ok) return issued;
  return reversingEntry(issued.value, 'invoice_voided', `Invoice ${invoice.number} voided`);
}

/**
 * Credit note issued: revenue and tax payable are debited back. What the customer is owed goes
 * to the receivable (it lowers what is still due, or is paid out by a refund), or to customer
 * credit when it is kept for later invoices. A note carrying its invoice's rounding difference
 * (credit-notes.ts) reverses that too: rounding_difference debited when the invoice was rounded up.
 */
export function creditNoteIssuedEntry(note: {
  number: string;
  invoiceNumber: string;
  currency: string;
  netMinor: number;
  taxMinor: number;
  roundingMinor?: number;
  toCustomerCredit: boolean;
}): Outcome<JournalEntry> {
  const { currency } = note;
  const rounding = note.roundingMinor ?? 0;
  return checkBalanced({
    kind: 'credit_note_issued',
    memo: `Credit note ${note.number} for invoice ${note.invoiceNumber}`,
    lines: [
      line('revenue', currency, note.netMinor, 0),
      ...(note.taxMinor !== 0 ? [line('tax_payable', currency, note.taxMinor, 0)] : []),
      ...(rounding > 0 ? [line('rounding_difference', currency, rounding, 0)] : []),
      ...(rounding < 0 ? [line('rounding_difference', currency, 0, -rounding)] : []),
      line(
        note.toCustomerCredit ? 'customer_credit' : 'accounts_receivable',
        currency,
        0,
        note.netMinor + note.taxMinor + rounding,
      ),
    ],
  });
}

/**
 * Refund paid out for a credit note: the receivable it left owed to the customer is settled in
 * cash. `keptAsCreditMinor`: the part the provider cannot refund (below its amount step, e.g.
 * 5 fils of a KWD note at Stripe) moves from the receivable to customer credit in the same entry.
 */
export function refundIssuedEntry(refund: {
  creditNoteNumber: string;
  currency: string;
  amountMinor: number;
  keptAsCreditMinor?: number;
}): Outcome<JournalEntry> {
  const kept = refund.keptAsCreditMinor ?? 0;
  return checkBalanced({
    kind: 'refund_issued',
    memo:
      kept > 0
        ? `Refund of credit note ${refund.creditNoteNumber}, ${kept} (minor units) kept as customer credit`
        : `Refund of credit note ${refund.creditNoteNumber}`,
    lines: [
      line('accounts_receivable', refund.currency, refund.amountMinor + kept, 0),
      ...(refund.amountMinor > 0 || kept === 0 ? [line('cash', refund.currency, 0, refund.amountMinor)] : []),
      ...(kept > 0 ? [line('customer_credit', refund.currency, 0, kept)] : []),
    ],
  });
}

/** Customer credit spent on an invoice: what we owed the customer settles part of what it owes us. */
export function customerCreditAppliedEntry(applied: {
  invoiceNumber: string;
  currency: string;
  amountMinor: number;
}): Outcome<JournalEntry> {
  return checkBalanced({
    kind: 'customer_credit_applied',
    memo: `Customer credit applied to invoice ${applied.invoiceNumber}`,
    lines: [
      line('customer_credit', applied.currency, applied.amountMinor, 0),
      line('accounts_receivable', applied.currency, 0, applied.amountMinor),
    ],
  });
}

/** What is left owing on an invoice written off as uncollectible: an expense, the receivable cleared. */
export function writeOffEntry(writeOff: {
  invoiceNumber: string;
  currency: string;
  amountMinor: number;
}): Outcome<JournalEntry> {
  return checkBalanced({
    kind: 'invoice_written_off',
    memo: `Invoice ${writeOff.invoiceNumber} written off`,
    lines: [
      line('bad_debt', writeOff.currency, writeOff.amountMinor, 0),
      line('accounts_receivable', writeOff.currency, 0, writeOff.amountMinor),
    ],
  });
}

/**
 * A month's revenue recognition for one document. Invoices credit revenue in full when issued;
 * at month close the part not yet earned moves to deferred revenue and is released as it is
 * earned. `deferMinor` is the change in what stays deferred at the month's end: positive defers
 * (revenue debited, deferred revenue credited), negative releases (the other way round).
 */
export function revenueRecognizedEntry(recognition: {
  documentNumber: string;
  period: string;
  currency: string;
  deferMinor: number;
  explanation: string;
}): Outcome<JournalEntry> {
  const { currency, deferMinor } = recognition;
  const amount = Math.abs(deferMinor);
  return checkBalanced({
    kind: 'revenue_recognized',
    memo: `Revenue recognition ${recognition.period} for ${recognition.documentNumber}: ${recognition.explanation}`,
    lines:
      deferMinor >= 0
        ? [line('revenue', currency, amount, 0), line('deferred_revenue', currency, 0, amount)]
        : [line('deferred_revenue', currency, amount, 0), line('revenue', currency, 0, amount)],
  });
}

/**
 * A chargeback: opened, the provider takes the amount back from our cash and holds it
 * (disputed_funds); won, it comes back to cash; lost, it is gone (bad_debt). One entry per
 * transition, keyed by the dispute, so a repeated event books nothing twice.
 */
export function disputeEntry(
  stage: 'opened' | 'won' | 'lost',
  dispute: { externalId: string; invoiceNumber: string; amountMinor: number; currency: string },
): Outcome<JournalEntry> {
  const { currency, amountMinor: amount } = dispute;
  const debit: LedgerAccount = stage === 'opened' ? 'disputed_funds' : stage === 'won' ? 'cash' : 'bad_debt';
  const credit: LedgerAccount = stage === 'opened' ? 'cash' : 'disputed_funds';
  return checkBalanced({
    kind: `dispute_${stage}`,
    memo: `Dispute ${dispute.externalId} ${stage} on invoice ${dispute.invoiceNumber}`,
    lines: [line(debit, currency, amount, 0), line(credit, currency, 0, amount)],
  });
}
