/**
 * Connect and reconnect from the console's Connections page: the OAuth start the API's route does,
 * ending on the vendor's consent link; the simulator's consent and the hub's callback finish it.
 * Admins only, CSRF-checked, the state bound to the signed-in org.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog, connections } from '../src/db/schema.js';
import { addApiKey } from '../src/db/seed.js';
import { type Harness, startHarness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function signIn(apiKey: string): Promise<{ cookie: string; csrf: string }> {
  const res = await h.hub.app.request('/ui/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: apiKey }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await h.hub.app.request('/ui/connections', { headers: { cookie } })).text();
  return { cookie, csrf: /name="_csrf" value="([0-9a-f]+)"/.exec(page)![1]! };
}

const post = (path: string, cookie: string, fields: Record<string, string>) =>
  h.hub.app.request(path, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });

const decodeEntities = (s: string) => s.replaceAll('&amp;', '&').replaceAll('&quot;', '"');

describe('connections page: connect and reconnect', () => {
  it('reconnects Salesforce through its consent page; only an admin may, with the CSRF token', async () => {
    h = await startHarness();
    const admin = await signIn(h.apiKey);
    const page = await (await h.hub.app.request('/ui/connections', { headers: { cookie: admin.cookie } })).text();
    expect(page).toContain('data-testid="connect-salesforce"');
    expect(page).toContain('Reconnect Salesforce');
    expect(page).toMatch(/<input id="salesforce-clientSecret" name="clientSecret" type="password"/);
    // Vendors without OAuth get no button.
    expect(page).not.toContain('data-testid="connect-quickbooks"');

    // A login URL the hub will not call: refused at the field, nothing started.
    const bad = await post('/ui/connections/salesforce/connect', admin.cookie, {
      _csrf: admin.csrf,
      loginUrl: 'https://evil.example',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/data-testid="connect-error">login url: /);

    const res = await post('/ui/connections/salesforce/connect', admin.cookie, { _csrf: admin.csrf, clientId: '' });
    expect(res.status).toBe(200);
    const html = await res.text();
    const href = /<a class="slds-button slds-button_brand" href="([^"]+)" data-testid="authorize-link"/.exec(html)?.[1];
    expect(href).toBeDefined();
    const authorize = new URL(decodeEntities(href!));
    expect(authorize.pathname).toBe('/services/oauth2/authorize');
    expect(authorize.searchParams.get('client_id')).toBe(h.sims.salesforce.credentials.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://localhost/oauth/salesforce/callback');

    // The person consents at the vendor, which sends them to the hub's callback.
    const consent = await fetch(authorize, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    const done = await h.hub.app.request(`/oauth/salesforce/callback?${back.searchParams}`);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Salesforce connected');
    const [row] = await h.db
      .select()
      .from(connections)
      .where(and(eq(connections.orgId, h.orgId), eq(connections.vendor, 'salesforce')));
    expect(row!.status).toBe('healthy');
    const [audit] = await h.db.select().from(auditLog).where(eq(auditLog.action, 'connection.oauth_connected'));
    expect(audit!.orgId).toBe(h.orgId);

    // Without the token, or as finance: refused by the server, and finance sees no button.
    expect((await post('/ui/connections/salesforce/connect', admin.cookie, {})).status).toBe(403);
    const finance = await signIn(await addApiKey(h.db, h.clock, h.orgId, 'finance'));
    const financePage = await (
      await h.hub.app.request('/ui/connections', { headers: { cookie: finance.cookie } })
    ).text();
    expect(financePage).not.toContain('data-testid="connect-salesforce"');
    expect((await post('/ui/connections/salesforce/connect', finance.cookie, { _csrf: finance.csrf })).status).toBe(
      403,
    );
    expect((await post('/ui/connections/stripe/connect', admin.cookie, { _csrf: admin.csrf })).status).toBe(404);
  });
});
