/**
 * The void of an invoice as its detail shows it (issue #10: "the trace shows the void with every
 * downstream effect and its state"): the void job, and one entry per effect to undo — each step
 * of the invoice's downstream runs that has an undo (flows/undo.ts) and finished — with the state
 * of its compensation (`compensate:<step>` in that run), then the CRM write-back.
 */
import { z } from '@hono/zod-openapi';
import type { invoiceDetail } from '../../db/repos/invoices-read.js';

type Timeline = NonNullable<Awaited<ReturnType<typeof invoiceDetail>>>['timeline'];

/** The steps that have an undo, by flow, and what undoing them is called here. */
const UNDOABLE: Record<string, Record<string, string>> = {
  'collect-payment': { payment: 'payment_attempt_cancelled' },
  'post-invoice-to-erp': { 'erp-invoice': 'erp_invoice_voided' },
  'finalize-invoice': { tax: 'tax_document_voided', finalize: 'ledger_entry_reversed' },
};
/** In the order the void job undoes them (flows/void-invoice.ts). */
const ORDER = ['collect-payment', 'post-invoice-to-erp', 'finalize-invoice'];

const effectState = z.enum(['pending', 'started', 'done', 'failed']);

export const invoiceVoidBody = z
  .object({
    job_id: z.string(),
    state: z.enum(['queued', 'running', 'succeeded', 'dead']),
    last_error: z.string().nullable(),
    effects: z.array(
      z.object({
        effect: z.string().openapi({
          description:
            'payment_attempt_cancelled, erp_invoice_voided, tax_document_voided, ledger_entry_reversed or crm_write_back',
        }),
        flow: z.string(),
        step: z.string(),
        state: effectState,
        error: z.string().nullable(),
      }),
    ),
  })
  .openapi('InvoiceVoid');

export function toInvoiceVoid(timeline: Timeline): z.infer<typeof invoiceVoidBody> | null {
  const voiding = timeline.find((t) => t.flow === 'void-invoice');
  if (!voiding) return null;
  const effects: z.infer<typeof invoiceVoidBody>['effects'] = [];
  for (const flow of ORDER) {
    const run = timeline.find((t) => t.flow === flow && t.subjectId === voiding.subjectId);
    for (const [step, effect] of Object.entries(UNDOABLE[flow]!)) {
      if (run?.steps.find((s) => s.step === step)?.status !== 'done') continue;
      const undo = run.steps.find((s) => s.step === `compensate:${step}`);
      effects.push({
        effect,
        flow,
        step: `compensate:${step}`,
        state: undo?.status ?? 'pending',
        error: undo?.error ?? null,
      });
    }
  }
  const writeBack = voiding.steps.find((s) => s.step === 'write-back');
  effects.push({
    effect: 'crm_write_back',
    flow: 'void-invoice',
    step: 'write-back',
    state: writeBack?.status ?? 'pending',
    error: writeBack?.error ?? null,
  });
  return { job_id: voiding.job.id, state: voiding.job.state, last_error: voiding.job.lastError, effects };
}
