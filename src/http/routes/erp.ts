/**
 * The ERP connection's posting settings and the journals sync (issue #13):
 *
 *   GET  /erp/settings          mode (documents | journals) and the account map
 *   PUT  /erp/settings          {mode, account_map}; an unknown hub account code is a 422 naming it;
 *                               a pause that only a missing mapping caused is lifted and its jobs woken
 *   POST /erp/journals/sync     queues the period's ledger entries the ERP has not got yet (journals mode)
 *
 * The settings live in the ERP connection's config (src/domain/books/erp-settings.ts).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { POST_JOURNAL_TO_ERP, postJournalJob } from '../../../flows/post-journal-to-erp.js';
import { atomic } from '../../db/atomic.js';
import { listAccounts } from '../../db/repos/books.js';
import { erpConnection, erpSettingsStatements, periodEntriesForErp } from '../../db/repos/erp-journals.js';
import { dueJobIdsWaitingFor } from '../../db/repos/jobs.js';
import {
  ERP_MODES,
  erpPostingConfig,
  erpPostingSettings,
  isMissingMappingReason,
} from '../../domain/books/erp-settings.js';
import { isPeriod } from '../../domain/books/periods.js';
import { ERP_VENDORS } from '../../domain/vendors.js';
import { enqueueStatement, findJobByDedupeKey, replayJob } from '../../jobs/queue.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

/** Entries one sync call queues at most; a larger period takes more calls (the answer says how many are left). */
const SYNC_LIMIT = 500;
const MAX_WOKEN_JOBS = 1000;

const settingsSchema = z
  .object({
    vendor: z.string().openapi({ example: 'quickbooks' }),
    mode: z.enum(ERP_MODES),
    account_map: z.record(z.string(), z.string()).openapi({
      description: 'Hub account code → ERP account id',
      example: { accounts_receivable: '84', revenue: '79', cash: '35' },
    }),
    unmapped: z.array(z.string()).openapi({ description: 'Active chart accounts (codes) the map does not cover' }),
  })
  .openapi('ErpSettings');

const getRoute = createRoute({
  method: 'get',
  path: '/erp/settings',
  summary: "How the org's ERP connection is posted to: documents or the hub's ledger as journals, and the account map",
  responses: {
    200: { description: 'The settings', content: { 'application/json': { schema: settingsSchema } } },
    403: { description: 'Not admin or finance', content: problemContent },
    404: { description: 'The org has no ERP connection', content: problemContent },
  },
});

const putRoute = createRoute({
  method: 'put',
  path: '/erp/settings',
  summary: 'Set the ERP posting mode and account map; resumes jobs paused for a missing mapping',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .object({
              mode: z.enum(ERP_MODES),
              account_map: z
                .record(z.string(), z.string().min(1).max(100))
                .optional()
                .openapi({ description: 'Hub account code → ERP account id (replaces the stored map)' }),
            })
            .strict(),
        },
      },
      required: true,
    },
  },
  responses: {
    200: { description: 'The settings now', content: { 'application/json': { schema: settingsSchema } } },
    400: { description: 'Bad body', content: problemContent },
    403: { description: 'Not admin or finance', content: problemContent },
    404: { description: 'The org has no ERP connection', content: problemContent },
    422: { description: 'An account code that is not in the chart', content: problemContent },
  },
});

const syncRoute = createRoute({
  method: 'post',
  path: '/erp/journals/sync',
  summary:
    "Queue the period's ledger entries the ERP has not got yet, one post-journal-to-erp job each (journals mode)",
  request: {
    query: z
      .object({ period: z.string().refine(isPeriod, 'must be a month YYYY-MM').openapi({ example: '2026-11' }) })
      .strict(),
  },
  responses: {
    200: {
      description: 'What this call queued',
      content: {
        'application/json': {
          schema: z
            .object({
              period: z.string(),
              entries: z.number().int().openapi({ description: "The period's ledger entries" }),
              already_posted: z.number().int(),
              queued: z.number().int().openapi({ description: 'New jobs' }),
              requeued: z.number().int().openapi({ description: 'Dead jobs of unposted entries, replayed' }),
              in_progress: z.number().int().openapi({ description: 'Unposted entries whose job is queued or running' }),
              remaining: z.number().int().openapi({ description: 'Unposted entries left for another call' }),
            })
            .openapi('ErpJournalSync'),
        },
      },
    },
    400: { description: 'Bad period', content: problemContent },
    403: { description: 'Not admin or finance', content: problemContent },
    404: { description: 'The org has no ERP connection', content: problemContent },
    409: { description: 'The ERP connection is in documents mode', content: problemContent },
  },
});

export function erpRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.use('/erp/*', requireRole('admin', 'finance'));

  const noConnection = (c: Parameters<typeof problem>[0]) =>
    problem(c, 404, 'Not found', 'this org has no ERP connection') as never;

  async function view(orgId: string, connection: { vendor: string; config: string }) {
    const settings = erpPostingSettings(JSON.parse(connection.config) as Record<string, string>);
    const chart = await listAccounts(hub.db, orgId, hub.clock.now().toISOString());
    const unmapped = chart
      .filter(
        (a) => a.active && settings.accountMap[a.code] === undefined && !settings.accountMap[a.code.split(':')[0]!],
      )
      .map((a) => a.code);
    return { vendor: connection.vendor, mode: settings.mode, account_map: { ...settings.accountMap }, unmapped };
  }

  app.openapi(getRoute, async (c) => {
    const orgId = c.get('orgId');
    const connection = await erpConnection(hub.db, orgId, ERP_VENDORS);
    if (!connection) return noConnection(c);
    return c.json(await view(orgId, connection), 200);
  });

  app.openapi(putRoute, async (c) => {
    const orgId = c.get('orgId');
    const body = c.req.valid('json');
    const connection = await erpConnection(hub.db, orgId, ERP_VENDORS);
    if (!connection) return noConnection(c);
    const now = hub.clock.now().toISOString();
    const accountMap = body.account_map ?? {};
    const chart = new Set((await listAccounts(hub.db, orgId, now)).map((a) => a.code));
    const unknown = Object.keys(accountMap).filter((code) => !chart.has(code));
    if (unknown.length > 0) {
      return problem(
        c,
        422,
        'Unknown account',
        `not in the chart of accounts: ${unknown.join(', ')}`,
        unknown.map((code) => ({ field: `account_map.${code}`, message: `hub account ${code} is not in the chart` })),
      ) as never;
    }
    const liftPause = connection.status === 'unhealthy' && isMissingMappingReason(connection.statusReason);
    await atomic(
      hub.db,
      erpSettingsStatements(hub.db, orgId, connection, erpPostingConfig({ mode: body.mode, accountMap }), {
        liftPause,
        now,
        actor: c.get('apiKeyId'),
      }),
    );
    hub.invalidateAdapters(orgId);
    if (liftPause) {
      await hub.driver.notify(
        await dueJobIdsWaitingFor(hub.db, orgId, connection.vendor, hub.clock.now().getTime(), MAX_WOKEN_JOBS),
      );
    }
    const updated = {
      ...connection,
      config: JSON.stringify({
        ...JSON.parse(connection.config),
        ...erpPostingConfig({ mode: body.mode, accountMap }),
      }),
    };
    return c.json(await view(orgId, updated), 200);
  });

  app.openapi(syncRoute, async (c) => {
    const orgId = c.get('orgId');
    const { period } = c.req.valid('query');
    const connection = await erpConnection(hub.db, orgId, ERP_VENDORS);
    if (!connection) return noConnection(c);
    const settings = erpPostingSettings(JSON.parse(connection.config) as Record<string, string>);
    if (settings.mode !== 'journals') {
      return problem(
        c,
        409,
        'Documents mode',
        `the ${connection.vendor} connection posts documents; set mode journals with PUT /api/v1/erp/settings first`,
      ) as never;
    }
    const found = await periodEntriesForErp(hub.db, orgId, connection.vendor, period, SYNC_LIMIT);
    const unpostedTotal = found.total - found.posted;
    let queued = 0;
    let requeued = 0;
    let inProgress = 0;
    const statements = [];
    const woken: string[] = [];
    for (const entryId of found.unposted) {
      const job = await findJobByDedupeKey(hub.db, orgId, `${POST_JOURNAL_TO_ERP}:${entryId}`);
      if (!job) {
        const made = enqueueStatement(
          hub.db,
          hub.clock,
          postJournalJob({ orgId, entryId, correlationId: `erp-sync:${period}`, erpVendor: connection.vendor }),
        );
        statements.push(made.statement);
        woken.push(made.id);
        queued += 1;
      } else if (job.state === 'dead') {
        const replayed = await replayJob(hub.db, hub.clock, orgId, job.id);
        if (replayed) {
          woken.push(replayed.id);
          requeued += 1;
        }
      } else {
        inProgress += 1;
      }
    }
    if (statements.length > 0) await atomic(hub.db, statements);
    await hub.driver.notify(woken);
    return c.json(
      {
        period,
        entries: found.total,
        already_posted: found.posted,
        queued,
        requeued,
        in_progress: inProgress,
        remaining: unpostedTotal - found.unposted.length,
      },
      200,
    );
  });
  return app;
}
