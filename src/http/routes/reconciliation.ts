/**
 * /api/v1/reconciliation (issue #13): the newest kept run of a system and month with its open
 * disagreements, a run now, and each item's fix: repush (the posting job runs again) or resolve
 * with a reason (audit-logged). Org-scoped: another org's item is a 404.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { repushItem, runReconciliation } from '../../../flows/reconciliation.js';
import { atomic, rowsChanged } from '../../db/atomic.js';
import {
  getItem,
  getRun,
  latestRun,
  listItemsPage,
  type ReconciliationItemRow,
  type ReconciliationRunRow,
  resolveItemStatements,
} from '../../db/repos/reconciliation.js';
import { DISAGREEMENTS, RECONCILIATION_SYSTEMS } from '../../domain/reconciliation.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

const itemBody = z
  .object({
    id: z.string(),
    kind: z.enum(DISAGREEMENTS),
    document_kind: z.enum(['invoice', 'payment', 'credit_memo', 'deal']),
    local_id: z.string().nullable().openapi({ description: "The hub's id of the document; null for an extra" }),
    ref: z.string().openapi({ description: 'Our reference as the vendor stores it' }),
    external_id: z.string().nullable(),
    hub_status: z.string().nullable(),
    vendor_status: z.string().nullable(),
    hub_amount_minor: z.number().int().nullable(),
    vendor_amount_minor: z.number().int().nullable(),
    currency: z.string().nullable(),
    detail: z.string(),
    fix: z.enum(['repush', 'resolve']).openapi({ description: 'The one-call fix this disagreement offers' }),
    repushed_at: z.string().nullable(),
    resolved: z.object({ at: z.string(), by: z.string(), reason: z.string() }).nullable(),
  })
  .openapi('ReconciliationItem');

const runBody = z
  .object({
    id: z.string(),
    system: z.enum(RECONCILIATION_SYSTEMS),
    period: z.string(),
    state: z.enum(['running', 'succeeded', 'failed']),
    trigger: z.enum(['nightly', 'manual']),
    checked: z.number().int().openapi({ description: 'Hub documents compared' }),
    extra_checked: z.boolean().openapi({ description: 'Whether vendor objects unknown to the hub were looked for' }),
    note: z
      .string()
      .nullable()
      .openapi({ description: 'Why extras were not checked, or what a failed run stopped on' }),
    open_items: z.number().int(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('ReconciliationRun');

const reportBody = z
  .object({
    run: runBody,
    data: z.array(itemBody),
    next_cursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last' }),
  })
  .openapi('ReconciliationReport');

const systemQuery = z.enum(RECONCILIATION_SYSTEMS).openapi({ param: { name: 'system', in: 'query' } });
const periodQuery = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')
  .openapi({ param: { name: 'period', in: 'query' }, example: '2026-12' });

const reportQuery = z
  .object({
    system: systemQuery,
    period: periodQuery,
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
    cursor: z
      .string()
      .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
      .optional(),
    include_resolved: z
      .enum(['true', 'false'])
      .optional()
      .openapi({ description: 'Also list the items a person resolved (hidden by default)' }),
  })
  .strict();

function toItem(row: ReconciliationItemRow): z.infer<typeof itemBody> {
  return {
    id: row.id,
    kind: row.kind as z.infer<typeof itemBody>['kind'],
    document_kind: row.documentKind as z.infer<typeof itemBody>['document_kind'],
    local_id: row.localId,
    ref: row.ref,
    external_id: row.externalId,
    hub_status: row.hubStatus,
    vendor_status: row.vendorStatus,
    hub_amount_minor: row.hubAmountMinor,
    vendor_amount_minor: row.vendorAmountMinor,
    currency: row.currency,
    detail: row.detail,
    fix: row.fix,
    repushed_at: row.repushedAt,
    resolved: row.resolvedAt
      ? { at: row.resolvedAt, by: row.resolvedBy ?? '', reason: row.resolutionReason ?? '' }
      : null,
  };
}

function toRun(row: ReconciliationRunRow, open: number): z.infer<typeof runBody> {
  return {
    id: row.id,
    system: row.system as z.infer<typeof runBody>['system'],
    period: row.period,
    state: row.state,
    trigger: row.trigger as 'nightly' | 'manual',
    checked: row.checked,
    extra_checked: row.extraChecked === 1,
    note: row.note,
    open_items: open,
    created_at: row.createdAt,
    finished_at: row.finishedAt,
  };
}

const getRoute = createRoute({
  method: 'get',
  path: '/reconciliation',
  summary: 'The newest kept reconciliation of a system and month: every open disagreement, cursor-paginated',
  request: { query: reportQuery },
  responses: {
    200: { description: 'The run and a page of its items', content: { 'application/json': { schema: reportBody } } },
    400: { description: 'Bad system, period or cursor', content: problemContent },
    404: { description: 'No run kept yet for this system and period', content: problemContent },
  },
});

const runRoute = createRoute({
  method: 'post',
  path: '/reconciliation/run',
  summary: 'Reconcile a system for a month now (admin, finance); answers the kept run',
  request: { query: z.object({ system: systemQuery, period: periodQuery }).strict() },
  responses: {
    200: {
      description: 'The run and its first page of items',
      content: { 'application/json': { schema: reportBody } },
    },
    400: { description: 'Bad system or period', content: problemContent },
    404: { description: 'The system is not connected', content: problemContent },
    422: { description: "The system's adapter cannot read documents back: not supported", content: problemContent },
    502: {
      description: 'The vendor failed while the run read from it (the failed run is kept)',
      content: problemContent,
    },
  },
});

const itemParams = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const repushRoute = createRoute({
  method: 'post',
  path: '/reconciliation/items/{id}/repush',
  summary: "Run the job that posts the item's document again (admin, finance), with its flow and keys",
  request: { params: itemParams },
  responses: {
    202: {
      description: 'Requeued',
      content: { 'application/json': { schema: z.object({ item: itemBody, job_id: z.string() }) } },
    },
    404: { description: 'No such item in this org', content: problemContent },
    409: { description: 'Not repushable (resolve it instead), or its job is still running', content: problemContent },
  },
});

const resolveRoute = createRoute({
  method: 'post',
  path: '/reconciliation/items/{id}/resolve',
  summary: 'Mark a disagreement resolved with a reason (admin, finance); audit-logged, hidden from GET',
  request: {
    params: itemParams,
    body: {
      content: {
        'application/json': { schema: z.object({ reason: z.string().trim().min(1).max(1000) }).strict() },
      },
      required: true,
    },
  },
  responses: {
    200: { description: 'Resolved', content: { 'application/json': { schema: itemBody } } },
    400: { description: 'No reason given', content: problemContent },
    404: { description: 'No such item in this org', content: problemContent },
    409: { description: 'Already resolved', content: problemContent },
  },
});

export function reconciliationRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.on('POST', ['/reconciliation/run', '/reconciliation/items/*'], requireRole('admin', 'finance'));

  async function report(orgId: string, run: ReconciliationRunRow, q: z.infer<typeof reportQuery> | undefined) {
    const limit = q?.limit ?? DEFAULT_LIMIT;
    const after = q?.cursor ? decodeCursor(q.cursor)! : undefined;
    const page = await listItemsPage(hub.db, orgId, run.id, {
      limit,
      ...(after ? { afterId: after.id } : {}),
      includeResolved: q?.include_resolved === 'true',
    });
    const last = page.rows[page.rows.length - 1];
    return {
      run: toRun(run, page.open),
      data: page.rows.map(toItem),
      next_cursor: page.nextAfterId && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  app.openapi(getRoute, async (c) => {
    const q = c.req.valid('query');
    const orgId = c.get('orgId');
    const run = await latestRun(hub.db, orgId, q.system, q.period);
    if (!run) {
      return problem(c, 404, 'Not found', `no reconciliation of ${q.system} for ${q.period} has run yet`) as never;
    }
    return c.json(await report(orgId, run, q), 200);
  });

  app.openapi(runRoute, async (c) => {
    const { system, period } = c.req.valid('query');
    const orgId = c.get('orgId');
    const result = await runReconciliation(hub, orgId, system, period, 'manual');
    if (!result.ok) {
      if (result.kind === 'permanent' && result.status === 422) {
        return problem(c, 422, 'Not supported', result.reason) as never;
      }
      if (result.kind === 'permanent' && result.status === 404)
        return problem(c, 404, 'Not found', result.reason) as never;
      if (result.kind === 'permanent' && result.field === 'period') {
        return problem(c, 400, 'Bad request', result.reason) as never;
      }
      return problem(c, 502, 'Vendor failed', result.reason) as never;
    }
    const run = (await getRun(hub.db, orgId, result.value.runId))!;
    return c.json(await report(orgId, run, undefined), 200);
  });

  app.openapi(repushRoute, async (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.get('orgId');
    const found = await getItem(hub.db, orgId, id);
    if (!found) return problem(c, 404, 'Not found', `no reconciliation item ${id} in this org`) as never;
    const done = await repushItem(hub, orgId, found.item, found.run.system, c.get('apiKeyId'));
    if (done.outcome !== 'requeued') return problem(c, 409, 'Conflict', done.reason) as never;
    const after = (await getItem(hub.db, orgId, id))!;
    return c.json({ item: toItem(after.item), job_id: done.jobId }, 202);
  });

  app.openapi(resolveRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const orgId = c.get('orgId');
    const found = await getItem(hub.db, orgId, id);
    if (!found) return problem(c, 404, 'Not found', `no reconciliation item ${id} in this org`) as never;
    if (found.item.resolvedAt) {
      return problem(c, 409, 'Conflict', `item ${id} was resolved at ${found.item.resolvedAt}`) as never;
    }
    const results = await atomic(
      hub.db,
      resolveItemStatements(hub.db, orgId, found.item, {
        actor: c.get('apiKeyId'),
        reason,
        now: hub.clock.now().toISOString(),
        system: found.run.system,
        period: found.run.period,
      }),
    );
    if (rowsChanged(results[0]) === 0) return problem(c, 409, 'Conflict', `item ${id} was resolved meanwhile`) as never;
    const after = (await getItem(hub.db, orgId, id))!;
    return c.json(toItem(after.item), 200);
  });
  return app;
}
