/**
 * Drizzle schema (sqlite-core), shared by better-sqlite3 on Node and D1 on Workers.
 * Every table has an org id; unique keys are the last line of defence for exactly-once effects.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CREDIT_REASONS, CREDIT_SETTLEMENTS } from '../domain/credit-notes.js';
import { DUNNING_ACTIONS, NOTIFICATION_KINDS } from '../domain/dunning.js';
import { INVOICE_KINDS, INVOICE_STATUSES } from '../domain/invoice-lifecycle.js';

const timestamps = {
  createdAt: text('created_at').notNull(),
};

export const orgs = sqliteTable('orgs', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  ...timestamps,
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['admin', 'finance', 'sales_ops', 'viewer'] }).notNull(),
    /** SHA-256 of the key; the key itself is shown once and never stored. */
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    revokedAt: text('revoked_at'),
    ...timestamps,
  },
  (t) => [uniqueIndex('api_keys_hash_uq').on(t.keyHash), index('api_keys_org_idx').on(t.orgId)],
);

export const connections = sqliteTable(
  'connections',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    vendor: text('vendor').notNull(),
    mode: text('mode', { enum: ['sandbox', 'live'] }).notNull(),
    /** The vendor's id for the account (Salesforce org id, QuickBooks realm id, ...). */
    externalAccountId: text('external_account_id'),
    /** Non-secret settings (base URL, company code, ...), JSON. */
    config: text('config').notNull(),
    /** Credentials, AES-GCM encrypted (see src/db/secrets.ts). */
    secretsEnc: text('secrets_enc').notNull(),
    /** unhealthy: its credentials stopped working; its jobs wait (queued) until a reconnect. */
    status: text('status', { enum: ['healthy', 'unhealthy'] }).notNull(),
    statusReason: text('status_reason'),
    /** When `status` last changed (ISO 8601); null until the first change after creation. */
    statusChangedAt: text('status_changed_at'),
    /** CRM pollers' high-water mark: the latest vendor change time seen (ISO 8601); null until the first poll. */
    pollCursor: text('poll_cursor'),
    /**
     * SHA-256 (hex) of the secret in this connection's inbound URL (Salesforce Outbound Messages:
     * /webhooks/salesforce/{id}/{token}); the token itself is shown once and never stored.
     */
    inboundTokenHash: text('inbound_token_hash'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('connections_org_vendor_uq').on(t.orgId, t.vendor),
    // A vendor account (Salesforce org, QuickBooks realm, ...) belongs to at most one org.
    uniqueIndex('connections_vendor_account_uq').on(t.vendor, t.externalAccountId),
  ],
);

export const customers = sqliteTable(
  'customers',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    currency: text('currency').notNull(),
    /** Billing address JSON (PostalAddress). */
    address: text('address'),
    sourceSystem: text('source_system').notNull(),
    sourceId: text('source_id').notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('customers_source_uq').on(t.orgId, t.sourceSystem, t.sourceId)],
);

export const products = sqliteTable(
  'products',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('products_sku_uq').on(t.orgId, t.sku)],
);

export const contracts = sqliteTable(
  'contracts',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    customerId: text('customer_id').notNull(),
    sourceSystem: text('source_system').notNull(),
    sourceDealId: text('source_deal_id').notNull(),
    version: integer('version').notNull(),
    status: text('status', { enum: ['draft', 'active', 'superseded', 'cancelled'] }).notNull(),
    currency: text('currency').notNull(),
    startDate: text('start_date').notNull(),
    billingCadence: text('billing_cadence').notNull(),
    billingTiming: text('billing_timing', { enum: ['in_advance', 'in_arrears'] }).notNull(),
    paymentTermsDays: integer('payment_terms_days').notNull(),
    mappingVersion: text('mapping_version').notNull(),
    /** ContractTerms JSON (src/domain/contracts/terms.ts); null for contracts made before terms existed. */
    terms: text('terms'),
    /** The date this version takes effect (an amendment's change date; the start date for version 1). */
    effectiveDate: text('effective_date'),
    /**
     * For a renewal deal's contract: the id of the renewed deal's newest contract version when
     * this one was created (a link for the trace; it changes nothing about billing the original).
     */
    renewalOfContractId: text('renewal_of_contract_id'),
    /** Set by dunning's final action (src/domain/dunning.ts): at_risk, or cancel_at_period_end. */
    collectionStatus: text('collection_status', { enum: ['at_risk', 'cancel_at_period_end'] }),
    /** When dunning set the collection status (migration 0029): cancel at period end counts from its day. */
    collectionStatusAt: text('collection_status_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('contracts_source_version_uq').on(t.orgId, t.sourceSystem, t.sourceDealId, t.version),
    index('contracts_customer_idx').on(t.orgId, t.customerId),
  ],
);

export const contractLines = sqliteTable(
  'contract_lines',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    contractId: text('contract_id').notNull(),
    lineNo: integer('line_no').notNull(),
    productId: text('product_id').notNull(),
    description: text('description').notNull(),
    /** PriceSpec JSON (flat_fee / per_unit for now). */
    priceSpec: text('price_spec').notNull(),
    quantity: text('quantity').notNull(),
    sourceLineId: text('source_line_id'),
  },
  (t) => [uniqueIndex('contract_lines_no_uq').on(t.contractId, t.lineNo)],
);

export const invoices = sqliteTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    /** The org's next number, given at finalize (issue #10); drafts have none. */
    number: text('number'),
    contractId: text('contract_id').notNull(),
    customerId: text('customer_id').notNull(),
    /** recurring (issue-2 first invoice), advance / arrears (billing run), one_time, credit_note. */
    kind: text('kind', { enum: ['recurring', 'advance', 'arrears', 'one_time', 'credit_note'] }).notNull(),
    periodStart: text('period_start').notNull(),
    periodEnd: text('period_end').notNull(),
    /** The lifecycle of src/domain/invoice-lifecycle.ts (no CHECK in SQL: the enum lives here). */
    status: text('status', { enum: INVOICE_STATUSES }).notNull(),
    currency: text('currency').notNull(),
    subtotalMinor: integer('subtotal_minor').notNull(),
    taxMinor: integer('tax_minor').notNull(),
    totalMinor: integer('total_minor').notNull(),
    amountPaidMinor: integer('amount_paid_minor').notNull(),
    issueDate: text('issue_date').notNull(),
    dueDate: text('due_date').notNull(),
    /** RoundingPolicy JSON used for this document (same one goes to tax and ERP). */
    rounding: text('rounding').notNull(),
    ...timestamps,
    // Columns below come last: bulk writers insert … select in schema order (billing-runs.ts).
    /**
     * What the document is for, the API's `kind` (first, recurring, usage, proration, true_up,
     * manual, credit_note); `kind` above is the period kind of the natural key.
     */
    documentKind: text('document_kind', { enum: INVOICE_KINDS }).notNull(),
    /** The billing run that wrote the invoice; null for invoices made outside a run. */
    billingRunId: text('billing_run_id'),
    /** For a credit note: the invoice it credits (an amendment's: the one holding the effective date). */
    creditedInvoiceId: text('credited_invoice_id'),
    /** Why a tax_pending invoice waits, in the tax engine's words (outage, rejected address); null otherwise. */
    taxPendingReason: text('tax_pending_reason'),
    /**
     * Cash or payment-provider rounding of the grand total, set at finalize (src/domain/payable.ts):
     * total_minor = subtotal_minor + tax_minor + rounding_minor. 0 when nothing is rounded.
     */
    roundingMinor: integer('rounding_minor').notNull().default(0),
  },
  (t) => [
    // Credit notes are outside the period key (an invoice may have many; migration 0010).
    uniqueIndex('invoices_period_uq')
      .on(t.orgId, t.contractId, t.periodStart, t.kind)
      .where(sql`${t.kind} != 'credit_note'`),
    uniqueIndex('invoices_number_uq').on(t.orgId, t.number),
    // The invoice list pages newest first by (created_at, id).
    index('invoices_list_idx').on(t.orgId, t.createdAt, t.id),
    index('invoices_billing_run_idx').on(t.orgId, t.billingRunId),
    index('invoices_credited_idx').on(t.orgId, t.creditedInvoiceId),
    // Every invoice of a contract, credit notes too (migration 0027; the credit guard, credits.ts).
    index('invoices_contract_idx').on(t.orgId, t.contractId),
    // A customer's invoices (migration 0035; the credit notes collection waits for, credit-notes.ts).
    index('invoices_customer_idx').on(t.orgId, t.customerId),
  ],
);

/** A credit note's reason and settlement (id = the credit note's invoice row id). */
export const creditNotes = sqliteTable(
  'credit_notes',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    /** The invoice it credits. */
    invoiceId: text('invoice_id').notNull(),
    reason: text('reason', { enum: CREDIT_REASONS }).notNull(),
    /** How it is settled; null until an amendment's credit note is issued (decided then). */
    settlement: text('settlement', { enum: CREDIT_SETTLEMENTS }),
    memo: text('memo'),
    ...timestamps,
  },
  (t) => [index('credit_notes_invoice_idx').on(t.orgId, t.invoiceId)],
);

/**
 * A customer's credit (issue #10): a credit note settled as customer_credit adds a positive entry
 * (one per note), an invoice's collection that spends it a negative one (one per invoice). The
 * balance is the sum; entries are never edited (migration 0013).
 */
export const customerCreditEntries = sqliteTable(
  'customer_credit_entries',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    customerId: text('customer_id').notNull(),
    currency: text('currency').notNull(),
    /** Positive: credit granted by a credit note; negative: credit an invoice used. */
    amountMinor: integer('amount_minor').notNull(),
    /** The credit note that granted it (positive entries). */
    creditNoteId: text('credit_note_id'),
    /** The invoice that used it (negative entries). */
    invoiceId: text('invoice_id'),
    /** The payment whose excess over what was due it keeps (positive entries; migration 0039). */
    paymentId: text('payment_id'),
    ...timestamps,
  },
  (t) => [
    index('customer_credit_customer_idx').on(t.orgId, t.customerId, t.currency),
    index('customer_credit_invoice_idx').on(t.orgId, t.invoiceId),
  ],
);

export const invoiceLines = sqliteTable(
  'invoice_lines',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    lineNo: integer('line_no').notNull(),
    productId: text('product_id').notNull(),
    description: text('description').notNull(),
    quantity: text('quantity').notNull(),
    /** Unit price, decimal string in major units. */
    unitAmount: text('unit_amount').notNull(),
    amountMinor: integer('amount_minor').notNull(),
    taxMinor: integer('tax_minor').notNull(),
    /** charge, discount, true_up, credit (wallet draw-down), proration. */
    lineKind: text('line_kind').notNull().default('charge'),
    /** The contract item or credit grant the line comes from, when it has one. */
    sourceRef: text('source_ref'),
    /** How the line was computed (rated price breakdown, proration fraction), JSON. */
    detail: text('detail'),
    // Columns below come last: bulk writers insert … select in schema order (billing-runs.ts).
    /**
     * A consolidated invoice's line (one invoice per customer and billing date, migration 0014):
     * the contract and period it bills. Null on an ordinary invoice's lines: they are its invoice's.
     */
    contractId: text('contract_id'),
    periodStart: text('period_start'),
    periodEnd: text('period_end'),
    /** advance or arrears, as invoices.kind. */
    periodKind: text('period_kind'),
  },
  (t) => [
    uniqueIndex('invoice_lines_no_uq').on(t.invoiceId, t.lineNo),
    // Only consolidated lines: what "this period is billed" reads for them.
    index('invoice_lines_period_idx')
      .on(t.orgId, t.contractId, t.periodStart, t.periodKind)
      .where(sql`${t.contractId} IS NOT NULL`),
  ],
);

export const payments = sqliteTable(
  'payments',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    provider: text('provider').notNull(),
    externalId: text('external_id').notNull(),
    status: text('status', { enum: ['succeeded', 'failed'] }).notNull(),
    amountMinor: integer('amount_minor').notNull(),
    feeMinor: integer('fee_minor').notNull(),
    currency: text('currency').notNull(),
    receivedAt: text('received_at').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('payments_external_uq').on(t.orgId, t.provider, t.externalId),
    index('payments_invoice_idx').on(t.orgId, t.invoiceId),
  ],
);

export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    /** One journal entry per source event: (source type, source id, kind) is unique. */
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id').notNull(),
    kind: text('kind').notNull(),
    memo: text('memo').notNull(),
    occurredAt: text('occurred_at').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('ledger_entries_source_uq').on(t.orgId, t.sourceType, t.sourceId, t.kind),
    // The journal and trial balance of a period (migration 0025).
    index('ledger_entries_occurred_idx').on(t.orgId, t.occurredAt, t.id),
  ],
);

export const ledgerLines = sqliteTable(
  'ledger_lines',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    entryId: text('entry_id').notNull(),
    account: text('account').notNull(),
    currency: text('currency').notNull(),
    debitMinor: integer('debit_minor').notNull(),
    creditMinor: integer('credit_minor').notNull(),
  },
  (t) => [
    index('ledger_lines_entry_idx').on(t.entryId),
    // The trial balance and "has this account been posted to" (migration 0025).
    index('ledger_lines_account_idx').on(t.orgId, t.account),
  ],
);

/** The org's chart of accounts (issue #13); `code` is what ledger lines name in `account`. */
export const ledgerAccounts = sqliteTable(
  'ledger_accounts',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    type: text('type').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    ...timestamps,
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('ledger_accounts_code_uq').on(t.orgId, t.code)],
);

/** One row once an org's default chart was laid, so a deleted default account stays deleted. */
export const ledgerCharts = sqliteTable('ledger_charts', {
  orgId: text('org_id').primaryKey(),
  ...timestamps,
});

/** Closed accounting months (YYYY-MM): nothing new is dated inside one. */
export const ledgerPeriods = sqliteTable(
  'ledger_periods',
  {
    orgId: text('org_id').notNull(),
    period: text('period').notNull(),
    closedAt: text('closed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.period] })],
);

/** Standalone selling prices per product and currency (a decimal unit price in major units). */
export const revenueSsp = sqliteTable(
  'revenue_ssp',
  {
    orgId: text('org_id').notNull(),
    productId: text('product_id').notNull(),
    currency: text('currency').notNull(),
    unitAmount: text('unit_amount').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.productId, t.currency] })],
);

/** A contract modification's recognition change: rule and explanation JSON (before, after, catch-up). */
export const revenueModifications = sqliteTable(
  'revenue_modifications',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    contractId: text('contract_id').notNull(),
    rule: text('rule').notNull(),
    explanation: text('explanation').notNull(),
    ...timestamps,
  },
  (t) => [index('revenue_modifications_contract_idx').on(t.orgId, t.contractId)],
);

export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    kind: text('kind').notNull(),
    payload: text('payload').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    /** Ties every job of one deal together for the trace (e.g. "salesforce:opportunity:006..."). */
    correlationId: text('correlation_id').notNull(),
    /** Rate-limit bucket: the vendor connection the job mostly talks to. */
    connectionKey: text('connection_key'),
    state: text('state', { enum: ['queued', 'running', 'succeeded', 'dead'] }).notNull(),
    attempts: integer('attempts').notNull(),
    maxAttempts: integer('max_attempts').notNull(),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseUntil: integer('lease_until'),
    /**
     * Which process holds the lease (Node: `node:<host>:<pid>`; null on Workers): a Node process that
     * starts hands back the leases of processes on its host that are gone, instead of waiting them out.
     */
    leaseOwner: text('lease_owner'),
    lastError: text('last_error'),
    ...timestamps,
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('jobs_dedupe_uq').on(t.orgId, t.dedupeKey),
    index('jobs_due_idx').on(t.state, t.nextAttemptAt),
    index('jobs_correlation_idx').on(t.orgId, t.correlationId),
  ],
);

export const flowRuns = sqliteTable(
  'flow_runs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    flow: text('flow').notNull(),
    subjectId: text('subject_id').notNull(),
    jobId: text('job_id').notNull(),
    state: text('state', { enum: ['running', 'succeeded', 'failed'] }).notNull(),
    ...timestamps,
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('flow_runs_subject_uq').on(t.orgId, t.flow, t.subjectId), index('flow_runs_job_idx').on(t.jobId)],
);

export const flowSteps = sqliteTable(
  'flow_steps',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    runId: text('run_id').notNull(),
    step: text('step').notNull(),
    /** started = the step began and its outcome is unknown until done/failed is stored. */
    status: text('status', { enum: ['started', 'done', 'failed'] }).notNull(),
    output: text('output'),
    error: text('error'),
    attempts: integer('attempts').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('flow_steps_run_step_uq').on(t.runId, t.step)],
);

export const externalRefs = sqliteTable(
  'external_refs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    system: text('system').notNull(),
    objectType: text('object_type').notNull(),
    localId: text('local_id').notNull(),
    externalId: text('external_id').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('external_refs_uq').on(t.orgId, t.system, t.objectType, t.localId),
    index('external_refs_external_idx').on(t.orgId, t.system, t.objectType, t.externalId),
  ],
);

export const webhookInbox = sqliteTable(
  'webhook_inbox',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    payload: text('payload').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (t) => [uniqueIndex('webhook_inbox_event_uq').on(t.orgId, t.provider, t.eventId)],
);

/**
 * Payment webhooks parked until the hub can tie them to an invoice (migration 0029): the event
 * named a payment whose attempt had not committed yet. `event` is the parsed PaymentEvent (JSON);
 * `applied_at` and `invoice_id` are set when its record-payment job is enqueued.
 */
export const parkedWebhooks = sqliteTable(
  'parked_webhooks',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    paymentExternalId: text('payment_external_id').notNull(),
    event: text('event').notNull(),
    parkedAt: text('parked_at').notNull(),
    appliedAt: text('applied_at'),
    invoiceId: text('invoice_id'),
    /** Deliveries of this event received while parked (migration 0040). */
    attempts: integer('attempts').notNull().default(1),
  },
  (t) => [
    uniqueIndex('parked_webhooks_event_uq').on(t.orgId, t.provider, t.eventId),
    index('parked_webhooks_payment_idx').on(t.orgId, t.provider, t.paymentExternalId),
    index('parked_webhooks_waiting_idx').on(t.appliedAt, t.parkedAt),
  ],
);

/** Chargebacks on an invoice's payment, one per provider dispute (migration 0040). */
export const disputes = sqliteTable(
  'disputes',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    paymentId: text('payment_id').notNull(),
    provider: text('provider').notNull(),
    externalId: text('external_id').notNull(),
    /** The provider's status as last sent (Stripe: needs_response, under_review, won, lost, ...). */
    status: text('status').notNull(),
    outcome: text('outcome', { enum: ['won', 'lost'] }),
    reason: text('reason'),
    amountMinor: integer('amount_minor').notNull(),
    currency: text('currency').notNull(),
    openedAt: text('opened_at').notNull(),
    closedAt: text('closed_at'),
    ...timestamps,
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('disputes_external_uq').on(t.orgId, t.provider, t.externalId),
    index('disputes_invoice_idx').on(t.orgId, t.invoiceId),
  ],
);

/**
 * How an org's invoices finalize (issue #10). No row = the defaults: auto after one hour, INV- numbers.
 * auto: a draft finalizes once `graceSeconds` have passed since it was written (late usage may still land);
 * approval: a finance or admin key approves it.
 */
export const orgBillingSettings = sqliteTable('org_billing_settings', {
  orgId: text('org_id').primaryKey(),
  finalizePolicy: text('finalize_policy', { enum: ['auto', 'approval'] }).notNull(),
  graceSeconds: integer('grace_seconds').notNull(),
  numberPrefix: text('number_prefix').notNull(),
  updatedAt: text('updated_at').notNull(),
  /** One invoice per customer and billing date holding every contract's lines (migration 0014). */
  consolidate: integer('consolidate', { mode: 'boolean' }).notNull().default(false),
});

export const sequences = sqliteTable(
  'sequences',
  {
    orgId: text('org_id').notNull(),
    name: text('name').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [uniqueIndex('sequences_uq').on(t.orgId, t.name)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subject: text('subject').notNull(),
    detail: text('detail').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('audit_log_org_idx').on(t.orgId, t.at)],
);

/**
 * Billable metrics: how usage events of one code turn into a quantity per period
 * (src/domain/metering). `filters`, `group_by` and `rounding` are JSON.
 */
export const billableMetrics = sqliteTable(
  'billable_metrics',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    aggregation: text('aggregation', {
      enum: ['count', 'sum', 'max', 'unique_count', 'latest', 'weighted_sum'],
    }).notNull(),
    /** The event property the aggregation reads (null for count). */
    field: text('field'),
    /** JSON array of { property, values[] }: an event counts when every filter matches. */
    filters: text('filters').notNull(),
    /** JSON array of property names; one aggregate per distinct combination (matrix pricing). */
    groupBy: text('group_by').notNull(),
    /** JSON { mode: round|ceil|floor, precision } or null for no rounding. */
    rounding: text('rounding'),
    /** count / sum over everything since the contract started, not only the period (seats). */
    recurring: integer('recurring', { mode: 'boolean' }).notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex('billable_metrics_code_uq').on(t.orgId, t.code)],
);

/**
 * Raw usage events, append-only. `customer_id` is the hub customer id (customers.id, "cus_…"),
 * not the CRM's key, so an event can never be attributed to the wrong org's customer.
 * (org_id, transaction_id) is unique: a resent event is a duplicate, never a second row.
 * Times are epoch milliseconds.
 */
export const usageEvents = sqliteTable(
  'usage_events',
  {
    /** rowid alias: events are many and have their natural key in (org_id, transaction_id). */
    id: integer('id').primaryKey(),
    orgId: text('org_id').notNull(),
    transactionId: text('transaction_id').notNull(),
    customerId: text('customer_id').notNull(),
    metricCode: text('metric_code').notNull(),
    timestamp: integer('timestamp').notNull(),
    /** JSON object of scalar properties (string, number, boolean). */
    properties: text('properties').notNull(),
    receivedAt: integer('received_at').notNull(),
    /**
     * True when the event's period was already invoiced when it arrived: its timestamp is before
     * its customer's "invoiced through" watermark, the latest period_end of the customer's
     * arrears invoices (see src/domain/metering/late.ts).
     */
    late: integer('late', { mode: 'boolean' }).notNull(),
    /**
     * Late events only: the invoice that billed the event (a billing run's late-usage line, or the
     * regular usage of the period it falls in); null while it is unbilled. Late events of
     * non-additive metrics stay null and are listed for a manual correction.
     */
    lateBilledInvoiceId: text('late_billed_invoice_id'),
  },
  (t) => [
    uniqueIndex('usage_events_txn_uq').on(t.orgId, t.transactionId),
    index('usage_events_lookup_idx').on(t.orgId, t.customerId, t.metricCode, t.timestamp),
    // Late events are few: a partial index keeps "unbilled late events of the org" off the full scan.
    index('usage_events_late_idx').on(t.orgId, t.lateBilledInvoiceId, t.customerId).where(sql`late = 1`),
  ],
);

/** One billing run: finds every contract period due at `at` and invoices it; progress is visible. */
export const billingRuns = sqliteTable(
  'billing_runs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    /** The date the run bills through (YYYY-MM-DD, inclusive). */
    at: text('at').notNull(),
    state: text('state', { enum: ['running', 'succeeded', 'failed'] }).notNull(),
    contractsTotal: integer('contracts_total').notNull(),
    contractsDone: integer('contracts_done').notNull(),
    invoicesCreated: integer('invoices_created').notNull(),
    error: text('error'),
    ...timestamps,
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('billing_runs_org_idx').on(t.orgId, t.createdAt)],
);

/**
 * Field mappings per org: versioned; a draft is edited, publishing makes it the one the flow
 * uses; rolling back publishes an older version again. Versions are never edited once published.
 */
export const mappingSets = sqliteTable(
  'mapping_sets',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    /** Which CRM object it maps: salesforce (Opportunity) or hubspot (Deal). */
    crm: text('crm', { enum: ['salesforce', 'hubspot'] }).notNull(),
    version: integer('version').notNull(),
    status: text('status', { enum: ['draft', 'published', 'retired'] }).notNull(),
    /** The MappingSet JSON (fields, lookups, defaults). */
    definition: text('definition').notNull(),
    createdBy: text('created_by').notNull(),
    publishedAt: text('published_at'),
    ...timestamps,
  },
  (t) => [uniqueIndex('mapping_sets_version_uq').on(t.orgId, t.crm, t.version)],
);

/**
 * Console invitation links (issue #14): a link starts one console session with its role, once,
 * before it expires. The token is shown once (in the link) and stored as its SHA-256.
 */
export const consoleInvitations = sqliteTable(
  'console_invitations',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    role: text('role', { enum: ['admin', 'finance', 'sales_ops', 'viewer'] }).notNull(),
    /** Who the link is for, as the inviter wrote it (shown in the console header and the audit log). */
    label: text('label').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdBy: text('created_by').notNull(),
    ...timestamps,
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
  },
  (t) => [
    uniqueIndex('console_invitations_token_uq').on(t.tokenHash),
    index('console_invitations_org_idx').on(t.orgId, t.createdAt),
  ],
);

/** A dead job someone marked resolved (fixed by hand, or not worth replaying), with why. */
export const jobResolutions = sqliteTable(
  'job_resolutions',
  {
    jobId: text('job_id').primaryKey(),
    orgId: text('org_id').notNull(),
    reason: text('reason').notNull(),
    resolvedBy: text('resolved_by').notNull(),
    resolvedAt: text('resolved_at').notNull(),
  },
  (t) => [index('job_resolutions_org_idx').on(t.orgId)],
);

/** An org's outgoing webhook endpoint (issue #14): the events it hears, its sealed signing secret. */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    url: text('url').notNull(),
    description: text('description').notNull(),
    /** JSON array of event types (`invoice.finalized`, ...). */
    eventTypes: text('event_types').notNull(),
    /** The Standard Webhooks secret (`whsec_…`), AES-GCM sealed: signing needs it back. */
    secretSealed: text('secret_sealed').notNull(),
    ...timestamps,
    disabledAt: text('disabled_at'),
  },
  (t) => [index('webhook_endpoints_org_idx').on(t.orgId, t.createdAt)],
);

/** One event for one endpoint: its id is the `webhook-id` every attempt and resend carries. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    eventType: text('event_type').notNull(),
    /** What happened, once (`invoice.finalized:inv_…`): an event reaches an endpoint once. */
    eventKey: text('event_key').notNull(),
    /** The exact JSON body sent (and signed). */
    payload: text('payload').notNull(),
    /** The dedupe key of the job that delivers it now (a resend points it at a new job). */
    jobKey: text('job_key').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastAttemptAt: text('last_attempt_at'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    deliveredAt: text('delivered_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_uq').on(t.orgId, t.endpointId, t.eventKey),
    index('webhook_deliveries_endpoint_idx').on(t.orgId, t.endpointId, t.createdAt),
  ],
);

// ---------------------------------------------------------------- Tax (issue #12, migration 0023)

/** Which tax engine an org's invoices use: a connected vendor, or its manual rate table. No row: the connected one. */
export const orgTaxSettings = sqliteTable('org_tax_settings', {
  orgId: text('org_id').primaryKey(),
  /** avalara, anrok (a connection of that vendor), manual (the rate table below), or null (whichever is connected). */
  engine: text('engine', { enum: ['avalara', 'anrok', 'manual'] }),
  updatedAt: text('updated_at').notNull(),
});

/** The manual tax-rate table of an org with no tax engine: a rate per jurisdiction and product tax code. */
export const taxRates = sqliteTable(
  'tax_rates',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    /** Country (ISO 3166-1 alpha-2) or country-region ("US-CA"); the most specific row wins. */
    jurisdiction: text('jurisdiction').notNull(),
    /** The product tax code the rate applies to; '' for every product without a row of its own. */
    productTaxCode: text('product_tax_code').notNull(),
    /** Decimal fraction ("0.0725"). */
    rate: text('rate').notNull(),
    ...timestamps,
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('tax_rates_uq').on(t.orgId, t.jurisdiction, t.productTaxCode)],
);

/** A product's tax code at each engine (Avalara tax code, Anrok product external id, the manual table's code). */
export const productTaxCodes = sqliteTable(
  'product_tax_codes',
  {
    orgId: text('org_id').notNull(),
    productId: text('product_id').notNull(),
    engine: text('engine', { enum: ['avalara', 'anrok', 'manual'] }).notNull(),
    code: text('code').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('product_tax_codes_uq').on(t.orgId, t.productId, t.engine)],
);

/** A customer's tax exemption certificate number (Avalara exemptionNo; Anrok: the customer holds its certificates). */
export const customerTaxExemptions = sqliteTable(
  'customer_tax_exemptions',
  {
    orgId: text('org_id').notNull(),
    customerId: text('customer_id').notNull(),
    exemptionNumber: text('exemption_number').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('customer_tax_exemptions_uq').on(t.orgId, t.customerId)],
);

/** Per-org dunning schedule and final action (src/domain/dunning.ts); no row → the defaults. */
export const dunningSettings = sqliteTable('dunning_settings', {
  orgId: text('org_id').primaryKey(),
  /** JSON array of days after the due date. */
  retryDays: text('retry_days').notNull(),
  finalAction: text('final_action', { enum: DUNNING_ACTIONS }).notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** An org's own wording for a notification kind; no row → the hub's default template. */
export const notificationTemplates = sqliteTable(
  'notification_templates',
  {
    orgId: text('org_id').notNull(),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('notification_templates_kind_uq').on(t.orgId, t.kind)],
);

/**
 * The notification outbox: reminders and receipts rendered and kept, one per (org, dedupe key).
 * No sender is wired yet (a port comes later): rows stay `pending`, inspectable and replayable.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    invoiceId: text('invoice_id'),
    customerId: text('customer_id'),
    recipient: text('recipient'),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['pending', 'sent'] }).notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    replays: integer('replays').notNull().default(0),
    createdAt: text('created_at').notNull(),
    replayedAt: text('replayed_at'),
  },
  (t) => [
    uniqueIndex('notifications_dedupe_uq').on(t.orgId, t.dedupeKey),
    index('notifications_org_created_idx').on(t.orgId, t.createdAt),
  ],
);

/**
 * Reconciliation (issue #13, migration 0038): one run compares the hub with one system (an ERP,
 * a payment provider, or the CRM) for one month; its items are the disagreements it found. GET
 * answers the newest finished run of a system and period. An item is fixed by a repush (the job
 * that posts the document runs again) or resolved by a person with a reason.
 */
export const reconciliationRuns = sqliteTable(
  'reconciliation_runs',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    /** quickbooks, netsuite, stripe, adyen, razorpay, crm. */
    system: text('system').notNull(),
    /** YYYY-MM. */
    period: text('period').notNull(),
    state: text('state', { enum: ['running', 'succeeded', 'failed'] }).notNull(),
    /** Hub documents compared. */
    checked: integer('checked').notNull(),
    /** Whether vendor objects with our reference the hub does not know were looked for (0: not checked). */
    extraChecked: integer('extra_checked').notNull(),
    /** Why extras were not checked, or what a failed run stopped on. */
    note: text('note'),
    /** nightly or manual. */
    trigger: text('trigger').notNull(),
    ...timestamps,
    finishedAt: text('finished_at'),
  },
  (t) => [index('reconciliation_runs_latest_idx').on(t.orgId, t.system, t.period, t.createdAt)],
);

export const reconciliationItems = sqliteTable(
  'reconciliation_items',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    runId: text('run_id').notNull(),
    /** missing, extra, amount_differs, status_differs (src/domain/reconciliation.ts). */
    kind: text('kind').notNull(),
    /** invoice, payment, credit_memo, deal. */
    documentKind: text('document_kind').notNull(),
    localId: text('local_id'),
    ref: text('ref').notNull(),
    externalId: text('external_id'),
    hubStatus: text('hub_status'),
    vendorStatus: text('vendor_status'),
    hubAmountMinor: integer('hub_amount_minor'),
    vendorAmountMinor: integer('vendor_amount_minor'),
    currency: text('currency'),
    detail: text('detail').notNull(),
    /** The one-call fix offered: repush (the posting job runs again) or resolve (a person decides). */
    fix: text('fix', { enum: ['repush', 'resolve'] }).notNull(),
    repushedAt: text('repushed_at'),
    resolvedAt: text('resolved_at'),
    resolvedBy: text('resolved_by'),
    resolutionReason: text('resolution_reason'),
    ...timestamps,
  },
  (t) => [
    index('reconciliation_items_run_idx').on(t.orgId, t.runId, t.id),
    // A resolution carries to later runs of the same disagreement (same system, kind and reference).
    index('reconciliation_items_ref_idx').on(t.orgId, t.ref),
  ],
);
