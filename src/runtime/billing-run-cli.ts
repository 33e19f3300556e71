/**
 * `npm run billing-run -- --at 2026-03-01 [--db ./data/hub.db] [--org <id>]`: runs the billing
 * engine directly against a SQLite file (no server, no job queue), with a progress bar on stderr
 * and the summary of each org's run on stdout. Without --org every org is billed; without --at,
 * through today (UTC). Exit code 1 when any contract could not be invoiced (listed in the summary).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BillingRunProgress, isCalendarDate, runBilling } from '../../flows/billing-run/engine.js';
import { listOrgIds } from '../db/repos/orgs.js';
import { systemClock } from '../domain/clock.js';
import { openSqlite } from './sqlite.js';

function bar(label: string, p: BillingRunProgress): void {
  const width = 30;
  const ratio = p.contractsTotal === 0 ? 1 : p.contractsDone / p.contractsTotal;
  const filled = Math.round(ratio * width);
  process.stderr.write(
    `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.contractsDone}/${p.contractsTotal} contracts, ${p.invoicesCreated} invoices`,
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { at: { type: 'string' }, db: { type: 'string' }, org: { type: 'string' } },
  });
  const at = values.at ?? systemClock.now().toISOString().slice(0, 10);
  if (!isCalendarDate(at)) {
    console.error(`--at must be a date YYYY-MM-DD, got "${at}"`);
    return 2;
  }
  const path = resolve(values.db ?? process.env.HUB_DB_PATH ?? 'data/hub.db');
  const sqlite = openSqlite(path);
  try {
    const ids = values.org ? [values.org] : await listOrgIds(sqlite.db);
    let failed = 0;
    for (const orgId of ids) {
      const started = performance.now();
      const result = await runBilling({ db: sqlite.db, clock: systemClock }, orgId, at, (p) => bar(orgId, p));
      process.stderr.write('\n');
      failed += result.failures.length;
      console.log(
        JSON.stringify({
          org: orgId,
          run: result.runId,
          at,
          contracts: result.contractsTotal,
          invoicesCreated: result.invoicesCreated,
          failures: result.failures,
          ms: Math.round(performance.now() - started),
        }),
      );
    }
    return failed > 0 ? 1 : 0;
  } finally {
    sqlite.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
