/**
 * What a person does to an invoice (issue #10): finalize or approve a draft (one, or every draft of
 * a billing run), mark one uncollectible, void one, and the org's billing settings. Every state change asks
 * the lifecycle (src/domain/invoice-lifecycle.ts) first; an illegal one is a 409 naming the
 * current state. Finalizing itself is the finalize-invoice flow (numbers, tax, ledger, collect,
 * ERP, CRM), so the answer is 202 and the invoice moves on in the background.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { FINALIZE_INVOICE } from '../../../flows/finalize-invoice.js';
import { correlationOf, enqueueFinalize } from '../../../flows/finalize-sweep.js';
import { voidInvoiceJob } from '../../../flows/void-invoice.js';
import { atomic } from '../../db/atomic.js';
import { getInvoiceWithLines } from '../../db/repos/billing.js';
import { getBillingRun } from '../../db/repos/billing-runs.js';
import {
  type BillingSettings,
  billingSettingsStatement,
  draftById,
  draftsOfBillingRun,
  getBillingSettings,
} from '../../db/repos/billing-settings.js';
import { invoiceStatusStatement } from '../../db/repos/invoice-writes.js';
import { makeJobDueNow } from '../../db/repos/job-queue.js';
import { type InvoiceStatus, transition } from '../../domain/invoice-lifecycle.js';
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

const actionBody = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    status: z.string(),
    tax_pending_reason: z.string().nullable(),
  })
  .openapi('InvoiceAction');

const settingsBody = z
  .object({
    finalize_policy: z.enum(['auto', 'approval']).openapi({
      description: 'auto: drafts finalize once the grace period has passed; approval: a finance or admin key approves',
    }),
    grace_seconds: z.number().int().min(0).max(2_592_000).openapi({ description: 'auto: seconds a draft waits' }),
    number_prefix: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,15}$/, 'letters, digits and - _ / . (at most 16)')
      .openapi({ example: 'INV-' }),
    consolidate: z.boolean().openapi({
      description:
        "billing runs write one invoice per customer and billing date holding every contract's lines, each keeping its contract and period (default false)",
    }),
  })
  .strict()
  .openapi('BillingSettings');

const errors = {
  404: { description: 'No such invoice in this org', content: problemContent },
  409: { description: 'The invoice is not in a state that allows this; the detail names it', content: problemContent },
};

const invoiceAction = (path: string, summary: string) =>
  createRoute({
    method: 'post',
    path,
    summary,
    request: { params: idParam },
    responses: {
      202: {
        description: 'Accepted; the invoice moves on in the background',
        content: { 'application/json': { schema: actionBody } },
      },
      ...errors,
    },
  });

const finalizeRoute = invoiceAction(
  '/invoices/{id}/finalize',
  'Finalize a draft now (number, tax, ledger, collect, ERP, CRM write-back), without waiting for its grace period',
);
const approveRoute = invoiceAction(
  '/invoices/{id}/approve',
  'Approve a draft (orgs with the approval policy); it then finalizes',
);

const uncollectibleRoute = createRoute({
  method: 'post',
  path: '/invoices/{id}/mark-uncollectible',
  summary: 'Mark an open invoice uncollectible (a later payment still settles it)',
  request: { params: idParam },
  responses: {
    200: { description: 'The invoice, uncollectible', content: { 'application/json': { schema: actionBody } } },
    ...errors,
  },
});

const voidRoute = createRoute({
  method: 'post',
  path: '/invoices/{id}/void',
  summary:
    'Void an unpaid invoice: a draft at once; a finalized, overdue, uncollectible or tax_pending one is void at once ' +
    'and its downstream effects are undone in the background (tax document voided, reversing ledger entry, open ' +
    'payment attempt cancelled, ERP invoice voided, CRM told). A paid or partially paid invoice is corrected with a credit note instead.',
  request: { params: idParam },
  responses: {
    200: {
      description: 'A draft, void (nothing was downstream)',
      content: { 'application/json': { schema: actionBody } },
    },
    202: {
      description: 'Void; its downstream effects are being undone (GET /invoices/{id} shows each one and its state)',
      content: { 'application/json': { schema: actionBody } },
    },
    ...errors,
    502: { description: "The org's connections could not be built", content: problemContent },
  },
});

const approveRunRoute = createRoute({
  method: 'post',
  path: '/billing-runs/{id}/approve',
  summary: 'Approve every draft a billing run wrote; each then finalizes',
  request: { params: idParam },
  responses: {
    202: {
      description: 'The drafts approved',
      content: {
        'application/json': {
          schema: z.object({
            billing_run_id: z.string(),
            approved: z.number().int(),
            invoice_ids: z.array(z.string()),
          }),
        },
      },
    },
    404: { description: 'No such billing run in this org', content: problemContent },
    502: { description: "The org's connections could not be built", content: problemContent },
  },
});

const getSettingsRoute = createRoute({
  method: 'get',
  path: '/billing-settings',
  summary: "When the org's drafts finalize, how they are numbered, and whether billing runs consolidate",
  responses: { 200: { description: 'The settings', content: { 'application/json': { schema: settingsBody } } } },
});

const putSettingsRoute = createRoute({
  method: 'put',
  path: '/billing-settings',
  summary:
    "Change when the org's drafts finalize, how they are numbered and whether billing runs consolidate (fields left out keep their value)",
  request: { body: { required: true, content: { 'application/json': { schema: settingsBody.partial() } } } },
  responses: {
    200: { description: 'The settings', content: { 'application/json': { schema: settingsBody } } },
    400: { description: 'Bad input', content: problemContent },
  },
});

const toSettingsBody = (s: BillingSettings): z.infer<typeof settingsBody> => ({
  finalize_policy: s.finalizePolicy,
  grace_seconds: s.graceSeconds,
  number_prefix: s.numberPrefix,
  consolidate: s.consolidate,
});

function toActionBody(invoice: {
  id: string;
  number: string | null;
  status: InvoiceStatus;
  taxPendingReason: string | null;
}): z.infer<typeof actionBody> {
  return {
    id: invoice.id,
    number: invoice.number,
    status: invoice.status,
    tax_pending_reason: invoice.taxPendingReason,
  };
}

export function invoiceActionRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  for (const path of ['finalize', 'approve', 'mark-uncollectible', 'void']) {
    app.on('POST', `/invoices/:id/${path}`, requireRole('admin', 'finance'));
  }
  app.on('POST', '/billing-runs/:id/approve', requireRole('admin', 'finance'));
  app.on('PUT', '/billing-settings', requireRole('admin'));

  const finalizeOne = (kind: string) => async (c: Parameters<Parameters<typeof app.openapi>[1]>[0]) => {
    const { id } = c.req.param() as { id: string };
    const orgId = c.get('orgId');
    const found = await getInvoiceWithLines(hub.db, orgId, id);
    if (!found) return problem(c, 404, 'Not found', `no invoice ${id} in this org`);
    const { invoice } = found;
    const side = invoice.kind === 'credit_note' ? 'credit_note' : 'invoice';
    const next = transition(invoice.status, 'request_tax', side);
    if (!next.ok) return problem(c, 409, 'Conflict', `cannot ${kind}: ${next.detail}`);
    if (side === 'credit_note')
      return problem(
        c,
        409,
        'Conflict',
        'credit notes are issued with their amendment or invoice, not finalized alone',
      );
    const draft = (await draftById(hub.db, orgId, id))!;
    const enqueued = await enqueueFinalize(hub, orgId, [draft]);
    if (!enqueued.ok) return problem(c, 502, 'Bad gateway', enqueued.reason);
    // Asked by a person: a finalize job that gave up earlier, or waits out a backoff, runs now.
    await hub.driver.notify(await makeJobDueNow(hub.db, orgId, `${FINALIZE_INVOICE}:${id}`, hub.clock.now()));
    const now = (await getInvoiceWithLines(hub.db, orgId, id))!.invoice;
    return c.json(toActionBody(now), 202);
  };
  // problem() builds the documented problem+json body; the typed-response helper cannot express it.
  app.openapi(finalizeRoute, finalizeOne('finalize') as never);
  app.openapi(approveRoute, finalizeOne('approve') as never);

  app.openapi(uncollectibleRoute, async (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.get('orgId');
    const found = await getInvoiceWithLines(hub.db, orgId, id);
    if (!found) return problem(c, 404, 'Not found', `no invoice ${id} in this org`) as never;
    const { invoice } = found;
    const next = transition(
      invoice.status,
      'mark_uncollectible',
      invoice.kind === 'credit_note' ? 'credit_note' : 'invoice',
    );
    if (!next.ok) return problem(c, 409, 'Conflict', next.detail) as never;
    await atomic(hub.db, [invoiceStatusStatement(hub.db, orgId, id, invoice.status, next.next)]);
    const now = (await getInvoiceWithLines(hub.db, orgId, id))!.invoice;
    // Raced by a payment between the read and the write: the payment wins, and says so.
    if (now.status !== next.next)
      return problem(c, 409, 'Conflict', `the invoice became ${now.status} meanwhile`) as never;
    return c.json(toActionBody(now), 200);
  });

  app.openapi(voidRoute, async (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.get('orgId');
    const found = await getInvoiceWithLines(hub.db, orgId, id);
    if (!found) return problem(c, 404, 'Not found', `no invoice ${id} in this org`) as never;
    const { invoice } = found;
    if (invoice.kind === 'credit_note') {
      return problem(c, 409, 'Conflict', 'a credit note is not voided here: void it through its invoice') as never;
    }
    const next = transition(invoice.status, 'void');
    if (!next.ok) {
      const paid = invoice.status === 'paid' || invoice.status === 'partially_paid';
      return problem(c, 409, 'Conflict', paid ? `${next.detail}; correct it with a credit note` : next.detail) as never;
    }
    // The lifecycle cannot see amounts: an overdue or uncollectible invoice may be partly paid.
    if (invoice.amountPaidMinor > 0) {
      return problem(
        c,
        409,
        'Conflict',
        `cannot void an invoice that is ${invoice.status} and partially paid; correct it with a credit note`,
      ) as never;
    }
    const from = invoice.status;
    const write = [invoiceStatusStatement(hub.db, orgId, id, from, next.next)];
    // A draft has nothing downstream yet; anything later gets the job that undoes what it did.
    let jobId: string | null = null;
    if (from !== 'draft') {
      const adapters = await hub.adaptersFor(orgId);
      if (!adapters.ok) return problem(c, 502, 'Bad gateway', adapters.reason) as never;
      const draft = (await draftById(hub.db, orgId, id))!;
      const job = enqueueStatement(
        hub.db,
        hub.clock,
        voidInvoiceJob({
          orgId,
          invoiceId: id,
          from,
          correlationId: correlationOf(draft),
          paymentVendor: adapters.value.payment.vendor,
        }),
      );
      write.push(job.statement);
      jobId = job.id;
    }
    await atomic(hub.db, write);
    const now = (await getInvoiceWithLines(hub.db, orgId, id))!.invoice;
    // Raced by a payment between the read and the write: the payment wins (the job finds the
    // invoice not void and stops).
    if (now.status !== 'void') {
      return problem(c, 409, 'Conflict', `the invoice became ${now.status} meanwhile`) as never;
    }
    if (jobId) await hub.driver.notify([jobId]);
    return c.json(toActionBody(now), jobId ? 202 : 200);
  });

  app.openapi(approveRunRoute, async (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.get('orgId');
    if (!(await getBillingRun(hub.db, orgId, id))) {
      return problem(c, 404, 'Not found', `no billing run ${id} in this org`) as never;
    }
    const drafts = await draftsOfBillingRun(hub.db, orgId, id);
    const enqueued = await enqueueFinalize(hub, orgId, drafts);
    if (!enqueued.ok) return problem(c, 502, 'Bad gateway', enqueued.reason) as never;
    return c.json({ billing_run_id: id, approved: drafts.length, invoice_ids: drafts.map((d) => d.id) }, 202);
  });

  app.openapi(getSettingsRoute, async (c) =>
    c.json(toSettingsBody(await getBillingSettings(hub.db, c.get('orgId'))), 200),
  );

  app.openapi(putSettingsRoute, async (c) => {
    const orgId = c.get('orgId');
    const body = c.req.valid('json');
    const current = await getBillingSettings(hub.db, orgId);
    const next: BillingSettings = {
      finalizePolicy: body.finalize_policy ?? current.finalizePolicy,
      graceSeconds: body.grace_seconds ?? current.graceSeconds,
      numberPrefix: body.number_prefix ?? current.numberPrefix,
      consolidate: body.consolidate ?? current.consolidate,
    };
    await atomic(hub.db, [billingSettingsStatement(hub.db, orgId, next, hub.clock.now().toISOString())]);
    return c.json(toSettingsBody(next), 200);
  });
  return app;
}
