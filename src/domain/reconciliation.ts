/**
 * Reconciliation (issue #13): the hub's documents against the copies an ERP or a payment
 * provider holds, matched by our own reference, and every disagreement listed. Pure: documents
 * in, disagreements out; reading either side is the flow's job (flows/reconciliation.ts).
 *
 * Amounts are compared in integer minor units of the document's currency (a vendor's decimal
 * string is read exactly, never through a float). A voided invoice is compared by status only:
 * ERPs zero a voided invoice's amounts (QuickBooks) or keep them (NetSuite), so its amount tells nothing.
 */
import Decimal from 'decimal.js';
import { exponentOf, isDecimalString } from './money.js';

export const RECONCILIATION_SYSTEMS = ['quickbooks', 'xero', 'netsuite', 'stripe', 'adyen', 'razorpay', 'crm'] as const;
export type ReconciliationSystem = (typeof RECONCILIATION_SYSTEMS)[number];

export const DISAGREEMENTS = ['missing', 'extra', 'amount_differs', 'status_differs'] as const;
export type DisagreementKind = (typeof DISAGREEMENTS)[number];

/** What is compared: ERP documents, a provider's payments, or a CRM deal without a contract. */
export type ReconDocumentKind = 'invoice' | 'payment' | 'credit_memo' | 'deal';

/** Where a document stands, in words both sides can be put into. */
export type ReconStatus = 'open' | 'paid' | 'voided' | 'applied' | 'pending' | 'failed' | 'canceled' | 'won';

export interface HubDocument {
  kind: ReconDocumentKind;
  /** The hub's id of the document (invoice, payment or credit note id; the deal's system:id). */
  localId: string;
  /** Our reference as the vendor stores it (invoice number, short payment ref, invoice id at a provider). */
  ref: string;
  status: ReconStatus;
  amountMinor: number;
  currency: string;
}

export interface VendorDocument {
  kind: ReconDocumentKind;
  ref: string;
  externalId: string;
  status: ReconStatus;
  /** Exactly one of these: minor units (payment providers) or a major-unit decimal string (ERPs). */
  amountMinor?: number;
  total?: string;
  currency: string;
}

export interface Disagreement {
  kind: DisagreementKind;
  documentKind: ReconDocumentKind;
  localId: string | null;
  ref: string;
  externalId: string | null;
  hubStatus: ReconStatus | null;
  vendorStatus: ReconStatus | null;
  hubAmountMinor: number | null;
  vendorAmountMinor: number | null;
  currency: string | null;
  /** One readable sentence, for the API and the console. */
  detail: string;
}

/** Match key of a document on either side: kind and our reference. */
export const matchKey = (kind: ReconDocumentKind, ref: string) => `${kind}:${ref}`;

/**
 * A vendor amount in minor units of `currency`, or null when it is not an exact amount of that
 * currency (a malformed string, or more decimals than the currency has: itself a disagreement).
 */
export function vendorAmountMinor(doc: VendorDocument, currency: string): number | null {
  if (doc.amountMinor !== undefined) return Number.isSafeInteger(doc.amountMinor) ? doc.amountMinor : null;
  if (doc.total === undefined || !isDecimalString(doc.total)) return null;
  const minor = new Decimal(doc.total).mul(new Decimal(10).pow(exponentOf(currency)));
  return minor.isInteger() && minor.abs().lte(Number.MAX_SAFE_INTEGER) ? minor.toNumber() : null;
}

export interface CompareInput {
  hub: readonly HubDocument[];
  /** The vendor's copy of each hub document, by matchKey; null or absent: the vendor has none. */
  vendor: ReadonlyMap<string, VendorDocument | null>;
  /**
   * Every vendor object carrying our reference prefix, where the vendor can list by it; absent
   * when it cannot (then `extra` is not checked, and the run says so).
   */
  vendorListed?: readonly VendorDocument[];
}

/** Every disagreement between the two sides, hub documents first in their order, then extras. */
export function compareDocuments(input: CompareInput): Disagreement[] {
  const out: Disagreement[] = [];
  const known = new Set<string>();
  for (const doc of input.hub) {
    const key = matchKey(doc.kind, doc.ref);
    known.add(key);
    const theirs = input.vendor.get(key) ?? null;
    const base = {
      documentKind: doc.kind,
      localId: doc.localId,
      ref: doc.ref,
      hubStatus: doc.status,
      hubAmountMinor: doc.amountMinor,
      currency: doc.currency,
    };
    if (!theirs) {
      out.push({
        ...base,
        kind: 'missing',
        externalId: null,
        vendorStatus: null,
        vendorAmountMinor: null,
        detail: `${label(doc.kind)} ${doc.ref} is ${doc.status} in the hub but the vendor has no ${label(doc.kind)} with that reference`,
      });
      continue;
    }
    const vendorSide = { externalId: theirs.externalId, vendorStatus: theirs.status };
    const amount = vendorAmountMinor(theirs, doc.currency);
    const withAmount = { ...base, ...vendorSide, vendorAmountMinor: amount };
    if (theirs.status !== doc.status) {
      out.push({
        ...withAmount,
        kind: 'status_differs',
        detail: `${label(doc.kind)} ${doc.ref} is ${doc.status} in the hub but ${theirs.status} at the vendor`,
      });
      continue;
    }
    if (doc.status === 'voided') continue;
    const sameCurrency = theirs.currency.toUpperCase() === doc.currency.toUpperCase();
    if (!sameCurrency || amount !== doc.amountMinor) {
      const theirAmount = theirs.total ?? (amount === null ? '?' : String(amount));
      out.push({
        ...withAmount,
        kind: 'amount_differs',
        detail: sameCurrency
          ? `${label(doc.kind)} ${doc.ref}: hub ${doc.amountMinor} minor units of ${doc.currency}, vendor ${theirs.total !== undefined ? `${theirAmount} ${theirs.currency}` : `${theirAmount} minor units`}`
          : `${label(doc.kind)} ${doc.ref}: hub in ${doc.currency}, vendor in ${theirs.currency}`,
      });
    }
  }
  for (const theirs of input.vendorListed ?? []) {
    const key = matchKey(theirs.kind, theirs.ref);
    if (known.has(key)) continue;
    known.add(key);
    out.push({
      kind: 'extra',
      documentKind: theirs.kind,
      localId: null,
      ref: theirs.ref,
      externalId: theirs.externalId,
      hubStatus: null,
      vendorStatus: theirs.status,
      hubAmountMinor: null,
      vendorAmountMinor: theirs.currency ? vendorAmountMinor(theirs, theirs.currency) : null,
      currency: theirs.currency || null,
      detail: `the vendor holds ${label(theirs.kind)} ${theirs.ref} with our reference, which the hub does not know`,
    });
  }
  return out;
}

/**
 * Closed-won deals of the period without a contract: each one `missing` (the CRM has it, the hub
 * made no contract of it).
 */
export function dealsWithoutContract(
  deals: readonly { localId: string; ref: string; amountMinor: number | null; currency: string | null }[],
  contracted: ReadonlySet<string>,
): Disagreement[] {
  return deals
    .filter((deal) => !contracted.has(deal.localId))
    .map((deal) => ({
      kind: 'missing' as const,
      documentKind: 'deal' as const,
      localId: deal.localId,
      ref: deal.ref,
      externalId: deal.ref,
      hubStatus: null,
      vendorStatus: 'won' as const,
      hubAmountMinor: null,
      vendorAmountMinor: deal.amountMinor,
      currency: deal.currency,
      detail: `deal ${deal.ref} is closed-won in the CRM but has no contract in the hub`,
    }));
}

const label = (kind: ReconDocumentKind) => (kind === 'credit_memo' ? 'credit memo' : kind);

/** `YYYY-MM` → the period's first day and the first day after it (ISO dates), or null when malformed. */
export function periodBounds(period: string): { start: string; end: string } | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
  return { start: `${period}-01`, end: `${next}-01` };
}

/** The period of an instant (`YYYY-MM`) and the one before it. */
export function currentAndPreviousPeriod(now: Date): [string, string] {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() + 1;
  const current = `${y}-${String(m).padStart(2, '0')}`;
  const previous = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  return [previous, current];
}
