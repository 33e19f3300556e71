/**
 * One lifecycle for every invoice kind and for credit notes (issue #10). Pure: the write actions
 * (approve, finalize, void, ...) ask `transition` first and write the state it returns, or answer
 * 409 with the error's detail when it refuses.
 *
 * ```
 *            request_tax            commit_tax
 *   draft ───────────────▶ tax_pending ──────────▶ finalized ──pay──────────▶ paid
 *     │                        │                   │  │  │
 *     └────────finalize (no tax needed)───────────▶┘  │  ├─pay_partial──▶ partially_paid ─pay─▶ paid
 *                                                     │  ├─mark_overdue─▶ overdue ──────────pay─▶ paid
 *   draft, tax_pending ──void (discard)──▶ void       │  └─mark_uncollectible─▶ uncollectible ─pay─▶ paid
 *   finalized, overdue, uncollectible ──void──▶ void  │
 * ```
 *
 * The full table is TRANSITIONS below; anything not in it is illegal. Decisions worth knowing:
 * - `finalize` is only legal from draft (no tax needed). A tax_pending invoice finalizes only by
 *   `commit_tax`, so no path skips the tax engine once it was asked. A failed or refused tax call
 *   is no event: the invoice stays tax_pending and is retried (it never becomes "failed").
 * - Drafts and tax_pending invoices can be voided (discarded): they have no number and nothing
 *   downstream yet. A finalized invoice is immutable; void is its only way back, and only while
 *   nothing was paid — partially_paid and paid are corrected by credit notes instead. The state
 *   machine cannot see amounts, so the void action also checks amount_paid_minor = 0 for overdue
 *   and uncollectible invoices that were partially paid before.
 * - Another partial payment on a partially_paid, overdue or uncollectible invoice keeps its state
 *   (the amount due goes down); the payment that settles it makes it paid, from any open state.
 * - Credit notes share the table but are owed BY us: they are settled (pay / pay_partial = refunded
 *   or applied), never overdue nor uncollectible.
 * - paid and void are terminal.
 */

export const INVOICE_STATUSES = [
  'draft',
  'tax_pending',
  'finalized',
  'paid',
  'partially_paid',
  'overdue',
  'uncollectible',
  'void',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/**
 * What an invoice is for (the API's `kind`). Distinct from the stored period kind (advance,
 * arrears, credit_note), which is part of the "one invoice per contract × period × kind" key.
 * - first: a contract's first invoice (deal-to-contract)
 * - recurring: an in-advance period of a billing run
 * - usage: an in-arrears period of a billing run (usage, and the commitment true-up line when due)
 * - proration: an amendment's prorated charge for the rest of the period
 * - true_up: a stand-alone commitment true-up invoice (the engine puts true-ups on the usage invoice today)
 * - manual: made by hand (API, or rows from before kinds existed)
 * - credit_note: a credit note (from an amendment, or against one invoice)
 */
export const INVOICE_KINDS = ['first', 'recurring', 'usage', 'proration', 'true_up', 'manual', 'credit_note'] as const;
export type InvoiceDocumentKind = (typeof INVOICE_KINDS)[number];

export const INVOICE_EVENTS = [
  'request_tax',
  'commit_tax',
  'finalize',
  'pay',
  'pay_partial',
  'mark_overdue',
  'mark_uncollectible',
  'void',
] as const;
export type InvoiceEvent = (typeof INVOICE_EVENTS)[number];

/** Which side owes: an invoice is owed to us, a credit note by us. */
export type DocumentSide = 'invoice' | 'credit_note';

type Table = Readonly<Record<InvoiceStatus, Readonly<Partial<Record<InvoiceEvent, InvoiceStatus>>>>>;

/** Every legal (state, event) of an invoice and the state it leads to. */
export const TRANSITIONS: Table = {
  draft: { request_tax: 'tax_pending', finalize: 'finalized', void: 'void' },
  tax_pending: { commit_tax: 'finalized', void: 'void' },
  finalized: {
    pay: 'paid',
    pay_partial: 'partially_paid',
    mark_overdue: 'overdue',
    mark_uncollectible: 'uncollectible',
    void: 'void',
  },
  partially_paid: {
    pay: 'paid',
    pay_partial: 'partially_paid',
    mark_overdue: 'overdue',
    mark_uncollectible: 'uncollectible',
  },
  overdue: { pay: 'paid', pay_partial: 'overdue', mark_uncollectible: 'uncollectible', void: 'void' },
  uncollectible: { pay: 'paid', pay_partial: 'uncollectible', void: 'void' },
  paid: {},
  void: {},
};

/** Events that only make sense for what a customer owes us. */
const INVOICE_ONLY: ReadonlySet<InvoiceEvent> = new Set(['mark_overdue', 'mark_uncollectible']);

export interface IllegalTransition {
  ok: false;
  code: 'illegal_transition';
  current: InvoiceStatus;
  event: InvoiceEvent;
  /** Plain words for the 409 problem's detail; names the current state. */
  detail: string;
}

export type TransitionResult = { ok: true; next: InvoiceStatus } | IllegalTransition;

/** The state `event` leads to from `current`, or an IllegalTransition naming the current state. */
export function transition(
  current: InvoiceStatus,
  event: InvoiceEvent,
  side: DocumentSide = 'invoice',
): TransitionResult {
  const next = side === 'credit_note' && INVOICE_ONLY.has(event) ? undefined : TRANSITIONS[current][event];
  if (next !== undefined) return { ok: true, next };
  const what = side === 'credit_note' ? 'a credit note' : 'an invoice';
  const allowed = legalEvents(current, side);
  return {
    ok: false,
    code: 'illegal_transition',
    current,
    event,
    detail:
      `cannot ${event.replaceAll('_', ' ')} ${what} that is ${current}` +
      (allowed.length === 0 ? ` (${current} is final)` : `; from ${current} it can: ${allowed.join(', ')}`),
  };
}

/** The events legal from `current`, in INVOICE_EVENTS order. */
export function legalEvents(current: InvoiceStatus, side: DocumentSide = 'invoice'): InvoiceEvent[] {
  return INVOICE_EVENTS.filter(
    (e) => TRANSITIONS[current][e] !== undefined && !(side === 'credit_note' && INVOICE_ONLY.has(e)),
  );
}

export function isInvoiceStatus(value: string): value is InvoiceStatus {
  return (INVOICE_STATUSES as readonly string[]).includes(value);
}

export function isInvoiceKind(value: string): value is InvoiceDocumentKind {
  return (INVOICE_KINDS as readonly string[]).includes(value);
}

/**
 * What is still owed on a document, in minor units: the total less payments and finalized credit
 * notes against it, never below zero. Drafts and tax_pending invoices show what they will ask for;
 * void and paid owe nothing. Derived, not stored, so payments and credit notes never have to keep
 * a second column in step.
 */
export function amountDueMinor(doc: {
  status: InvoiceStatus;
  totalMinor: number;
  amountPaidMinor: number;
  creditedMinor: number;
}): number {
  if (doc.status === 'void' || doc.status === 'paid') return 0;
  return Math.max(0, doc.totalMinor - doc.amountPaidMinor - doc.creditedMinor);
}

/** A credit note takes money off its invoice once it is issued: finalized or later, and not voided. */
export function isIssuedCredit(status: InvoiceStatus): boolean {
  return status !== 'draft' && status !== 'tax_pending' && status !== 'void';
}
