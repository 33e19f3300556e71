/**
 * `npm start`: the hub on Node. With no vendor credentials configured (sandbox mode, the
 * default) it starts the vendor simulators on loopback (or uses `npm run simulators`' at
 * SIMULATORS_URL), creates the demo org (or resumes the one an earlier start left in ./data),
 * closes a Salesforce opportunity, whose Outbound Message the simulator sends, and follows the
 * deal to cash.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { makeId } from '../../adapters/salesforce/ids.js';
import { serveOnLoopback } from '../../adapters/sandbox/serve.js';
import { runScheduledBilling } from '../../flows/billing-run/jobs.js';
import { CRM_POLL_INTERVAL_MS, pollCrms } from '../../flows/crm-poll/index.js';
import { FINALIZE_SWEEP_INTERVAL_MS, runFinalizeSweep } from '../../flows/finalize-sweep.js';
import { RECONCILE_INTERVAL_MS, reconcilePayments } from '../../flows/index.js';
import { nightlyDue, runNightlyReconciliation } from '../../flows/reconciliation.js';
import { setTaxEngineChoice } from '../db/repos/tax-settings.js';
import { generateEncryptionKey, importEncryptionKey } from '../db/secrets.js';
import { systemClock } from '../domain/clock.js';
import { createHub } from '../hub.js';
import { NodeJobDriver } from '../jobs/node-driver.js';
import { consoleSessionSecret, printConsoleSignIn } from './console-start.js';
import { crashHookFromEnv } from './crash-hook.js';
import { isLeaseOwnerGone, nodeLeaseOwner } from './lease-owner.js';
import { nodeAssets } from './node-assets.js';
import { sandboxBanner, twoMonthsAhead } from './sandbox-banner.js';
import { type DemoOrg, demoOrg } from './sandbox-org.js';
import { erpFromEnv, keepDeliveringStripeEvents, paymentProviderFromEnv, startSimulators } from './simulators.js';
import { type SimulatorsClient, simulatorsClient, waitForSimulators } from './simulators-client.js';
import { simulatorsControl } from './simulators-control.js';
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

/** The simulators `npm start` talks to: SIMULATORS_URL's, or its own, kept under ./data/simulators. */
async function simulators(): Promise<{ client: SimulatorsClient; close?: () => Promise<void> }> {
  if (process.env.SIMULATORS_URL) {
    const client = simulatorsClient(process.env.SIMULATORS_URL);
    await waitForSimulators(client);
    return { client };
  }
  // Account ids for a state folder used the first time; later starts read theirs from it.
  const suffix = String(Date.now()).slice(-9);
  const sims = await startSimulators({
    now: () => systemClock.now(),
    autoDeliverStripe: true,
    paymentProvider: paymentProviderFromEnv(process.env.SANDBOX_PAYMENT_PROVIDER),
    erp: erpFromEnv(process.env.HUB_SANDBOX_ERP),
    salesforceOrganizationId: makeId('00D', Number(suffix)),
    quickbooksRealmId: `93414${suffix.padStart(11, '0')}`,
    stateDir: resolve(process.env.SIMULATORS_DIR ?? resolve(dataDir, 'simulators')),
  });
  keepDeliveringStripeEvents(sims);
  const control = await serveOnLoopback(simulatorsControl(sims));
  const close = async () => {
    await control.close();
    await sims.close();
  };
  return { client: simulatorsClient(control.url), close };
}

async function main() {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { db } = openSqlite(process.env.HUB_DB_PATH ?? resolve(dataDir, 'hub.db'));
  const clock = systemClock;
  const encryptionKey = await importEncryptionKey(encryptionKeyText());
  const mode = process.env.HUB_MODE === 'live' ? 'live' : 'sandbox';
  const hooks = crashHookFromEnv();
  const sessionSecret = consoleSessionSecret(dataDir, mode === 'sandbox');
  const hub = createHub({
    db,
    clock,
    encryptionKey,
    mode,
    assets: nodeAssets,
    ...(hooks ? { hooks } : {}),
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
  // PORT=0 takes any free port (tests): the URL printed and handed to the simulators is the real one.
  const listening = await new Promise<number>((done) =>
    serve({ fetch: hub.app.fetch, hostname: '127.0.0.1', port }, (info) => done(info.port)),
  );
  const baseUrl = `http://127.0.0.1:${listening}`;
  console.log(`hub listening on ${baseUrl}`);

  // Sandbox: the demo org is created, or resumed and pointed at the simulators, before any job
  // runs, so an earlier start's jobs resume against vendors that answer.
  let sandbox: { sims: SimulatorsClient; org: DemoOrg } | undefined;
  if (mode === 'sandbox') {
    const { client, close } = await simulators();
    const org = await demoOrg({ db, clock, encryptionKey, dataDir }, await client.connections());
    // TAX_ENGINE=avalara|anrok|manual picks the demo org's tax engine (both simulators are connected).
    const taxEngine = process.env.TAX_ENGINE;
    if (taxEngine === 'avalara' || taxEngine === 'anrok' || taxEngine === 'manual') {
      await setTaxEngineChoice(db, org.orgId, taxEngine, clock.now().toISOString());
    } else if (taxEngine) {
      throw new Error(`TAX_ENGINE must be avalara, anrok or manual, not "${taxEngine}"`);
    }
    hub.invalidateAdapters();
    await client.setPaymentWebhookEndpoint(
      org.payment.vendor,
      `${baseUrl}/webhooks/${org.payment.vendor}/${org.payment.connectionId}`,
    );
    await client.setSalesforceOutboundEndpoint(`${baseUrl}${org.salesforceOutboundPath}`);
    sandbox = { sims: client, org };
    const stop = () => void (close?.() ?? Promise.resolve()).finally(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }

  driver.start();
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
  // Nightly reconciliation with every connected ERP, provider and CRM (flows/reconciliation.ts):
  // the hourly tick runs it in the nightly hour, for the previous and the current month.
  const nightly = () => {
    if (!nightlyDue(hub.context.clock.now())) return;
    runNightlyReconciliation(hub.context).catch((error) => console.error('[reconciliation] nightly run failed', error));
  };
  setInterval(nightly, 60 * 60_000).unref();

  if (!sandbox) {
    console.log('live mode: configure connections through the API; no demo data seeded');
    return;
  }
  const { sims, org } = sandbox;
  const deal = await sims.closeDemoDeal();
  const traceUrl = `${baseUrl}/api/v1/deals/salesforce/${deal.opportunityId}/trace`;
  console.log(
    sandboxBanner({
      baseUrl,
      simulatorsUrl: sims.url,
      org,
      keyFile: resolve(dataDir, 'sandbox.json'),
      opportunityId: deal.opportunityId,
      outboundMessageStatus: deal.outboundMessageStatus,
      billingDate: twoMonthsAhead(clock.now()),
    }),
  );
  await printConsoleSignIn(db, clock, baseUrl, org.orgId);
  await reportProgress(baseUrl, org.apiKey, traceUrl);
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
