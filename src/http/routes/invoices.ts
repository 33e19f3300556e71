/**
 * The invoice read API: GET /invoices, /invoices/{id} and /credit-notes. Lists page newest first
 * with an opaque cursor ({data, next_cursor}); `Accept: text/csv` gives the same page as CSV with
 * the next page in a Link header. Every read is org-scoped: another org's invoice is a 404.
 * The write actions (approve, finalize, void, credit notes) come with the next part of issue #10.
 */

import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { disputesOfInvoice } from '../../db/repos/disputes.js';
import {
  creditedMinorOf,
  erpRefsOf,
  type InvoiceFilter,
  invoiceDetail,
  listInvoicePage,
} from '../../db/repos/invoices-read.js';
import { addMonths, isIsoDate } from '../../domain/dates.js';
import { INVOICE_STATUSES, type InvoiceDocumentKind } from '../../domain/invoice-lifecycle.js';
import type { AppEnv, HubContext } from '../context.js';
import { toCsv, wantsCsv } from '../csv.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { problem, zodProblemHook } from '../problem.js';
import {
  CREDIT_NOTE_CSV_HEADER,
  creditNoteCsvRow,
  creditNoteSummary,
  INVOICE_CSV_HEADER,
  invoiceCsvRow,
  invoiceDetailBody,
  invoiceSummary,
  toCreditNoteSummary,
  toInvoiceDetail,
  toInvoiceSummary,
} from './invoice-bodies.js';
import { problemContent } from './schemas.js';

/** Every kind but credit_note: credit notes have their own list. */
const LISTED_KINDS = [
  'first',
  'recurring',
  'usage',
  'proration',
  'true_up',
  'manual',
] as const satisfies readonly InvoiceDocumentKind[];

/** JSON pages default to 50 rows; CSV (for a spreadsheet) to the most one page may hold. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

/** A month (its first day in the supported years) or a real calendar day: the one date grammar. */
const isPeriod = (value: string) =>
  (/^\d{4}-(0[1-9]|1[0-2])$/.test(value) && isIsoDate(`${value}-01`)) || (value.length === 10 && isIsoDate(value));

function periodFilter(period: string | undefined): InvoiceFilter['period'] {
  if (period === undefined) return undefined;
  if (period.length === 10) return { day: period };
  const from = `${period}-01`;
  return { month: { from, until: addMonths(from, 1) } };
}

const idFilter = (description: string) => z.string().min(1).max(200).optional().openapi({ description });

const pageQuery = {
  period: z.string().refine(isPeriod, 'must be a month YYYY-MM or a day YYYY-MM-DD').optional().openapi({
    description: 'YYYY-MM: service periods starting in that month; YYYY-MM-DD: periods containing that day',
    example: '2026-03',
  }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .optional()
    .openapi({
      description: `Rows per page: default ${DEFAULT_LIMIT} (JSON) or ${MAX_LIMIT} (CSV), at most ${MAX_LIMIT}`,
    }),
  cursor: z
    .string()
    .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
    .optional()
    .openapi({ description: 'next_cursor of the previous page' }),
};

const invoiceQuery = z
  .object({
    status: z.enum(INVOICE_STATUSES).optional(),
    kind: z.enum(LISTED_KINDS).optional().openapi({ description: 'Credit notes are listed at /credit-notes' }),
    customer_id: idFilter('A hub customer id'),
    contract_id: idFilter('A contract version id'),
    billing_run_id: idFilter('The billing run that wrote the invoices'),
    ...pageQuery,
  })
  // A misspelt filter must not silently list everything.
  .strict();

const creditNoteQuery = z
  .object({
    status: z.enum(INVOICE_STATUSES).optional(),
    customer_id: idFilter('A hub customer id'),
    contract_id: idFilter('A contract version id'),
    invoice_id: idFilter('The invoice the notes credit'),
    ...pageQuery,
  })
  .strict();

const page = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z
    .object({
      data: z.array(item),
      next_cursor: z
        .string()
        .nullable()
        .openapi({ description: 'Pass as `cursor` for the next page; null on the last' }),
    })
    .openapi(name);

const csvContent = { 'text/csv': { schema: z.string().openapi({ description: 'RFC 4180 CSV with a header row' }) } };

const listInvoicesRoute = createRoute({
  method: 'get',
  path: '/invoices',
  summary: 'Invoices of every kind (not credit notes), newest first; CSV with Accept: text/csv',
  request: { query: invoiceQuery },
  responses: {
    200: {
      description: 'One page of invoices; as CSV, the next page is in the Link header',
      content: { 'application/json': { schema: page(invoiceSummary, 'InvoicePage') }, ...csvContent },
    },
    400: { description: 'A bad filter or cursor (the problem names it)', content: problemContent },
  },
});

const getInvoiceRoute = createRoute({
  method: 'get',
  path: '/invoices/{id}',
  summary: 'One invoice or credit note: lines, tax, payments, credit notes, ERP refs, ledger entries, job timeline',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: {
    200: { description: 'The invoice', content: { 'application/json': { schema: invoiceDetailBody } } },
    404: { description: 'No such invoice in this org', content: problemContent },
  },
});

const listCreditNotesRoute = createRoute({
  method: 'get',
  path: '/credit-notes',
  summary: 'Credit notes, newest first; CSV with Accept: text/csv',
  request: { query: creditNoteQuery },
  responses: {
    200: {
      description: 'One page of credit notes; as CSV, the next page is in the Link header',
      content: { 'application/json': { schema: page(creditNoteSummary, 'CreditNotePage') }, ...csvContent },
    },
    400: { description: 'A bad filter or cursor (the problem names it)', content: problemContent },
  },
});

/** The CSV answer: the page, and the next page's URL (this request with the new cursor) in a Link header. */
export function csvResponse(c: Context, filename: string, csv: string, next: string | null): Response {
  const headers: Record<string, string> = {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
  };
  if (next !== null) {
    const url = new URL(c.req.url);
    url.searchParams.set('cursor', next);
    headers.link = `<${url.pathname}${url.search}>; rel="next"`;
  }
  return c.body(csv, 200, headers);
}

async function readPage(
  hub: HubContext,
  c: Context<AppEnv>,
  filter: InvoiceFilter,
  q: { limit?: number; cursor?: string },
) {
  const csv = wantsCsv(c.req.header('accept'));
  const limit = q.limit ?? (csv ? MAX_LIMIT : DEFAULT_LIMIT);
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor)!;
  const orgId = c.get('orgId');
  const result = await listInvoicePage(hub.db, orgId, filter, { limit, ...(after ? { after } : {}) });
  const ids = result.rows.map((r) => r.id);
  return {
    csv,
    rows: result.rows,
    refs: await erpRefsOf(hub.db, orgId, ids),
    next: result.next ? encodeCursor(result.next) : null,
    orgId,
  };
}

export function invoiceRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });

  app.openapi(listInvoicesRoute, async (c) => {
    const q = c.req.valid('query');
    const read = await readPage(
      hub,
      c,
      {
        documents: 'invoices',
        ...(q.status ? { status: q.status } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.customer_id ? { customerId: q.customer_id } : {}),
        ...(q.contract_id ? { contractId: q.contract_id } : {}),
        ...(q.billing_run_id ? { billingRunId: q.billing_run_id } : {}),
        period: periodFilter(q.period),
      },
      q,
    );
    const credited = await creditedMinorOf(
      hub.db,
      read.orgId,
      read.rows.map((r) => r.id),
    );
    const data = read.rows.map((r) => toInvoiceSummary(r, read.refs.get(r.id) ?? [], credited.get(r.id) ?? 0));
    if (read.csv) {
      // Typed responses cannot express a CSV body; the route declares text/csv for the document.
      return csvResponse(c, 'invoices.csv', toCsv(INVOICE_CSV_HEADER, data.map(invoiceCsvRow)), read.next) as never;
    }
    return c.json({ data, next_cursor: read.next }, 200);
  });

  app.openapi(getInvoiceRoute, async (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.get('orgId');
    const detail = await invoiceDetail(hub.db, orgId, id);
    // problem() builds the documented problem+json body; the typed-response helper cannot express it.
    if (!detail) return problem(c, 404, 'Not found', `no invoice ${id} in this org`) as never;
    const credited = await creditedMinorOf(hub.db, orgId, [id]);
    const disputes = await disputesOfInvoice(hub.db, orgId, id);
    return c.json(toInvoiceDetail(detail, credited.get(id) ?? 0, disputes), 200);
  });

  app.openapi(listCreditNotesRoute, async (c) => {
    const q = c.req.valid('query');
    const read = await readPage(
      hub,
      c,
      {
        documents: 'credit_notes',
        ...(q.status ? { status: q.status } : {}),
        ...(q.customer_id ? { customerId: q.customer_id } : {}),
        ...(q.contract_id ? { contractId: q.contract_id } : {}),
        ...(q.invoice_id ? { creditedInvoiceId: q.invoice_id } : {}),
        period: periodFilter(q.period),
      },
      q,
    );
    const data = read.rows.map((r) => toCreditNoteSummary(r, read.refs.get(r.id) ?? []));
    if (read.csv) {
      return csvResponse(
        c,
        'credit-notes.csv',
        toCsv(CREDIT_NOTE_CSV_HEADER, data.map(creditNoteCsvRow)),
        read.next,
      ) as never;
    }
    return c.json({ data, next_cursor: read.next }, 200);
  });
  return app;
}
