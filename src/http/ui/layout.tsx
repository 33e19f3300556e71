/**
 * The console's page shell: SLDS stylesheet and htmx, both served by the hub (/assets), a header
 * with who is signed in, and the tabs. Hono JSX escapes every interpolated value.
 *
 * htmx sends the session's CSRF token on every request it makes (`hx-headers` on the body); plain
 * forms carry it as a hidden field (CsrfField).
 */
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import { DEFAULT_SLDS_CSS_URL } from '../embed-html.js';
import { HTMX_URL } from './asset-paths.js';
import { CONSOLE_CSS_URL } from './console-css.js';
import { type ConsoleSession, CSRF_FIELD, CSRF_HEADER } from './session.js';

export const TABS = [
  { id: 'overview', label: 'Overview', href: '/ui' },
  { id: 'mappings', label: 'Mappings', href: '/ui/mappings' },
  { id: 'jobs', label: 'Sync log', href: '/ui/jobs' },
  { id: 'connections', label: 'Connections', href: '/ui/connections' },
  { id: 'deals', label: 'Deals', href: '/ui/deals' },
  { id: 'invoices', label: 'Invoices', href: '/ui/invoices' },
  { id: 'users', label: 'Users and keys', href: '/ui/users' },
  { id: 'webhooks', label: 'Webhooks', href: '/ui/webhooks' },
] as const;

/** Tabs only admins may open (the server refuses the rest anyway). */
const ADMIN_TABS: ReadonlySet<string> = new Set(['users', 'webhooks']);

export type TabId = (typeof TABS)[number]['id'];

/** htmx settings: no inline indicator style and no eval (the CSP allows neither). */
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false });

export const CsrfField: FC<{ session: ConsoleSession }> = ({ session }) => (
  <input type="hidden" name={CSRF_FIELD} value={session.csrf} />
);

export const Shell: FC<
  PropsWithChildren<{ title: string; session?: ConsoleSession; tab?: TabId; notice?: string }>
> = ({ title, session, tab, notice, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <title>{`${title} · Hub console`}</title>
      <link rel="stylesheet" href={DEFAULT_SLDS_CSS_URL} />
      <link rel="stylesheet" href={CONSOLE_CSS_URL} />
      <script src={HTMX_URL} defer></script>
    </head>
    <body class="slds-scope" hx-headers={session ? JSON.stringify({ [CSRF_HEADER]: session.csrf }) : undefined}>
      <div class="slds-p-around_small">
        <div class="slds-page-header slds-m-bottom_small">
          <div class="slds-page-header__row">
            <div class="slds-page-header__col-title">
              <h1 class="slds-page-header__title">{title}</h1>
              <p class="slds-page-header__meta-text">CPQ-to-cash hub console</p>
            </div>
            {session && (
              <div class="slds-page-header__col-actions">
                <span class="slds-m-right_small" data-testid="signed-in-as">
                  {session.label} · {session.role}
                </span>
                <form method="post" action="/ui/sign-out" class="slds-show_inline-block">
                  <CsrfField session={session} />
                  <button type="submit" class="slds-button slds-button_neutral">
                    Sign out
                  </button>
                </form>
              </div>
            )}
          </div>
        </div>
        {session && (
          <nav class="slds-tabs_default slds-m-bottom_small" aria-label="Console">
            <ul class="slds-tabs_default__nav">
              {TABS.filter((t) => session.role === 'admin' || !ADMIN_TABS.has(t.id)).map((t) => (
                <li class={`slds-tabs_default__item${t.id === tab ? ' slds-is-active' : ''}`}>
                  <a class="slds-tabs_default__link" href={t.href} aria-current={t.id === tab ? 'page' : undefined}>
                    {t.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {notice && (
          <div class="slds-notify slds-notify_alert slds-theme_info slds-m-bottom_small" role="status">
            {notice}
          </div>
        )}
        {children}
      </div>
    </body>
  </html>
);

export const Card: FC<PropsWithChildren<{ title: string; actions?: Child; id?: string }>> = ({
  title,
  actions,
  id,
  children,
}) => (
  <article class="slds-card" id={id}>
    <div class="slds-card__header slds-grid">
      <header class="slds-media slds-media_center slds-has-flexi-truncate">
        <div class="slds-media__body">
          <h2 class="slds-card__header-title">{title}</h2>
        </div>
        {actions && <div class="slds-no-flex">{actions}</div>}
      </header>
    </div>
    <div class="slds-card__body slds-card__body_inner">{children}</div>
  </article>
);

const BADGE_THEMES: Record<string, string> = {
  paid: 'slds-theme_success',
  succeeded: 'slds-theme_success',
  healthy: 'slds-theme_success',
  published: 'slds-theme_success',
  active: 'slds-theme_success',
  queued: 'slds-theme_warning',
  running: 'slds-theme_warning',
  draft: 'slds-theme_warning',
  finalized: 'slds-theme_warning',
  tax_pending: 'slds-theme_warning',
  paused: 'slds-theme_warning',
  'rate-limited': 'slds-theme_warning',
  failing: 'slds-theme_error',
  resolved: 'slds-theme_success',
  revoked: 'slds-theme_error',
  dead: 'slds-theme_error',
  superseded: 'slds-theme_shade',
  none: 'slds-theme_shade',
  unhealthy: 'slds-theme_error',
  overdue: 'slds-theme_error',
  void: 'slds-theme_error',
};

export const Badge: FC<{ status: string; testid?: string }> = ({ status, testid }) => {
  const theme = BADGE_THEMES[status];
  return (
    <span class={`slds-badge${theme ? ` ${theme}` : ''}`} data-testid={testid}>
      {status}
    </span>
  );
};

export const Table: FC<{ caption: string; headers: string[]; rows: Child[][]; empty: string }> = ({
  caption,
  headers,
  rows,
  empty,
}) =>
  rows.length === 0 ? (
    <p class="slds-text-color_weak slds-p-around_small">{empty}</p>
  ) : (
    <table class="slds-table slds-table_cell-buffer slds-table_bordered" aria-label={caption}>
      <thead>
        <tr class="slds-line-height_reset">
          {headers.map((h) => (
            <th scope="col">
              <div class="slds-truncate">{h}</div>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((cells) => (
          <tr class="slds-hint-parent">
            {cells.map((cell) => (
              <td class="slds-cell-wrap">{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );

/** A server-rendered page: doctype plus the JSX tree. */
export function page(node: Child): string {
  return `<!doctype html>${String(node)}`;
}
