/**
 * The snake_case bodies of the invoice read API (JSON and CSV) and the mapping from stored rows.
 * Money is integer minor units in JSON; CSV adds the decimal amount in the currency's exponent.
 */
import { z } from '@hono/zod-openapi';
import type { DisputeRow } from '../../db/repos/disputes.js';
import type { ExternalRef, InvoiceReadRow, invoiceDetail } from '../../db/repos/invoices-read.js';
import { CREDIT_REASONS, CREDIT_SETTLEMENTS } from '../../domain/credit-notes.js';
import { amountDueMinor, INVOICE_KINDS, INVOICE_STATUSES } from '../../domain/invoice-lifecycle.js';
import { minorToMajor } from '../../domain/money.js';
import type { CsvValue } from '../csv.js';
import { invoiceVoidBody, toInvoiceVoid } from './invoice-void-body.js';

const erpRef = z.object({ system: z.string(), external_id: z.string() }).openapi('ErpRef');

export const invoiceSummary = z
  .object({
    id: z.string(),
    number: z.string().nullable().openapi({ description: 'Assigned at finalize; null while a draft has none' }),
    kind: z.enum(INVOICE_KINDS),
    status: z.enum(INVOICE_STATUSES),
    currency: z.string(),
    total_minor: z.number().int(),
    amount_due_minor: z.number().int().openapi({
      description: 'Total less payments and issued credit notes, never below 0; 0 once paid or void',
    }),
    erp_refs: z.array(erpRef),
    customer_id: z.string(),
    contract_id: z.string(),
    billing_run_id: z.string().nullable(),
    period_start: z.string(),
    period_end: z.string(),
    issue_date: z.string(),
    due_date: z.string(),
    created_at: z.string(),
  })
  .openapi('InvoiceSummary');

export const creditNoteSummary = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    status: z.enum(INVOICE_STATUSES),
    currency: z.string(),
    total_minor: z.number().int().openapi({ description: 'What the note credits to the customer (positive)' }),
    invoice_id: z.string().nullable().openapi({ description: 'The invoice it credits' }),
    erp_refs: z.array(erpRef),
    customer_id: z.string(),
    contract_id: z.string(),
    period_start: z.string(),
    period_end: z.string(),
    issue_date: z.string(),
    created_at: z.string(),
  })
  .openapi('CreditNoteSummary');

const ledgerEntry = z.object({
  id: z.string(),
  kind: z.string(),
  source_type: z.string(),
  source_id: z.string(),
  memo: z.string(),
  occurred_at: z.string(),
  lines: z.array(
    z.object({
      account: z.string(),
      currency: z.string(),
      debit_minor: z.number().int(),
      credit_minor: z.number().int(),
    }),
  ),
});

const timelineJob = z.object({
  job_id: z.string(),
  flow: z.string().nullable(),
  subject_id: z.string().nullable(),
  state: z.enum(['queued', 'running', 'succeeded', 'dead']),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  last_error: z.string().nullable(),
  next_attempt_at: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  steps: z.array(
    z.object({
      step: z.string(),
      status: z.enum(['started', 'done', 'failed']),
      attempts: z.number().int(),
      error: z.string().nullable(),
      updated_at: z.string(),
    }),
  ),
});

/** A dispute on one of the invoice's payments (src/db/repos/disputes.ts). */
export const disputeBody = z
  .object({
    id: z.string(),
    payment_id: z.string(),
    provider: z.string(),
    external_id: z.string(),
    status: z
      .string()
      .openapi({ description: "The provider's status (Stripe: needs_response, under_review, won, lost)" }),
    outcome: z.enum(['won', 'lost']).nullable(),
    reason: z.string().nullable(),
    amount_minor: z.number().int(),
    currency: z.string(),
    opened_at: z.string(),
    closed_at: z.string().nullable(),
  })
  .openapi('InvoiceDispute');

export const toDisputeBody = (d: DisputeRow): z.infer<typeof disputeBody> => ({
  id: d.id,
  payment_id: d.paymentId,
  provider: d.provider,
  external_id: d.externalId,
  status: d.status,
  outcome: d.outcome,
  reason: d.reason,
  amount_minor: d.amountMinor,
  currency: d.currency,
  opened_at: d.openedAt,
  closed_at: d.closedAt,
});

export const invoiceDetailBody = invoiceSummary
  .extend({
    period_kind: z
      .string()
      .openapi({ description: 'advance, arrears or credit_note: the billing period the document covers' }),
    subtotal_minor: z.number().int(),
    tax_minor: z.number().int(),
    rounding_minor: z.number().int().openapi({
      description:
        'Cash or payment-provider rounding of the grand total at finalize (terms rounding.cashIncrement / providerAmounts): total_minor = subtotal_minor + tax_minor + rounding_minor',
    }),
    amount_paid_minor: z.number().int(),
    credited_minor: z.number().int().openapi({
      description:
        'Taken off what is due besides payments: issued credit notes settled as reduce_due, and customer credit spent on it',
    }),
    credited_invoice_id: z.string().nullable().openapi({ description: 'For a credit note: the invoice it credits' }),
    rounding: z.unknown(),
    lines: z.array(
      z.object({
        line_no: z.number().int(),
        product_id: z.string(),
        description: z.string(),
        quantity: z.string(),
        unit_amount: z.string().openapi({ description: 'Decimal string in major units' }),
        amount_minor: z.number().int(),
        tax_minor: z.number().int(),
        line_kind: z.string(),
        source_ref: z.string().nullable(),
        detail: z.unknown(),
        contract_id: z
          .string()
          .openapi({ description: "The contract the line bills (a consolidated invoice's lines name each their own)" }),
        period_start: z.string(),
        period_end: z.string(),
      }),
    ),
    tax: z.object({
      tax_minor: z.number().int(),
      engine: z.string().nullable().openapi({
        description:
          'What computed the tax: avalara, anrok, or manual (the org has no tax engine: its own rate table); null before tax',
      }),
      manual: z
        .boolean()
        .openapi({ description: "True when the tax comes from the org's manual rate table, not a tax engine" }),
      engine_refs: z.array(z.object({ system: z.string(), object_type: z.string(), external_id: z.string() })),
    }),
    payments: z.array(
      z.object({
        id: z.string(),
        provider: z.string(),
        external_id: z.string(),
        status: z.enum(['succeeded', 'failed']),
        amount_minor: z.number().int(),
        fee_minor: z.number().int(),
        currency: z.string(),
        received_at: z.string(),
      }),
    ),
    disputes: z
      .array(disputeBody)
      .openapi({ description: 'Chargebacks on its payments (Stripe charge.dispute.*), oldest first' }),
    credit_notes: z.array(
      z.object({
        id: z.string(),
        number: z.string().nullable(),
        status: z.enum(INVOICE_STATUSES),
        total_minor: z.number().int(),
        reason: z.enum(CREDIT_REASONS).nullable(),
        settlement: z.enum(CREDIT_SETTLEMENTS).nullable().openapi({
          description: "How the note is settled; null until an amendment's note is issued",
        }),
        created_at: z.string(),
      }),
    ),
    credit_note: z
      .object({
        reason: z.enum(CREDIT_REASONS),
        settlement: z.enum(CREDIT_SETTLEMENTS).nullable(),
        memo: z.string().nullable(),
        settled_split: z
          .object({
            refund_minor: z.number().int(),
            customer_credit_minor: z.number().int(),
          })
          .nullable()
          .openapi({
            description:
              "Once a refund or customer_credit note is settled: what the payment provider paid back and what became customer credit. A refund is made in the provider's amount step (Stripe: 10 fils for KWD, 100 for HUF); the rest below it is kept as customer credit, never lost",
          }),
      })
      .nullable()
      .openapi({ description: 'For a credit note: why it was written and how it is settled' }),
    erp_refs: z.array(z.object({ system: z.string(), object_type: z.string(), external_id: z.string() })),
    ledger_entries: z.array(ledgerEntry),
    timeline: z
      .array(timelineJob)
      .openapi({ description: 'The flow jobs of the invoice and its payments, oldest first' }),
    void: invoiceVoidBody
      .nullable()
      .openapi({ description: 'Once voided: the void job and each downstream effect undone, with its state' }),
  })
  .openapi('InvoiceDetail');

const toErpRef = (r: ExternalRef) => ({ system: r.system, external_id: r.externalId });

export function toInvoiceSummary(
  row: InvoiceReadRow,
  refs: readonly ExternalRef[],
  creditedMinor: number,
): z.infer<typeof invoiceSummary> {
  return {
    id: row.id,
    number: row.number,
    kind: row.documentKind,
    status: row.status,
    currency: row.currency,
    total_minor: row.totalMinor,
    amount_due_minor: amountDueMinor({ ...row, creditedMinor }),
    erp_refs: refs.map(toErpRef),
    customer_id: row.customerId,
    contract_id: row.contractId,
    billing_run_id: row.billingRunId,
    period_start: row.periodStart,
    period_end: row.periodEnd,
    issue_date: row.issueDate,
    due_date: row.dueDate,
    created_at: row.createdAt,
  };
}

export function toCreditNoteSummary(
  row: InvoiceReadRow,
  refs: readonly ExternalRef[],
): z.infer<typeof creditNoteSummary> {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    currency: row.currency,
    total_minor: row.totalMinor,
    invoice_id: row.creditedInvoiceId,
    erp_refs: refs.map(toErpRef),
    customer_id: row.customerId,
    contract_id: row.contractId,
    period_start: row.periodStart,
    period_end: row.periodEnd,
    issue_date: row.issueDate,
    created_at: row.createdAt,
  };
}

/** Stored JSON columns are ours, but a row from an old version may not parse: show it raw then. */
function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type Detail = NonNullable<Awaited<ReturnType<typeof invoiceDetail>>>;

export function toInvoiceDetail(
  d: Detail,
  creditedMinor: number,
  disputes: readonly DisputeRow[] = [],
): z.infer<typeof invoiceDetailBody> {
  const i = d.invoice;
  return {
    ...toInvoiceSummary(i, d.erpRefs, creditedMinor),
    period_kind: i.kind,
    subtotal_minor: i.subtotalMinor,
    tax_minor: i.taxMinor,
    rounding_minor: i.roundingMinor,
    amount_paid_minor: i.amountPaidMinor,
    credited_minor: creditedMinor,
    credited_invoice_id: i.creditedInvoiceId,
    rounding: parsed(i.rounding),
    lines: d.lines.map((l) => ({
      line_no: l.lineNo,
      product_id: l.productId,
      description: l.description,
      quantity: l.quantity,
      unit_amount: l.unitAmount,
      amount_minor: l.amountMinor,
      tax_minor: l.taxMinor,
      line_kind: l.lineKind,
      source_ref: l.sourceRef,
      detail: parsed(l.detail),
      // An ordinary invoice's lines bill its own contract and period (migration 0014).
      contract_id: l.contractId ?? i.contractId,
      period_start: l.periodStart ?? i.periodStart,
      period_end: l.periodEnd ?? i.periodEnd,
    })),
    tax: {
      tax_minor: i.taxMinor,
      engine: d.taxRefs[0]?.system ?? null,
      manual: d.taxRefs.some((r) => r.system === 'manual'),
      engine_refs: d.taxRefs.map((r) => ({ system: r.system, object_type: r.objectType, external_id: r.externalId })),
    },
    payments: d.payments.map((p) => ({
      id: p.id,
      provider: p.provider,
      external_id: p.externalId,
      status: p.status,
      amount_minor: p.amountMinor,
      fee_minor: p.feeMinor,
      currency: p.currency,
      received_at: p.receivedAt,
    })),
    disputes: disputes.map(toDisputeBody),
    credit_notes: d.creditNotes.map((n) => ({
      id: n.id,
      number: n.number,
      status: n.status,
      total_minor: n.totalMinor,
      reason: n.reason,
      settlement: n.settlement,
      created_at: n.createdAt,
    })),
    credit_note: d.creditNoteTerms
      ? {
          reason: d.creditNoteTerms.reason,
          settlement: d.creditNoteTerms.settlement,
          memo: d.creditNoteTerms.memo,
          settled_split:
            i.status === 'paid' &&
            d.creditNoteTerms.settlement !== 'reduce_due' &&
            d.creditNoteTerms.settlement !== null
              ? { refund_minor: i.totalMinor - d.creditKeptMinor, customer_credit_minor: d.creditKeptMinor }
              : null,
        }
      : null,
    erp_refs: d.erpRefs.map((r) => ({ system: r.system, object_type: r.objectType, external_id: r.externalId })),
    ledger_entries: d.ledger.map((e) => ({
      id: e.id,
      kind: e.kind,
      source_type: e.sourceType,
      source_id: e.sourceId,
      memo: e.memo,
      occurred_at: e.occurredAt,
      lines: e.lines.map((l) => ({
        account: l.account,
        currency: l.currency,
        debit_minor: l.debitMinor,
        credit_minor: l.creditMinor,
      })),
    })),
    timeline: d.timeline.map((t) => ({
      job_id: t.job.id,
      flow: t.flow,
      subject_id: t.subjectId,
      state: t.job.state,
      attempts: t.job.attempts,
      max_attempts: t.job.maxAttempts,
      last_error: t.job.lastError,
      next_attempt_at: new Date(t.job.nextAttemptAt).toISOString(),
      created_at: t.job.createdAt,
      updated_at: t.job.updatedAt,
      steps: t.steps.map((s) => ({
        step: s.step,
        status: s.status,
        attempts: s.attempts,
        error: s.error,
        updated_at: s.updatedAt,
      })),
    })),
    void: toInvoiceVoid(d.timeline),
  };
}

const refsCell = (refs: readonly { system: string; external_id: string }[]) =>
  refs.map((r) => `${r.system}:${r.external_id}`).join(' ');

export const INVOICE_CSV_HEADER = [
  'id',
  'number',
  'kind',
  'status',
  'currency',
  'total',
  'total_minor',
  'amount_due',
  'amount_due_minor',
  'customer_id',
  'contract_id',
  'billing_run_id',
  'period_start',
  'period_end',
  'issue_date',
  'due_date',
  'created_at',
  'erp_refs',
] as const;

export function invoiceCsvRow(i: z.infer<typeof invoiceSummary>): CsvValue[] {
  return [
    i.id,
    i.number,
    i.kind,
    i.status,
    i.currency,
    minorToMajor(i.total_minor, i.currency),
    i.total_minor,
    minorToMajor(i.amount_due_minor, i.currency),
    i.amount_due_minor,
    i.customer_id,
    i.contract_id,
    i.billing_run_id,
    i.period_start,
    i.period_end,
    i.issue_date,
    i.due_date,
    i.created_at,
    refsCell(i.erp_refs),
  ];
}

export const CREDIT_NOTE_CSV_HEADER = [
  'id',
  'number',
  'status',
  'currency',
  'total',
  'total_minor',
  'invoice_id',
  'customer_id',
  'contract_id',
  'period_start',
  'period_end',
  'issue_date',
  'created_at',
  'erp_refs',
] as const;

export function creditNoteCsvRow(n: z.infer<typeof creditNoteSummary>): CsvValue[] {
  return [
    n.id,
    n.number,
    n.status,
    n.currency,
    minorToMajor(n.total_minor, n.currency),
    n.total_minor,
    n.invoice_id,
    n.customer_id,
    n.contract_id,
    n.period_start,
    n.period_end,
    n.issue_date,
    n.created_at,
    refsCell(n.erp_refs),
  ];
}
