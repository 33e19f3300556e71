/**
 * Connections in the console: each vendor connection with its health (GET /api/v1/connections'
 * status and warnings, src/http/routes/connection-health.ts), how many jobs wait on it, how many are
 * dead, its last success and last error. Everyone signed in may look (no secret is shown).
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { type ConnectionJobStats, jobStatsByConnection, lastErrorOn } from '../../db/repos/console-jobs.js';
import type { HubContext } from '../context.js';
import { connectionHealth } from '../routes/connection-health.js';
import type { UiEnv } from './env.js';
import { Badge, Card, page, Shell } from './layout.js';
import { plainError } from './plain-error.js';

type Health = Awaited<ReturnType<typeof connectionHealth>>[number];

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

const ConnectionCard: FC<{ health: Health; stats?: ConnectionJobStats | undefined; lastError: string | null }> = ({
  health,
  stats,
  lastError,
}) => {
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
    return c.html(
      page(
        <Shell title="Connections" session={session} tab="connections">
          {healths.length === 0 && (
            <p>No connections yet: configure them through PUT /api/v1/connections/{'{vendor}'}.</p>
          )}
          <div class="slds-grid slds-gutters slds-wrap">
            {healths.map((h, i) => (
              <div class="slds-col slds-size_1-of-2 slds-m-bottom_small">
                <ConnectionCard health={h} stats={stats.get(h.vendor)} lastError={lastErrors[i] ?? null} />
              </div>
            ))}
          </div>
        </Shell>,
      ),
    );
  });
  return app;
}
