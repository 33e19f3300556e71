/**
 * A whole hub on Node for end-to-end and reliability tests: a temporary SQLite file, the
 * vendor simulators on loopback, a manual clock, and a driver the test drains by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { type RunningServer, serveOnLoopback } from '../../adapters/sandbox/serve.js';
import type { FlowHooks } from '../../flows/index.js';
import type { Db } from '../../src/db/client.js';
import { connections } from '../../src/db/schema.js';
import { generateEncryptionKey, importEncryptionKey, type SecretKey } from '../../src/db/secrets.js';
import { createOrgWithKey } from '../../src/db/seed.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { HubAssets } from '../../src/http/context.js';
import { createHub, type Hub } from '../../src/hub.js';
import { NodeJobDriver } from '../../src/jobs/node-driver.js';
import {
  SANDBOX_AVALARA_COMPANY,
  SANDBOX_QBO,
  type SandboxErp,
  type SandboxPaymentProvider,
  type Simulators,
  startSimulators,
} from '../../src/runtime/simulators.js';
import { openSqlite } from '../../src/runtime/sqlite.js';

/** Fixed jitter so backoff delays are exact in assertions. */
const retryPolicy = { baseDelayMs: 5_000, maxDelayMs: 30 * 60_000, random: () => 0.5 };

export interface Harness {
  clock: ManualClock;
  db: Db;
  encryptionKey: SecretKey;
  sims: Simulators;
  hub: Hub;
  driver: NodeJobDriver;
  server: RunningServer;
  orgId: string;
  apiKey: string;
  /** The payment connection's id (Stripe unless the harness was started with another provider). */
  stripeConnectionId: string;
  /** The Salesforce connection's Outbound Message endpoint path, secret included. */
  salesforceOutboundPath: string;
  api(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  deliverOutboundMessage(xml: string): Promise<Response>;
  /** Runs every due job and delivers pending Stripe webhooks until nothing is left to do. */
  settle(): Promise<void>;
  /** Simulates a process restart: a new hub and driver on the same database and vendors. */
  restart(hooks?: FlowHooks): Promise<void>;
  close(): Promise<void>;
}

/** Signs the console sessions of every harness hub (the console answers 503 without one). */
export const TEST_SESSION_SECRET = 'test-session-secret-for-the-console-0123456789';

export async function startHarness(
  options: { hooks?: FlowHooks; assets?: HubAssets; paymentProvider?: SandboxPaymentProvider; erp?: SandboxErp } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-test-'));
  const sqlite = openSqlite(join(dir, 'hub.db'));
  const { db } = sqlite;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const encryptionKey: SecretKey = await importEncryptionKey(generateEncryptionKey());
  const provider = options.paymentProvider ?? 'stripe';
  const sims = await startSimulators({
    now: () => clock.now(),
    paymentProvider: provider,
    ...(options.erp ? { erp: options.erp } : {}),
  });
  const org = await createOrgWithKey(db, clock, encryptionKey, { name: 'Acme', connections: sims.connections });
  const [stripeConnection] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.orgId, org.orgId), eq(connections.vendor, provider)));

  const build = (hooks?: FlowHooks) => {
    const hub = createHub({
      db,
      clock,
      encryptionKey,
      mode: 'sandbox',
      retryPolicy,
      sessionSecret: TEST_SESSION_SECRET,
      ...(hooks ? { hooks } : {}),
      ...(options.assets ? { assets: options.assets } : {}),
    });
    const driver = new NodeJobDriver({ db, clock, process: hub.processDeps });
    hub.attachDriver(driver);
    return { hub, driver };
  };
  let current = build(options.hooks);
  // The HTTP server forwards to whichever hub is current, so a "restart" keeps the same URL.
  const server = await serveOnLoopback({ fetch: (req: Request) => current.hub.app.fetch(req) } as never);
  sims.payments.setWebhookUrl(`${server.url}/webhooks/${provider}/${stripeConnection!.id}`);

  const harness: Harness = {
    clock,
    db,
    encryptionKey,
    sims,
    get hub() {
      return current.hub;
    },
    get driver() {
      return current.driver;
    },
    server,
    orgId: org.orgId,
    apiKey: org.apiKey,
    stripeConnectionId: stripeConnection!.id,
    salesforceOutboundPath: org.salesforceOutboundPath!,
    api: async (path, init = {}) => {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set('authorization', `Bearer ${key ?? org.apiKey}`);
      return current.hub.app.request(path, { ...rest, headers });
    },
    deliverOutboundMessage: async (xml) =>
      current.hub.app.request(org.salesforceOutboundPath!, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', SOAPAction: '""' },
        body: xml,
      }),
    async settle() {
      for (let round = 0; round < 50; round++) {
        const ran = await current.driver.drain();
        const delivered = await sims.payments.flushWebhooks();
        if (ran === 0 && delivered === 0) return;
      }
      throw new Error('jobs did not settle in 50 rounds');
    },
    async restart(hooks) {
      await current.driver.stop();
      current = build(hooks);
    },
    async close() {
      await current.driver.stop();
      await server.close();
      await sims.close();
      sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Sets a key in a stored connection's config, as an admin would, and drops the cached adapters. */
export async function configureConnection(h: Harness, vendor: string, key: string, value: string): Promise<void> {
  const where = and(eq(connections.orgId, h.orgId), eq(connections.vendor, vendor));
  const [row] = await h.db.select().from(connections).where(where);
  if (!row) throw new Error(`the test org has no ${vendor} connection`);
  const config = { ...(JSON.parse(row.config) as Record<string, string>), [key]: value };
  await h.db
    .update(connections)
    .set({ config: JSON.stringify(config) })
    .where(where);
  h.hub.invalidateAdapters();
}

/** JSON body of a hub response, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of JSON bodies directly
export async function readJson(res: Response): Promise<any> {
  return res.json();
}

/** What the simulated vendors hold: the verdict of every end-to-end test. */
export function vendorCounts(sims: Simulators) {
  const realm = SANDBOX_QBO.realmId;
  return {
    avalaraTransactions: sims.avalara.state.count(SANDBOX_AVALARA_COMPANY),
    stripeCustomers: sims.stripe.state.customers.size,
    stripePaymentIntents: sims.stripe.state.paymentIntents.size,
    qboCustomers: sims.quickbooks.state.count(realm, 'Customer'),
    qboItems: sims.quickbooks.state.count(realm, 'Item'),
    qboInvoices: sims.quickbooks.state.count(realm, 'Invoice'),
    qboPayments: sims.quickbooks.state.count(realm, 'Payment'),
  };
}

/** One demo deal carried to cash: one of everything at each vendor (two products, so two items). */
export const ONE_OF_EACH = {
  avalaraTransactions: 1,
  stripeCustomers: 1,
  stripePaymentIntents: 1,
  qboCustomers: 1,
  qboItems: 2,
  qboInvoices: 1,
  qboPayments: 1,
};
