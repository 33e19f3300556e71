/**
 * Deals, contracts and invoices in the console: one search box (CRM deal id, customer name or
 * invoice number; GET /api/v1/search/* answers the same), and the deal trace, the deal's whole
 * path on one page, stage by stage with each job's state, its steps and a link to its sync-log
 * entry. Read-only, any role; every read is scoped by the session's org.
 */
import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { dealCorrelationId } from '../../../flows/index.js';
import { dealJobs } from '../../db/repos/deal-jobs.js';
import { searchContracts, searchDeals, searchInvoices } from '../../db/repos/search.js';
import { dealTrace } from '../../db/repos/trace.js';
import { minorToMajor } from '../../domain/money.js';
import { CRM_VENDORS, ERP_VENDORS, TAX_ENGINES } from '../../domain/vendors.js';
import type { HubContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { type Stage, type StageId, traceStages } from './deal-trace-stages.js';
import type { UiEnv } from './env.js';
import { Badge, Card, page, Shell, Table } from './layout.js';

const money = (minor: number, currency: string) => `${minorToMajor(minor, currency)} ${currency}`;

const SEARCH_TYPES = ['deals', 'contracts', 'invoices'] as const;
type SearchType = (typeof SEARCH_TYPES)[number];

/** Rows per card on the mixed page, and per page when one type is listed. */
const PREVIEW_LIMIT = 10;
const LIST_LIMIT = 25;

export const traceHref = (system: string, dealId: string) =>
  `/ui/deals/${encodeURIComponent(system)}/${encodeURIComponent(dealId)}`;

const searchHref = (params: Record<string, string>) => {
  const kept = Object.entries(params).filter(([, v]) => v !== '');
  return kept.length ? `/ui/deals?${new URLSearchParams(kept)}` : '/ui/deals';
};

export function dealRoutes(hub: HubContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>();

  app.get('/', async (c) => {
    const session = c.get('session');
    const q = (c.req.query('q') ?? '').slice(0, 200);
    const rawType = c.req.query('type');
    const type = SEARCH_TYPES.find((t) => t === rawType);
    const cursor = c.req.query('cursor');
    const after = type && cursor ? decodeCursor(cursor) : null;
    const limit = type ? LIST_LIMIT : PREVIEW_LIMIT;
    const input = { q, limit, ...(after ? { after } : {}) };
    const shown = (t: SearchType) => !type || type === t;
    const [deals, contracts, invoices] = await Promise.all([
      shown('deals') ? searchDeals(hub.db, session.orgId, input) : null,
      shown('contracts') ? searchContracts(hub.db, session.orgId, input) : null,
      shown('invoices') ? searchInvoices(hub.db, session.orgId, input) : null,
    ]);
    const more = (t: SearchType, next: { createdAt: string; id: string } | null) =>
      next && (
        <a
          class="slds-button slds-button_neutral slds-m-top_small"
          data-testid={`more-${t}`}
          href={searchHref({ q, type: t, ...(type ? { cursor: encodeCursor(next) } : {}) })}
        >
          {type ? 'Older' : `All ${t}`}
        </a>
      );
    return c.html(
      page(
        <Shell title="Deals, contracts and invoices" session={session} tab="deals">
          <Card title="Search">
            <form method="get" action="/ui/deals" class="slds-grid slds-gutters slds-grid_vertical-align-end">
              <div class="slds-col slds-form-element">
                <label class="slds-form-element__label" for="q">
                  CRM deal id, customer or invoice number
                </label>
                <input id="q" name="q" type="search" class="slds-input" value={q} maxlength={200} />
              </div>
              <div class="slds-col slds-form-element slds-size_1-of-6">
                <label class="slds-form-element__label" for="type">
                  Show
                </label>
                <select id="type" name="type" class="slds-select">
                  <option value="">all three</option>
                  {SEARCH_TYPES.map((t) => (
                    <option value={t} selected={t === type}>
                      {t}
                    </option>
                  ))}
                </select>
              </div>
              <div class="slds-col slds-no-flex">
                <button type="submit" class="slds-button slds-button_brand">
                  Search
                </button>
              </div>
            </form>
          </Card>
          {deals && (
            <Card title="Deals" id="deals">
              <Table
                caption="Deals"
                headers={['Deal', 'CRM', 'Customer', 'Versions', 'Contract', 'First seen']}
                empty="No deal matches."
                rows={deals.rows.map((d) => [
                  <a href={traceHref(d.sourceSystem, d.sourceDealId)}>{d.sourceDealId}</a>,
                  d.sourceSystem,
                  d.customerName,
                  String(d.versions),
                  <Badge status={d.latestStatus} />,
                  d.firstCreatedAt.slice(0, 10),
                ])}
              />
              {more('deals', deals.next)}
            </Card>
          )}
          {contracts && (
            <Card title="Contracts" id="contracts">
              <Table
                caption="Contracts"
                headers={['Contract', 'Deal', 'Version', 'Status', 'Customer', 'Starts']}
                empty="No contract matches."
                rows={contracts.rows.map((k) => [
                  k.id,
                  <a href={traceHref(k.sourceSystem, k.sourceDealId)}>{`${k.sourceSystem} ${k.sourceDealId}`}</a>,
                  String(k.version),
                  <Badge status={k.status} />,
                  k.customerName,
                  k.startDate,
                ])}
              />
              {more('contracts', contracts.next)}
            </Card>
          )}
          {invoices && (
            <Card title="Invoices" id="invoices">
              <Table
                caption="Invoices"
                headers={['Number', 'Status', 'Customer', 'Deal', 'Total', 'Due']}
                empty="No invoice matches."
                rows={invoices.rows.map((i) => [
                  <a href={`/ui/invoices/${encodeURIComponent(i.id)}`}>{i.number ?? `(draft ${i.id})`}</a>,
                  <Badge status={i.status} />,
                  i.customerName,
                  <a href={traceHref(i.sourceSystem, i.sourceDealId)}>{i.sourceDealId}</a>,
                  money(i.totalMinor, i.currency),
                  i.dueDate,
                ])}
              />
              {more('invoices', invoices.next)}
            </Card>
          )}
        </Shell>,
      ),
    );
  });

  app.get('/:system/:id', async (c) => {
    const session = c.get('session');
    const system = c.req.param('system');
    const dealId = c.req.param('id');
    const notFound = () =>
      c.html(
        page(
          <Shell title="Not found" session={session} tab="deals">
            <p>{`No ${system} deal ${dealId} in this org.`}</p>
          </Shell>,
        ),
        404,
      );
    if (!(CRM_VENDORS as readonly string[]).includes(system)) return notFound();
    const correlation = dealCorrelationId(system, dealId);
    const trace = await dealTrace(hub.db, session.orgId, system, dealId, correlation);
    const subjects = [
      ...trace.contracts.map((k) => k.id),
      ...trace.invoices.map((i) => i.id),
      ...trace.payments.map((p) => p.id),
    ];
    const jobs = await dealJobs(hub.db, session.orgId, correlation, subjects);
    if (trace.contracts.length === 0 && jobs.length === 0) return notFound();
    const stages = traceStages(jobs);
    const latest = trace.contracts.at(-1);
    const invoiceNo = new Map(trace.invoices.map((i) => [i.id, i.number ?? `(draft ${i.id})`]));
    const refsIn = (systems: readonly string[]) => trace.externalRefs.filter((r) => systems.includes(r.system));

    const details: Record<StageId, Child> = {
      deal: (
        <p>
          {`${system} deal ${dealId}`}
          {latest && ` · customer ${latest.customerId} · ${latest.currency}`}
        </p>
      ),
      contract: (
        <Table
          caption="Contract versions"
          headers={['Contract', 'Version', 'Status', 'Starts', 'Effective', 'Mapping']}
          empty="No contract yet."
          rows={trace.contracts.map((k) => [
            k.id,
            String(k.version),
            <Badge status={k.status} />,
            k.startDate,
            k.effectiveDate ?? k.startDate,
            k.mappingVersion,
          ])}
        />
      ),
      invoices: (
        <Table
          caption="Invoices"
          headers={['Number', 'Kind', 'Period', 'Status', 'Total', 'Paid']}
          empty="No invoice yet."
          rows={trace.invoices.map((i) => [
            <a href={`/ui/invoices/${encodeURIComponent(i.id)}`}>{invoiceNo.get(i.id)}</a>,
            i.documentKind,
            `${i.periodStart} – ${i.periodEnd}`,
            <Badge status={i.status} />,
            money(i.totalMinor, i.currency),
            money(i.amountPaidMinor, i.currency),
          ])}
        />
      ),
      tax: (
        <Table
          caption="Tax"
          headers={['Invoice', 'Tax', 'Engine', 'Transaction']}
          empty="No invoice to tax yet."
          rows={trace.invoices.map((i) => {
            const refs = refsIn(TAX_ENGINES).filter((r) => r.localId === i.id);
            return [
              invoiceNo.get(i.id),
              money(i.taxMinor, i.currency),
              refs.map((r) => r.system).join(', ') || (i.taxPendingReason ? `waiting: ${i.taxPendingReason}` : '—'),
              refs.map((r) => r.externalId).join(', '),
            ];
          })}
        />
      ),
      payments: (
        <Table
          caption="Payments"
          headers={['Invoice', 'Provider', 'Reference', 'Status', 'Amount', 'Fee', 'Received']}
          empty="No payment yet."
          rows={trace.payments.map((p) => [
            invoiceNo.get(p.invoiceId) ?? p.invoiceId,
            p.provider,
            p.externalId,
            <Badge status={p.status} />,
            money(p.amountMinor, p.currency),
            money(p.feeMinor, p.currency),
            p.receivedAt,
          ])}
        />
      ),
      erp: (
        <>
          <Table
            caption="ERP objects"
            headers={['System', 'Object', 'External id', 'Ours']}
            empty="Nothing in the ERP yet."
            rows={refsIn(ERP_VENDORS).map((r) => [r.system, r.objectType, r.externalId, r.localId])}
          />
          <Table
            caption="Ledger entries"
            headers={['Entry', 'Kind', 'Occurred', 'Debits']}
            empty="No ledger entry yet."
            rows={trace.ledger.map((e) => [
              e.memo,
              e.kind,
              e.occurredAt,
              sumsByCurrency(e.lines.map((l) => ({ currency: l.currency, minor: l.debitMinor }))),
            ])}
          />
        </>
      ),
      write_back: <p class="slds-text-color_weak">{`The billing status written back to the ${system} deal.`}</p>,
    };

    return c.html(
      page(
        <Shell title={`Deal ${dealId}`} session={session} tab="deals">
          <Card title="Path" actions={<a href="/ui/deals">Search</a>}>
            <ol class="slds-list_horizontal slds-wrap" aria-label="Stages" data-testid="trace-path">
              {stages.map((s, i) => (
                <li class="slds-m-right_small slds-m-bottom_x-small">
                  <a href={`#stage-${s.id}`}>{`${i + 1}. ${s.label}`}</a>{' '}
                  <Badge status={s.state} testid={`stage-${s.id}`} />
                </li>
              ))}
            </ol>
          </Card>
          {stages.map((s) => (
            <Card title={s.label} id={`stage-${s.id}`} actions={<Badge status={s.state} />}>
              {details[s.id]}
              <StageJobs stage={s} />
            </Card>
          ))}
        </Shell>,
      ),
    );
  });

  return app;
}

function sumsByCurrency(amounts: { currency: string; minor: number }[]): string {
  const sums = new Map<string, number>();
  for (const a of amounts) sums.set(a.currency, (sums.get(a.currency) ?? 0) + a.minor);
  return [...sums].map(([currency, minor]) => money(minor, currency)).join(', ');
}

const StageJobs = ({ stage }: { stage: Stage }) =>
  stage.jobs.length === 0 ? (
    <p class="slds-text-color_weak slds-m-top_x-small">No job for this stage.</p>
  ) : (
    <div class="slds-m-top_small">
      <Table
        caption={`${stage.label} jobs`}
        headers={['Job', 'Flow', 'Job state', 'Steps', 'Attempts', 'Error']}
        empty=""
        rows={stage.jobs.map(({ job, steps }) => [
          <a href={`/ui/jobs/${encodeURIComponent(job.id)}`}>{job.id}</a>,
          job.flow ?? job.kind,
          <Badge status={job.state} />,
          steps.length === 0 ? 'not started' : steps.map((s) => `${s.step}: ${s.status}`).join(' · '),
          `${job.attempts} / ${job.maxAttempts}`,
          steps.find((s) => s.error)?.error ?? job.lastError ?? '',
        ])}
      />
    </div>
  );
