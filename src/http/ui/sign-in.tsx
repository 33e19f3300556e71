/**
 * Signing in to the console: with one of the org's API keys (the session gets the key's role), or with
 * an invitation link (one use, before it expires; the session gets the invitation's role). Both are
 * posted forms from the console's own origin; the answer sets the session cookie and redirects.
 */
import { Hono } from 'hono';
import { findActiveApiKey } from '../../db/repos/api-keys.js';
import { findOpenInvitation, redeemInvitation } from '../../db/repos/console-invitations.js';
import { sha256Hex } from '../../db/secrets.js';
import type { HubContext } from '../context.js';
import { problem } from '../problem.js';
import type { UiEnv } from './env.js';
import { formFields } from './form.js';
import { page, Shell } from './layout.js';
import { fromOwnOrigin, startSession } from './session.js';

/** Only a console path may be the redirect after sign-in (no open redirect). */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !/^\/ui(\/|$|\?)/.test(value) || value.includes('//') || value.includes('\\')) {
    return '/ui';
  }
  return value;
}

const SignInPage = ({ next, error }: { next: string; error?: string }) => (
  <Shell title="Sign in">
    <div class="slds-box slds-theme_default slds-container_small">
      {error && (
        <div class="slds-notify slds-notify_alert slds-theme_error slds-m-bottom_small" role="alert">
          {error}
        </div>
      )}
      <form method="post" action="/ui/sign-in">
        <input type="hidden" name="next" value={next} />
        <div class={`slds-form-element${error ? ' slds-has-error' : ''}`}>
          <label class="slds-form-element__label" for="api-key">
            API key
          </label>
          <div class="slds-form-element__control">
            <input
              id="api-key"
              name="api_key"
              type="password"
              class="slds-input"
              autocomplete="off"
              placeholder="hub_…"
              required
            />
          </div>
          <div class="slds-form-element__help">
            The session gets the key’s role. An invitation link signs you in without a key.
          </div>
        </div>
        <button type="submit" class="slds-button slds-button_brand slds-m-top_small">
          Sign in
        </button>
      </form>
    </div>
  </Shell>
);

const InvitationPage = ({ token, label, role }: { token: string; label: string; role: string }) => (
  <Shell title="Accept invitation">
    <div class="slds-box slds-theme_default">
      <p class="slds-m-bottom_small">
        This link signs <strong>{label}</strong> in to the console as <strong>{role}</strong>. It works once.
      </p>
      <form method="post" action={`/ui/invite/${token}`}>
        <button type="submit" class="slds-button slds-button_brand">
          Sign in
        </button>
      </form>
    </div>
  </Shell>
);

const UsedInvitationPage = () => (
  <Shell title="Invitation not valid">
    <div class="slds-notify slds-notify_alert slds-theme_error" role="alert">
      This invitation link was already used, has expired, or never existed. Ask an admin for a new one.
    </div>
    <p class="slds-m-top_small">
      <a href="/ui/sign-in">Sign in with an API key</a>
    </p>
  </Shell>
);

const TOKEN = /^[0-9a-f]{64}$/;

export function signInRoutes(hub: HubContext, secret: string): Hono<UiEnv> {
  const app = new Hono<UiEnv>();

  app.get('/sign-in', (c) => c.html(page(<SignInPage next={safeNext(c.req.query('next'))} />)));

  app.post('/sign-in', async (c) => {
    if (!fromOwnOrigin(c)) return problem(c, 403, 'Forbidden', 'sign-in forms are accepted from the console only');
    const body = await formFields(c);
    const next = safeNext(body.next);
    const key = typeof body.api_key === 'string' ? body.api_key.trim() : '';
    const row = /^hub_[0-9a-f]{64}$/.test(key) ? await findActiveApiKey(hub.db, await sha256Hex(key)) : undefined;
    if (!row) {
      return c.html(page(<SignInPage next={next} error="Unknown or revoked API key." />), 401);
    }
    await startSession(c, hub, secret, {
      orgId: row.orgId,
      role: row.role,
      actor: row.id,
      via: 'api_key',
      label: `API key ${row.prefix}…`,
    });
    return c.redirect(next, 303);
  });

  app.get('/invite/:token', async (c) => {
    const token = c.req.param('token');
    const open = TOKEN.test(token) ? await findOpenInvitation(hub.db, token, hub.clock.now().toISOString()) : undefined;
    if (!open) return c.html(page(<UsedInvitationPage />), 404);
    return c.html(page(<InvitationPage token={token} label={open.label} role={open.role} />));
  });

  app.post('/invite/:token', async (c) => {
    if (!fromOwnOrigin(c)) return problem(c, 403, 'Forbidden', 'invitations are accepted from the console only');
    const token = c.req.param('token');
    const used = TOKEN.test(token) ? await redeemInvitation(hub.db, token, hub.clock.now().toISOString()) : undefined;
    if (!used) return c.html(page(<UsedInvitationPage />), 404);
    await startSession(c, hub, secret, {
      orgId: used.orgId,
      role: used.role,
      actor: used.id,
      via: 'invitation',
      label: used.label,
    });
    return c.redirect('/ui', 303);
  });

  return app;
}
