/**
 * Invoices in the console: the list (newest first, filtered by status, paged by cursor like
 * GET /api/v1/invoices) and one invoice's detail (lines, payments, credit notes, ERP and tax
 * references, its jobs). Read-only here; the actions stay in the API (invoice-actions.ts).
 */
import { Hono } from 'hono';
import { invoiceDetail, listInvoicePage } from '../../db/repos/invoices-read.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../../domain/invoice-lifecycle.js';
import { minorToMajor } from '../../domain/money.js';
import type { HubContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { UiEnv } from './env.js';
import { Badge, Card, page, Shell, Table } from './layout.js';

const money = (minor: number, currency: string) => `${minorToMajor(minor, currency)} ${currency}`;

export function invoiceRoutes(hub: HubContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>();

  app.get('/', async (c) => {
    const session = c.get('session');
    const raw = c.req.query('status');
    const status = raw && (INVOICE_STATUSES as readonly string[]).includes(raw) ? (raw as InvoiceStatus) : undefined;
    const cursor = c.req.query('cursor');
    const after = cursor ? decodeCursor(cursor) : null;
    const { rows, next } = await listInvoicePage(
      hub.db,
      session.orgId,
      { documents: 'invoices', ...(status ? { status } : {}) },
      { limit: 50, ...(after ? { after } : {}) },
    );
    const query = (extra: Record<string, string>) =>
      `/ui/invoices?${new URLSearchParams({ ...(status ? { status } : {}), ...extra })}`;
    return c.html(
      page(
        <Shell title="Invoices" session={session} tab="invoices">
          <Card title={status ? `Invoices: ${status}` : 'Invoices'}>
            <form
              method="get"
              action="/ui/invoices"
              class="slds-grid slds-gutters slds-grid_vertical-align-end slds-m-bottom_small"
            >
              <div class="slds-col slds-form-element">
                <label class="slds-form-element__label" for="status">
                  Status
                </label>
                <select id="status" name="status" class="slds-select">
                  <option value="">any</option>
                  {INVOICE_STATUSES.map((s) => (
                    <option value={s} selected={s === status}>
                      {s}
                    </option>
                  ))}
                </select>
              </div>
              <div class="slds-col">
                <button type="submit" class="slds-button slds-button_neutral">
                  Apply
                </button>
              </div>
            </form>
            <Table
              caption="Invoices"
              headers={['Number', 'Kind', 'Period', 'Status', 'Total', 'Paid', 'Due']}
              empty="No invoice matches."
              rows={rows.map((i) => [
                <a href={`/ui/invoices/${i.id}`}>{i.number ?? `(draft ${i.id})`}</a>,
                i.documentKind,
                `${i.periodStart} – ${i.periodEnd}`,
                <Badge status={i.status} />,
                money(i.totalMinor, i.currency),
                money(i.amountPaidMinor, i.currency),
                i.dueDate,
              ])}
            />
            {next && (
              <a class="slds-button slds-button_neutral slds-m-top_small" href={query({ cursor: encodeCursor(next) })}>
                Older invoices
              </a>
            )}
          </Card>
        </Shell>,
      ),
    );
  });

  app.get('/:id', async (c) => {
    const session = c.get('session');
    const detail = await invoiceDetail(hub.db, session.orgId, c.req.param('id'));
    if (!detail) {
      return c.html(
        page(
          <Shell title="Not found" session={session} tab="invoices">
            <p>No such invoice in this org.</p>
          </Shell>,
        ),
        404,
      );
    }
    const { invoice: inv } = detail;
    return c.html(
      page(
        <Shell title={`Invoice ${inv.number ?? '(draft)'}`} session={session} tab="invoices">
          <Card title="Summary" actions={<Badge status={inv.status} />}>
            <p>{`${inv.documentKind} · period ${inv.periodStart} – ${inv.periodEnd} · issued ${inv.issueDate} · due ${inv.dueDate}`}</p>
            <p>
              {`Subtotal ${money(inv.subtotalMinor, inv.currency)} · tax ${money(inv.taxMinor, inv.currency)} · `}
              <strong>{`total ${money(inv.totalMinor, inv.currency)}`}</strong>
              {` · paid ${money(inv.amountPaidMinor, inv.currency)}`}
            </p>
            {inv.taxPendingReason && <p class="slds-text-color_error">{`Waiting for tax: ${inv.taxPendingReason}`}</p>}
          </Card>
          <Card title="Lines">
            <Table
              caption="Lines"
              headers={['#', 'Description', 'Quantity', 'Amount']}
              empty="No lines."
              rows={detail.lines.map((l) => [l.lineNo, l.description, l.quantity, money(l.amountMinor, inv.currency)])}
            />
          </Card>
          <Card title="Payments">
            <Table
              caption="Payments"
              headers={['Provider', 'Reference', 'Status', 'Amount', 'Received']}
              empty="No payments yet."
              rows={detail.payments.map((p) => [
                p.provider,
                p.externalId,
                <Badge status={p.status} />,
                money(p.amountMinor, p.currency),
                p.receivedAt,
              ])}
            />
          </Card>
          <Card title="In other systems">
            <Table
              caption="References"
              headers={['System', 'Object', 'External id']}
              empty="Not in the ERP or the tax engine yet."
              rows={[...detail.erpRefs, ...detail.taxRefs].map((r) => [r.system, r.objectType, r.externalId])}
            />
          </Card>
          <Card title="Jobs">
            <Table
              caption="Jobs"
              headers={['Job', 'Flow', 'State', 'Attempts', 'Error']}
              empty="No jobs."
              rows={detail.timeline.map(({ job, flow }) => [
                <a href={`/ui/jobs/${job.id}`}>{job.id}</a>,
                flow ?? job.kind,
                <Badge status={job.state} />,
                `${job.attempts} / ${job.maxAttempts}`,
                job.lastError ?? '',
              ])}
            />
          </Card>
        </Shell>,
      ),
    );
  });

  return app;
}
