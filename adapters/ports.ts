/**
 * The four ports the flows talk to. Adapters implement them; flows never import an SDK.
 * Every write takes an idempotency key derived from (org, object, version, step) and every
 * write has a lookup by our own natural key, used to reconcile before retrying an unknown outcome.
 */

import type { ErpPostingSettings } from '../src/domain/books/erp-settings.js';
import type { DealBundle, PostalAddress } from '../src/domain/deal.js';
import type { Outcome } from '../src/domain/outcome.js';
import type { CrmVendor, ErpVendor, PaymentVendor, TaxEngine } from '../src/domain/vendors.js';

export type { Outcome } from '../src/domain/outcome.js';

export interface WriteOptions {
  /** Deterministic key sent as the vendor's idempotency key (≤ 50 characters, safe for every vendor). */
  idempotencyKey: string;
}

/** A vendor object we created, identified by the vendor's own id. */
export interface ExternalObject {
  externalId: string;
  /** Vendor-side document or reference number, where it has one. */
  number?: string;
}

// ---------------------------------------------------------------- CRM

export interface CrmPort {
  readonly vendor: CrmVendor;
  /**
   * How the CRM's amount fields take a value: Salesforce number/currency fields take JSON numbers
   * (a decimal of at most 15 significant digits survives the round trip); HubSpot properties are
   * strings, so an exact decimal string keeps every digit.
   */
  readonly amountsAs: 'number' | 'decimal_string';
  /** Reads a deal with its line items, products and account. */
  fetchDeal(dealId: string): Promise<Outcome<DealBundle>>;
  /**
   * Sets fields on the deal (Salesforce Opportunity fields, HubSpot deal properties); null
   * clears a field. A write-back sets absolute values, so repeating it leaves the deal as one
   * write would: it is idempotent by nature and needs no idempotency key or lookup first.
   */
  writeBack(dealId: string, fields: Record<string, string | number | null>): Promise<Outcome<void>>;
  /**
   * Sets fields on the deal's account (Salesforce Account fields, HubSpot company properties);
   * null clears a field. Absolute values, idempotent by nature, like `writeBack`.
   */
  writeBackAccount(accountId: string, fields: Record<string, string | number | null>): Promise<Outcome<void>>;
  /**
   * Won deals (Salesforce: IsWon; HubSpot: in one of the connection's trigger stages) changed
   * strictly after `since` (ISO 8601), oldest change first, at most `limit`. `lastModified` is
   * ISO 8601 in UTC. The pollers' safety net for webhooks that never arrived.
   */
  listWonDealsChangedSince(since: string, limit: number): Promise<Outcome<{ id: string; lastModified: string }[]>>;
}

// ---------------------------------------------------------------- Tax

export interface TaxLineRequest {
  number: string;
  itemCode: string;
  description: string;
  quantity: string;
  /** Line amount before tax, in major units as a decimal string ("1200.00"). */
  amount: string;
  /** The product's tax code at this engine (Avalara tax code, Anrok product external id), when set. */
  taxCode?: string;
}

export interface TaxRequest {
  /** Our invoice number; sent as the vendor's document code and used to look the document up. */
  documentCode: string;
  customerCode: string;
  date: string; // YYYY-MM-DD
  currency: string;
  shipTo: PostalAddress;
  lines: TaxLineRequest[];
  /** Commit the document (an invoice being finalized) rather than just estimating. */
  commit: boolean;
  /** The customer's exemption certificate number, when it has one (Avalara `exemptionNo`). */
  exemptionNumber?: string;
}

/**
 * Where a tax document stands, in the port's words (each vendor's own status is `status`):
 * an estimate is never stored; saved is stored but not reported; committed is reported; voided is cancelled.
 */
export type TaxDocumentState = 'estimate' | 'saved' | 'committed' | 'voided';

export interface TaxResult {
  transactionId: string;
  documentCode: string;
  /** The vendor's own status word (Avalara: Committed, Cancelled; Anrok: normal, void). */
  status: string;
  state: TaxDocumentState;
  /** Total tax in major units as the vendor computed it ("97.50"). */
  totalTax: string;
  lines: { number: string; tax: string }[];
}

/**
 * A return (credit note) against a committed sale: the engine records the tax given back,
 * dated as the original sale so the original rates apply, and referencing it.
 */
export interface TaxReturnRequest extends Omit<TaxRequest, 'commit' | 'lines'> {
  /** Our credit note number: the return's document code (and its lookup key). */
  documentCode: string;
  /** The sale being credited: its document code and date. */
  originalDocumentCode: string;
  originalDate: string;
  /**
   * Lines credited, amounts POSITIVE in major units (the adapter signs them as the vendor wants).
   * `tax` fixes the tax given back on that line (a share of the original's) where the engine can
   * take a fixed tax (`fixesReturnTax`); without it, or elsewhere, the engine computes it.
   */
  lines: (TaxLineRequest & { tax?: string })[];
  /** The return credits the whole sale (every line, every cent): engines that negate a sale (Anrok) do so. */
  wholeSale?: boolean;
}

/** An address as the engine resolved it, or why it could not. */
export type AddressCheck = { valid: true; address: PostalAddress } | { valid: false; reason: string };

export interface TaxPort {
  /** The connected vendor, or `manual`: the org's own rate table (adapters/manual-tax.ts). */
  readonly vendor: TaxEngine;
  /** Whether a return line's fixed `tax` is honoured (Avalara: a TaxAmount override; Anrok computes it). */
  readonly fixesReturnTax: boolean;
  /**
   * Tax for a preview or a draft: computed, never stored or reported (Avalara SalesOrder, Anrok
   * createEphemeral). `request.commit` is ignored.
   */
  quote(request: TaxRequest): Promise<Outcome<TaxResult>>;
  /**
   * Checks an address the way the engine will read it. An address the engine cannot resolve is a
   * value (`valid: false` with the engine's reason), not a failure; engines without an address
   * service answer the address as given.
   */
  validateAddress(address: PostalAddress): Promise<Outcome<AddressCheck>>;
  recordSale(request: TaxRequest, options: WriteOptions): Promise<Outcome<TaxResult>>;
  findByDocumentCode(documentCode: string): Promise<Outcome<TaxResult | null>>;
  /**
   * Records a committed return. The result's totalTax and line taxes are the tax given back,
   * POSITIVE. Idempotent by its document code, like recordSale.
   */
  recordReturn(request: TaxReturnRequest, options: WriteOptions): Promise<Outcome<TaxResult>>;
  /** The return with this document code (positive amounts, as recordReturn), or null. */
  findReturnByDocumentCode(documentCode: string): Promise<Outcome<TaxResult | null>>;
  /**
   * Voids a committed document (a sale, or a return). Idempotent by nature: voiding a voided
   * document answers its state again. The result's state is `voided` (its status the vendor's: Avalara Cancelled).
   */
  voidDocument(documentCode: string, kind: 'sale' | 'return'): Promise<Outcome<TaxResult>>;
}

// ---------------------------------------------------------------- Payments

export interface PaymentCustomerRequest {
  /** Our customer id, stored on the vendor object so it can be found again. */
  localId: string;
  name: string;
  email: string | null;
}

export interface PaymentRequest {
  /** Our invoice id and number, stored as vendor metadata for lookup and webhooks. */
  invoiceId: string;
  invoiceNumber: string;
  customerExternalId: string;
  amountMinor: number;
  currency: string;
  description: string;
}

export interface PaymentState extends ExternalObject {
  /** canceled: the attempt was cancelled and will never be paid. */
  status: 'pending' | 'succeeded' | 'failed' | 'requires_action' | 'canceled';
  amountMinor: number;
  currency: string;
  /**
   * Where the customer pays when the provider cannot charge a stored method (a first payment):
   * the provider's hosted page (Adyen Pay by Link, Razorpay Payment Link). Set with `requires_action`.
   */
  payUrl?: string;
}

/** What a verified payment webhook says, in our terms. */
export interface PaymentEvent {
  eventId: string;
  type: 'payment.succeeded' | 'payment.failed' | 'dispute.created' | 'dispute.updated' | 'dispute.closed' | 'ignored';
  paymentExternalId: string | null;
  invoiceId: string | null;
  amountMinor: number;
  currency: string;
  /** Processor fee in minor units, when the vendor reports it with the event or on lookup. */
  feeMinor: number | null;
  occurredAt: string;
  /** On dispute.* events: the provider's dispute (its amount and currency are the event's). */
  dispute?: PaymentDispute;
}

/** A chargeback at the provider, in our terms (Stripe: https://docs.stripe.com/api/disputes/object). */
export interface PaymentDispute {
  externalId: string;
  /** The provider's status as sent (Stripe: needs_response, under_review, won, lost, ...). */
  status: string;
  reason: string | null;
  /** Decided: won (the funds come back) or lost (they stay with the cardholder); null while open. */
  outcome: 'won' | 'lost' | null;
}

export interface RefundRequest {
  /** The settled payment to refund (Stripe: the PaymentIntent). */
  paymentExternalId: string;
  amountMinor: number;
  currency: string;
  /** Our credit note id: stored as vendor metadata, the refund's lookup key. */
  creditNoteId: string;
  reason: 'duplicate' | 'requested_by_customer';
}

export interface RefundState extends ExternalObject {
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  amountMinor: number;
  currency: string;
}

export interface PaymentPort {
  readonly vendor: PaymentVendor;
  /**
   * The multiple of the hub's minor unit this provider takes for a charge or a refund in
   * `currency` (Stripe: 100 for HUF, 10 for KWD, https://docs.stripe.com/currencies#special-cases).
   * Absent or 1: any amount. The hub rounds to it where it can show the difference: an invoice's
   * rounding_minor (rounding.providerAmounts), a refund's rest kept as customer credit.
   */
  amountStep?(currency: string): number;
  createCustomer(request: PaymentCustomerRequest, options: WriteOptions): Promise<Outcome<ExternalObject>>;
  findCustomer(localId: string): Promise<Outcome<ExternalObject | null>>;
  createPayment(request: PaymentRequest, options: WriteOptions): Promise<Outcome<PaymentState>>;
  findPayment(invoiceId: string): Promise<Outcome<PaymentState | null>>;
  /** Processor fee of a settled payment in minor units (0 when the vendor reports none). */
  getPaymentFee(paymentExternalId: string): Promise<Outcome<number>>;
  /** Refunds (part of) a settled payment, with the idempotency key. */
  refundPayment(request: RefundRequest, options: WriteOptions): Promise<Outcome<RefundState>>;
  /** The refund of `paymentExternalId` made for our credit note, or null. */
  findRefund(paymentExternalId: string, creditNoteId: string): Promise<Outcome<RefundState | null>>;
  /**
   * Cancels an open payment attempt so it can never be paid. Idempotent: an attempt already
   * cancelled answers its state; one that already succeeded answers `succeeded` (refund it instead).
   */
  cancelPayment(paymentExternalId: string, options: WriteOptions): Promise<Outcome<PaymentState>>;
  /** Verifies the signature over the raw body; a bad signature is a permanent failure. */
  parseWebhook(rawBody: string, headers: Headers): Promise<Outcome<PaymentEvent>>;
}

// ---------------------------------------------------------------- ERP

export interface ErpCustomerRequest {
  localId: string;
  displayName: string;
  email: string | null;
  currency: string;
}

export interface ErpItemRequest {
  /** Our product SKU; the item's name in the ERP. */
  sku: string;
  name: string;
  /** The ERP's income account id for the item (from the connection config). */
  incomeAccountId: string;
}

export interface ErpInvoiceRequest {
  invoiceNumber: string;
  customerExternalId: string;
  currency: string;
  issueDate: string;
  dueDate: string;
  lines: { itemExternalId: string; description: string; quantity: string; unitPrice: string; amount: string }[];
  /** Tax computed by the tax engine, in major units; the ERP must not recompute it. */
  totalTax: string;
  total: string;
}

export interface ErpCreditMemoRequest {
  /** Our credit note number; the memo's document number and lookup key. */
  creditNoteNumber: string;
  /** The invoice it credits (our number), for the memo's note. */
  invoiceNumber: string;
  customerExternalId: string;
  currency: string;
  issueDate: string;
  /** Positive amounts, as on the invoice. */
  lines: ErpInvoiceRequest['lines'];
  totalTax: string;
  total: string;
}

export interface ErpPaymentRequest {
  /** Our payment id; stored as the ERP payment's reference number. */
  paymentRef: string;
  customerExternalId: string;
  invoiceExternalId: string;
  amount: string;
  currency: string;
  date: string;
}

/** A refund paid out to the customer (QuickBooks RefundReceipt, Xero refund payment, NetSuite customerRefund). */
export interface ErpRefundRequest {
  /** Our refund id; the ERP refund's reference and lookup key. */
  refundRef: string;
  customerExternalId: string;
  /** The credit memo the refund pays out, where the ERP links refunds to one. */
  creditMemoExternalId?: string;
  /** The payment the refund reverses, where the ERP links refunds to one. */
  paymentExternalId?: string;
  amount: string;
  currency: string;
  date: string;
  /** ERP account the cash left from (bank or provider clearing), from the connection's account mapping. */
  depositAccountId: string;
}

/** One line of a journal entry, in major units of the entry's currency. */
export interface ErpJournalLine {
  /** ERP account id, from the connection's account mapping (hub account code → ERP account id). */
  accountExternalId: string;
  side: 'debit' | 'credit';
  amount: string;
  description: string;
  /** The customer a receivable or deferred-revenue line belongs to, where the ERP tracks it. */
  customerExternalId?: string;
}

/** One hub ledger entry, posted as a journal (QuickBooks JournalEntry, Xero ManualJournal, NetSuite journalEntry). */
export interface ErpJournalRequest {
  /** Our ledger entry id; the journal's reference and lookup key. */
  entryRef: string;
  date: string;
  currency: string;
  memo: string;
  /** Debits equal credits; the adapter refuses an unbalanced request before any call. */
  lines: ErpJournalLine[];
  /** Rate to the ERP's home currency (decimal string) when the entry's currency differs from it. */
  exchangeRate?: string;
}

/**
 * A posted document as the ERP holds it now, for reconciliation (flows/reconciliation.ts):
 * paid once payments cover it, applied for a payment linked to an invoice, voided when voided.
 */
export interface ErpDocumentState extends ExternalObject {
  kind: 'invoice' | 'payment' | 'credit_memo';
  /** Major units, decimal string, as the ERP holds it (a voided document may read "0"). */
  total: string;
  currency: string;
  status: 'open' | 'paid' | 'voided' | 'applied';
}

export interface ErpPort {
  readonly vendor: ErpVendor;
  createCustomer(request: ErpCustomerRequest, options: WriteOptions): Promise<Outcome<ExternalObject>>;
  findCustomer(displayName: string): Promise<Outcome<ExternalObject | null>>;
  createItem(request: ErpItemRequest, options: WriteOptions): Promise<Outcome<ExternalObject>>;
  findItem(sku: string): Promise<Outcome<ExternalObject | null>>;
  createInvoice(request: ErpInvoiceRequest, options: WriteOptions): Promise<Outcome<ExternalObject>>;
  findInvoice(invoiceNumber: string): Promise<Outcome<ExternalObject | null>>;
  createPayment(request: ErpPaymentRequest, options: WriteOptions): Promise<Outcome<ExternalObject>>;
  findPayment(paymentRef: string): Promise<Outcome<ExternalObject | null>>;
  createCreditMemo(request: ErpCreditMemoRequest, options: WriteOptions): Promise<Outcome<ExternalObject>>;
  findCreditMemo(creditNoteNumber: string): Promise<Outcome<ExternalObject | null>>;
  /**
   * Voids an invoice in the ERP (kept, amounts zeroed). Idempotent by nature: voiding a voided
   * invoice answers it again. An invoice with a payment applied is refused (permanent).
   */
  voidInvoice(invoiceExternalId: string, options: WriteOptions): Promise<Outcome<ExternalObject>>;
  /** Records cash paid back to the customer. Optional until every ERP adapter has it. */
  createRefund?(request: ErpRefundRequest, options: WriteOptions): Promise<Outcome<ExternalObject>>;
  findRefund?(refundRef: string): Promise<Outcome<ExternalObject | null>>;
  /** Posts one hub ledger entry (journals mode). Optional until every ERP adapter has it. */
  postJournalEntry?(request: ErpJournalRequest, options: WriteOptions): Promise<Outcome<ExternalObject>>;
  findJournalEntry?(entryRef: string): Promise<Outcome<ExternalObject | null>>;
  /**
   * The ERP's current copy of a document we posted, found by our reference (invoice or credit
   * note number, payment reference), or null. Optional: reconciliation answers "not supported"
   * for an ERP whose adapter lacks it.
   */
  readDocument?(kind: ErpDocumentState['kind'], ourRef: string): Promise<Outcome<ErpDocumentState | null>>;
}

// ---------------------------------------------------------------- The org's set

/** Per-org settings the flows need beside the ports (from the connections' config). */
export interface OrgSettings {
  /** QuickBooks income account for items the hub creates. */
  erpIncomeAccountId: string;
  /** How the ERP is posted to: documents, or the hub's ledger as journals (src/domain/books/erp-settings.ts). */
  erpPosting: ErpPostingSettings;
  /** Where tax is shipped from when the customer has no address (sandbox default). */
  defaultShipTo: { line1: string; city: string; region: string; postalCode: string; country: string };
  /** Write-back settings of each connected CRM, from its connection config (flows/crm-write-back.ts). */
  crmWriteBack: Partial<Record<CrmVendor, CrmWriteBackConfig>>;
}

/** Connection config keys the CRM write-back reads, as stored (strings). */
export interface CrmWriteBackConfig {
  /** JSON object overriding field names: {status, contractId, contractUrl, lastInvoiceNumber, amountPaid, outstanding}. */
  writeBackFields?: string;
  /** JSON object overriding the account's field names: {amountPaid, outstanding}. */
  writeBackAccountFields?: string;
  /** Public base URL of the hub, for the contract link; without it the link is a relative path. */
  publicUrl?: string;
}

export interface AdapterSet {
  /** The org's connected CRMs (an org may connect both). */
  crm: Partial<Record<CrmVendor, CrmPort>>;
  tax: TaxPort;
  payment: PaymentPort;
  erp: ErpPort;
  settings: OrgSettings;
}
