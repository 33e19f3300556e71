/**
 * Server-rendered HTML for the embedded billing view, with Salesforce Lightning Design System
 * class names. Every interpolated value goes through `html`, which escapes it unless it is
 * already SafeHtml: nothing from a deal, a vendor or a request reaches the page unescaped.
 */
import type { dealTrace } from '../db/repos/trace.js';
import { minorToMajor } from '../domain/money.js';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element body or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

/** Tagged template: literal parts are trusted markup, every `${value}` is escaped. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

/**
 * The SLDS release the hub serves (`@salesforce-ux/design-system`, pinned to exactly this version in
 * package.json; the runtimes' asset loaders refuse to serve another). The version is part of the URL, so
 * the stylesheet can be cached forever: a new release gets a new URL.
 */
export const SLDS_VERSION = '2.264.1';
export const SLDS_CSS_FILE = 'salesforce-lightning-design-system.min.css';

/** The stylesheet the page links when the org configured none: served by the hub (src/http/routes/assets.ts). */
export const DEFAULT_SLDS_CSS_URL = `/assets/slds/${SLDS_VERSION}/${SLDS_CSS_FILE}`;

/** An https URL or a same-origin path; anything else (javascript:, data:, http:) falls back to the default. */
export function stylesheetUrl(configured: string | undefined): string {
  const value = configured?.trim();
  if (value && (/^https:\/\/[^\s]+$/i.test(value) || /^\/(?!\/)[^\s]*$/.test(value))) return value;
  return DEFAULT_SLDS_CSS_URL;
}

export type DealTrace = Awaited<ReturnType<typeof dealTrace>>;

export interface TracePageInput {
  trace: DealTrace;
  /** Customer names by customer id (the trace holds ids only). */
  customerNames: ReadonlyMap<string, string>;
  sldsCssUrl: string;
  /** Who is looking, for the header ("Viewing as …"). */
  viewer: string;
  /** Present when the viewer may sync: the form action and hidden fields to post. */
  sync?: { action: string; hidden: Record<string, string> };
  notice?: string;
}

const money = (minor: number, currency: string) => `${minorToMajor(minor, currency)} ${currency}`;

const BADGE_THEMES: Record<string, string> = {
  paid: 'slds-theme_success',
  succeeded: 'slds-theme_success',
  active: 'slds-theme_success',
  finalized: 'slds-theme_warning',
  queued: 'slds-theme_warning',
  running: 'slds-theme_warning',
  dead: 'slds-theme_error',
  failed: 'slds-theme_error',
  void: 'slds-theme_error',
};

function badge(status: string): SafeHtml {
  const theme = BADGE_THEMES[status];
  return html`<span class="slds-badge${theme ? ` ${theme}` : ''}">${status}</span>`;
}

function table(caption: string, headers: string[], rows: SafeHtml[], empty: string): SafeHtml {
  if (rows.length === 0) return html`<p class="slds-text-color_weak slds-p-around_small">${empty}</p>`;
  return html`<table class="slds-table slds-table_cell-buffer slds-table_bordered" aria-label="${caption}">
<thead><tr class="slds-line-height_reset">${headers.map((h) => html`<th scope="col"><div class="slds-truncate">${h}</div></th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function card(title: string, body: SafeHtml): SafeHtml {
  return html`<article class="slds-card">
<div class="slds-card__header slds-grid"><header class="slds-media slds-media_center slds-has-flexi-truncate"><div class="slds-media__body"><h2 class="slds-card__header-title">${title}</h2></div></header></div>
<div class="slds-card__body slds-card__body_inner">${body}</div>
</article>`;
}

const row = (cells: unknown[]) => html`<tr class="slds-hint-parent">${cells.map((c) => html`<td>${c}</td>`)}</tr>`;

export function renderTracePage(input: TracePageInput): string {
  const { trace } = input;
  const names = [
    ...new Set(trace.contracts.map((c) => input.customerNames.get(c.customerId)).filter((n) => n !== undefined)),
  ];
  const contracts = table(
    'Contracts',
    ['Contract', 'Version', 'Status', 'Mapping version', 'Currency', 'Start', 'Cadence'],
    trace.contracts.map((c) =>
      row([c.id, c.version, badge(c.status), c.mappingVersion, c.currency, c.startDate, c.billingCadence]),
    ),
    'The hub has no contract for this deal yet.',
  );
  const invoices = table(
    'Invoices',
    ['Invoice', 'Kind', 'Period', 'Status', 'Total', 'Tax', 'Paid', 'Outstanding', 'Due'],
    trace.invoices.map((i) =>
      row([
        i.number,
        i.kind,
        `${i.periodStart} – ${i.periodEnd}`,
        badge(i.status),
        money(i.totalMinor, i.currency),
        money(i.taxMinor, i.currency),
        money(i.amountPaidMinor, i.currency),
        money(i.status === 'void' ? 0 : i.totalMinor - i.amountPaidMinor, i.currency),
        i.dueDate,
      ]),
    ),
    'No invoices yet.',
  );
  const invoiceNumbers = new Map(trace.invoices.map((i) => [i.id, i.number]));
  const payments = table(
    'Payments',
    ['Invoice', 'Provider', 'Reference', 'Status', 'Amount', 'Fee', 'Received'],
    trace.payments.map((p) =>
      row([
        invoiceNumbers.get(p.invoiceId) ?? p.invoiceId,
        p.provider,
        p.externalId,
        badge(p.status),
        money(p.amountMinor, p.currency),
        money(p.feeMinor, p.currency),
        p.receivedAt,
      ]),
    ),
    'No payments yet.',
  );
  const refs = table(
    'External references',
    ['System', 'Object', 'Hub id', 'External id'],
    trace.externalRefs.map((r) => row([r.system, r.objectType, r.localId, r.externalId])),
    'No records in other systems yet.',
  );
  const jobs = table(
    'Jobs',
    ['Job', 'Flow', 'State', 'Attempts', 'Next attempt', 'Last error'],
    trace.jobs.map((j) =>
      row([
        j.id,
        j.flow?.flow ?? j.kind,
        badge(j.state),
        `${j.attempts} / ${j.maxAttempts}`,
        j.state === 'queued' ? j.nextAttemptAt : '',
        j.lastError ?? '',
      ]),
    ),
    'No jobs for this deal.',
  );
  const sync = input.sync
    ? html`<form method="post" action="${input.sync.action}" class="slds-m-top_small">
${Object.entries(input.sync.hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit" class="slds-button slds-button_brand">Sync now</button>
</form>`
    : '';
  const notice = input.notice
    ? html`<div class="slds-notify slds-notify_alert slds-theme_info" role="status">${input.notice}</div>`
    : '';
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Billing – ${trace.deal.id}</title>
<link rel="stylesheet" href="${input.sldsCssUrl}">
</head>
<body class="slds-scope">
<div class="slds-p-around_small">
${notice}
<div class="slds-page-header"><div class="slds-page-header__row"><div class="slds-page-header__col-title">
<h1 class="slds-page-header__title">${names.length > 0 ? names.join(', ') : 'Billing'}</h1>
<p class="slds-page-header__meta-text">Deal ${trace.deal.system} ${trace.deal.id} · viewing as ${input.viewer}</p>
</div></div>${sync}</div>
${card('Contract', contracts)}
${card('Invoices', invoices)}
${card('Payments', payments)}
${card('ERP and vendor references', refs)}
${card('Jobs', jobs)}
</div>
</body>
</html>`;
  return page.value;
}
