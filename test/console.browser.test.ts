/**
 * The console in a real browser: Debian's Chromium driven by playwright-core (one browser for the
 * file), against a whole hub on loopback with the vendor simulators and a manual clock. Every page
 * is screenshot to test/artifacts/ (PNG files are git-ignored; CI keeps the folder as its artifact).
 *
 * Without /usr/bin/chromium the file is skipped with a message, except in CI (CI set), where it must
 * run: .ci/run installs the package.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addApiKey } from '../src/db/seed.js';
import { SESSION_TTL_SECONDS } from '../src/http/ui/session.js';
import { nodeAssets } from '../src/runtime/node-assets.js';
import { SANDBOX_QBO } from '../src/runtime/simulators.js';
import { type Harness, readJson, startHarness } from './support/harness.js';

const CHROMIUM = '/usr/bin/chromium';

/** What the page scripts below use of the browser (the project compiles without the DOM lib). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { backgroundColor: string };
  htmx?: unknown;
  document: { querySelectorAll(selector: string): Iterable<{ remove(): void }> };
}
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const available = existsSync(CHROMIUM);
if (!available && !process.env.CI) {
  console.warn(`[console.browser] skipped: ${CHROMIUM} is absent (apt-get install -y chromium); CI always runs it`);
}

/** The launch flags this machine's closed network needs (no background fetches, no QUIC, no sync). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The Salesforce page of the framing test is a public https site; the hub under test listens on
  // loopback, which Chromium's Local Network Access would refuse to frame (a deployed hub is public).
  '--disable-features=LocalNetworkAccessChecks',
];

let browser: Browser;
let h: Harness;
let adminKey: string;
let viewerKey: string;

async function newSession(key: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: h.server.url });
  const page = await context.newPage();
  await page.goto('/ui');
  await expect.poll(() => page.url()).toContain('/ui/sign-in');
  await page.fill('#api-key', key);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=signed-in-as]');
  return { context, page };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

describe.skipIf(!available && !process.env.CI)('the console in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    h = await startHarness({ assets: nodeAssets });
    adminKey = h.apiKey;
    viewerKey = await addApiKey(h.db, h.clock, h.orgId, 'viewer');
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signs in and shows the overview with the SLDS stylesheet and htmx loaded', async () => {
    const { context, page } = await newSession(adminKey);
    expect(page.url()).toBe(`${h.server.url}/ui`);
    await expect.poll(() => page.textContent('[data-testid=signed-in-as]')).toContain('admin');
    // The stylesheet applied (SLDS sets the page header's background) and htmx ran.
    const background = await page.$eval(
      '.slds-page-header',
      (el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el).backgroundColor,
    );
    expect(background).not.toBe('rgba(0, 0, 0, 0)');
    expect(await page.evaluate(() => typeof (globalThis as unknown as BrowserGlobals).htmx)).toBe('object');
    await shot(page, 'overview');
    await page.goto('/ui/users');
    await page.waitForSelector('text=Audit log');
    await shot(page, 'users-and-keys');
    await context.close();
  });

  it('edits a mapping with a live preview, shows an error at its field, publishes, diffs and rolls back', async () => {
    const { context, page } = await newSession(adminKey);
    await page.goto('/ui/mappings/default-salesforce');
    const status = page.locator('[data-testid=preview-status]');
    await expect.poll(() => status.textContent()).toContain('The draft maps this deal.');
    const total = page.locator('[data-testid=preview-total]');
    await expect.poll(() => total.textContent()).toContain('2000.00 USD');

    // Change an expression: the preview follows as the admin types.
    await page.fill('#expr-currency', "'EUR'");
    await expect.poll(() => total.textContent()).toContain('2000.00 EUR');
    await expect.poll(() => page.textContent('[data-preview-field=currency]')).toBe('EUR');

    // Break it: the error shows at the field, and only there.
    await page.fill('#expr-currency', '$substring(deal.currency,');
    const slot = page.locator('#error-fields-currency');
    await expect.poll(() => slot.textContent()).not.toBe('');
    expect(await page.textContent('#error-fields-startDate')).toBe('');
    await expect.poll(() => status.textContent()).toMatch(/1 problem/);
    await shot(page, 'mapping-editor-error');

    // An expression that compiles but fails on this deal is placed at its field too.
    await page.fill('#expr-currency', "'DOLLARS'");
    await expect.poll(() => slot.textContent()).not.toBe('');

    // Save v1 (EUR), then v2 (GBP) from it.
    await page.fill('#expr-currency', "'EUR'");
    await expect.poll(() => slot.textContent()).toBe('');
    await shot(page, 'mapping-editor');
    await page.click('[data-testid=save-draft]');
    await expect.poll(() => page.textContent('[role=status]')).toContain('Saved as draft v1');
    await page.fill('#expr-currency', "'GBP'");
    await expect.poll(() => total.textContent()).toContain('GBP');
    await page.click('[data-testid=save-draft]');
    await expect.poll(() => page.textContent('[role=status]')).toContain('Saved as draft v2');

    await page.goto('/ui/mappings');
    await page.click('[data-testid=publish-v1]');
    await expect.poll(() => page.textContent('[data-testid=status-v1]')).toBe('published');
    await page.click('[data-testid=publish-v2]');
    await expect.poll(() => page.textContent('[data-testid=status-v2]')).toBe('published');
    expect(await page.textContent('[data-testid=status-v1]')).toBe('retired');
    await shot(page, 'mappings');

    // Diff v1 → v2: the currency expression is what changed.
    await page.selectOption('#diff-a', { label: 'v1 (retired)' });
    await page.selectOption('#diff-b', { label: 'v2 (published)' });
    await page.click('text=Diff');
    await expect.poll(() => page.textContent('[data-testid="diff-old-fields.currency"]')).toBe("'EUR'");
    expect(await page.textContent('[data-testid="diff-new-fields.currency"]')).toBe("'GBP'");
    await shot(page, 'mapping-diff');

    // Roll back to v1: published again, and the API agrees.
    await page.goto('/ui/mappings');
    await page.click('[data-testid=publish-v1]');
    await expect.poll(() => page.textContent('[role=status]')).toContain('Rolled back: v1 is published again');
    const versions = (await readJson(await h.api('/api/v1/mappings?crm=salesforce'))).versions;
    expect(versions.map((v: { version: number; status: string }) => `${v.version}:${v.status}`)).toEqual([
      '2:retired',
      '1:published',
    ]);
    await context.close();
  });

  it('replays a dead job after the simulator fault is cleared and shows it turn green', async () => {
    h.sims.quickbooks.faults.always('/v3/company/', { kind: 'status', status: 500 }, 'POST');
    const seeded = h.sims.salesforce.seedClosedWonOpportunity();
    expect((await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(seeded.opportunityId))).status).toBe(
      200,
    );
    for (let i = 0; i < 12; i++) {
      await h.settle();
      h.clock.advance(60 * 60_000);
    }
    const dead = (await readJson(await h.api('/api/v1/jobs?state=dead'))).jobs as { id: string }[];
    expect(dead.length).toBeGreaterThan(0);

    const { context, page } = await newSession(adminKey);
    await page.goto('/ui/jobs?state=dead');
    await shot(page, 'sync-log');
    await page.click(`[data-testid="job-link-${dead[0]!.id}"]`);
    await expect.poll(() => page.textContent('[data-testid=job-state]')).toBe('dead');
    await expect.poll(() => page.textContent('[data-testid=plain-error]')).toMatch(/tried 8 times and stopped/);
    await shot(page, 'job-detail-dead');

    await page.goto('/ui/connections');
    await expect.poll(() => page.textContent('[data-testid=health-quickbooks]')).toBeTruthy();
    await shot(page, 'connections');

    h.sims.quickbooks.faults.clear();
    for (const job of dead) {
      await page.goto(`/ui/jobs/${job.id}`);
      await page.click('[data-testid=retry-now]');
      await expect.poll(() => page.textContent('[role=status]')).toContain('Retrying now');
    }
    await h.settle();
    h.clock.advance(60_000); // the payment posting waits for the invoice to reach QuickBooks
    await h.settle();
    // The last detail page polls its state: it turns green without a reload.
    await expect.poll(() => page.textContent('[data-testid=job-state]'), { timeout: 15_000 }).toBe('succeeded');
    expect(await page.getAttribute('[data-testid=job-state]', 'class')).toContain('slds-theme_success');
    await shot(page, 'job-detail-succeeded');
    // The verdict is the vendor's state: the invoice is in QuickBooks now.
    expect(h.sims.quickbooks.state.count(SANDBOX_QBO.realmId, 'Invoice')).toBe(1);

    await page.goto('/ui/invoices');
    await shot(page, 'invoices');
    await page.click('table a >> nth=0');
    await page.waitForSelector('text=Lines');
    await shot(page, 'invoice-detail');
    await page.goto('/ui');
    await expect.poll(() => page.textContent('[data-testid=count-paid]')).not.toBe('0');
    await shot(page, 'overview-after-cash');
    await context.close();
  });

  it('lets a viewer look but not publish or replay: the buttons are gone and the server refuses', async () => {
    const { context, page } = await newSession(viewerKey);
    await page.goto('/ui/mappings');
    expect(await page.locator('[data-testid^=publish-]').count()).toBe(0);
    const versions = (await readJson(await h.api('/api/v1/mappings?crm=salesforce'))).versions as {
      id: string;
      status: string;
    }[];
    const retired = versions.find((v) => v.status === 'retired')!;
    const csrf = await page.getAttribute('input[name=_csrf]', 'value');
    const publish = await page.request.post(`/ui/mappings/${retired.id}/publish`, { form: { _csrf: csrf! } });
    expect(publish.status()).toBe(403);
    const replay = await page.request.post('/ui/jobs/job_any/replay', { form: { _csrf: csrf! } });
    expect(replay.status()).toBe(403);
    const after = (await readJson(await h.api('/api/v1/mappings?crm=salesforce'))).versions as typeof versions;
    expect(after.find((v) => v.id === retired.id)!.status).toBe('retired');
    await page.goto('/ui/jobs');
    expect(await page.textContent('body')).toContain('this action needs one of the roles: admin, finance');
    await context.close();
  });

  it('refuses a forged cookie and an expired one, and a form without its CSRF token', async () => {
    const { context, page } = await newSession(adminKey);
    // A form stripped of its token: the server answers 403 and changes nothing.
    await page.goto('/ui/mappings/default-salesforce');
    await page.evaluate(() => {
      for (const input of (globalThis as unknown as BrowserGlobals).document.querySelectorAll(
        '#mapping-editor input[name=_csrf]',
      ))
        input.remove();
    });
    const before = (await readJson(await h.api('/api/v1/mappings?crm=salesforce'))).versions.length;
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/ui/mappings') && r.request().method() === 'POST'),
      page.click('[data-testid=save-draft]'),
    ]);
    expect(response.status()).toBe(403);
    expect((await readJson(await h.api('/api/v1/mappings?crm=salesforce'))).versions.length).toBe(before);

    // Forged: the cookie's signature altered.
    const [cookie] = await context.cookies();
    await context.addCookies([{ ...cookie!, value: `${cookie!.value.slice(0, -4)}AAAA` }]);
    await page.goto('/ui/mappings');
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
    await shot(page, 'sign-in');

    // Expired: a fresh session, then the hub's clock passes its expiry.
    const fresh = await newSession(adminKey);
    h.clock.advance(SESSION_TTL_SECONDS * 1000 + 1000);
    await fresh.page.goto('/ui/connections');
    expect(new URL(fresh.page.url()).pathname).toBe('/ui/sign-in');
    await fresh.context.close();
    await context.close();
  });

  it('works inside a frame of the hub’s own site at 1280×800', async () => {
    const { context, page } = await newSession(adminKey);
    // A page of the hub's origin that frames the console (the frame host is the test's, not the hub's).
    await page.route(`${h.server.url}/frame-host`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><iframe id="console" src="/ui/mappings" width="1280" height="800"></iframe>',
      }),
    );
    await page.goto('/frame-host');
    const frame = page.frameLocator('#console');
    await expect.poll(() => frame.locator('h1').textContent()).toBe('Mappings');
    await shot(page, 'framed');
    await context.close();
  });

  it('signs in and works inside a Salesforce page that frames it (a partitioned cookie)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // A Lightning page of another site (served by the test, never the network) framing the console.
    const lightning = 'https://acme.lightning.force.com/lightning/n/Billing';
    await page.route(lightning, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><iframe id="console" src="${h.server.url}/ui/connections" width="1280" height="800"></iframe>`,
      }),
    );
    await page.goto(lightning);
    const frame = page.frameLocator('#console');
    await frame.locator('#api-key').fill(adminKey);
    await frame.locator('button[type=submit]').click();
    await expect.poll(() => frame.locator('h1').textContent()).toBe('Connections');
    await expect.poll(() => frame.locator('[data-testid=signed-in-as]').textContent()).toContain('admin');
    const [cookie] = (await context.cookies()).filter((one) => one.name === 'hub_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'None', secure: true, partitionKey: 'https://force.com' });
    // The same browser outside the frame holds no session: the cookie is the framing site's only.
    const own = await context.newPage();
    await own.goto(`${h.server.url}/ui`);
    expect(new URL(own.url()).pathname).toBe('/ui/sign-in');
    await shot(page, 'framed-by-salesforce');
    await context.close();
  });
});
