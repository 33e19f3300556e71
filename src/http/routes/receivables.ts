/**
 * GET /receivables/aging: what each customer still owes, per currency, in the buckets current,
 * 1–30, 31–60, 61–90 and over 90 days past the due date, with totals per currency; as of a day
 * (default: today on the hub's clock). JSON, or CSV with `Accept: text/csv` (one row per customer
 * and currency, then a TOTAL row per currency). The report is one page: `next_cursor` is null.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { openReceivables } from '../../db/repos/receivables.js';
import { isIsoDate } from '../../domain/dates.js';
import { AGING_BUCKETS, ageReceivables } from '../../domain/receivables.js';
import type { AppEnv, HubContext } from '../context.js';
import { toCsv, wantsCsv } from '../csv.js';
import { zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

const minor = z.number().int().openapi({ description: 'Minor units of the row currency' });
const buckets = {
  current: minor,
  days_1_30: minor,
  days_31_60: minor,
  days_61_90: minor,
  days_over_90: minor,
  total: minor,
  invoices: z.number().int().openapi({ description: 'Open invoices counted' }),
};
const agingRow = z
  .object({ customer_id: z.string(), customer_name: z.string(), currency: z.string(), ...buckets })
  .openapi('AgingRow');
const agingBody = z
  .object({
    as_of: z.string(),
    data: z.array(agingRow),
    totals: z.array(z.object({ currency: z.string(), ...buckets }).openapi('AgingTotal')),
    next_cursor: z.null().openapi({ description: 'Always null: the report is one page' }),
  })
  .openapi('ReceivablesAging');

const agingQuery = z
  .object({
    as_of: z
      .string()
      .refine((d) => d.length === 10 && isIsoDate(d), 'must be a day YYYY-MM-DD')
      .optional()
      .openapi({ description: 'The day the invoices are aged at; default today (UTC)', example: '2026-03-31' }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
      .optional()
      .openapi({ description: 'Only invoices in this currency' }),
  })
  .strict();

const agingRoute = createRoute({
  method: 'get',
  path: '/receivables/aging',
  summary:
    'Receivables aging per customer and currency (current, 1–30, 31–60, 61–90, 90+ days), with totals; CSV with Accept: text/csv',
  request: { query: agingQuery },
  responses: {
    200: {
      description: 'The aging report',
      content: {
        'application/json': { schema: agingBody },
        'text/csv': { schema: z.string().openapi({ description: 'RFC 4180 CSV with a header row' }) },
      },
    },
    400: { description: 'A bad as_of or currency (the problem names it)', content: problemContent },
  },
});

export const AGING_CSV_HEADER = [
  'customer_id',
  'customer_name',
  'currency',
  ...AGING_BUCKETS,
  'total',
  'invoices',
] as const;

export function receivablesRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.openapi(agingRoute, async (c) => {
    const q = c.req.valid('query');
    const asOf = q.as_of ?? hub.clock.now().toISOString().slice(0, 10);
    const report = ageReceivables(await openReceivables(hub.db, c.get('orgId'), q.currency), asOf);
    const data = report.rows.map((r) => ({
      customer_id: r.customerId,
      customer_name: r.customerName,
      currency: r.currency,
      current: r.current,
      days_1_30: r.days_1_30,
      days_31_60: r.days_31_60,
      days_61_90: r.days_61_90,
      days_over_90: r.days_over_90,
      total: r.total,
      invoices: r.invoices,
    }));
    if (wantsCsv(c.req.header('accept'))) {
      const rows = [
        ...data.map((r) => AGING_CSV_HEADER.map((k) => r[k])),
        ...report.totals.map((t) => ['TOTAL', '', t.currency, ...AGING_BUCKETS.map((b) => t[b]), t.total, t.invoices]),
      ];
      return c.body(toCsv(AGING_CSV_HEADER, rows), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="receivables-aging-${asOf}.csv"`,
      }) as never;
    }
    return c.json({ as_of: asOf, data, totals: report.totals, next_cursor: null }, 200);
  });
  return app;
}
