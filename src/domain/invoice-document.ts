/**
 * What a printed invoice or credit note says, as plain strings: the one model both the HTML and the
 * PDF renderer draw, so the two never disagree on a number. Money is formatted here in the
 * currency's exponent (money.ts); renderers only lay it out and escape it.
 */
import type { CreditReason } from './credit-notes.js';
import type { PostalAddress } from './deal.js';
import { amountDueMinor, type InvoiceDocumentKind, type InvoiceStatus } from './invoice-lifecycle.js';
import { formatMajorAmount, formatMoney } from './money.js';

export interface DocumentSource {
  seller: { name: string };
  customer: { name: string; email: string | null; address: PostalAddress | null };
  invoice: {
    id: string;
    number: string | null;
    documentKind: InvoiceDocumentKind;
    status: InvoiceStatus;
    currency: string;
    periodStart: string;
    periodEnd: string;
    issueDate: string;
    dueDate: string;
    subtotalMinor: number;
    taxMinor: number;
    /** Cash or provider rounding of the grand total (payable.ts); absent or 0 = none. */
    roundingMinor?: number;
    totalMinor: number;
    amountPaidMinor: number;
  };
  /** What issued credit notes take off this invoice (0 for a credit note). */
  creditedMinor: number;
  lines: {
    description: string;
    quantity: string;
    unitAmount: string;
    amountMinor: number;
    taxMinor: number;
    /** The line's own service period, when it has one (a prorated or consolidated line). */
    period: { start: string; end: string } | null;
  }[];
  payments: { provider: string; status: 'succeeded' | 'failed'; amountMinor: number; receivedAt: string }[];
  /** For a credit note: the invoice it credits and why. */
  credit: { invoiceNumber: string | null; invoiceId: string; reason: CreditReason | null; memo: string | null } | null;
}

export interface PrintableLine {
  description: string;
  period: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  tax: string;
}

export interface PrintableInvoice {
  /** "Invoice INV-000001", "Draft invoice", "Credit note CN-…". */
  title: string;
  /** The document's number; null while it is a draft (it gets one at finalize). */
  number: string | null;
  /** Printed across the page: a draft is not a bill, a void one no longer is. */
  watermark: 'DRAFT' | 'VOID' | null;
  seller: string;
  /** Name first, then the address lines and the email. */
  billTo: string[];
  /** Label and value pairs under the title: dates, period, status, the credited invoice. */
  facts: [string, string][];
  lines: PrintableLine[];
  /** Label and value pairs at the foot of the lines; the last is what is due (or credited). */
  totals: [string, string][];
  payments: { date: string; provider: string; status: string; amount: string }[];
  /** Text for the document's metadata (a PDF's Subject). */
  subject: string;
}

const REASONS: Record<CreditReason, string> = {
  duplicate: 'Duplicate charge',
  product_unsatisfactory: 'Product unsatisfactory',
  order_change: 'Order change',
  other: 'Other',
};

/** Periods are stored end-exclusive; a reader expects the last day covered. */
function lastDay(endExclusive: string): string {
  const d = new Date(`${endExclusive}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return endExclusive;
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

export function periodText(start: string, endExclusive: string): string {
  const last = lastDay(endExclusive);
  return last <= start ? start : `${start} – ${last}`;
}

function addressLines(a: PostalAddress | null): string[] {
  if (!a) return [];
  const cityLine = [a.city, [a.region, a.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return [a.line1, cityLine, a.country].filter((l) => l.trim() !== '');
}

export function printableInvoice(src: DocumentSource): PrintableInvoice {
  const i = src.invoice;
  const money = (minor: number) => formatMoney(minor, i.currency);
  const isCredit = i.documentKind === 'credit_note';
  const noun = isCredit ? 'Credit note' : 'Invoice';
  const title = i.number ? `${noun} ${i.number}` : `Draft ${noun.toLowerCase()}`;
  const period = periodText(i.periodStart, i.periodEnd);
  const facts: [string, string][] = [
    ['Issue date', i.issueDate],
    ...(isCredit ? [] : ([['Due date', i.dueDate]] as [string, string][])),
    ['Service period', period],
    ['Status', i.status.replaceAll('_', ' ')],
  ];
  if (src.credit) {
    facts.push(['Credits invoice', src.credit.invoiceNumber ?? `${src.credit.invoiceId} (draft)`]);
    if (src.credit.reason) facts.push(['Reason', REASONS[src.credit.reason]]);
    if (src.credit.memo) facts.push(['Note', src.credit.memo]);
  }
  const paid = src.payments.filter((p) => p.status === 'succeeded').reduce((sum, p) => sum + p.amountMinor, 0);
  const totals: [string, string][] = [
    ['Subtotal', money(i.subtotalMinor)],
    ['Tax', money(i.taxMinor)],
    ...((i.roundingMinor ?? 0) !== 0 ? [['Rounding', money(i.roundingMinor ?? 0)] as [string, string]] : []),
    [isCredit ? 'Total credited' : 'Total', money(i.totalMinor)],
  ];
  if (!isCredit) {
    if (i.amountPaidMinor > 0) totals.push(['Paid', money(-i.amountPaidMinor)]);
    if (src.creditedMinor > 0) totals.push(['Credit notes', money(-src.creditedMinor)]);
    totals.push(['Amount due', money(amountDueMinor({ ...i, creditedMinor: src.creditedMinor }))]);
  }
  return {
    title,
    number: i.number,
    watermark: i.status === 'void' ? 'VOID' : i.number === null ? 'DRAFT' : null,
    seller: src.seller.name,
    billTo: [
      src.customer.name,
      ...addressLines(src.customer.address),
      ...(src.customer.email ? [src.customer.email] : []),
    ],
    facts,
    lines: src.lines.map((l) => ({
      description: l.description,
      period: l.period ? periodText(l.period.start, l.period.end) : period,
      quantity: l.quantity,
      unitPrice: formatMajorAmount(l.unitAmount, i.currency),
      amount: money(l.amountMinor),
      tax: money(l.taxMinor),
    })),
    totals,
    payments: src.payments.map((p) => ({
      date: p.receivedAt.slice(0, 10),
      provider: p.provider,
      status: p.status,
      amount: money(p.amountMinor),
    })),
    subject: `${title} for ${src.customer.name}: ${money(i.totalMinor)}${paid > 0 ? `, ${money(paid)} paid` : ''}`,
  };
}
