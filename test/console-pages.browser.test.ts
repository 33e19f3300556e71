/**
 * The console's deal search and trace, the mapping editor's lookup tables and field errors, the
 * Connections page's Reconnect, and the sync log's payload edit, in Debian's Chromium (as
 * console.browser.test.ts, whose setup this follows). Every page is screenshot to test/artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeAssets } from '../src/runtime/node-assets.js';
import { type Harness, startHarness } from './support/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const available = existsSync(CHROMIUM);
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What the page scripts below use of the browser (the project compiles without the DOM lib). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { borderTopColor: string };
}

let browser: Browser;
let h: Harness;
let opportunityId: string;

async function signedIn(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: h.server.url });
  const page = await context.newPage();
  await page.goto('/ui/sign-in');
  await page.fill('#api-key', h.apiKey);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=signed-in-as]');
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const borderOf = (page: Page, selector: string) =>
  page.$eval(selector, (el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el).borderTopColor);

describe.skipIf(!available && !process.env.CI)(
  'the console’s deal, mapping, connection and sync pages in Chromium',
  () => {
    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
      h = await startHarness({ assets: nodeAssets });
      opportunityId = h.sims.salesforce.seedClosedWonOpportunity().opportunityId;
      await h.deliverOutboundMessage(h.sims.salesforce.outboundMessageFor(opportunityId));
      await h.settle();
    });
    afterAll(async () => {
      await browser?.close();
      await h?.close();
    });

    it('finds the deal by its CRM id and shows its whole path, every stage green', async () => {
      const page = await signedIn();
      await page.click('a[href="/ui/deals"]');
      await page.fill('#q', opportunityId);
      await page.click('button:has-text("Search")');
      await page.waitForSelector(`a[href="/ui/deals/salesforce/${opportunityId}"]`);
      await shot(page, 'deal-search');
      await page.click(`#deals a[href="/ui/deals/salesforce/${opportunityId}"]`);
      await page.waitForSelector('[data-testid=trace-path]');
      for (const stage of ['deal', 'contract', 'invoices', 'tax', 'payments', 'erp', 'write_back']) {
        expect(await page.textContent(`[data-testid=stage-${stage}]`)).toBe('succeeded');
      }
      await shot(page, 'deal-trace');
      // A job's link opens its sync-log entry.
      await page.click('#stage-erp a[href^="/ui/jobs/job_"]');
      await page.waitForSelector('[data-testid=job-state]');
      expect(await page.textContent('[data-testid=job-state]')).toBe('succeeded');
      await page.context().close();
    });

    it('edits a lookup as a table, completes paths, and draws a red border on the field in error', async () => {
      const page = await signedIn();
      await page.goto('/ui/mappings/default-salesforce');
      const status = page.locator('[data-testid=preview-status]');
      await expect.poll(() => status.textContent()).toContain('The draft maps this deal.');
      const calm = await borderOf(page, '#expr-currency');
      expect(await page.$$eval('#source-paths option', (o) => o.length)).toBeGreaterThan(10);

      // USD → EUR in the currency table: the preview follows.
      const table = page.locator('table[aria-label="Lookup table currencyCodes"]');
      const blank = table.locator('tbody tr').nth(5);
      await blank.locator('input').nth(0).fill('USD');
      await blank.locator('input').nth(1).fill('EUR');
      await expect.poll(() => page.textContent('[data-preview-field=currency]')).toBe('EUR');

      // Break an expression: its message under it and a red border, while the preview runs live.
      await page.fill('#expr-currency', '$substring(deal.currency,');
      await expect.poll(() => page.textContent('#error-fields-currency')).not.toBe('');
      await expect.poll(() => borderOf(page, '#expr-currency')).toBe('rgb(234, 0, 30)');
      expect(await borderOf(page, '#expr-startDate')).toBe(calm);
      await shot(page, 'mapping-editor-field-error');
      await page.fill('#expr-currency', "'EUR'");
      await expect.poll(() => borderOf(page, '#expr-currency')).toBe(calm);
      await shot(page, 'mapping-editor-lookup-tables');
      await page.context().close();
    });

    it('offers Reconnect on the Connections page and ends on the vendor’s consent link', async () => {
      const page = await signedIn();
      await page.goto('/ui/connections');
      await page.waitForSelector('[data-testid=connect-salesforce]');
      await shot(page, 'connections');
      await page.click('[data-testid=connect-salesforce] button[type=submit]');
      const link = page.locator('[data-testid=authorize-link]');
      expect(await link.getAttribute('href')).toContain('/services/oauth2/authorize');
      await shot(page, 'connections-reconnect');
      await page.context().close();
    });

    it('edits a dead job’s payload and retries it', async () => {
      const payload = JSON.stringify({
        flow: 'post-invoice-to-erp',
        subjectId: 'inv_missing',
        input: { invoiceId: 'inv_missing' },
      });
      await h.db.run(
        sql`INSERT INTO jobs (id, org_id, kind, payload, dedupe_key, correlation_id, connection_key, state, attempts, max_attempts, next_attempt_at, last_error, created_at, updated_at)
         VALUES ('job_browser_edit', ${h.orgId}, 'flow', ${payload}, 'k-browser-edit', 'c-browser', 'quickbooks', 'dead', 8, 8, 0,
         'permanent: invoice inv_missing not found', '2026-03-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z')`,
      );
      const page = await signedIn();
      await page.goto('/ui/jobs/job_browser_edit');
      await page.fill('#edit-input', '{"invoiceId": ');
      await page.click('button:has-text("Save and retry")');
      await page.waitForSelector('#error-edit-input:not(:empty)');
      await shot(page, 'sync-log-payload-edit-error');
      await page.fill('#edit-input', '{"invoiceId": "inv_other"}');
      await page.click('button:has-text("Save and retry")');
      await expect.poll(() => page.textContent('[role=status]')).toContain('Payload saved; retrying now.');
      await shot(page, 'sync-log-payload-edited');
      await page.goto('/ui/webhooks');
      await page.waitForSelector('h1');
      await shot(page, 'webhooks');
      await page.context().close();
    });
  },
);
