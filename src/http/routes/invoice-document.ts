/**
 * GET /api/v1/invoices/{id}/document: the printable invoice or credit note, as HTML (default) or
 * PDF. The format is `?format=html|pdf`, or else the Accept header (`application/pdf` gives the PDF):
 * a link a person clicks and a client that negotiates both work. Its own route rather than content
 * negotiation on /invoices/{id}, so the detail's JSON answer never depends on a browser's Accept.
 * Org-scoped like every read: another org's id is a 404.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { invoiceDocumentSource } from '../../db/repos/invoice-document.js';
import { printableInvoice } from '../../domain/invoice-document.js';
import type { AppEnv, HubContext } from '../context.js';
import { invoiceHtml } from '../documents/invoice-html.js';
import { invoicePdf } from '../documents/invoice-pdf.js';
import { problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

const documentRoute = createRoute({
  method: 'get',
  path: '/invoices/{id}/document',
  summary: 'The printable invoice or credit note: HTML (default) or PDF (?format=pdf or Accept: application/pdf)',
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
    query: z
      .object({
        format: z.enum(['html', 'pdf']).optional().openapi({
          description: 'html or pdf; without it, Accept: application/pdf gives the PDF and anything else HTML',
        }),
      })
      .strict(),
  },
  responses: {
    200: {
      description:
        'The document: seller, customer, number (a draft is watermarked), dates, lines, tax, totals, amount due, payments; a credit note names the invoice it credits and why',
      content: {
        'text/html': { schema: z.string().openapi({ description: 'One self-contained page (inline CSS)' }) },
        'application/pdf': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    400: { description: 'A bad format', content: problemContent },
    404: { description: 'No such invoice in this org', content: problemContent },
  },
});

function wantsPdf(format: 'html' | 'pdf' | undefined, accept: string | undefined): boolean {
  if (format) return format === 'pdf';
  return (accept ?? '').split(',').some((part) => part.trim().toLowerCase().startsWith('application/pdf'));
}

/** A filename a person recognises: the number, or the id while a draft has none. */
const fileName = (number: string | null, id: string, ext: string) =>
  `${(number ?? `draft-${id}`).replace(/[^A-Za-z0-9._-]/g, '_')}.${ext}`;

export function invoiceDocumentRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.openapi(documentRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { format } = c.req.valid('query');
    const source = await invoiceDocumentSource(hub.db, c.get('orgId'), id);
    if (!source) return problem(c, 404, 'Not found', `no invoice ${id} in this org`) as never;
    const doc = printableInvoice(source);
    const headers = { 'cache-control': 'private, no-store', vary: 'accept' };
    // Typed responses cannot express an HTML or PDF body; the route declares both for the document.
    if (wantsPdf(format, c.req.header('accept'))) {
      const bytes = await invoicePdf(doc, hub.clock.now());
      return new Response(bytes, {
        status: 200,
        headers: {
          ...headers,
          'content-type': 'application/pdf',
          'content-disposition': `inline; filename="${fileName(doc.number, id, 'pdf')}"`,
        },
      }) as never;
    }
    return new Response(invoiceHtml(doc), {
      status: 200,
      headers: {
        ...headers,
        'content-type': 'text/html; charset=utf-8',
        // The page needs nothing from anywhere: no script runs, nothing loads.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      },
    }) as never;
  });
  return app;
}
