/**
 * The crash sweep on a real process (issue #16): `npm run simulators` in a process of its own,
 * the hub as another, killed with SIGKILL right after its n-th vendor write (HUB_CRASH_AFTER_WRITE,
 * src/runtime/crash-hook.ts), before it commits what the vendor answered; then started again on
 * the same data folder, with the simulators still up. Once the queue drains, the verdict is read
 * off the simulators' own state: no object twice at any vendor, nothing lost.
 *
 * Bounded: a few points in `npm test` (CRASH_PROCESS_POINTS=1,2,... for others). Each point is a
 * fresh data folder and simulators process.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, startChild, until } from './support/child-process.js';

const POINTS = (process.env.CRASH_PROCESS_POINTS ?? '3,6').split(',').map(Number);

const children: Child[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Counts {
  avalara_transactions: number;
  stripe_customers: number;
  stripe_payment_intents: number;
  quickbooks_customers: number;
  quickbooks_items: number;
  quickbooks_invoices: number;
  quickbooks_payments: number;
}

function start(script: string, env: Record<string, string>): Child {
  const child = startChild(script, env);
  children.push(child);
  return child;
}

/** What the hub's database says should be at the vendors, once every job is done. */
function hubView(dbFile: string) {
  const db = new Database(dbFile, { readonly: true });
  try {
    const jobs = db.prepare('SELECT dedupe_key, state, last_error FROM jobs').all() as {
      dedupe_key: string;
      state: string;
      last_error: string | null;
    }[];
    const invoices = db.prepare('SELECT id, status FROM invoices').all() as { id: string; status: string }[];
    const customers = (db.prepare('SELECT count(*) AS n FROM customers').get() as { n: number }).n;
    return { jobs, invoices, customers };
  } finally {
    db.close();
  }
}

describe('a real hub process killed after a vendor write, the simulators surviving', () => {
  it.each(POINTS)(
    'killed after write %i: nothing duplicated, nothing lost',
    async (point) => {
      const dir = mkdtempSync(join(tmpdir(), 'hub-crash-'));
      dirs.push(dir);
      const sims = start('src/runtime/simulators-main.ts', {
        SIMULATORS_DIR: join(dir, 'simulators'),
        SIMULATORS_PORT: '0',
      });
      const [, simulatorsUrl] = await sims.waitFor(/simulators listening on (\S+)/);
      const env = { HUB_DATA_DIR: dir, PORT: '0', HUB_MODE: 'sandbox', SIMULATORS_URL: simulatorsUrl! };

      const doomed = start('src/runtime/node.ts', { ...env, HUB_CRASH_AFTER_WRITE: String(point) });
      await doomed.waitFor(/crash: after write/);
      await doomed.exited;

      const hub = start('src/runtime/node.ts', { ...env, HUB_CRASH_AFTER_WRITE: '' });
      const [, baseUrl] = await hub.waitFor(/hub listening on (\S+)/);
      await hub.waitFor(/demo org \(resumed from an earlier start\)/);
      await hub.waitFor(/deal to cash complete/, 90_000);
      const dbFile = join(dir, 'hub.db');
      await until(async () => {
        const { jobs, invoices } = hubView(dbFile);
        return invoices.length === 2 && jobs.every((j) => j.state === 'succeeded' || j.state === 'dead');
      }, 'the queue drained');

      const { jobs, invoices, customers } = hubView(dbFile);
      expect(jobs.filter((j) => j.state !== 'succeeded')).toEqual([]);
      expect(invoices.map((i) => i.status)).toEqual(['paid', 'paid']);
      const counts = (await (await fetch(`${simulatorsUrl}/counts`)).json()) as Counts;
      // One of everything per invoice (two deals: the crashed start's and the restart's own).
      expect(counts).toMatchObject({
        avalara_transactions: invoices.length,
        stripe_customers: customers,
        stripe_payment_intents: invoices.length,
        quickbooks_invoices: invoices.length,
        quickbooks_payments: invoices.length,
        // Both deals sell the same two products, and the same account name is one QuickBooks customer.
        quickbooks_items: 2,
        quickbooks_customers: 1,
      });
      const saved = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as { api_key: string };
      const listed = await fetch(`${baseUrl}/api/v1/invoices`, {
        headers: { authorization: `Bearer ${saved.api_key}` },
      });
      const body = (await listed.json()) as { data: { status: string; erp_refs: { system: string }[] }[] };
      expect(body.data.every((i) => i.status === 'paid' && i.erp_refs.some((r) => r.system === 'quickbooks'))).toBe(
        true,
      );
    },
    240_000,
  );
});
