/** The Hono app, identical on Node and Workers. */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { apiKeyAuth } from './auth.js';
import { requestBodyLimit } from './body-limits.js';
import type { AppEnv, HubContext } from './context.js';
import { problem } from './problem.js';
import { apiRoutes } from './routes/api.js';
import { assetRoutes } from './routes/assets.js';
import { embedRoutes } from './routes/embed.js';
import { oauthCallbackRoutes } from './routes/oauth.js';
import { webhookRoutes } from './routes/webhooks.js';
import { consoleRoutes } from './ui/index.js';

export function createApp(hub: HubContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/health', (c) => c.json({ ok: true }));
  // Every body is bounded before anything reads it (webhooks have their own limit, webhooks.ts).
  for (const prefix of ['/api/v1/*', '/oauth/*', '/embed/*', '/ui/*']) app.use(prefix, requestBodyLimit);
  app.use('/api/v1/*', async (c, next) => {
    // The API description is public; everything else needs a key.
    if (c.req.path === '/api/v1/openapi.json') return next();
    return apiKeyAuth(hub)(c, next);
  });
  app.route('/api/v1', apiRoutes(hub));
  app.route('/webhooks', webhookRoutes(hub));
  // OAuth redirects come back here without an API key; the signed state authenticates them.
  app.route('/oauth', oauthCallbackRoutes(hub));
  // CRM-embedded views; each route authenticates itself (Canvas signed request, API key or HubSpot v3).
  app.route('/embed', embedRoutes(hub));
  // Static files those views link (the SLDS stylesheet); public, versioned, cached forever.
  app.route('/assets', assetRoutes(hub));
  // The admin console (src/http/ui/): its own sessions, CSRF tokens and role checks.
  app.route('/ui', consoleRoutes(hub));
  app.notFound((c) => problem(c, 404, 'Not found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    // Hono's validators throw an HTTPException for a body they cannot read (malformed JSON, a
    // wrong content type): that is bad input, answered as the 4xx it is, never a 500.
    if (error instanceof HTTPException && error.status < 500) {
      return problem(
        c,
        error.status as ContentfulStatusCode,
        'Invalid request',
        error.message || 'the request body could not be read',
        [{ field: '(body)', message: error.message || 'the request body could not be read' }],
      );
    }
    // Anything else is a bug, logged with its stack.
    console.error('[http] unhandled error', error);
    return problem(c, 500, 'Internal error', 'the hub failed unexpectedly; the error was logged');
  });
  return app;
}
