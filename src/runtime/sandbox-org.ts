/**
 * The sandbox's demo org, created by the first `npm start` on a data folder and resumed by every
 * later one: the same org, admin key, Salesforce org id, QuickBooks realm and Stripe account, with
 * its connections pointed at wherever the simulators listen now. A second org would receive
 * nothing: the simulated vendor accounts are the first org's (one owner per vendor account).
 *
 * The admin key and the Outbound Message URL (with its secret) are stored hashed in the database,
 * so their plain text is kept in `<data>/sandbox.json`, readable by its owner only (0600), to be
 * printed again; `<data>/sandbox-admin-key` holds the key alone, as before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { atomic } from '../db/atomic.js';
import type { Db } from '../db/client.js';
import { findActiveApiKey } from '../db/repos/api-keys.js';
import { billingSettingsStatement, DEFAULT_BILLING_SETTINGS } from '../db/repos/billing-settings.js';
import {
  connectionByInboundToken,
  connectionInsert,
  connectionReconnectStatements,
  findConnection,
  issueInboundToken,
  vendorAccountOwner,
} from '../db/repos/connections.js';
import { type SecretKey, sha256Hex } from '../db/secrets.js';
import { addApiKey, createOrgWithKey, outboundMessagePath } from '../db/seed.js';
import type { Clock } from '../domain/clock.js';
import { PAYMENT_VENDORS, type PaymentVendor } from '../domain/vendors.js';
import { writePrivateFile } from './simulator-files.js';
import type { SimulatorConnection } from './simulators-client.js';

export interface DemoOrg {
  orgId: string;
  apiKey: string;
  /** The Salesforce connection's Outbound Message path, secret included. */
  salesforceOutboundPath: string;
  stripeConnectionId: string;
  /** The org's payment connection (Stripe, Adyen or Razorpay: SANDBOX_PAYMENT_PROVIDER). */
  payment: { vendor: PaymentVendor; connectionId: string };
  /** false on the first start (a new org), true when an earlier start's org was resumed. */
  resumed: boolean;
}

interface SandboxFile {
  org_id?: string;
  api_key?: string;
  salesforce_outbound_path?: string;
}

export interface DemoOrgDeps {
  db: Db;
  clock: Clock;
  encryptionKey: SecretKey;
  dataDir: string;
}

const DEMO_ORG_NAME = 'Demo Co (sandbox)';
const ACTOR = 'sandbox';

function readSandboxFile(dataDir: string): SandboxFile {
  const file = resolve(dataDir, 'sandbox.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SandboxFile;
  // A data folder from before sandbox.json: the key alone.
  const keyFile = resolve(dataDir, 'sandbox-admin-key');
  return existsSync(keyFile) ? { api_key: readFileSync(keyFile, 'utf8').trim() } : {};
}

/** The org an earlier start left: by its admin key, else by the simulated Salesforce org it owns. */
async function earlierOrg(deps: DemoOrgDeps, saved: SandboxFile, connections: SimulatorConnection[]) {
  if (saved.api_key) {
    const key = await findActiveApiKey(deps.db, await sha256Hex(saved.api_key));
    if (key?.role === 'admin') return { orgId: key.orgId, apiKey: saved.api_key };
  }
  // The key file is gone or its key revoked, but the simulated accounts' owner is still there:
  // that org is resumed with a new admin key (the old one cannot be printed again).
  for (const c of connections) {
    const owner = c.externalAccountId && (await vendorAccountOwner(deps.db, c.vendor, c.externalAccountId));
    if (owner) return { orgId: owner.orgId, apiKey: await addApiKey(deps.db, deps.clock, owner.orgId, 'admin') };
  }
  return undefined;
}

/** Points the org's connections at the simulators as they are now (ports, accounts, credentials). */
async function repointConnections(deps: DemoOrgDeps, orgId: string, connections: SimulatorConnection[]) {
  const now = deps.clock.now().toISOString();
  for (const c of connections) {
    const row = await findConnection(deps.db, orgId, c.vendor);
    if (!row) {
      const { statement } = await connectionInsert(deps.db, deps.encryptionKey, now, { ...c, orgId });
      await atomic(deps.db, [statement]);
      continue;
    }
    const { statements } = await connectionReconnectStatements(deps.db, deps.encryptionKey, now, {
      orgId,
      connection: row,
      config: c.config,
      secrets: c.secrets,
      actor: ACTOR,
      action: 'connection.sandbox_resumed',
      ...(c.externalAccountId ? { externalAccountId: c.externalAccountId } : {}),
    });
    await atomic(deps.db, [...statements]);
  }
}

/** The Outbound Message path saved by an earlier start if it still works, else a new secret. */
async function outboundPath(deps: DemoOrgDeps, orgId: string, saved: string | undefined): Promise<string> {
  const connection = await findConnection(deps.db, orgId, 'salesforce');
  if (!connection) throw new Error('the demo org has no Salesforce connection');
  const [, , , connectionId, token] = saved?.split('/') ?? [];
  if (connectionId === connection.id && token) {
    const row = await connectionByInboundToken(deps.db, connectionId, token);
    if (row?.orgId === orgId) return saved!;
  }
  const fresh = await issueInboundToken(deps.db, orgId, connection.id, deps.clock.now().toISOString(), ACTOR);
  return outboundMessagePath(connection.id, fresh);
}

/** Resumes the demo org an earlier start left in `dataDir`, or creates it. */
export async function demoOrg(deps: DemoOrgDeps, connections: SimulatorConnection[]): Promise<DemoOrg> {
  const saved = readSandboxFile(deps.dataDir);
  const earlier = await earlierOrg(deps, saved, connections);
  let org: Omit<DemoOrg, 'stripeConnectionId' | 'payment'>;
  if (earlier) {
    await repointConnections(deps, earlier.orgId, connections);
    const samePath = earlier.orgId === saved.org_id ? saved.salesforce_outbound_path : undefined;
    const salesforceOutboundPath = await outboundPath(deps, earlier.orgId, samePath);
    org = { ...earlier, salesforceOutboundPath, resumed: true };
  } else {
    const created = await createOrgWithKey(deps.db, deps.clock, deps.encryptionKey, {
      name: DEMO_ORG_NAME,
      connections,
    });
    // Sandbox drafts finalize at once (no grace period), so a billing run goes to cash without a call.
    await atomic(deps.db, [
      billingSettingsStatement(
        deps.db,
        created.orgId,
        { ...DEFAULT_BILLING_SETTINGS, graceSeconds: 0 },
        deps.clock.now().toISOString(),
      ),
    ]);
    org = {
      orgId: created.orgId,
      apiKey: created.apiKey,
      salesforceOutboundPath: created.salesforceOutboundPath!,
      resumed: false,
    };
  }
  let payment: DemoOrg['payment'] | undefined;
  for (const vendor of PAYMENT_VENDORS) {
    const found = await findConnection(deps.db, org.orgId, vendor);
    if (found) {
      payment = { vendor, connectionId: found.id };
      break;
    }
  }
  if (!payment) throw new Error('the demo org has no payment connection');
  const file: SandboxFile = {
    org_id: org.orgId,
    api_key: org.apiKey,
    salesforce_outbound_path: org.salesforceOutboundPath,
  };
  writePrivateFile(resolve(deps.dataDir, 'sandbox.json'), `${JSON.stringify(file, null, 2)}\n`);
  writePrivateFile(resolve(deps.dataDir, 'sandbox-admin-key'), `${org.apiKey}\n`);
  return { ...org, stripeConnectionId: payment.connectionId, payment };
}
