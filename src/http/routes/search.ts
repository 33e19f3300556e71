/**
 * GET /search/deals, /search/contracts and /search/invoices: find one by CRM deal id, customer
 * name or invoice number (a hub id pasted whole matches too), newest first, paged by an opaque
 * cursor ({data, next_cursor}) like every other list. Org-scoped; any role may search.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { type SearchInput, searchContracts, searchDeals, searchInvoices } from '../../db/repos/search.js';
import type { AppEnv, HubContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 200;

export const searchQuery = z
  .object({
    q: z
      .string()
      .max(200)
      .optional()
      .openapi({ description: 'CRM deal id, customer name or invoice number (contains, any case); empty lists all' }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_LIMIT)
      .optional()
      .openapi({ description: `Rows per page: default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}` }),
    cursor: z
      .string()
      .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
      .optional()
      .openapi({ description: 'next_cursor of the previous page' }),
  })
  // A misspelt parameter must not silently list everything.
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

const dealHit = z
  .object({
    source_system: z.string().openapi({ example: 'salesforce' }),
    deal_id: z.string(),
    customer_id: z.string(),
    customer_name: z.string(),
    versions: z.number().int().openapi({ description: 'How many contract versions the deal has' }),
    latest_contract_id: z.string(),
    latest_status: z.string(),
    currency: z.string(),
    first_created_at: z.string(),
    trace_url: z.string().openapi({ description: "The deal's trace in this API" }),
  })
  .openapi('DealSearchHit');

const contractHit = z
  .object({
    id: z.string(),
    source_system: z.string(),
    deal_id: z.string(),
    version: z.number().int(),
    status: z.string(),
    customer_id: z.string(),
    customer_name: z.string(),
    currency: z.string(),
    start_date: z.string(),
    created_at: z.string(),
  })
  .openapi('ContractSearchHit');

const invoiceHit = z
  .object({
    id: z.string(),
    number: z.string().nullable().openapi({ description: 'Null on a draft' }),
    status: z.string(),
    kind: z.string(),
    contract_id: z.string(),
    source_system: z.string(),
    deal_id: z.string(),
    customer_id: z.string(),
    customer_name: z.string(),
    currency: z.string(),
    total_minor: z.number().int(),
    amount_paid_minor: z.number().int(),
    due_date: z.string(),
    created_at: z.string(),
  })
  .openapi('InvoiceSearchHit');

const searchRoute = <T extends z.ZodTypeAny>(what: string, item: T, name: string) =>
  createRoute({
    method: 'get',
    path: `/search/${what}`,
    summary: `Search ${what} by CRM deal id, customer name or invoice number, newest first`,
    request: { query: searchQuery },
    responses: {
      200: { description: `One page of ${what}`, content: { 'application/json': { schema: page(item, name) } } },
      400: { description: 'A bad parameter or cursor (the problem names it)', content: problemContent },
    },
  });

/** The repository's input from the validated query. */
export function searchInput(q: z.infer<typeof searchQuery>, defaultLimit = DEFAULT_LIMIT): SearchInput {
  const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
  return { q: q.q ?? '', limit: q.limit ?? defaultLimit, ...(after ? { after } : {}) };
}

const traceUrl = (system: string, dealId: string) =>
  `/api/v1/deals/${encodeURIComponent(system)}/${encodeURIComponent(dealId)}/trace`;

export function searchRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });

  app.openapi(searchRoute('deals', dealHit, 'DealSearchPage'), async (c) => {
    const result = await searchDeals(hub.db, c.get('orgId'), searchInput(c.req.valid('query')));
    const data = result.rows.map((d) => ({
      source_system: d.sourceSystem,
      deal_id: d.sourceDealId,
      customer_id: d.customerId,
      customer_name: d.customerName,
      versions: d.versions,
      latest_contract_id: d.latestContractId,
      latest_status: d.latestStatus,
      currency: d.currency,
      first_created_at: d.firstCreatedAt,
      trace_url: traceUrl(d.sourceSystem, d.sourceDealId),
    }));
    return c.json({ data, next_cursor: result.next ? encodeCursor(result.next) : null }, 200);
  });

  app.openapi(searchRoute('contracts', contractHit, 'ContractSearchPage'), async (c) => {
    const result = await searchContracts(hub.db, c.get('orgId'), searchInput(c.req.valid('query')));
    const data = result.rows.map((k) => ({
      id: k.id,
      source_system: k.sourceSystem,
      deal_id: k.sourceDealId,
      version: k.version,
      status: k.status,
      customer_id: k.customerId,
      customer_name: k.customerName,
      currency: k.currency,
      start_date: k.startDate,
      created_at: k.createdAt,
    }));
    return c.json({ data, next_cursor: result.next ? encodeCursor(result.next) : null }, 200);
  });

  app.openapi(searchRoute('invoices', invoiceHit, 'InvoiceSearchPage'), async (c) => {
    const result = await searchInvoices(hub.db, c.get('orgId'), searchInput(c.req.valid('query')));
    const data = result.rows.map((i) => ({
      id: i.id,
      number: i.number,
      status: i.status,
      kind: i.documentKind,
      contract_id: i.contractId,
      source_system: i.sourceSystem,
      deal_id: i.sourceDealId,
      customer_id: i.customerId,
      customer_name: i.customerName,
      currency: i.currency,
      total_minor: i.totalMinor,
      amount_paid_minor: i.amountPaidMinor,
      due_date: i.dueDate,
      created_at: i.createdAt,
    }));
    return c.json({ data, next_cursor: result.next ? encodeCursor(result.next) : null }, 200);
  });

  return app;
}
