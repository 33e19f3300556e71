/**
 * A second `npm start` on the same data folder (issue #16): the real process, killed mid-deal
 * and started again. One org, the same admin key (in a file only its owner reads), the second
 * start's Outbound Message handled in that org, and the first start's jobs finishing against
 * the simulators as they were left (their state kept under data/simulators); then the banner's
 * billing run ends with every invoice paid and at QuickBooks.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, startChild, until } from './support/child-process.js';

const children: Child[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface Trace {
  invoices: { id: string; status: string }[];
  external_refs: { system: string; local_id: string }[];
  jobs: { dedupe_key: string; state: string; last_error: string | null }[];
}

async function trace(
  baseUrl: string,
  apiKey: string,
  opportunityId: string,
): Promise<{ status: number; body?: Trace }> {
  const res = await fetch(`${baseUrl}/api/v1/deals/salesforce/${opportunityId}/trace`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  return res.ok ? { status: res.status, body: (await res.json()) as Trace } : { status: res.status };
}

/** Every job of the deal finished and its first invoice paid and in QuickBooks. */
const atCash = (t: Trace | undefined) =>
  !!t &&
  t.jobs.length > 0 &&
  t.jobs.every((j) => j.state === 'succeeded' || j.state === 'dead') &&
  t.invoices.some(
    (i) => i.status === 'paid' && t.external_refs.some((r) => r.system === 'quickbooks' && r.local_id === i.id),
  );

describe('npm start twice on one data folder', () => {
  it('resumes the demo org, its key and its simulators; the old deal reaches cash', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-restart-'));
    // Any free port: the second start may get another one, and the simulators are told each time.
    const env = { HUB_DATA_DIR: dir, PORT: '0', HUB_MODE: 'sandbox', SIMULATORS_URL: '' };

    const first = startChild('src/runtime/node.ts', env);
    children.push(first);
    await first.waitFor(/demo org \(new\)/);
    const [, firstDeal, firstAck] = await first.waitFor(/Outbound Message for opportunity (\w+): HTTP (\d+)/);
    expect(firstAck).toBe('200');
    // Killed as the deal's jobs start: whatever they were doing is left to the next start.
    await first.kill('SIGKILL');

    const saved = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as { api_key: string; org_id: string };
    for (const file of ['sandbox.json', 'sandbox-admin-key']) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(dir, 'sandbox-admin-key'), 'utf8').trim()).toBe(saved.api_key);

    const second = startChild('src/runtime/node.ts', env);
    children.push(second);
    const [, baseUrl] = (await second.waitFor(/hub listening on (\S+)/)) as [string, string];
    const [, resumedKey] = await second.waitFor(/demo org \(resumed from an earlier start\) admin API key: (\S+)/);
    expect(resumedKey).toBe(saved.api_key);
    const [, secondDeal, secondAck] = await second.waitFor(/Outbound Message for opportunity (\w+): HTTP (\d+)/);
    expect(secondAck).toBe('200');
    expect(secondDeal).not.toBe(firstDeal);

    // Both deals are the one org's, and both reach cash (the first one's jobs resumed).
    for (const deal of [secondDeal!, firstDeal!]) {
      await until(async () => atCash((await trace(baseUrl, saved.api_key, deal)).body), `deal ${deal} at cash`);
      const { body } = await trace(baseUrl, saved.api_key, deal);
      expect(body!.jobs.filter((j) => j.state !== 'succeeded')).toEqual([]);
    }

    // The banner's billing run: within 90 s, with no other call, every invoice paid and at QuickBooks.
    const [, billingDate] = await second.waitFor(/-d '\{"at": "(\d{4}-\d{2}-\d{2})"\}'/);
    const auth = { authorization: `Bearer ${saved.api_key}` };
    const run = await fetch(`${baseUrl}/api/v1/billing-runs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ at: billingDate }),
    });
    expect(run.status).toBe(202);
    type Listed = { data: { kind: string; status: string; erp_refs: { system: string }[] }[] };
    const listInvoices = async () =>
      (await (await fetch(`${baseUrl}/api/v1/invoices`, { headers: auth })).json()) as Listed;
    const allAtCash = (l: Listed) =>
      l.data.length > 2 &&
      l.data.every((i) => i.status === 'paid' && i.erp_refs.some((r) => r.system === 'quickbooks'));
    await until(async () => allAtCash(await listInvoices()), 'every invoice paid and at QuickBooks', 450);
    expect(new Set((await listInvoices()).data.map((i) => i.kind))).toContain('recurring');

    const db = new Database(join(dir, 'hub.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT id FROM orgs').all()).toEqual([{ id: saved.org_id }]);
      // The second deal's message was not taken for the first one's (a new notification, a new contract).
      const contracts = db.prepare('SELECT source_deal_id FROM contracts ORDER BY source_deal_id').all();
      expect(contracts).toEqual(
        [{ source_deal_id: firstDeal }, { source_deal_id: secondDeal }].sort((a, b) =>
          a.source_deal_id!.localeCompare(b.source_deal_id!),
        ),
      );
    } finally {
      db.close();
    }
  }, 180_000);
});
