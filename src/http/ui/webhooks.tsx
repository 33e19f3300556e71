/**
 * Webhooks out (admin only): register an endpoint for the org's events (its signing secret shown
 * once), disable or enable it, read its delivery log (state, attempts, last answer) and resend a
 * delivery. The same as /api/v1/webhook-endpoints; deliveries run as jobs.
 */
import { type Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import {
  createEndpoint,
  type DeliveryWithState,
  findDelivery,
  findEndpoint,
  listDeliveriesPage,
  listEndpoints,
  updateEndpoint,
  type WebhookEndpoint,
} from '../../db/repos/webhooks-out.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../domain/webhook-events.js';
import type { HubContext } from '../context.js';
import { deliveryState, resendDelivery } from '../routes/webhook-endpoints.js';
import { webhookUrlProblem } from '../routes/webhook-url.js';
import type { UiEnv } from './env.js';
import { Badge, Card, CsrfField, page, Shell, Table } from './layout.js';
import { type ConsoleSession, requireConsoleRole } from './session.js';

const STATE_BADGE = { pending: 'queued', delivered: 'succeeded', failed: 'dead' } as const;

const EndpointForm: FC<{ session: ConsoleSession; error?: string | undefined }> = ({ session, error }) => (
  <form method="post" action="/ui/webhooks">
    <CsrfField session={session} />
    <div class={`slds-form-element${error ? ' slds-has-error' : ''}`}>
      <label class="slds-form-element__label" for="webhook-url">
        URL (https)
      </label>
      <div class="slds-form-element__control">
        <input
          id="webhook-url"
          name="url"
          class="slds-input"
          required
          maxlength={2000}
          aria-describedby="error-webhook-url"
        />
      </div>
      <div class="slds-form-element__help" id="error-webhook-url">
        {error ?? ''}
      </div>
    </div>
    <label class="slds-form-element__label" for="webhook-description">
      Description
    </label>
    <input id="webhook-description" name="description" class="slds-input" maxlength={200} />
    <fieldset class="slds-form-element slds-m-top_x-small">
      <legend class="slds-form-element__legend slds-form-element__label">Events</legend>
      {WEBHOOK_EVENT_TYPES.map((t) => (
        <div class="slds-checkbox">
          <input type="checkbox" name="event_types" id={`event-${t}`} value={t} checked />
          <label class="slds-checkbox__label" for={`event-${t}`}>
            <span class="slds-form-element__label">{t}</span>
          </label>
        </div>
      ))}
    </fieldset>
    <button type="submit" class="slds-button slds-button_brand slds-m-top_x-small" data-testid="add-endpoint">
      Add endpoint
    </button>
  </form>
);

const ListPage: FC<{ session: ConsoleSession; endpoints: WebhookEndpoint[]; error?: string | undefined }> = ({
  session,
  endpoints,
  error,
}) => (
  <div>
    <Card title="Endpoints">
      <Table
        caption="Webhook endpoints"
        headers={['URL', 'Description', 'Events', 'State', 'Created']}
        empty="No endpoint yet: add one below to hear of contracts, invoices, payments and failed syncs."
        rows={endpoints.map((e) => [
          <a href={`/ui/webhooks/${e.id}`} data-testid={`endpoint-${e.id}`}>
            {e.url}
          </a>,
          e.description,
          e.eventTypes.join(', '),
          <Badge status={e.disabledAt ? 'paused' : 'active'} />,
          e.createdAt,
        ])}
      />
    </Card>
    <Card title="Add an endpoint">
      <p class="slds-text-body_small slds-m-bottom_x-small">
        Each request is signed per Standard Webhooks (headers webhook-id, webhook-timestamp, webhook-signature); any
        answer but a 2xx is retried with backoff, up to 8 attempts.
      </p>
      <EndpointForm session={session} error={error} />
    </Card>
  </div>
);

const DetailPage: FC<{ session: ConsoleSession; endpoint: WebhookEndpoint; deliveries: DeliveryWithState[] }> = ({
  session,
  endpoint,
  deliveries,
}) => (
  <div>
    <Card
      title={endpoint.url}
      actions={
        <form method="post" action={`/ui/webhooks/${endpoint.id}/${endpoint.disabledAt ? 'enable' : 'disable'}`}>
          <CsrfField session={session} />
          <button type="submit" class="slds-button slds-button_neutral" data-testid="toggle-endpoint">
            {endpoint.disabledAt ? 'Enable' : 'Disable'}
          </button>
        </form>
      }
    >
      <dl class="slds-dl_horizontal">
        <dt class="slds-dl_horizontal__label">State</dt>
        <dd class="slds-dl_horizontal__detail">
          <Badge status={endpoint.disabledAt ? 'paused' : 'active'} testid="endpoint-state" />
        </dd>
        <dt class="slds-dl_horizontal__label">Events</dt>
        <dd class="slds-dl_horizontal__detail">{endpoint.eventTypes.join(', ')}</dd>
        <dt class="slds-dl_horizontal__label">Description</dt>
        <dd class="slds-dl_horizontal__detail">{endpoint.description || '—'}</dd>
      </dl>
    </Card>
    <Card title="Delivery log">
      <Table
        caption="Deliveries"
        headers={['Delivery (webhook-id)', 'Event', 'State', 'Attempts', 'Last answer', 'Last attempt', '']}
        empty="Nothing sent yet."
        rows={deliveries.map((d) => {
          const state = deliveryState(d);
          return [
            <span class="slds-text-font_monospace">{d.id}</span>,
            d.eventType,
            <span data-testid={`delivery-state-${d.id}`}>
              <Badge status={STATE_BADGE[state]} />
            </span>,
            d.attempts,
            <span title={d.lastError ?? ''}>{d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '')}</span>,
            d.lastAttemptAt ?? '',
            state === 'pending' ? (
              ''
            ) : (
              <form method="post" action={`/ui/webhooks/deliveries/${d.id}/resend`}>
                <CsrfField session={session} />
                <button type="submit" class="slds-button slds-button_neutral" data-testid={`resend-${d.id}`}>
                  Resend
                </button>
              </form>
            ),
          ];
        })}
      />
    </Card>
  </div>
);

/** The checked event types of a posted form (a repeated field). */
async function postedEndpoint(c: Context<UiEnv>) {
  try {
    const body = await c.req.parseBody({ all: true });
    const raw = body.event_types;
    const types = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
      (t): t is string => typeof t === 'string',
    );
    const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    return { url: text(body.url), description: text(body.description).slice(0, 200), types };
  } catch {
    return { url: '', description: '', types: [] };
  }
}

export function webhookRoutes(hub: HubContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.use('*', requireConsoleRole('admin'));

  const notFound = (c: Context<UiEnv>) =>
    c.html(
      page(
        <Shell title="Not found" session={c.get('session')} tab="webhooks">
          <p>No such webhook endpoint or delivery in this org.</p>
        </Shell>,
      ),
      404,
    );

  async function list(
    c: Context<UiEnv>,
    extra: { error?: string; secret?: string; notice?: string } = {},
    status: 200 | 400 = 200,
  ) {
    const session = c.get('session');
    const endpoints = await listEndpoints(hub.db, session.orgId);
    return c.html(
      page(
        <Shell title="Webhooks" session={session} tab="webhooks" notice={extra.notice ?? c.req.query('notice')}>
          {extra.secret && (
            <div class="slds-notify slds-notify_alert slds-theme_success slds-m-bottom_small" role="status">
              <div>
                <p>
                  <strong>Signing secret:</strong> copy it now, it is shown once.
                </p>
                <p class="slds-text-font_monospace" data-testid="shown-once">
                  {extra.secret}
                </p>
              </div>
            </div>
          )}
          <ListPage session={session} endpoints={endpoints} error={extra.error} />
        </Shell>,
      ),
      status,
    );
  }

  app.get('/', (c) => list(c));

  app.post('/', async (c) => {
    const session = c.get('session');
    const form = await postedEndpoint(c);
    const bad = webhookUrlProblem(form.url, hub.mode);
    if (bad) return list(c, { error: `The URL ${bad}.`, notice: 'Nothing added.' }, 400);
    const types = [...new Set(form.types)];
    if (types.length === 0 || !types.every(isWebhookEventType)) {
      return list(c, { notice: 'Nothing added: tick at least one event.' }, 400);
    }
    const { secret } = await createEndpoint(hub.db, hub.encryptionKey, hub.clock.now().toISOString(), {
      orgId: session.orgId,
      url: form.url,
      description: form.description,
      eventTypes: types as WebhookEventType[],
      actor: session.actor,
    });
    return list(c, { secret, notice: `Endpoint added: ${form.url}` });
  });

  app.get('/:id', async (c) => {
    const session = c.get('session');
    const endpoint = await findEndpoint(hub.db, session.orgId, c.req.param('id'));
    if (!endpoint) return notFound(c);
    const deliveries = await listDeliveriesPage(hub.db, session.orgId, endpoint.id, { limit: 200 });
    return c.html(
      page(
        <Shell title="Webhook endpoint" session={session} tab="webhooks" notice={c.req.query('notice')}>
          <DetailPage session={session} endpoint={endpoint} deliveries={deliveries.rows} />
        </Shell>,
      ),
    );
  });

  for (const action of ['enable', 'disable'] as const) {
    app.post(`/:id/${action}`, async (c) => {
      const session = c.get('session');
      const id = c.req.param('id');
      if (!(await findEndpoint(hub.db, session.orgId, id))) return notFound(c);
      await updateEndpoint(hub.db, hub.clock.now().toISOString(), session.orgId, id, {
        enabled: action === 'enable',
        actor: session.actor,
      });
      const notice = action === 'enable' ? 'Enabled: new events are sent to it.' : 'Disabled: nothing is sent to it.';
      return c.redirect(`/ui/webhooks/${id}?notice=${encodeURIComponent(notice)}`, 303);
    });
  }

  app.post('/deliveries/:id/resend', async (c) => {
    const session = c.get('session');
    const delivery = await findDelivery(hub.db, session.orgId, c.req.param('id'));
    if (!delivery) return notFound(c);
    const result = await resendDelivery(hub, session.orgId, delivery.id, session.actor);
    const notice = result.ok ? 'Resending now.' : `Not resent: ${result.detail}.`;
    return c.redirect(`/ui/webhooks/${delivery.endpointId}?notice=${encodeURIComponent(notice)}`, 303);
  });

  return app;
}
