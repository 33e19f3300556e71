/**
 * The customers API: GET /customers (newest first, cursor paging `{data, next_cursor}`, `search`
 * on name or email, CSV with `Accept: text/csv` like /invoices) and GET /customers/{id}, each
 * customer with its vendor ids, what it owes over its open invoices and its unspent credit; and
 * the PATCH of customer-updates.ts, so /customers is one router. Reads are org-scoped: another
 * org's customer is a 404.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { customerCreditMinor } from '../../db/repos/customer-credit-summary.js';
import {
  type CustomerRow,
  customerBalancesOf,
  customerRefsOf,
  findCustomer,
  listCustomerPage,
} from '../../db/repos/customers-read.js';
import type { AppEnv, HubContext } from '../context.js';
import { toCsv, wantsCsv } from '../csv.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { problem, zodProblemHook } from '../problem.js';
import { CUSTOMER_CSV_HEADER, customerBody, customerCsvRow, toCustomerBody } from './customer-bodies.js';
import { customerUpdateRoutes } from './customer-updates.js';
import { csvResponse } from './invoices.js';
import { problemContent } from './schemas.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

const listQuery = z
  .object({
    search: z.string().trim().min(1).max(200).optional().openapi({
      description: 'A part of the name or email, any case (`%` and `_` match themselves)',
      example: 'globex',
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
  })
  // A misspelt filter must not silently list everything.
  .strict();

const listRoute = createRoute({
  method: 'get',
  path: '/customers',
  summary: 'Customers, newest first, with balance and credit; CSV with Accept: text/csv',
  request: { query: listQuery },
  responses: {
    200: {
      description: 'One page of customers; as CSV, the next page is in the Link header',
      content: {
        'application/json': {
          schema: z
            .object({
              data: z.array(customerBody),
              next_cursor: z
                .string()
                .nullable()
                .openapi({ description: 'Pass as `cursor` for the next page; null on the last' }),
            })
            .openapi('CustomerPage'),
        },
        'text/csv': { schema: z.string().openapi({ description: 'RFC 4180 CSV with a header row' }) },
      },
    },
    400: { description: 'A bad filter or cursor (the problem names it)', content: problemContent },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/customers/{id}',
  summary: 'One customer: address, vendor ids, balance over its open invoices, unspent credit',
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
    200: { description: 'The customer', content: { 'application/json': { schema: customerBody } } },
    404: { description: 'No such customer in this org', content: problemContent },
  },
});

/** The bodies of these rows: refs, balances and credit read once for the whole set. */
async function bodies(hub: HubContext, orgId: string, rows: readonly CustomerRow[]) {
  const ids = rows.map((r) => r.id);
  const today = hub.clock.now().toISOString().slice(0, 10);
  const [refs, balances, credit] = await Promise.all([
    customerRefsOf(hub.db, orgId, ids),
    customerBalancesOf(hub.db, orgId, ids),
    customerCreditMinor(hub.db, orgId, ids, today),
  ]);
  return rows.map((r) => toCustomerBody(r, refs.get(r.id) ?? [], balances.get(r.id), credit.get(r.id)));
}

export function customerRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const orgId = c.get('orgId');
    const csv = wantsCsv(c.req.header('accept'));
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor)!;
    const page = await listCustomerPage(hub.db, orgId, q.search ? { search: q.search } : {}, {
      limit: q.limit ?? (csv ? MAX_LIMIT : DEFAULT_LIMIT),
      ...(after ? { after } : {}),
    });
    const data = await bodies(hub, orgId, page.rows);
    const next = page.next ? encodeCursor(page.next) : null;
    if (csv) {
      // Typed responses cannot express a CSV body; the route declares text/csv for the document.
      return csvResponse(c, 'customers.csv', toCsv(CUSTOMER_CSV_HEADER, data.map(customerCsvRow)), next) as never;
    }
    return c.json({ data, next_cursor: next }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.get('orgId');
    const row = await findCustomer(hub.db, orgId, id);
    // problem() builds the documented problem+json body; the typed-response helper cannot express it.
    if (!row) return problem(c, 404, 'Not found', `no customer ${id} in this org`) as never;
    const [body] = await bodies(hub, orgId, [row]);
    return c.json(body!, 200);
  });

  app.route('/', customerUpdateRoutes(hub));
  return app;
}
