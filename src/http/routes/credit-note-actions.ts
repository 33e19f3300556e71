/**
 * POST /invoices/{id}/credit-notes (issue #10): a credit note against one finalized invoice, the
 * whole invoice or chosen lines and amounts, with a reason and how it is settled. planCreditNote
 * (src/domain/credit-notes.ts) decides; a refusal is a 400 or 409 with nothing written. The note is
 * written as a draft with its lines and its issue job in one atomic unit, whose last statement
 * fails it when concurrent requests together would credit more than the invoice's total (409);
 * then flows/issue-credit-note.ts numbers it, reverses the tax, books it, posts the credit memo
 * and settles it in the background (202).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { issueCreditNoteJob } from '../../../flows/issue-credit-note.js';
import { dealCorrelationId } from '../../../flows/jobs.js';
import { atomic } from '../../db/atomic.js';
import { newId } from '../../db/client.js';
import { getContract, getInvoiceWithLines } from '../../db/repos/billing.js';
import {
  creditNoteStatements,
  creditNotesOf,
  creditNoteTerms,
  creditsLineNo,
  isGuardFailure,
  toEarlierCredits,
} from '../../db/repos/credit-notes.js';
import { customerCreditUsedBy } from '../../db/repos/customer-credit.js';
import {
  CREDIT_REASONS,
  CREDIT_SETTLEMENTS,
  type CreditPlanResult,
  planCreditNote,
} from '../../domain/credit-notes.js';
import { INVOICE_STATUSES } from '../../domain/invoice-lifecycle.js';
import { isCrmVendor } from '../../domain/vendors.js';
import { enqueueStatement } from '../../jobs/queue.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const requestBody = z
  .object({
    reason: z.enum(CREDIT_REASONS),
    lines: z
      .array(
        z
          .object({
            line_no: z.number().int().min(1).openapi({ description: 'The invoice line credited' }),
            amount_minor: z.number().int().optional().openapi({
              description: 'Net amount credited (before tax), in minor units; default: what is left of the line',
            }),
          })
          .strict(),
      )
      .min(1)
      .max(500)
      .optional()
      .openapi({ description: 'Lines credited; default: the whole invoice (every line, what is left of it)' }),
    settlement: z.enum(CREDIT_SETTLEMENTS).optional().openapi({
      description:
        'reduce_due (an open invoice), customer_credit or refund (a paid invoice); default: reduce_due when open, refund when paid',
    }),
    memo: z.string().max(1000).optional(),
  })
  .strict()
  .openapi('CreditNoteRequest');

const creditNoteBody = z
  .object({
    id: z.string(),
    number: z.string().nullable().openapi({ description: 'Given when the note is issued (its own series, CN-…)' }),
    status: z.enum(INVOICE_STATUSES),
    invoice_id: z.string(),
    reason: z.enum(CREDIT_REASONS),
    settlement: z.enum(CREDIT_SETTLEMENTS),
    memo: z.string().nullable(),
    currency: z.string(),
    subtotal_minor: z.number().int(),
    tax_minor: z.number().int().openapi({ description: "The share of the invoice's tax given back" }),
    rounding_minor: z.number().int().openapi({
      description:
        "What is left of the invoice's cash or provider rounding difference, carried by the note that credits all that is left of every line, so a whole credit equals the invoice total exactly; else 0. total_minor = subtotal_minor + tax_minor + rounding_minor",
    }),
    total_minor: z.number().int(),
    lines: z.array(
      z.object({
        line_no: z.number().int(),
        credits_line_no: z.number().int().nullable(),
        description: z.string(),
        amount_minor: z.number().int(),
        tax_minor: z.number().int(),
      }),
    ),
    created_at: z.string(),
  })
  .openapi('CreditNote');

const createRouteDef = createRoute({
  method: 'post',
  path: '/invoices/{id}/credit-notes',
  summary:
    'Credit a finalized invoice (whole, or chosen lines and amounts); the note is then issued downstream: number, tax return, ledger, ERP credit memo, settlement',
  request: {
    params: idParam,
    body: { required: true, content: { 'application/json': { schema: requestBody } } },
  },
  responses: {
    202: {
      description: 'The credit note, written as a draft; it is issued in the background',
      content: { 'application/json': { schema: creditNoteBody } },
    },
    400: {
      description: 'Bad input (an unknown field, a line the invoice lacks); nothing written',
      content: problemContent,
    },
    404: { description: 'No such invoice in this org', content: problemContent },
    409: {
      description:
        'The invoice cannot take this credit (not finalized, credit larger than what is left, due or paid); nothing written',
      content: problemContent,
    },
    502: { description: "The org's connections could not be built", content: problemContent },
  },
});

export function creditNoteActionRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.on('POST', '/invoices/:id/credit-notes', requireRole('admin', 'finance'));

  /** The plan for this request against the invoice as stored now. */
  async function plan(orgId: string, invoiceId: string, body: z.infer<typeof requestBody>) {
    const found = await getInvoiceWithLines(hub.db, orgId, invoiceId);
    if (!found) return undefined;
    const { invoice, lines } = found;
    const earlier = toEarlierCredits(await creditNotesOf(hub.db, orgId, invoiceId));
    // Customer credit its collection spent settles it as a payment does.
    const spent = (await customerCreditUsedBy(hub.db, orgId, [invoiceId])).get(invoiceId) ?? 0;
    const planned: CreditPlanResult =
      invoice.kind === 'credit_note'
        ? { ok: false, status: 409, detail: `${invoiceId} is a credit note; credit the invoice it credits instead` }
        : planCreditNote(
            {
              status: invoice.status,
              totalMinor: invoice.totalMinor,
              roundingMinor: invoice.roundingMinor,
              amountPaidMinor: invoice.amountPaidMinor + spent,
              lines: lines.map((l) => ({ lineNo: l.lineNo, amountMinor: l.amountMinor, taxMinor: l.taxMinor })),
            },
            earlier,
            {
              ...(body.lines
                ? {
                    lines: body.lines.map((l) => ({
                      lineNo: l.line_no,
                      ...(l.amount_minor !== undefined ? { amountMinor: l.amount_minor } : {}),
                    })),
                  }
                : {}),
              ...(body.settlement ? { settlement: body.settlement } : {}),
            },
          );
    return { invoice, lines, result: cashRefundOnly(planned, invoice.amountPaidMinor, earlier) };
  }

  /**
   * A refund pays back cash: at most what the provider was paid and not refunded yet. planCreditNote
   * counts customer credit spent on the invoice as paid (it settles the invoice as a payment does),
   * but that part can only be credited back as customer credit.
   */
  function cashRefundOnly(
    planned: CreditPlanResult,
    cashPaidMinor: number,
    earlier: ReturnType<typeof toEarlierCredits>,
  ): CreditPlanResult {
    if (!planned.ok || planned.plan.settlement !== 'refund') return planned;
    const refunded = earlier
      .filter((n) => n.status !== 'void' && n.settlement === 'refund')
      .reduce((s, n) => s + n.totalMinor, 0);
    const refundable = cashPaidMinor - refunded;
    if (planned.plan.totalMinor <= refundable) return planned;
    return {
      ok: false,
      status: 409,
      field: 'settlement',
      detail: `a refund pays back at most the cash paid and not refunded yet: ${refundable}; ${planned.plan.totalMinor} asked (settle the rest as customer_credit)`,
    };
  }

  const refused = (c: Parameters<typeof problem>[0], r: Extract<CreditPlanResult, { ok: false }>) =>
    problem(
      c,
      r.status,
      r.status === 400 ? 'Invalid request' : 'Conflict',
      r.field ? `${r.field}: ${r.detail}` : r.detail,
      r.field ? [{ field: r.field, message: r.detail }] : undefined,
    );

  app.openapi(createRouteDef, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const orgId = c.get('orgId');
    const planned = await plan(orgId, id, body);
    // problem() builds the documented problem+json body; the typed-response helper cannot express it.
    if (!planned) return problem(c, 404, 'Not found', `no invoice ${id} in this org`) as never;
    if (!planned.result.ok) return refused(c, planned.result) as never;
    const adapters = await hub.adaptersFor(orgId);
    if (!adapters.ok) return problem(c, 502, 'Bad gateway', adapters.reason) as never;

    const { invoice } = planned;
    const contract = await getContract(hub.db, orgId, invoice.contractId);
    const correlationId =
      contract && isCrmVendor(contract.sourceSystem)
        ? dealCorrelationId(contract.sourceSystem, contract.sourceDealId)
        : `invoice:${invoice.id}`;
    const noteId = newId('cn');
    const now = hub.clock.now().toISOString();
    const job = enqueueStatement(
      hub.db,
      hub.clock,
      issueCreditNoteJob({ orgId, creditNoteId: noteId, correlationId, taxVendor: adapters.value.tax.vendor }),
    );
    const statements = await creditNoteStatements(hub.db, orgId, {
      id: noteId,
      invoice,
      invoiceLines: planned.lines,
      plan: planned.result.plan,
      reason: body.reason,
      memo: body.memo ?? null,
      issueDate: now.slice(0, 10),
      now,
    });
    try {
      // The guard is the note's statements' last: the job is written only with the note.
      await atomic(hub.db, [...statements, job.statement]);
    } catch (error) {
      if (!isGuardFailure(error)) throw error;
      // Another credit note was written meanwhile: answer as the request would be answered now.
      const again = await plan(orgId, id, body);
      if (again && !again.result.ok) return refused(c, again.result) as never;
      return problem(
        c,
        409,
        'Conflict',
        "another credit note of this invoice was written meanwhile; together they would exceed the invoice's total",
      ) as never;
    }
    await hub.driver.notify([job.id]);
    return c.json(await creditNoteResponse(orgId, noteId), 202);
  });

  async function creditNoteResponse(orgId: string, noteId: string): Promise<z.infer<typeof creditNoteBody>> {
    const { invoice: note, lines } = (await getInvoiceWithLines(hub.db, orgId, noteId))!;
    const terms = (await creditNoteTerms(hub.db, orgId, noteId))!;
    return {
      id: note.id,
      number: note.number,
      status: note.status,
      invoice_id: note.creditedInvoiceId!,
      reason: terms.reason,
      settlement: terms.settlement!,
      memo: terms.memo,
      currency: note.currency,
      subtotal_minor: note.subtotalMinor,
      tax_minor: note.taxMinor,
      rounding_minor: note.roundingMinor,
      total_minor: note.totalMinor,
      lines: lines.map((l) => ({
        line_no: l.lineNo,
        credits_line_no: creditsLineNo(l),
        description: l.description,
        amount_minor: l.amountMinor,
        tax_minor: l.taxMinor,
      })),
      created_at: note.createdAt,
    };
  }
  return app;
}
