/**
 * /ui: the admin console, served by the same Hono app on Node and Workers. Pages are Hono JSX
 * rendered on the server; htmx (served from /assets) adds the live mapping preview and the job
 * status that refreshes itself. Every page and action checks the session and its role on the server.
 *
 * Framing: the same frame-ancestors as the embedded views (Salesforce and HubSpot pages) plus the
 * hub's own origin; no X-Frame-Options (frame-ancestors supersedes it). Signed in inside a frame on
 * one of those sites, the session cookie is a partitioned SameSite=None one (session.ts, `cookieFor`).
 */
import { Hono } from 'hono';
import type { HubContext } from '../context.js';
import { problem } from '../problem.js';
import { EMBED_CSP } from '../routes/embed.js';
import { connectionRoutes } from './connections.js';
import { dealRoutes } from './deals.js';
import type { UiEnv } from './env.js';
import { invoiceRoutes } from './invoices.js';
import { jobRoutes } from './jobs.js';
import { mappingRoutes } from './mappings.js';
import { overviewRoutes } from './overview.js';
import { endSession, requireCsrf, requireSession } from './session.js';
import { signInRoutes } from './sign-in.js';
import { userRoutes } from './users.js';
import { webhookRoutes } from './webhooks.js';

const FRAME_ANCESTORS = EMBED_CSP.replace(/^frame-ancestors /, '');

/** Scripts and styles from the hub only (htmx, SLDS); no inline script, no eval; forms post here only. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  `frame-ancestors 'self' ${FRAME_ANCESTORS}`,
].join('; ');

export function consoleRoutes(hub: HubContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>();

  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', CONSOLE_CSP);
    c.res.headers.delete('X-Frame-Options');
    c.res.headers.set('Cache-Control', 'no-store');
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    // Invitation tokens are in the URL: never send it to another site.
    c.res.headers.set('Referrer-Policy', 'same-origin');
  });

  const secret = hub.sessionSecret;
  if (!secret) {
    app.all('*', (c) =>
      problem(c, 503, 'Console disabled', 'set HUB_SESSION_SECRET to sign console sessions (see .env.example)'),
    );
    return app;
  }

  app.route('/', signInRoutes(hub, secret));

  app.use('*', requireSession(hub, secret), requireCsrf);
  app.post('/sign-out', (c) => {
    endSession(c);
    return c.redirect('/ui/sign-in', 303);
  });
  app.route('/mappings', mappingRoutes(hub));
  app.route('/jobs', jobRoutes(hub));
  app.route('/connections', connectionRoutes(hub));
  app.route('/deals', dealRoutes(hub));
  app.route('/invoices', invoiceRoutes(hub));
  app.route('/users', userRoutes(hub));
  app.route('/webhooks', webhookRoutes(hub));
  app.route('/', overviewRoutes(hub));
  return app;
}
