/**
 * /assets: static files the hub serves itself, on Node and on Workers alike. Today that is only the
 * Salesforce Lightning Design System stylesheet the embedded billing view links by default:
 *
 *   GET /assets/slds/{SLDS_VERSION}/salesforce-lightning-design-system.min.css
 *
 * The runtime loads the file (HubContext.assets); this route caches it with its ETag in memory and
 * answers `Cache-Control: public, max-age=31536000, immutable` (the URL changes with the version),
 * and `304` to a matching `If-None-Match`. Any other version is a 404: an immutable URL must never
 * hold another release's CSS.
 *
 * What is not served: the stylesheet refers to a few decorative images by relative URL
 * (`../images/...`: avatars, banners, popover and Einstein header backgrounds), which would resolve to
 * /assets/slds/images/... and answer 404; the billing view uses none of them. It declares no
 * `@font-face` (its font stack starts with `system-ui`, so the browser uses system fonts), and SLDS
 * icons are SVG sprites under `assets/icons` referenced from markup, which the view does not use. The
 * package holds some 7,000 files; serving them all is deliberately out of scope.
 *
 *   GET /assets/htmx/{HTMX_VERSION}/htmx.min.js
 *
 * The console's one script (src/http/ui/asset-paths.ts), served the same way.
 *
 *   GET /assets/console/{content hash}/console.css
 *
 * The console's few rules on top of SLDS (src/http/ui/console-css.ts), from code on every runtime.
 */
import { Hono } from 'hono';
import type { AppEnv, HubAssets, HubContext } from '../context.js';
import { SLDS_CSS_FILE, SLDS_VERSION } from '../embed-html.js';
import { problem } from '../problem.js';
import { HTMX_PATH } from '../ui/asset-paths.js';
import { CONSOLE_CSS, CONSOLE_CSS_PATH } from '../ui/console-css.js';

export const SLDS_CSS_PATH = `/slds/${SLDS_VERSION}/${SLDS_CSS_FILE}`;
export const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Loaded {
  body: string;
  etag: string;
}

/** A strong ETag from the content's SHA-256 (computed once per process or isolate). */
async function etagOf(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  const hex = [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `"${hex}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored, `*` matches. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

export function assetRoutes(hub: HubContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const cache = new Map<string, Promise<Loaded>>();

  /** Loads once per path; a failed load is forgotten so the next request tries again. */
  function load(path: string, read: () => string | Promise<string>): Promise<Loaded> {
    let loaded = cache.get(path);
    if (!loaded) {
      loaded = (async () => {
        const body = await read();
        return { body, etag: await etagOf(body) };
      })();
      loaded.catch(() => cache.delete(path));
      cache.set(path, loaded);
    }
    return loaded;
  }

  function serve(
    path: string,
    contentType: string,
    read: (assets: HubAssets | undefined) => (() => string | Promise<string>) | undefined,
  ) {
    app.get(path, async (c) => {
      const reader = read(hub.assets);
      if (!reader) return problem(c, 404, 'Not found', 'this hub was started without its static assets');
      const { body, etag } = await load(path, reader);
      const headers = { ETag: etag, 'Cache-Control': IMMUTABLE, 'X-Content-Type-Options': 'nosniff' };
      if (ifNoneMatchHits(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
      return c.body(body, 200, { ...headers, 'Content-Type': contentType });
    });
  }

  serve(SLDS_CSS_PATH, 'text/css; charset=utf-8', (assets) => assets && (() => assets.sldsCss()));
  serve(HTMX_PATH, 'text/javascript; charset=utf-8', (assets) => assets?.htmxJs && (() => assets.htmxJs!()));
  // The console's own rules are code, so every runtime has them.
  serve(CONSOLE_CSS_PATH, 'text/css; charset=utf-8', () => () => CONSOLE_CSS);

  return app;
}
