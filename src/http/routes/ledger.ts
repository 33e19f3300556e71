/**
 * The books' API (issue #13): the chart of accounts (editable; a posted account is deactivated,
 * never deleted), the trial balance and the journal of a period (JSON, or CSV with
 * Accept: text/csv), and closing a period. Reads take any role; writes need admin or finance. Money is integer minor units; the CSV adds the decimal amount beside them.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  closePeriod,
  deleteAccount,
  ensureChart,
  findAccount,
  insertAccount,
  type JournalAfter,
  journalPage,
  listAccounts,
  listClosedPeriods,
  postedSums,
  updateAccount,
} from '../../db/repos/books.js';
import {
  ACCOUNT_TYPES,
  checkNewAccount,
  DEFAULT_CHART,
  isSystemAccount,
} from '../../domain/books/chart-of-accounts.js';
import { isPeriod, periodBounds } from '../../domain/books/periods.js';
import { trialBalance } from '../../domain/books/trial-balance.js';
import { type Currency, minorToMajor } from '../../domain/money.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { toCsv, wantsCsv } from '../csv.js';
import { problem, zodProblemHook } from '../problem.js';
import { csvResponse } from './invoices.js';
import { problemContent } from './schemas.js';

const period = z
  .string()
  .refine(isPeriod, 'must be a month YYYY-MM')
  .openapi({ description: 'An accounting month', example: '2026-03' });

const account = z
  .object({
    code: z.string(),
    name: z.string(),
    type: z.enum(ACCOUNT_TYPES),
    active: z.boolean(),
    system: z.boolean().openapi({ description: 'The hub posts to it by itself; it cannot be deactivated' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('LedgerAccount');

const codeParam = z.object({
  code: z
    .string()
    .min(1)
    .max(130)
    .openapi({ param: { name: 'code', in: 'path' }, example: 'revenue:hardware' }),
});

const listAccountsRoute = createRoute({
  method: 'get',
  path: '/ledger/accounts',
  summary: "The org's chart of accounts (the default chart is laid on first read)",
  responses: {
    200: {
      description: 'Every account, by code (one page: a chart is small)',
      content: {
        'application/json': { schema: z.object({ data: z.array(account), next_cursor: z.string().nullable() }) },
      },
    },
  },
});

const createAccountRoute = createRoute({
  method: 'post',
  path: '/ledger/accounts',
  summary: 'Add an account; a sub-account (revenue:hardware, cash:stripe:EUR) takes its parent type',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .object({
              code: z.string().min(1).max(130),
              name: z.string().min(1).max(200),
              type: z.enum(ACCOUNT_TYPES).optional(),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: account } } },
    400: { description: 'Bad body', content: problemContent },
    409: { description: 'The code is taken', content: problemContent },
    422: { description: 'Bad code, missing parent, or a type unlike the parent', content: problemContent },
  },
});

const updateAccountRoute = createRoute({
  method: 'patch',
  path: '/ledger/accounts/{code}',
  summary: 'Rename, deactivate or reactivate an account',
  request: {
    params: codeParam,
    body: {
      content: {
        'application/json': {
          schema: z
            .object({ name: z.string().min(1).max(200).optional(), active: z.boolean().optional() })
            .strict()
            .refine((b) => b.name !== undefined || b.active !== undefined, 'give name or active'),
        },
      },
    },
  },
  responses: {
    200: { description: 'The account', content: { 'application/json': { schema: account } } },
    400: { description: 'Bad body', content: problemContent },
    404: { description: 'No such account', content: problemContent },
    409: { description: 'A system account cannot be deactivated', content: problemContent },
  },
});

const deleteAccountRoute = createRoute({
  method: 'delete',
  path: '/ledger/accounts/{code}',
  summary: 'Delete an account no entry was ever posted to',
  request: { params: codeParam },
  responses: {
    204: { description: 'Deleted' },
    404: { description: 'No such account', content: problemContent },
    409: { description: 'Posted to (deactivate it instead) or a system account', content: problemContent },
  },
});

const money = z.number().int().openapi({ description: 'Integer minor units' });

const trialBalanceRoute = createRoute({
  method: 'get',
  path: '/ledger/trial-balance',
  summary: 'Debits and credits per account and currency of every entry up to the end of the period',
  request: { query: z.object({ period }).strict() },
  responses: {
    200: {
      description: 'The trial balance; currency totals agree in each currency when the books balance',
      content: {
        'application/json': {
          schema: z
            .object({
              period: z.string(),
              as_of: z.string().openapi({ description: 'Entries dated before this day are included' }),
              balanced: z.boolean(),
              currency_totals: z.array(z.object({ currency: z.string(), debit_minor: money, credit_minor: money })),
              accounts: z.array(
                z.object({
                  account: z.string(),
                  name: z.string().nullable(),
                  type: z.enum(ACCOUNT_TYPES).nullable(),
                  currency: z.string(),
                  debit_minor: money,
                  credit_minor: money,
                  balance_minor: money.openapi({ description: "On the account's normal side" }),
                }),
              ),
            })
            .openapi('TrialBalance'),
        },
      },
    },
    400: { description: 'Bad period', content: problemContent },
  },
});

const journalEntry = z
  .object({
    id: z.string(),
    source_type: z.string(),
    source_id: z.string(),
    kind: z.string(),
    memo: z.string(),
    occurred_at: z.string(),
    lines: z.array(z.object({ account: z.string(), currency: z.string(), debit_minor: money, credit_minor: money })),
  })
  .openapi('JournalEntry');

const MAX_LIMIT = 1000;
const journalRoute = createRoute({
  method: 'get',
  path: '/ledger/journal',
  summary: "A period's journal entries, oldest first; CSV (one row per line) with Accept: text/csv",
  request: {
    query: z
      .object({
        period,
        limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
        cursor: z
          .string()
          .refine((c) => decodeJournalCursor(c) !== null, 'is not a cursor this API returned')
          .optional(),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'One page of entries',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(journalEntry), next_cursor: z.string().nullable() }).openapi('JournalPage'),
        },
        'text/csv': { schema: z.string().openapi({ description: 'RFC 4180 CSV with a header row' }) },
      },
    },
    400: { description: 'Bad period, limit or cursor', content: problemContent },
  },
});

const periodBody = z.object({ period: z.string(), closed_at: z.string() }).openapi('ClosedPeriod');
const listPeriodsRoute = createRoute({
  method: 'get',
  path: '/ledger/periods',
  summary: 'The closed periods',
  responses: {
    200: {
      description: 'Closed periods, oldest first',
      content: {
        'application/json': { schema: z.object({ data: z.array(periodBody), next_cursor: z.string().nullable() }) },
      },
    },
  },
});

const closePeriodRoute = createRoute({
  method: 'post',
  path: '/ledger/periods/{period}/close',
  summary: 'Close a period: later entries dated inside it are booked on the first day of the next open one',
  request: { params: z.object({ period: period.openapi({ param: { name: 'period', in: 'path' } }) }) },
  responses: {
    200: {
      description: 'The period is closed (closing twice keeps the first time)',
      content: { 'application/json': { schema: periodBody } },
    },
    400: { description: 'Bad period', content: problemContent },
  },
});

const toBase64Url = (text: string) => btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
const encodeJournalCursor = (after: JournalAfter) => toBase64Url(JSON.stringify([after.occurredAt, after.id]));
function decodeJournalCursor(cursor: string): JournalAfter | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [occurredAt, id] = value;
    if (typeof occurredAt !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(occurredAt) || occurredAt.length > 40) return null;
    if (typeof id !== 'string' || id.length === 0 || id.length > 200) return null;
    return { occurredAt, id };
  } catch {
    return null;
  }
}

const toAccount = (row: Awaited<ReturnType<typeof listAccounts>>[number]) => ({
  code: row.code,
  name: row.name,
  type: row.type,
  active: row.active,
  system: isSystemAccount(row.code),
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

const JOURNAL_CSV_HEADER = [
  'entry_id',
  'occurred_at',
  'kind',
  'source_type',
  'source_id',
  'memo',
  'account',
  'currency',
  'debit_minor',
  'credit_minor',
  'debit',
  'credit',
] as const;

export function ledgerRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  const now = () => hub.clock.now().toISOString();
  // Only a default account's code needs the default chart laid first; any other code either
  // exists already or is a 404, with nothing written.
  const layChartFor = async (orgId: string, code: string) => {
    if (DEFAULT_CHART.some((a) => a.code === code)) await ensureChart(hub.db, orgId, now());
  };
  app.on(['POST', 'PATCH', 'DELETE'], '/ledger/*', requireRole('admin', 'finance'));

  app.openapi(listAccountsRoute, async (c) => {
    const rows = await listAccounts(hub.db, c.get('orgId'), now());
    return c.json({ data: rows.map(toAccount), next_cursor: null }, 200);
  });

  app.openapi(createAccountRoute, async (c) => {
    const orgId = c.get('orgId');
    const body = c.req.valid('json');
    const chart = await listAccounts(hub.db, orgId, now());
    const checked = checkNewAccount(chart, body);
    if (!checked.ok) {
      const detail = checked.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
      return problem(
        c,
        checked.status,
        checked.status === 409 ? 'Conflict' : 'Unprocessable',
        detail,
        checked.issues,
      ) as never;
    }
    if (!(await insertAccount(hub.db, orgId, checked.account, now()))) {
      return problem(c, 409, 'Conflict', `account ${body.code} already exists`) as never;
    }
    return c.json(toAccount((await findAccount(hub.db, orgId, body.code))!), 201);
  });

  app.openapi(updateAccountRoute, async (c) => {
    const orgId = c.get('orgId');
    const { code } = c.req.valid('param');
    const body = c.req.valid('json');
    await layChartFor(orgId, code);
    if (body.active === false && isSystemAccount(code)) {
      return problem(c, 409, 'Conflict', `the hub posts to ${code} itself; it cannot be deactivated`, [
        { field: 'active', message: 'a system account stays active' },
      ]) as never;
    }
    const change = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.active !== undefined ? { active: body.active } : {}),
    };
    if (!(await updateAccount(hub.db, orgId, code, change, now()))) {
      return problem(c, 404, 'Not found', `no account ${code} in this org`) as never;
    }
    return c.json(toAccount((await findAccount(hub.db, orgId, code))!), 200);
  });

  app.openapi(deleteAccountRoute, async (c) => {
    const orgId = c.get('orgId');
    const { code } = c.req.valid('param');
    await layChartFor(orgId, code);
    if (isSystemAccount(code)) {
      return problem(c, 409, 'Conflict', `the hub posts to ${code} itself; it cannot be deleted`) as never;
    }
    const result = await deleteAccount(hub.db, orgId, code);
    if (result === 'missing') return problem(c, 404, 'Not found', `no account ${code} in this org`) as never;
    if (result === 'posted') {
      return problem(
        c,
        409,
        'Conflict',
        `entries are posted to ${code}; deactivate it instead (PATCH active: false)`,
      ) as never;
    }
    return c.body(null, 204) as never;
  });

  app.openapi(trialBalanceRoute, async (c) => {
    const orgId = c.get('orgId');
    const { period: p } = c.req.valid('query');
    const { until } = periodBounds(p);
    const chart = await listAccounts(hub.db, orgId, now());
    const tb = trialBalance(await postedSums(hub.db, orgId, until), new Map(chart.map((a) => [a.code, a])));
    return c.json(
      {
        period: p,
        as_of: until,
        balanced: tb.balanced,
        currency_totals: tb.currencyTotals.map((t) => ({
          currency: t.currency,
          debit_minor: t.debitMinor,
          credit_minor: t.creditMinor,
        })),
        accounts: tb.accounts.map((a) => ({
          account: a.account,
          name: a.name,
          type: a.type,
          currency: a.currency,
          debit_minor: a.debitMinor,
          credit_minor: a.creditMinor,
          balance_minor: a.balanceMinor,
        })),
      },
      200,
    );
  });

  app.openapi(journalRoute, async (c) => {
    const q = c.req.valid('query');
    const csv = wantsCsv(c.req.header('accept'));
    const after = q.cursor === undefined ? undefined : decodeJournalCursor(q.cursor)!;
    const page = await journalPage(hub.db, c.get('orgId'), q.period, {
      limit: q.limit ?? (csv ? MAX_LIMIT : 100),
      ...(after ? { after } : {}),
    });
    const next = page.next ? encodeJournalCursor(page.next) : null;
    if (csv) {
      const rows = page.rows.flatMap((e) =>
        e.lines.map((l) => [
          e.id,
          e.occurredAt,
          e.kind,
          e.sourceType,
          e.sourceId,
          e.memo,
          l.account,
          l.currency,
          l.debitMinor,
          l.creditMinor,
          minorToMajor(l.debitMinor, l.currency as Currency),
          minorToMajor(l.creditMinor, l.currency as Currency),
        ]),
      );
      return csvResponse(c, `journal-${q.period}.csv`, toCsv(JOURNAL_CSV_HEADER, rows), next) as never;
    }
    return c.json(
      {
        data: page.rows.map((e) => ({
          id: e.id,
          source_type: e.sourceType,
          source_id: e.sourceId,
          kind: e.kind,
          memo: e.memo,
          occurred_at: e.occurredAt,
          lines: e.lines.map((l) => ({
            account: l.account,
            currency: l.currency,
            debit_minor: l.debitMinor,
            credit_minor: l.creditMinor,
          })),
        })),
        next_cursor: next,
      },
      200,
    );
  });

  app.openapi(listPeriodsRoute, async (c) => {
    const rows = await listClosedPeriods(hub.db, c.get('orgId'));
    return c.json({ data: rows.map((r) => ({ period: r.period, closed_at: r.closedAt })), next_cursor: null }, 200);
  });

  app.openapi(closePeriodRoute, async (c) => {
    const { period: p } = c.req.valid('param');
    const row = await closePeriod(hub.db, c.get('orgId'), p, now());
    return c.json({ period: row.period, closed_at: row.closedAt }, 200);
  });
  return app;
}
