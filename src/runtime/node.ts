/**
 * `npm start`: the hub on Node. With no vendor credentials configured (sandbox mode, the
 * default) it starts the vendor simulators on loopback, seeds a demo org and a closed-won
 * Salesforce opportunity, delivers the Outbound Message and follows the deal to cash.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { makeId } from '../../adapters/salesforce/ids.js';
import { runScheduledBilling } from '../../flows/billing-run/jobs.js';
import { CRM_POLL_INTERVAL_MS, pollCrms } from '../../flows/crm-poll/index.js';
import { FINALIZE_SWEEP_INTERVAL_MS, runFinalizeSweep } from '../../flows/finalize-sweep.js';
import { RECONCILE_INTERVAL_MS, reconcilePayments } from '../../flows/index.js';
import { atomic } from '../db/atomic.js';
import { billingSettingsStatement, DEFAULT_BILLING_SETTINGS } from '../db/repos/billing-settings.js';
import { generateEncryptionKey, importEncryptionKey } from '../db/secrets.js';
import { createOrgWithKey } from '../db/seed.js';
import { systemClock } from '../domain/clock.js';
import { createHub } from '../hub.js';
import { NodeJobDriver } from '../jobs/node-driver.js';
import { consoleSessionSecret, printConsoleSignIn } from './console-start.js';
import { isLeaseOwnerGone, nodeLeaseOwner } from './lease-owner.js';
import { nodeAssets } from './node-assets.js';
import { startSimulators } from './simulators.js';
import { openSqlite } from './sqlite.js';

const dataDir = resolve(process.env.HUB_DATA_DIR ?? 'data');
const port = Number.parseInt(process.env.PORT ?? '8787', 10);

function encryptionKeyText(): string {
  if (process.env.HUB_ENCRYPTION_KEY) return process.env.HUB_ENCRYPTION_KEY;
  // Sandbox only: a key generated once and kept beside the database.
  const file = resolve(dataDir, 'sandbox-encryption-key');
  if (!existsSync(file)) writeFileSync(file, generateEncryptionKey(), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function main() {
  const { db } = openSqlite(process.env.HUB_DB_PATH ?? resolve(dataDir, 'hub.db'));
  const clock = systemClock;
  const encryptionKey = await importEncryptionKey(encryptionKeyText());
  const mode = process.env.HUB_MODE === 'live' ? 'live' : 'sandbox';
  const sessionSecret = consoleSessionSecret(dataDir, mode === 'sandbox');
  const hub = createHub({
    db,
    clock,
    encryptionKey,
    mode,
    assets: nodeAssets,
    ...(sessionSecret ? { sessionSecret } : {}),
  });
  const driver = new NodeJobDriver({
    db,
    clock,
    process: hub.processDeps,
    pollIntervalMs: 500,
    // A restart after a crash resumes the dead process's running jobs now, not after their lease.
    leases: { owner: nodeLeaseOwner(), isGone: (owner) => isLeaseOwnerGone(owner) },
  });
  hub.attachDriver(driver);
  const baseUrl = `http://127.0.0.1:${port}`;
  serve({ fetch: hub.app.fetch, hostname: '127.0.0.1', port });
  driver.start();
  console.log(`hub listening on ${baseUrl}`);
  // Billing runs through today: once now and hourly (re-runs create nothing twice, so a missed
  // or repeated hour is harmless).
  const bill = () =>
    runScheduledBilling(hub.context).catch((error) => console.error('[billing-run] scheduled run failed', error));
  void bill();
  setInterval(bill, 60 * 60_000).unref();
  // Auto-finalize: drafts whose grace period has passed, every minute (flows/finalize-sweep.ts).
  const sweep = () =>
    runFinalizeSweep(hub.context).catch((error) => console.error('[finalize] scheduled sweep failed', error));
  setInterval(sweep, FINALIZE_SWEEP_INTERVAL_MS).unref();
  // CRM pollers: the safety net for webhooks that never arrived (every 5 minutes).
  const poll = () => pollCrms(hub.context).catch((error) => console.error('[crm-poll] scheduled poll failed', error));
  setInterval(poll, CRM_POLL_INTERVAL_MS).unref();
  // Payment reconciler: asks the provider about attempts no webhook settled (every 5 minutes).
  const reconcile = () =>
    reconcilePayments(hub.context).catch((error) => console.error('[payment-reconcile] run failed', error));
  setInterval(reconcile, RECONCILE_INTERVAL_MS).unref();

  if (process.env.HUB_MODE === 'live') {
    console.log('live mode: configure connections through the API; no demo data seeded');
    return;
  }

  // Fresh simulated vendor accounts for each demo org: one left in ./data by an earlier start
  // keeps its own (a vendor account belongs to one org).
  const suffix = String(Date.now()).slice(-9);
  const sims = await startSimulators({
    now: () => clock.now(),
    autoDeliverStripe: true,
    salesforceOrganizationId: makeId('00D', Number(suffix)),
    quickbooksRealmId: `93414${suffix.padStart(11, '0')}`,
  });
  const org = await createOrgWithKey(db, clock, encryptionKey, {
    name: 'Demo Co (sandbox)',
    connections: sims.connections,
  });
  const stripeConnection = await hub.context.db.query.connections.findFirst({
    where: (c, { and, eq }) => and(eq(c.orgId, org.orgId), eq(c.vendor, 'stripe')),
  });
  sims.stripe.setWebhookUrl(`${baseUrl}/webhooks/stripe/${stripeConnection!.id}`);
  // Sandbox drafts finalize at once (no grace period), so a billing run goes to cash without a call.
  await atomic(db, [
    billingSettingsStatement(
      db,
      org.orgId,
      { ...DEFAULT_BILLING_SETTINGS, graceSeconds: 0 },
      clock.now().toISOString(),
    ),
  ]);
  writeFileSync(resolve(dataDir, 'sandbox-admin-key'), `${org.apiKey}\n`, { mode: 0o600 });

  const seeded = sims.salesforce.seedClosedWonOpportunity();
  const message = sims.salesforce.outboundMessageFor(seeded.opportunityId);
  const ack = await fetch(`${baseUrl}${org.salesforceOutboundPath}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' },
    body: message,
  });
  const traceUrl = `${baseUrl}/api/v1/deals/salesforce/${seeded.opportunityId}/trace`;
  console.log(`
sandbox mode: vendors are simulated on loopback (no credentials needed)
  demo org admin API key: ${org.apiKey}  (also in ${resolve(dataDir, 'sandbox-admin-key')})
  Outbound Message for opportunity ${seeded.opportunityId}: HTTP ${ack.status}
  follow the deal:  curl -H "Authorization: Bearer ${org.apiKey}" ${traceUrl}
  dead letters:     curl -H "Authorization: Bearer ${org.apiKey}" "${baseUrl}/api/v1/jobs?state=dead"
  API description:  ${baseUrl}/api/v1/openapi.json
  bill two months ahead (every invoice ends paid and in QuickBooks):
    curl -X POST -H "Authorization: Bearer ${org.apiKey}" -H "content-type: application/json" \\
      -d '{"at": "${twoMonthsAhead(clock.now())}"}' ${baseUrl}/api/v1/billing-runs
  then list invoices: curl -H "Authorization: Bearer ${org.apiKey}" ${baseUrl}/api/v1/invoices
`);
  await printConsoleSignIn(db, clock, baseUrl, org.orgId);
  await reportProgress(baseUrl, org.apiKey, traceUrl);
}

/** The demo's billing date: the same day two months on (YYYY-MM-DD). */
function twoMonthsAhead(now: Date): string {
  const at = new Date(now);
  at.setUTCMonth(at.getUTCMonth() + 2);
  return at.toISOString().slice(0, 10);
}

/** Prints each job of the demo deal as it settles, so a newcomer sees the path run. */
async function reportProgress(baseUrl: string, apiKey: string, traceUrl: string) {
  const seen = new Map<string, string>();
  for (let i = 0; i < 120; i++) {
    const res = await fetch(traceUrl, { headers: { authorization: `Bearer ${apiKey}` } });
    const trace = (await res.json()) as { jobs: { dedupe_key: string; state: string; last_error: string | null }[] };
    for (const job of trace.jobs) {
      const status = `${job.state}${job.last_error ? ` (${job.last_error})` : ''}`;
      if (seen.get(job.dedupe_key) !== status) {
        seen.set(job.dedupe_key, status);
        console.log(`  job ${job.dedupe_key.split(':')[0]!.padEnd(22)} ${status}`);
      }
    }
    // Every follow-up job is enqueued in the same commit as the step that causes it, so once the
    // payment is recorded (or a job is dead) and nothing is left running, the path has settled,
    // however many jobs it took (CRM write-backs included).
    const terminal = trace.jobs.every((j) => j.state === 'succeeded' || j.state === 'dead');
    const paidOrStuck = trace.jobs.some((j) => j.dedupe_key.startsWith('record-payment:') || j.state === 'dead');
    const settled = trace.jobs.length > 0 && terminal && paidOrStuck;
    if (settled) {
      console.log(`\ndeal to cash complete: ${traceUrl}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`still working; see ${baseUrl}/api/v1/jobs`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
