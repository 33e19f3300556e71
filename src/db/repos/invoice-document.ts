/**
 * The read behind GET /api/v1/invoices/{id}/document: everything a printed invoice or credit note
 * shows, in the domain's DocumentSource shape. Org-scoped: another org's id reads as undefined.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { PostalAddress } from '../../domain/deal.js';
import type { DocumentSource } from '../../domain/invoice-document.js';
import type { Db } from '../client.js';
import { creditNotes, customers, invoiceLines, invoices, orgs, payments } from '../schema.js';
import { creditedMinorOf } from './invoices-read.js';

/** A stored JSON column we wrote; an old row that does not parse is read as nothing. */
function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function storedAddress(text: string | null): PostalAddress | null {
  const a = parseJson(text) as Partial<Record<keyof PostalAddress, unknown>> | null;
  if (!a || typeof a !== 'object') return null;
  const field = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    line1: field(a.line1),
    city: field(a.city),
    region: field(a.region),
    postalCode: field(a.postalCode),
    country: field(a.country),
  };
}

/** A line's own service period (rated and prorated lines record one in their detail). */
function linePeriod(detail: string | null): { start: string; end: string } | null {
  const d = parseJson(detail) as { servicePeriod?: { start?: unknown; end?: unknown } } | null;
  const p = d && typeof d === 'object' ? d.servicePeriod : undefined;
  return p && typeof p.start === 'string' && typeof p.end === 'string' ? { start: p.start, end: p.end } : null;
}

export async function invoiceDocumentSource(
  db: Db,
  orgId: string,
  invoiceId: string,
): Promise<DocumentSource | undefined> {
  const [invoice] = await db
    .select()
    .from(invoices)
    .where(and(eq(invoices.orgId, orgId), eq(invoices.id, invoiceId)));
  if (!invoice) return undefined;
  const [org] = await db.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, orgId));
  const [customer] = await db
    .select()
    .from(customers)
    .where(and(eq(customers.orgId, orgId), eq(customers.id, invoice.customerId)));
  const lines = await db
    .select()
    .from(invoiceLines)
    .where(and(eq(invoiceLines.orgId, orgId), eq(invoiceLines.invoiceId, invoiceId)))
    .orderBy(asc(invoiceLines.lineNo));
  const paymentRows = await db
    .select()
    .from(payments)
    .where(and(eq(payments.orgId, orgId), eq(payments.invoiceId, invoiceId)))
    .orderBy(asc(payments.receivedAt), asc(payments.id));
  let credit: DocumentSource['credit'] = null;
  if (invoice.documentKind === 'credit_note') {
    const [note] = await db
      .select()
      .from(creditNotes)
      .where(and(eq(creditNotes.orgId, orgId), eq(creditNotes.id, invoiceId)));
    const creditedId = invoice.creditedInvoiceId ?? note?.invoiceId ?? null;
    const [credited] = creditedId
      ? await db
          .select({ number: invoices.number })
          .from(invoices)
          .where(and(eq(invoices.orgId, orgId), eq(invoices.id, creditedId)))
      : [];
    if (creditedId) {
      credit = {
        invoiceId: creditedId,
        invoiceNumber: credited?.number ?? null,
        reason: note?.reason ?? null,
        memo: note?.memo ?? null,
      };
    }
  }
  const creditedMinor =
    invoice.documentKind === 'credit_note' ? 0 : ((await creditedMinorOf(db, orgId, [invoiceId])).get(invoiceId) ?? 0);
  return {
    seller: { name: org?.name ?? '' },
    customer: {
      name: customer?.name ?? invoice.customerId,
      email: customer?.email ?? null,
      address: storedAddress(customer?.address ?? null),
    },
    invoice,
    creditedMinor,
    lines: lines.map((l) => ({
      description: l.description,
      quantity: l.quantity,
      unitAmount: l.unitAmount,
      amountMinor: l.amountMinor,
      taxMinor: l.taxMinor,
      period: linePeriod(l.detail),
    })),
    payments: paymentRows.map((p) => ({
      provider: p.provider,
      status: p.status,
      amountMinor: p.amountMinor,
      receivedAt: p.receivedAt,
    })),
    credit,
  };
}
