/**
 * The SLDS stylesheet the hub serves for its embedded billing view, on Node: the hub is built the
 * way src/runtime/node.ts builds it (with the Node asset loader) on the harness's database.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningServer, serveOnLoopback } from '../adapters/sandbox/serve.js';
import { connections } from '../src/db/schema.js';
import { DEFAULT_SLDS_CSS_URL, SLDS_CSS_FILE, SLDS_VERSION } from '../src/http/embed-html.js';
import { EMBED_CSP } from '../src/http/routes/embed.js';
import { createHub, type Hub } from '../src/hub.js';
import { nodeAssets } from '../src/runtime/node-assets.js';
import { type Harness, startHarness } from './support/harness.js';

const CSS_URL = '/assets/slds/2.264.1/salesforce-lightning-design-system.min.css';
const CSP =
  'frame-ancestors https://*.salesforce.com https://*.force.com https://*.lightning.force.com https://*.hubspot.com https://app.hubspot.com';
const OPPORTUNITY_ID = '006Hs00000AbCdEIAV';
const require = createRequire(import.meta.url);

let h: Harness;
let hub: Hub;
beforeEach(async () => {
  h = await startHarness();
  hub = createHub({ db: h.db, clock: h.clock, encryptionKey: h.hub.context.encryptionKey, assets: nodeAssets });
});
afterEach(async () => {
  await h.close();
});

const get = (path: string, headers: Record<string, string> = {}) => hub.app.request(path, { headers });

async function patchSalesforceConfig(patch: Record<string, string>) {
  const where = and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'salesforce'));
  const [row] = await h.db.select().from(connections).where(where);
  const config = JSON.stringify({ ...JSON.parse(row!.config), ...patch });
  await h.db.update(connections).set({ config }).where(where);
}

describe('GET /assets/slds/{version}/salesforce-lightning-design-system.min.css', () => {
  it('is the installed SLDS release, pinned in package.json and in the URL', () => {
    const installed = require('@salesforce-ux/design-system/package.json') as { version: string; exports?: unknown };
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(installed.version).toBe(SLDS_VERSION);
    expect(installed.exports).toBeUndefined(); // nothing blocks resolving the CSS file
    expect(manifest.dependencies['@salesforce-ux/design-system']).toBe(SLDS_VERSION);
    expect(DEFAULT_SLDS_CSS_URL).toBe(CSS_URL);
  });

  it('serves the stylesheet as text/css, cacheable forever, with an ETag', async () => {
    const res = await get(CSS_URL);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const body = await res.text();
    expect(body).toContain(`Lightning Design System ${SLDS_VERSION}`);
    expect(body).toContain('.slds-card');
    expect(body).toContain('.slds-table');
    expect(body).toContain('.slds-badge');
    const file = require.resolve(`@salesforce-ux/design-system/assets/styles/${SLDS_CSS_FILE}`);
    expect(body).toBe(readFileSync(file, 'utf8'));
    // Read once: the second answer has the same ETag and body.
    const again = await get(CSS_URL);
    expect(again.headers.get('etag')).toBe(res.headers.get('etag'));
    expect((await again.text()).length).toBe(body.length);
  });

  it('answers 304 with no body to a matching If-None-Match, 200 otherwise', async () => {
    const etag = (await get(CSS_URL)).headers.get('etag')!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"stale", ${etag}`, '*']) {
      const res = await get(CSS_URL, { 'if-none-match': ifNoneMatch });
      expect(res.status, ifNoneMatch).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await res.text()).toBe('');
    }
    const stale = await get(CSS_URL, { 'if-none-match': '"0123456789abcdef0123456789abcdef"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toContain('.slds-card');
  });

  it('works over a real Node HTTP server (GET, HEAD, conditional GET)', async () => {
    const server: RunningServer = await serveOnLoopback(hub.app as never);
    try {
      const res = await fetch(`${server.url}${CSS_URL}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(await res.text()).toContain('.slds-card');
      const head = await fetch(`${server.url}${CSS_URL}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('etag')).toBe(res.headers.get('etag'));
      const conditional = await fetch(`${server.url}${CSS_URL}`, {
        headers: { 'if-none-match': res.headers.get('etag')! },
      });
      expect(conditional.status).toBe(304);
    } finally {
      await server.close();
    }
  });

  it('has no other version and no other file: 404 problem', async () => {
    for (const path of [
      '/assets/slds/2.0.0/salesforce-lightning-design-system.min.css',
      `/assets/slds/${SLDS_VERSION}/salesforce-lightning-design-system.css`,
      `/assets/slds/${SLDS_VERSION}/../images/logo-noname.svg`,
      '/assets/slds.css',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('answers 404 on a hub started without assets', async () => {
    const res = await h.hub.app.request(CSS_URL);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('the embedded view links the stylesheet', () => {
  const page = async () => {
    const res = await hub.app.request(`/embed/salesforce/opportunity/${OPPORTUNITY_ID}`, {
      headers: { authorization: `Bearer ${h.apiKey}` },
    });
    expect(res.status).toBe(200);
    // The framing policy is unchanged and restricts no stylesheet.
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(EMBED_CSP).toBe(CSP);
    return res.text();
  };

  it('links the hub-served stylesheet by default, and that link answers with the CSS', async () => {
    const body = await page();
    expect(body).toContain(`<link rel="stylesheet" href="${CSS_URL}">`);
    expect(body.match(/<link rel="stylesheet"/g)).toHaveLength(1);
    const css = await get(CSS_URL);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it("links the org's configured stylesheet instead, and the default for an unsafe one", async () => {
    const configured = 'https://acme.my.salesforce.com/resource/1700000000000/slds/styles.css';
    await patchSalesforceConfig({ sldsCssUrl: configured });
    const body = await page();
    expect(body).toContain(`<link rel="stylesheet" href="${configured}">`);
    expect(body).not.toContain(CSS_URL);
    await patchSalesforceConfig({ sldsCssUrl: 'javascript:alert(1)' });
    expect(await page()).toContain(`<link rel="stylesheet" href="${CSS_URL}">`);
  });
});
