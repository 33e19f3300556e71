/**
 * Connections in the console: each vendor connection with its health (GET /api/v1/connections'
 * status and warnings, src/http/routes/connection-health.ts), how many jobs wait on it, how many are
 * dead, its last success and last error. Everyone signed in may look (no secret is shown).
 *
 * For a vendor that connects with OAuth, an admin also gets Connect (or Reconnect): the same start
 * as POST /api/v1/connections/<vendor>/oauth/start, ending on a link to the vendor's consent page
 * (a link, not a redirect: the console's CSP lets forms post to the hub only).
 */
import { Hono } from 'hono';
import type { Child, FC } from 'hono/jsx';
import { type ConnectionJobStats, jobStatsByConnection, lastErrorOn } from '../../db/repos/console-jobs.js';
import type { HubContext } from '../context.js';
import { connectionHealth } from '../routes/connection-health.js';
import { beginOAuth, OAUTH_START_TTL_SECONDS, oauthVendors } from '../routes/oauth.js';
import type { UiEnv } from './env.js';
import { formFields } from './form.js';
import { Badge, Card, CsrfField, page, Shell } from './layout.js';
import { plainError } from './plain-error.js';
import { type ConsoleSession, requireConsoleRole } from './session.js';

type Health = Awaited<ReturnType<typeof connectionHealth>>[number];

interface OAuthOffer {
  vendor: string;
  displayName: string;
  /** The start body's optional fields (blank: the stored value is used). */
  fields: string[];
}

/** The OAuth vendors and the fields their start takes, read from the start body's schema. */
function oauthOffers(): OAuthOffer[] {
  return oauthVendors().map(({ vendor, oauth }) => {
    const shape = (oauth.startBody as unknown as { shape?: Record<string, unknown> }).shape;
    return { vendor, displayName: oauth.displayName, fields: shape ? Object.keys(shape) : [] };
  });
}

/** "clientSecret" → "client secret". */
const fieldLabel = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

const ConnectForm: FC<{ session: ConsoleSession; offer: OAuthOffer; connected: boolean; urgent: boolean }> = ({
  session,
  offer,
  connected,
  urgent,
}) => (
  <form
    method="post"
    action={`/ui/connections/${offer.vendor}/connect`}
    class="slds-m-top_small"
    data-testid={`connect-${offer.vendor}`}
  >
    <CsrfField session={session} />
    {offer.fields.length > 0 && (
      <p class="slds-text-color_weak slds-m-bottom_x-small">
        {connected ? 'Leave a field blank to keep what the connection holds.' : 'Your connected app’s details.'}
      </p>
    )}
    {offer.fields.map((name) => (
      <div class="slds-form-element slds-m-bottom_xx-small">
        <label class="slds-form-element__label" for={`${offer.vendor}-${name}`}>
          {fieldLabel(name)}
        </label>
        <input
          id={`${offer.vendor}-${name}`}
          name={name}
          type={/secret/i.test(name) ? 'password' : 'text'}
          autocomplete="off"
          class="slds-input"
        />
      </div>
    ))}
    <button type="submit" class={`slds-button ${urgent || !connected ? 'slds-button_brand' : 'slds-button_neutral'}`}>
      {connected ? `Reconnect ${offer.displayName}` : `Connect ${offer.displayName}`}
    </button>
  </form>
);

/** One word for the connection's state, from its status and what its jobs last met. */
export function healthWord(
  health: Pick<Health, 'status'>,
  stats: ConnectionJobStats | undefined,
  lastError: string | null,
) {
  if (health.status === 'unhealthy') return stats && stats.waiting > 0 ? 'paused' : 'unhealthy';
  const failedLast = stats?.lastFailureAt && (!stats.lastSuccessAt || stats.lastFailureAt > stats.lastSuccessAt);
  if (failedLast && lastError && /\b429\b|rate.?limit/i.test(lastError)) return 'rate-limited';
  // Credentials work, but jobs on it gave up: someone must look (the dead jobs link says which).
  if (stats && stats.dead > 0) return 'failing';
  return 'healthy';
}

const ConnectionCard: FC<{
  health: Health;
  stats?: ConnectionJobStats | undefined;
  lastError: string | null;
  connect?: Child;
}> = ({ health, stats, lastError, connect }) => {
  const word = healthWord(health, stats, lastError);
  return (
    <Card
      title={`${health.vendor} (${health.mode})`}
      actions={<Badge status={word} testid={`health-${health.vendor}`} />}
    >
      <dl class="slds-dl_horizontal">
        <dt class="slds-dl_horizontal__label">Account</dt>
        <dd class="slds-dl_horizontal__detail">{health.external_account_id ?? '—'}</dd>
        {health.statusReason && (
          <>
            <dt class="slds-dl_horizontal__label">Why</dt>
            <dd class="slds-dl_horizontal__detail">{health.statusReason}</dd>
          </>
        )}
        <dt class="slds-dl_horizontal__label">Jobs waiting</dt>
        <dd class="slds-dl_horizontal__detail">
          <a href={`/ui/jobs?connection=${health.vendor}&state=queued`}>{stats?.waiting ?? 0}</a>
        </dd>
        <dt class="slds-dl_horizontal__label">Dead jobs</dt>
        <dd class="slds-dl_horizontal__detail">
          <a href={`/ui/jobs?connection=${health.vendor}&state=dead`}>{stats?.dead ?? 0}</a>
        </dd>
        <dt class="slds-dl_horizontal__label">Last success</dt>
        <dd class="slds-dl_horizontal__detail">{stats?.lastSuccessAt ?? '—'}</dd>
        <dt class="slds-dl_horizontal__label">Last error</dt>
        <dd class="slds-dl_horizontal__detail">
          {lastError ? `${stats?.lastFailureAt ?? ''} ${plainError(lastError, 'queued')?.summary ?? lastError}` : '—'}
        </dd>
      </dl>
      {health.warnings.length > 0 && (
        <ul class="slds-m-top_x-small slds-text-color_error">
          {health.warnings.map((w) => (
            <li>{w}</li>
          ))}
        </ul>
      )}
      {connect}
    </Card>
  );
};

export function connectionRoutes(hub: HubContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get('/', async (c) => {
    const session = c.get('session');
    const [healths, stats] = await Promise.all([
      connectionHealth(hub, session.orgId),
      jobStatsByConnection(hub.db, session.orgId),
    ]);
    const lastErrors = await Promise.all(healths.map((h) => lastErrorOn(hub.db, session.orgId, h.vendor)));
    const offers = session.role === 'admin' ? oauthOffers() : [];
    const offerFor = (vendor: string) => offers.find((o) => o.vendor === vendor);
    const unconnected = offers.filter((o) => !healths.some((h) => h.vendor === o.vendor));
    return c.html(
      page(
        <Shell title="Connections" session={session} tab="connections" notice={c.req.query('notice')}>
          {healths.length === 0 && (
            <p>No connections yet: configure them through PUT /api/v1/connections/{'{vendor}'}.</p>
          )}
          <div class="slds-grid slds-gutters slds-wrap">
            {healths.map((h, i) => {
              const offer = offerFor(h.vendor);
              return (
                <div class="slds-col slds-size_1-of-2 slds-m-bottom_small">
                  <ConnectionCard
                    health={h}
                    stats={stats.get(h.vendor)}
                    lastError={lastErrors[i] ?? null}
                    connect={
                      offer && (
                        <ConnectForm session={session} offer={offer} connected urgent={h.status === 'unhealthy'} />
                      )
                    }
                  />
                </div>
              );
            })}
            {unconnected.map((offer) => (
              <div class="slds-col slds-size_1-of-2 slds-m-bottom_small">
                <Card title={`${offer.vendor} (not connected)`} actions={<Badge status="not connected" />}>
                  <ConnectForm session={session} offer={offer} connected={false} urgent />
                </Card>
              </div>
            ))}
          </div>
        </Shell>,
      ),
    );
  });

  app.post('/:vendor/connect', requireConsoleRole('admin'), async (c) => {
    const session = c.get('session');
    const vendor = c.req.param('vendor');
    const found = oauthVendors().find((v) => v.vendor === vendor);
    const answer = (title: string, body: Child, status: 200 | 400 | 404) =>
      c.html(
        page(
          <Shell title={title} session={session} tab="connections">
            <Card title={title}>{body}</Card>
            <p class="slds-m-top_small">
              <a href="/ui/connections">Back to the connections</a>
            </p>
          </Shell>,
        ),
        status,
      );
    if (!found) return answer('Not found', <p>{`${vendor} does not connect with OAuth.`}</p>, 404);
    const offer = oauthOffers().find((o) => o.vendor === vendor)!;
    const form = await formFields(c);
    // Only the start body's own fields, and only those filled in: blank keeps what is stored.
    const body = Object.fromEntries(
      offer.fields.flatMap((name) => (form[name]?.trim() ? [[name, form[name]!.trim()]] : [])),
    );
    const refused = (field: string, message: string) =>
      answer(
        `${found.oauth.displayName} not connected`,
        <p
          class="slds-text-color_error"
          role="alert"
          data-testid="connect-error"
        >{`${fieldLabel(field)}: ${message}`}</p>,
        400,
      );
    const parsed = found.oauth.startBody.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return refused(issue.path.map(String).join('.') || 'body', issue.message);
    }
    const begun = await beginOAuth(
      hub,
      { orgId: session.orgId, actor: session.actor, origin: new URL(c.req.url).origin },
      found.vendor,
      found.oauth,
      parsed.data,
    );
    if (!begun.ok) return refused(begun.field, begun.problem);
    return answer(
      `Connect ${found.oauth.displayName}`,
      <>
        <p class="slds-m-bottom_small">
          {`Sign in to ${found.oauth.displayName} and allow the hub; ${found.oauth.displayName} then sends you back to ${begun.redirectUri}, which must be the connected app's callback URL. The link works for ${OAUTH_START_TTL_SECONDS / 60} minutes.`}
        </p>
        <a class="slds-button slds-button_brand" href={begun.authorizeUrl} data-testid="authorize-link">
          {`Continue to ${found.oauth.displayName}`}
        </a>
      </>,
      200,
    );
  });
  return app;
}
