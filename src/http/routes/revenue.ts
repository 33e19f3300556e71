/**
 * Revenue recognition's API (issue #13): the month close, which books each document's change in
 * deferred revenue once (its entry's source key is unique, so a second run books nothing), and
 * the deferred-revenue waterfall as JSON or CSV (Accept: text/csv).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  bookCloseEntries,
  bookedCloseSources,
  bookedDocuments,
  closeSource,
  sspTable,
} from '../../db/repos/revenue.js';
import { isPeriod, periodBounds, periodOf } from '../../domain/books/periods.js';
import { closeDate, closeLines, deferralInput } from '../../domain/revenue/close.js';
import { previousPeriod } from '../../domain/revenue/deferral.js';
import { monthsBetween, waterfall } from '../../domain/revenue/waterfall.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { toCsv, wantsCsv } from '../csv.js';
import { problem, zodProblemHook } from '../problem.js';
import { csvResponse } from './invoices.js';
import { problemContent } from './schemas.js';

const period = z.string().refine(isPeriod, 'must be a month YYYY-MM').openapi({ example: '2026-03' });

const closeRoute = createRoute({
  method: 'post',
  path: '/revenue/close',
  summary: "Book the period's revenue recognition (deferrals and releases); running it again books nothing",
  request: { query: z.object({ period }).strict() },
  responses: {
    200: {
      description: 'What this run booked',
      content: {
        'application/json': {
          schema: z
            .object({
              period: z.string(),
              entries_booked: z.number().int(),
              already_booked: z.number().int(),
              documents: z.array(
                z.object({
                  document_id: z.string(),
                  document_number: z.string(),
                  currency: z.string(),
                  defer_minor: z.number().int().openapi({ description: '> 0 defers, < 0 releases to revenue' }),
                  deferred_at_end_minor: z.number().int(),
                  booked: z.boolean(),
                  explanation: z.string(),
                  obligations: z.array(
                    z.object({
                      line_no: z.number().int(),
                      pattern: z.string(),
                      ssp_minor: z.number().int(),
                      allocated_minor: z.number().int(),
                      explanation: z.string(),
                    }),
                  ),
                }),
              ),
            })
            .openapi('RevenueClose'),
        },
      },
    },
    400: { description: 'Bad period', content: problemContent },
    422: { description: 'The period has not begun yet', content: problemContent },
  },
});

const waterfallRoute = createRoute({
  method: 'get',
  path: '/revenue/waterfall',
  summary: 'Deferred-revenue waterfall: per currency and billing month, earned and still deferred per month',
  request: { query: z.object({ from: period, to: period }).strict() },
  responses: {
    200: {
      description: 'Rows by currency and billing month; CSV has one row per billing month and month',
      content: {
        'application/json': {
          schema: z
            .object({
              months: z.array(z.string()),
              rows: z.array(
                z.object({
                  currency: z.string(),
                  billed_period: z.string(),
                  billed_minor: z.number().int(),
                  recognized_minor: z.array(z.number().int()),
                  deferred_at_end_minor: z.array(z.number().int()),
                }),
              ),
            })
            .openapi('RevenueWaterfall'),
        },
        'text/csv': { schema: z.string() },
      },
    },
    400: { description: 'Bad range', content: problemContent },
  },
});

export function revenueRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.on('POST', '/revenue/*', requireRole('admin', 'finance'));

  const sspCache = async (orgId: string, currencies: Iterable<string>) => {
    const tables = new Map<string, Map<string, string>>();
    for (const c of new Set(currencies)) tables.set(c, await sspTable(hub.db, orgId, c));
    return (currency: string) => tables.get(currency) ?? new Map<string, string>();
  };

  app.openapi(closeRoute, async (c) => {
    const orgId = c.get('orgId');
    const { period: p } = c.req.valid('query');
    const now = hub.clock.now().toISOString();
    if (p > periodOf(now)) {
      return problem(c, 422, 'Unprocessable', `period ${p} has not begun yet`, [
        { field: 'period', message: 'must not be after the current month' },
      ]) as never;
    }
    const { from, until } = periodBounds(p);
    // Documents whose service runs into the period: only they can change what is deferred in it.
    const docs = await bookedDocuments(hub.db, orgId, until, from);
    const ssp = await sspCache(
      orgId,
      docs.map((d) => d.currency),
    );
    const lines = closeLines(docs, ssp, p);
    const sources = lines.map((l) => closeSource(l.documentId, p).id);
    const already = await bookedCloseSources(hub.db, orgId, sources);
    const fresh = lines.filter((l) => !already.has(closeSource(l.documentId, p).id));
    await bookCloseEntries(
      hub.db,
      orgId,
      fresh.map((l) => ({ documentId: l.documentId, period: p, entry: l.entry, bookedOn: closeDate(p) })),
      now,
    );
    return c.json(
      {
        period: p,
        entries_booked: fresh.length,
        already_booked: lines.length - fresh.length,
        documents: lines.map((l) => ({
          document_id: l.documentId,
          document_number: l.documentNumber,
          currency: l.currency,
          defer_minor: l.deferMinor,
          deferred_at_end_minor: l.deferredAtEnd,
          booked: !already.has(closeSource(l.documentId, p).id),
          explanation: l.entry.memo,
          obligations: l.obligations.map((o) => ({
            line_no: o.lineNo,
            pattern: o.pattern,
            ssp_minor: o.sspMinor,
            allocated_minor: o.allocatedMinor,
            explanation: o.explanation,
          })),
        })),
      },
      200,
    );
  });

  app.openapi(waterfallRoute, async (c) => {
    const orgId = c.get('orgId');
    const q = c.req.valid('query');
    if (q.to < q.from)
      return problem(c, 400, 'Invalid request', 'to: must not be before from', [
        { field: 'to', message: 'must not be before from' },
      ]) as never;
    const months = monthsBetween(q.from, q.to);
    const docs = await bookedDocuments(hub.db, orgId, periodBounds(q.to).until, `${previousPeriod(q.from)}-01`);
    const ssp = await sspCache(
      orgId,
      docs.map((d) => d.currency),
    );
    const rows = waterfall(
      docs.map((d) => deferralInput(d, ssp(d.currency))),
      months,
    );
    if (wantsCsv(c.req.header('accept'))) {
      const csv = toCsv(
        ['currency', 'billed_period', 'billed_minor', 'month', 'recognized_minor', 'deferred_at_end_minor'],
        rows.flatMap((r) =>
          months.map((m, i) => [r.currency, r.billedPeriod, r.billedMinor, m, r.recognized[i]!, r.deferredAtEnd[i]!]),
        ),
      );
      return csvResponse(c, `waterfall-${q.from}-${q.to}.csv`, csv, null) as never;
    }
    return c.json(
      {
        months,
        rows: rows.map((r) => ({
          currency: r.currency,
          billed_period: r.billedPeriod,
          billed_minor: r.billedMinor,
          recognized_minor: r.recognized,
          deferred_at_end_minor: r.deferredAtEnd,
        })),
      },
      200,
    );
  });
  return app;
}
