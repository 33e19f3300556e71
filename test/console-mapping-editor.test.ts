/**
 * The mapping editor's lookup tables, path completion and field errors over HTTP: the form the page
 * renders is posted back as a browser would, with one table cell changed.
 */
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMappings } from '../mappings/index.js';
import { mappingSets } from '../src/db/schema.js';
import { CONSOLE_CSS_URL } from '../src/http/ui/console-css.js';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function signIn(apiKey: string): Promise<string> {
  const res = await h.hub.app.request('/ui/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: apiKey }),
  });
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

const decodeEntities = (s: string) =>
  s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** The editor form's fields as the page renders them (text inputs, hidden inputs, textareas). */
function formOf(html: string): Record<string, string> {
  const form = /<form id="mapping-editor"[\s\S]*?<\/form>/.exec(html)![0];
  const body: Record<string, string> = {};
  for (const [, attrs] of form.matchAll(/<input([^>]*)\/?>/g)) {
    const name = /\sname="([^"]*)"/.exec(attrs!)?.[1];
    if (!name || /type="radio"/.test(attrs!)) continue;
    body[decodeEntities(name)] = decodeEntities(/\svalue="([^"]*)"/.exec(attrs!)?.[1] ?? '');
  }
  for (const [, name, text] of form.matchAll(/<textarea[^>]*\sname="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g)) {
    body[decodeEntities(name!)] = decodeEntities(text!);
  }
  body.source = 'bundle';
  return body;
}

const post = (path: string, cookie: string, fields: Record<string, string>) =>
  h.hub.app.request(path, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });

/** The table whose name input holds `name`, and its row holding `from`. */
function cellOf(body: Record<string, string>, table: string, from: string): { i: string; j: string } {
  const i = Object.entries(body)
    .find(([k, v]) => /^lt\.\d+\.name$/.test(k) && v === table)![0]
    .split('.')[1]!;
  const j = Object.entries(body)
    .find(([k, v]) => k.startsWith(`lt.${i}.from.`) && v === from)![0]
    .split('.')[3]!;
  return { i, j };
}

describe('mapping editor: lookup tables, completion, errors at the field', () => {
  it('edits a lookup as rows, previews it, marks a bad table and saves the tables as the lookups', async () => {
    h = await startHarness();
    const cookie = await signIn(h.apiKey);
    const html = await (await h.hub.app.request('/ui/mappings/default-salesforce', { headers: { cookie } })).text();
    // Completion of source paths from the sample deal, on the one-line expressions.
    expect(html).toMatch(/<datalist id="source-paths"[^>]*>.*<option value="deal.currency"><\/option>/);
    expect(html).toMatch(/<input id="expr-currency"[^>]*list="source-paths"/);
    expect(html).toContain('aria-label="Lookup table currencyCodes"');
    expect(html).toContain('aria-label="New lookup table"');
    expect(html).toContain(`href="${CONSOLE_CSS_URL}"`);
    const css = await h.hub.app.request(CONSOLE_CSS_URL);
    expect(css.status).toBe(200);
    expect(await css.text()).toContain(':has(~ [data-error-for]:not(:empty))');

    const body = formOf(html);
    expect(JSON.parse(body.lookups!)).toEqual({
      flatFeeFamilies: defaultMappings.salesforce.lookups.flatFeeFamilies,
      billingContactRoles: defaultMappings.salesforce.lookups.billingContactRoles,
    });
    // Send the sample's USD to EUR through the currency table: the preview follows.
    const { i } = cellOf(body, 'currencyCodes', 'US$');
    const blank = Object.keys(body).find((k) => k.startsWith(`lt.${i}.from.`) && body[k] === '')!;
    const edited = { ...body, [blank]: 'USD', [blank.replace('.from.', '.to.')]: 'EUR' };
    const preview = await (await post('/ui/mappings/preview', cookie, edited)).text();
    expect(preview).toContain('The draft maps this deal.');
    expect(preview).toMatch(/data-preview-field="currency">EUR</);
    // Every table's error slot comes back, cleared.
    expect(preview).toMatch(new RegExp(`id="error-lookup-tables-${i}"[^>]*hx-swap-oob="true"></div>`));

    // The same key twice: the message at that table, no preview.
    const twice = { ...edited, [blank]: 'US$' };
    const bad = await (await post('/ui/mappings/preview', cookie, twice)).text();
    expect(bad).toMatch(new RegExp(`id="error-lookup-tables-${i}"[^>]*>&quot;US\\$&quot; appears twice<`));
    expect(bad).not.toContain('The draft maps this deal.');
    // Saving it is refused, the table drawn in error, the typed rows kept.
    const refused = await post('/ui/mappings', cookie, twice);
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toMatch(
      new RegExp(`class="slds-form-element slds-m-bottom_small slds-has-error" data-testid="lookup-table-${i}"`),
    );
    expect((await h.db.select().from(mappingSets)).length).toBe(0);

    const saved = await post('/ui/mappings', cookie, edited);
    expect(saved.status).toBe(303);
    const [row] = await h.db.select().from(mappingSets).where(eq(mappingSets.orgId, h.orgId));
    expect(JSON.parse(row!.definition).lookups).toEqual({
      ...defaultMappings.salesforce.lookups,
      currencyCodes: { ...(defaultMappings.salesforce.lookups.currencyCodes as Record<string, string>), USD: 'EUR' },
    });
  });
});
