/**
 * The console's first page: the pipeline for a period (deals closed → contracts → invoices → paid →
 * posted to the ERP) with amounts, and what is stuck now; each number links to the list behind it.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { type AmountByCurrency, pipelineCounts } from '../../db/repos/console-overview.js';
import { minorToMajor } from '../../domain/money.js';
import type { HubContext } from '../context.js';
import type { UiEnv } from './env.js';
import { Card, page, Shell } from './layout.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The month containing `now` by default (UTC); `from`/`until` as YYYY-MM-DD, until exclusive. */
export function periodOf(now: Date, from?: string, until?: string): { from: string; until: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return {
    from: from && DAY.test(from) ? from : start.toISOString().slice(0, 10),
    until: until && DAY.test(until) ? until : end.toISOString().slice(0, 10),
  };
}

const amounts = (totals: AmountByCurrency[]) =>
  totals.length === 0 ? '—' : totals.map((t) => `${minorToMajor(t.minor, t.currency)} ${t.currency}`).join(' · ');

const Stat: FC<{ label: string; value: number; href: string; detail?: string; testid: string }> = ({
  label,
  value,
  href,
  detail,
  testid,
}) => (
  <div class="slds-col slds-box slds-m-around_xx-small slds-text-align_center">
    <div class="slds-text-title_caps">{label}</div>
    <a class="slds-text-heading_large" href={href} data-testid={testid}>
      {value}
    </a>
    {detail && <div class="slds-text-body_small slds-text-color_weak">{detail}</div>}
  </div>
);

export function overviewRoutes(hub: HubContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get('/', async (c) => {
    const session = c.get('session');
    const period = periodOf(hub.clock.now(), c.req.query('from'), c.req.query('until'));
    // Dates compare as text with the stored ISO instants: "2026-03-01" sorts before any instant that day.
    const counts = await pipelineCounts(hub.db, session.orgId, period);
    return c.html(
      page(
        <Shell title="Overview" session={session} tab="overview">
          <Card title={`Pipeline from ${period.from} until ${period.until}`}>
            <form
              method="get"
              action="/ui"
              class="slds-grid slds-gutters slds-grid_vertical-align-end slds-m-bottom_small"
            >
              <div class="slds-col slds-form-element">
                <label class="slds-form-element__label" for="from">
                  From
                </label>
                <input id="from" name="from" type="date" class="slds-input" value={period.from} />
              </div>
              <div class="slds-col slds-form-element">
                <label class="slds-form-element__label" for="until">
                  Until (exclusive)
                </label>
                <input id="until" name="until" type="date" class="slds-input" value={period.until} />
              </div>
              <div class="slds-col">
                <button type="submit" class="slds-button slds-button_neutral">
                  Show
                </button>
              </div>
            </form>
            <div class="slds-grid slds-wrap">
              <Stat
                label="Deals closed"
                value={counts.deals}
                href="/ui/jobs?flow=deal-to-contract"
                testid="count-deals"
              />
              <Stat
                label="Contracts"
                value={counts.contracts}
                href="/ui/jobs?flow=deal-to-contract"
                testid="count-contracts"
              />
              <Stat
                label="Invoices"
                value={counts.invoices}
                href="/ui/invoices"
                detail={amounts(counts.invoiceTotals)}
                testid="count-invoices"
              />
              <Stat
                label="Paid"
                value={counts.paid}
                href="/ui/invoices?status=paid"
                detail={amounts(counts.paidTotals)}
                testid="count-paid"
              />
              <Stat
                label="Posted to the ERP"
                value={counts.postedToErp}
                href="/ui/jobs?flow=post-invoice-to-erp&state=succeeded"
                testid="count-erp"
              />
            </div>
          </Card>
          <Card title="Stuck">
            <div class="slds-grid slds-wrap">
              <Stat
                label="Dead jobs (open)"
                value={counts.stuck.dead}
                href="/ui/jobs?state=dead&open=open"
                testid="count-dead"
              />
              <Stat
                label="Waiting for tax"
                value={counts.stuck.taxPending}
                href="/ui/invoices?status=tax_pending"
                testid="count-tax-pending"
              />
              <Stat label="Drafts" value={counts.stuck.drafts} href="/ui/invoices?status=draft" testid="count-drafts" />
              <Stat
                label="Overdue"
                value={counts.stuck.overdue}
                href="/ui/invoices?status=overdue"
                testid="count-overdue"
              />
            </div>
          </Card>
        </Shell>,
      ),
    );
  });
  return app;
}
