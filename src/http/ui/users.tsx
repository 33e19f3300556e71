/**
 * Users and keys (admin only): invite a person with a role (a one-time sign-in link, shown once), create
 * an API key with a role (shown once, stored hashed) and revoke one (its console sessions end at their
 * next request), and read the audit log (who changed what, when), filtered by action.
 */
import { type Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { createApiKey, listApiKeys, revokeApiKey } from '../../db/repos/api-keys.js';
import { type AuditRow, listAuditPage } from '../../db/repos/audit.js';
import { createInvitation, listInvitations } from '../../db/repos/console-invitations.js';
import type { HubContext, Role } from '../context.js';
import { INVITATION_TTL_MS, MAX_LABEL } from '../routes/access.js';
import type { UiEnv } from './env.js';
import { formFields } from './form.js';
import { Badge, Card, CsrfField, page, Shell, Table } from './layout.js';
import { type ConsoleSession, ROLES, requireConsoleRole } from './session.js';

const RoleSelect: FC<{ id: string }> = ({ id }) => (
  <select id={id} name="role" class="slds-select">
    {ROLES.map((r) => (
      <option value={r} selected={r === 'viewer'}>
        {r}
      </option>
    ))}
  </select>
);

const Secret: FC<{ title: string; value: string; note: string }> = ({ title, value, note }) => (
  <div class="slds-notify slds-notify_alert slds-theme_success slds-m-bottom_small" role="status">
    <div>
      <p>
        <strong>{title}</strong> {note}
      </p>
      <p class="slds-text-font_monospace" data-testid="shown-once">
        {value}
      </p>
    </div>
  </div>
);

interface AuditQuery {
  action?: string;
  actor?: string;
  subject?: string;
}

/** The audit filter as typed: trimmed, bounded, blanks dropped. */
function auditQuery(q: (name: string) => string | undefined): AuditQuery {
  const out: AuditQuery = {};
  for (const name of ['action', 'actor', 'subject'] as const) {
    const value = (q(name) ?? '').trim().slice(0, 200);
    if (value) out[name] = value;
  }
  return out;
}

interface Data {
  invitations: Awaited<ReturnType<typeof listInvitations>>;
  keys: Awaited<ReturnType<typeof listApiKeys>>;
  audit: AuditRow[];
  filter: AuditQuery;
}

const UsersPage: FC<{ session: ConsoleSession; data: Data }> = ({ session, data }) => (
  <div>
    <div class="slds-grid slds-gutters slds-wrap">
      <div class="slds-col slds-size_1-of-2">
        <Card title="Invite a person">
          <form method="post" action="/ui/users/invitations">
            <CsrfField session={session} />
            <label class="slds-form-element__label" for="invite-label">
              Who (name or email, shown in the console and the audit log)
            </label>
            <input id="invite-label" name="label" class="slds-input" maxlength={MAX_LABEL} required />
            <label class="slds-form-element__label" for="invite-role">
              Role
            </label>
            <RoleSelect id="invite-role" />
            <button type="submit" class="slds-button slds-button_brand slds-m-top_x-small">
              Create a one-time sign-in link
            </button>
          </form>
        </Card>
      </div>
      <div class="slds-col slds-size_1-of-2">
        <Card title="Create an API key">
          <form method="post" action="/ui/users/keys">
            <CsrfField session={session} />
            <label class="slds-form-element__label" for="key-name">
              Name (what uses it)
            </label>
            <input id="key-name" name="name" class="slds-input" maxlength={MAX_LABEL} required />
            <label class="slds-form-element__label" for="key-role">
              Role
            </label>
            <RoleSelect id="key-role" />
            <button type="submit" class="slds-button slds-button_brand slds-m-top_x-small">
              Create key
            </button>
          </form>
        </Card>
      </div>
    </div>
    <Card title="API keys">
      <Table
        caption="API keys"
        headers={['Name', 'Key', 'Role', 'Created', 'Revoked', '']}
        empty="No keys."
        rows={data.keys.map((k) => [
          k.name,
          <span class="slds-text-font_monospace">{`${k.prefix}…`}</span>,
          k.role,
          k.createdAt,
          k.revokedAt ?? '',
          k.revokedAt ? (
            <Badge status="revoked" />
          ) : (
            <form method="post" action={`/ui/users/keys/${k.id}/revoke`}>
              <CsrfField session={session} />
              <button type="submit" class="slds-button slds-button_destructive">
                Revoke
              </button>
            </form>
          ),
        ])}
      />
    </Card>
    <Card title="Invitations">
      <Table
        caption="Invitations"
        headers={['Who', 'Role', 'Created', 'Expires', 'Used']}
        empty="No invitations yet."
        rows={data.invitations.map((i) => [i.label, i.role, i.createdAt, i.expiresAt, i.usedAt ?? ''])}
      />
    </Card>
    <Card title="Audit log">
      <form
        method="get"
        action="/ui/users"
        class="slds-grid slds-gutters slds-grid_vertical-align-end slds-m-bottom_small"
      >
        <div class="slds-col slds-form-element">
          <label class="slds-form-element__label" for="audit-action">
            Action starts with (e.g. mapping., job., api_key., webhook., console.)
          </label>
          <input id="audit-action" name="action" class="slds-input" value={data.filter.action ?? ''} />
        </div>
        <div class="slds-col slds-form-element">
          <label class="slds-form-element__label" for="audit-actor">
            Who (key or invitation id)
          </label>
          <input id="audit-actor" name="actor" class="slds-input" value={data.filter.actor ?? ''} />
        </div>
        <div class="slds-col slds-form-element">
          <label class="slds-form-element__label" for="audit-subject">
            Subject (id of what changed)
          </label>
          <input id="audit-subject" name="subject" class="slds-input" value={data.filter.subject ?? ''} />
        </div>
        <div class="slds-col">
          <button type="submit" class="slds-button slds-button_neutral">
            Filter
          </button>
        </div>
      </form>
      <Table
        caption="Audit log"
        headers={['When', 'Who', 'Action', 'Subject', 'Detail']}
        empty="Nothing recorded."
        rows={data.audit.map((a) => [
          a.at,
          a.actor,
          a.action,
          a.subject,
          <span class="slds-text-font_monospace slds-text-body_small">{a.detail.slice(0, 300)}</span>,
        ])}
      />
    </Card>
  </div>
);

const roleOf = (value: string | undefined): Role | undefined =>
  (ROLES as readonly string[]).includes(value ?? '') ? (value as Role) : undefined;

export function userRoutes(hub: HubContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.use('*', requireConsoleRole('admin'));

  async function render(c: Context<UiEnv>, extra: { notice?: string; secret?: FC } = {}, status: 200 | 400 = 200) {
    const session = c.get('session');
    const filter = auditQuery((name) => c.req.query(name));
    const [invitations, keys, audit] = await Promise.all([
      listInvitations(hub.db, session.orgId),
      listApiKeys(hub.db, session.orgId),
      listAuditPage(
        hub.db,
        session.orgId,
        {
          ...(filter.action ? { actionPrefix: filter.action } : {}),
          ...(filter.actor ? { actor: filter.actor } : {}),
          ...(filter.subject ? { subject: filter.subject } : {}),
        },
        { limit: 200 },
      ),
    ]);
    const Shown = extra.secret;
    return c.html(
      page(
        <Shell title="Users and keys" session={session} tab="users" notice={extra.notice ?? c.req.query('notice')}>
          {Shown && <Shown />}
          <UsersPage session={session} data={{ invitations, keys, audit: audit.rows, filter }} />
        </Shell>,
      ),
      status,
    );
  }

  app.get('/', (c) => render(c));

  app.post('/invitations', async (c) => {
    const session = c.get('session');
    const body = await formFields(c);
    const role = roleOf(body.role);
    const label = (body.label ?? '').trim();
    if (!role || label === '' || label.length > MAX_LABEL) {
      return render(
        c,
        { notice: `Nothing created: choose a role and say who it is for (1 to ${MAX_LABEL} characters).` },
        400,
      );
    }
    const now = hub.clock.now();
    const { token } = await createInvitation(hub.db, now.toISOString(), {
      orgId: session.orgId,
      role,
      label,
      createdBy: session.actor,
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
    });
    const link = `${new URL(c.req.url).origin}/ui/invite/${token}`;
    return render(c, {
      secret: () => (
        <Secret
          title={`Sign-in link for ${label} (${role}):`}
          value={link}
          note="Copy it now: it is shown once, works once, for 7 days."
        />
      ),
    });
  });

  app.post('/keys', async (c) => {
    const session = c.get('session');
    const body = await formFields(c);
    const role = roleOf(body.role);
    const name = (body.name ?? '').trim();
    if (!role || name === '' || name.length > MAX_LABEL) {
      return render(c, { notice: `Nothing created: choose a role and a name (1 to ${MAX_LABEL} characters).` }, 400);
    }
    const { key } = await createApiKey(hub.db, hub.clock.now().toISOString(), {
      orgId: session.orgId,
      name,
      role,
      actor: session.actor,
    });
    return render(c, {
      secret: () => (
        <Secret
          title={`API key "${name}" (${role}):`}
          value={key}
          note="Copy it now: it is shown once and stored hashed."
        />
      ),
    });
  });

  app.post('/keys/:id/revoke', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    const keys = await listApiKeys(hub.db, session.orgId);
    if (!keys.some((k) => k.id === id)) {
      return c.html(page(<Shell title="Not found" session={session} tab="users" />), 404);
    }
    const revoked = await revokeApiKey(hub.db, hub.clock.now().toISOString(), session.orgId, id, session.actor);
    const notice = revoked
      ? 'Key revoked: requests and console sessions with it are refused from now on.'
      : 'That key was already revoked.';
    return c.redirect(`/ui/users?notice=${encodeURIComponent(notice)}`, 303);
  });

  return app;
}
