/**
 * The composition root shared by both runtimes: database, clock, secrets key, adapter
 * resolution per org, flow handlers and the HTTP app. Runtime files only add the driver
 * (Node loop or Cloudflare Queues) and the server.
 */

import { buildAdapterSet } from '../adapters/adapter-set.js';
import { disallowedConfigUrls, type HubMode } from '../adapters/hosts.js';
import { needsReconnect } from '../adapters/registry.js';
import { BILLING_RUN_JOB_KIND, billingRunJobHandler } from '../flows/billing-run/jobs.js';
import { finalizeDueDrafts } from '../flows/finalize-sweep.js';
import { type AdapterSet, FLOW_JOB_KIND, type FlowDeps, type FlowHooks, flows, runFlow } from '../flows/index.js';
import type { FlowJobPayload } from '../flows/types.js';
import type { Db } from './db/client.js';
import { connectionFingerprint, loadConnectionMaterial, updateConnectionSecrets } from './db/repos/connections.js';
import { allTaxRates, getTaxEngineChoice } from './db/repos/tax-settings.js';
import type { SecretKey } from './db/secrets.js';
import type { Clock } from './domain/clock.js';
import { type Outcome, ok, permanent } from './domain/outcome.js';
import { createApp } from './http/app.js';
import type { HubAssets, HubContext } from './http/context.js';
import { JOB_COMPLETED, type ProcessDeps } from './jobs/process.js';
import type { RetryPolicy } from './jobs/retry.js';
import type { JobDriver, JobHandler } from './jobs/types.js';
import { WEBHOOK_DELIVERY_JOB_KIND, webhookDeliveryHandler } from './jobs/webhooks-out.js';

export interface HubOptions {
  db: Db;
  clock: Clock;
  encryptionKey: SecretKey;
  /** Which hosts connections may name (adapters/hosts.ts); live unless said otherwise. */
  mode?: HubMode;
  hooks?: FlowHooks;
  retryPolicy?: RetryPolicy;
  /** Fetch used by adapters whose SDK accepts one (tests may wrap it). */
  fetch?: typeof fetch;
  /** Static files the HTTP app serves (the SLDS stylesheet), loaded by the runtime. */
  assets?: HubAssets;
  /** Signs console sessions (HUB_SESSION_SECRET); without it the console answers 503. */
  sessionSecret?: string;
  /** Fetch for the org's own webhook endpoints (outgoing webhooks); the global fetch when absent. */
  webhookFetch?: typeof fetch;
  /**
   * Asked between a billing run job's chunks (the worker: D1 queries left in this invocation): no
   * pauses the run, which goes on in a job of its own (flows/billing-run/jobs.ts). Absent: no limit.
   */
  billingBudget?: () => boolean;
}

/** Lets the driver be attached after the hub exists (the driver needs the hub's handlers). */
class LateDriver implements JobDriver {
  target: JobDriver | undefined;
  async notify(ids: readonly string[]): Promise<void> {
    await this.target?.notify(ids);
  }
}

export function createHub(options: HubOptions) {
  const { db, clock, encryptionKey } = options;
  const mode: HubMode = options.mode ?? 'live';
  const driver = new LateDriver();
  /**
   * Built adapters per org, with the connection fingerprint they were built from. The stamp is
   * checked on every use: a reconnect (or a refreshed token stored) by another process, or by
   * another Workers isolate, which `invalidateAdapters` cannot reach, rebuilds them here too,
   * instead of going on with the old credentials and marking a just-reconnected connection
   * unhealthy again.
   */
  const adapterCache = new Map<string, { stamp: string; set: AdapterSet }>();
  /** Background writes of refreshed tokens (awaited by settleBackgroundWrites, for tests and shutdown). */
  const pendingWrites = new Set<Promise<void>>();

  async function adaptersFor(orgId: string): Promise<Outcome<AdapterSet>> {
    // The org's choice of tax engine is part of what the set was built from.
    const taxEngine = await getTaxEngineChoice(db, orgId);
    const stamp = `${await connectionFingerprint(db, orgId)}|tax:${taxEngine ?? ''}`;
    const cached = adapterCache.get(orgId);
    if (cached?.stamp === stamp) return { ok: true, value: cached.set };
    const material = await loadConnectionMaterial(db, encryptionKey, orgId);
    // Checked where config is set too; this catches rows written before the allow-list existed.
    for (const m of material) {
      const [bad] = disallowedConfigUrls(m.vendor, m.config, mode);
      if (bad) return permanent(`the ${m.vendor} connection's ${bad.field} is refused: ${bad.message}`);
    }
    const built = buildAdapterSet(
      material,
      {
        now: () => clock.now(),
        // Refreshed tokens are stored (encrypted) in the background: a failed write is logged and
        // the adapter keeps the token in memory; the next refresh tries to store again.
        onSecretsRefreshed: (vendor, secrets) => {
          const write = updateConnectionSecrets(db, encryptionKey, orgId, vendor, secrets).then(
            () => undefined,
            (error: unknown) => {
              console.error(`[hub] could not store the refreshed ${vendor} token of org ${orgId}`, error);
            },
          );
          pendingWrites.add(write);
          void write.finally(() => pendingWrites.delete(write));
        },
        ...(options.fetch ? { fetch: options.fetch } : {}),
      },
      {
        engine: taxEngine,
        // Read when a document is taxed, so an edit to the table applies to the next invoice.
        manualRates: () => allTaxRates(db, orgId),
      },
    );
    if (built.ok) adapterCache.set(orgId, { stamp, set: built.value });
    return built;
  }

  const flowDeps: FlowDeps = { db, clock, driver, adaptersFor, ...(options.hooks ? { hooks: options.hooks } : {}) };
  const handlers: Record<string, JobHandler> = {
    [FLOW_JOB_KIND]: async (job) => {
      const payload = JSON.parse(job.payload) as FlowJobPayload;
      const flow = flows[payload.flow];
      if (!flow) return permanent(`unknown flow "${payload.flow}"`);
      // The job's success commits with the run's last write (one commit fewer per job).
      const ran = await runFlow(flow, flowDeps, job, { completeJob: true });
      return ran.ok ? ok(JOB_COMPLETED) : ran;
    },
    [BILLING_RUN_JOB_KIND]: billingRunJobHandler({
      db,
      clock,
      driver,
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(options.billingBudget ? { mayContinue: options.billingBudget } : {}),
      afterRun: (orgId) => finalizeDueDrafts(flowDeps, orgId),
    }),
    [WEBHOOK_DELIVERY_JOB_KIND]: webhookDeliveryHandler({
      db,
      clock,
      encryptionKey,
      ...(options.webhookFetch ? { fetch: options.webhookFetch } : {}),
    }),
  };
  const processDeps: ProcessDeps = {
    db,
    clock,
    handlers,
    // The vendor modules say which failures need a reconnect; the job layer knows no vendor.
    needsReconnect,
    ...(options.retryPolicy ? { retryPolicy: options.retryPolicy } : {}),
  };
  /** Forget built adapters (after a connection changes); all orgs when none is named. */
  function invalidateAdapters(orgId?: string): void {
    if (orgId) adapterCache.delete(orgId);
    else adapterCache.clear();
  }

  const context: HubContext = {
    db,
    clock,
    encryptionKey,
    mode,
    driver,
    adaptersFor,
    invalidateAdapters,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.assets ? { assets: options.assets } : {}),
    ...(options.sessionSecret ? { sessionSecret: options.sessionSecret } : {}),
  };
  const app = createApp(context);

  return {
    app,
    context,
    processDeps,
    attachDriver(target: JobDriver) {
      driver.target = target;
    },
    invalidateAdapters,
    /** Waits for refreshed tokens still being stored. */
    async settleBackgroundWrites(): Promise<void> {
      await Promise.all([...pendingWrites]);
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
