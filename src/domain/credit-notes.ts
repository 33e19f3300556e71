/**
 * Credit notes against one invoice (issue #10): what a request credits, line by line, with the
 * share of each line's tax it gives back, and how the credit is settled. Pure: the route reads
 * the invoice and its earlier credit notes, asks planCreditNote, and writes what it returns (or
 * answers 409 with its detail, writing nothing).
 *
 * - Whole invoice (no lines given): every line's amount still uncredited.
 * - Chosen lines: a line's whole remaining amount, or `amount_minor` of it (net, before tax).
 * - Tax given back per line: the line's remaining tax when the rest of the line is credited,
 *   else its tax × credited / amount, rounded half up, so credits of a whole line always tie
 *   out to the cent with what the tax engine recorded on the sale.
 * - The sum of every credit note (but void ones) never exceeds the invoice total.
 * - Rounding: an invoice whose grand total was rounded (cash rounding, CHF to 0.05, or the
 *   provider's step; payable.ts) keeps the difference in rounding_minor. The note that credits
 *   what is left of every line carries what is left of that difference too, so the notes of a
 *   wholly credited invoice add up to its total exactly (no residue, no refusal by the rounding).
 *   A note of part of the invoice gives back exact lines and tax, no rounding.
 * - Settlement: reduce_due (an open invoice: the credit lowers what is still due, and must fit in
 *   it); customer_credit (a paid invoice: kept as credit for the customer's next invoices);
 *   refund (a paid invoice: paid back through the payment provider, at most what was paid and not
 *   refunded yet). Default: reduce_due when open, refund when paid.
 */
import { type InvoiceStatus, isIssuedCredit } from './invoice-lifecycle.js';
import { creditedTax as taxGivenBack } from './tax-arithmetic.js';

export const CREDIT_REASONS = ['duplicate', 'product_unsatisfactory', 'order_change', 'other'] as const;
export type CreditReason = (typeof CREDIT_REASONS)[number];

export const CREDIT_SETTLEMENTS = ['reduce_due', 'customer_credit', 'refund'] as const;
export type CreditSettlement = (typeof CREDIT_SETTLEMENTS)[number];

export interface CreditableLine {
  lineNo: number;
  amountMinor: number;
  taxMinor: number;
}

export interface CreditableInvoice {
  status: InvoiceStatus;
  totalMinor: number;
  /** The grand total's rounding difference (total = lines + tax + rounding); absent = 0. */
  roundingMinor?: number;
  amountPaidMinor: number;
  lines: readonly CreditableLine[];
}

/** An earlier credit note of the invoice: its status, total, and what it took off each line. */
export interface EarlierCredit {
  status: InvoiceStatus;
  totalMinor: number;
  /** The part of the invoice's rounding difference the note carried; absent = 0. */
  roundingMinor?: number;
  settlement: CreditSettlement | null;
  lines: readonly { creditsLineNo: number | null; amountMinor: number; taxMinor: number }[];
}

export interface CreditRequest {
  lines?: readonly { lineNo: number; amountMinor?: number }[];
  settlement?: CreditSettlement;
}

export interface PlannedCreditLine {
  /** The invoice line it credits. */
  creditsLineNo: number;
  amountMinor: number;
  taxMinor: number;
}

export interface CreditPlan {
  lines: PlannedCreditLine[];
  netMinor: number;
  taxMinor: number;
  /** What is left of the invoice's rounding difference, when the note credits all that is left of every line; else 0. */
  roundingMinor: number;
  /** netMinor + taxMinor + roundingMinor. */
  totalMinor: number;
  settlement: CreditSettlement;
}

export type CreditPlanResult =
  | { ok: true; plan: CreditPlan }
  | { ok: false; status: 400 | 409; field?: string; detail: string };

/** Invoices a credit note can be written against: issued (finalized or later) and not void. */
const CREDITABLE: ReadonlySet<InvoiceStatus> = new Set([
  'finalized',
  'partially_paid',
  'overdue',
  'uncollectible',
  'paid',
]);

export function planCreditNote(
  invoice: CreditableInvoice,
  earlier: readonly EarlierCredit[],
  request: CreditRequest,
): CreditPlanResult {
  if (!CREDITABLE.has(invoice.status)) {
    return {
      ok: false,
      status: 409,
      detail: `cannot credit an invoice that is ${invoice.status}; only a finalized (or paid) invoice takes credit notes`,
    };
  }
  const live = earlier.filter((n) => n.status !== 'void');
  const creditedNet = new Map<number, number>();
  const creditedTax = new Map<number, number>();
  for (const note of live) {
    for (const l of note.lines) {
      if (l.creditsLineNo === null) continue;
      creditedNet.set(l.creditsLineNo, (creditedNet.get(l.creditsLineNo) ?? 0) + l.amountMinor);
      creditedTax.set(l.creditsLineNo, (creditedTax.get(l.creditsLineNo) ?? 0) + l.taxMinor);
    }
  }
  const byNo = new Map(invoice.lines.map((l) => [l.lineNo, l]));
  const asked: readonly { lineNo: number; amountMinor?: number }[] =
    request.lines ?? invoice.lines.map((l) => ({ lineNo: l.lineNo }));
  const seen = new Set<number>();
  const lines: PlannedCreditLine[] = [];
  for (const [i, ask] of asked.entries()) {
    const field = `lines.${i}`;
    const line = byNo.get(ask.lineNo);
    if (!line)
      return { ok: false, status: 400, field: `${field}.line_no`, detail: `invoice has no line ${ask.lineNo}` };
    if (seen.has(ask.lineNo)) {
      return { ok: false, status: 400, field: `${field}.line_no`, detail: `line ${ask.lineNo} is named twice` };
    }
    seen.add(ask.lineNo);
    const leftNet = line.amountMinor - (creditedNet.get(line.lineNo) ?? 0);
    const leftTax = line.taxMinor - (creditedTax.get(line.lineNo) ?? 0);
    const amount = ask.amountMinor ?? leftNet;
    if (ask.amountMinor !== undefined && (ask.amountMinor <= 0 || ask.amountMinor > leftNet)) {
      return ask.amountMinor <= 0
        ? { ok: false, status: 400, field: `${field}.amount_minor`, detail: 'must be a positive amount' }
        : {
            ok: false,
            status: 409,
            field: `${field}.amount_minor`,
            detail: `line ${line.lineNo} has ${leftNet} (minor units) left to credit; ${ask.amountMinor} asked`,
          };
    }
    // Whole-invoice credits skip lines already fully credited (and lines that add nothing).
    if (amount === 0 && request.lines === undefined) continue;
    const tax = taxGivenBack(
      {
        amountMinor: line.amountMinor,
        taxMinor: line.taxMinor,
        creditedAmountMinor: line.amountMinor - leftNet,
        creditedTaxMinor: line.taxMinor - leftTax,
      },
      amount,
    );
    lines.push({ creditsLineNo: line.lineNo, amountMinor: amount, taxMinor: tax });
  }
  const netMinor = lines.reduce((s, l) => s + l.amountMinor, 0);
  const taxMinor = lines.reduce((s, l) => s + l.taxMinor, 0);
  const roundingMinor = creditsEverythingLeft(invoice, creditedNet, creditedTax, lines)
    ? (invoice.roundingMinor ?? 0) - live.reduce((s, n) => s + (n.roundingMinor ?? 0), 0)
    : 0;
  const totalMinor = netMinor + taxMinor + roundingMinor;
  if (lines.length === 0 || totalMinor <= 0) {
    return { ok: false, status: 409, detail: 'nothing is left to credit on this invoice' };
  }
  const alreadyCredited = live.reduce((s, n) => s + n.totalMinor, 0);
  const left = invoice.totalMinor - alreadyCredited;
  if (totalMinor > left) {
    return {
      ok: false,
      status: 409,
      detail: `the credit notes of this invoice would exceed its total: ${left} (minor units) is left to credit, ${totalMinor} asked`,
    };
  }

  const paid = invoice.status === 'paid';
  const settlement = request.settlement ?? (paid ? 'refund' : 'reduce_due');
  if (settlement === 'reduce_due') {
    const issued = live.filter((n) => isIssuedCredit(n.status)).reduce((s, n) => s + n.totalMinor, 0);
    const due = paid ? 0 : Math.max(0, invoice.totalMinor - invoice.amountPaidMinor - issued);
    if (totalMinor > due) {
      return {
        ok: false,
        status: 409,
        field: 'settlement',
        detail: paid
          ? 'the invoice is paid: nothing is due to reduce; settle the credit as customer_credit or refund'
          : `reduce_due needs the credit to fit in what is still due: ${due} is due, ${totalMinor} asked`,
      };
    }
  } else if (!paid) {
    return {
      ok: false,
      status: 409,
      field: 'settlement',
      detail: `${settlement} is for a paid invoice; this one is ${invoice.status}: settle the credit as reduce_due`,
    };
  } else if (settlement === 'refund') {
    const refunded = live.filter((n) => n.settlement === 'refund').reduce((s, n) => s + n.totalMinor, 0);
    const refundable = invoice.amountPaidMinor - refunded;
    if (totalMinor > refundable) {
      return {
        ok: false,
        status: 409,
        field: 'settlement',
        detail: `a refund can pay back at most what was paid and not refunded yet: ${refundable}; ${totalMinor} asked`,
      };
    }
  }
  return { ok: true, plan: { lines, netMinor, taxMinor, roundingMinor, totalMinor, settlement } };
}

/** True when, with `planned`, every line of the invoice is credited in full, net and tax. */
function creditsEverythingLeft(
  invoice: CreditableInvoice,
  creditedNet: ReadonlyMap<number, number>,
  creditedTax: ReadonlyMap<number, number>,
  planned: readonly PlannedCreditLine[],
): boolean {
  return invoice.lines.every((line) => {
    const now = planned.filter((p) => p.creditsLineNo === line.lineNo);
    const net = (creditedNet.get(line.lineNo) ?? 0) + now.reduce((s, p) => s + p.amountMinor, 0);
    const tax = (creditedTax.get(line.lineNo) ?? 0) + now.reduce((s, p) => s + p.taxMinor, 0);
    return net === line.amountMinor && tax === line.taxMinor;
  });
}

/**
 * How an amendment's credit note (no settlement asked for) is settled when it is issued: it
 * lowers what is due while it fits, else it becomes customer credit (the amendment's prorated
 * charge is the customer's next invoice).
 */
export function defaultSettlement(invoice: CreditableInvoice, issuedCreditsMinor: number, noteTotalMinor: number) {
  const open = invoice.status !== 'paid';
  const due = Math.max(0, invoice.totalMinor - invoice.amountPaidMinor - issuedCreditsMinor);
  return open && noteTotalMinor <= due ? ('reduce_due' as const) : ('customer_credit' as const);
}
