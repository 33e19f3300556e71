/**
 * Storing a connection a vendor issued through OAuth (any flow), the same way for every vendor:
 * created or updated healthy with an audit row in one atomic unit, refused (409) when another org
 * already holds the vendor account, then the org's adapters rebuilt and the jobs that waited for
 * the connection woken. A vendor whose inbound URL carries a secret gets one, returned this once.
 */
import type { OAuthConnection } from '../../../adapters/oauth-connect.js';
import { vendorModule } from '../../../adapters/registry.js';
import { atomic } from '../../db/atomic.js';
import { auditStatement } from '../../db/repos/audit.js';
import {
  connectionInsert,
  connectionReconnectStatements,
  findConnection,
  issueInboundToken,
  isVendorAccountConflict,
  vendorAccountOwner,
} from '../../db/repos/connections.js';
import { dueJobIdsWaitingFor } from '../../db/repos/jobs.js';
import { decryptSecret } from '../../db/secrets.js';
import type { Vendor } from '../../domain/vendors.js';
import type { HubContext } from '../context.js';

/** Queued jobs woken per connect; any beyond are picked up by the driver's next poll or sweep. */
const MAX_WOKEN_JOBS = 1000;

export interface StoreInput {
  orgId: string;
  vendor: Vendor;
  actor: string;
  /** Audit action (connection.oauth_connected, connection.jwt_connected). */
  action: string;
  connection: OAuthConnection;
}

export type StoreResult =
  | { ok: true; externalAccountId: string | undefined; inboundUrlPath?: string }
  | { ok: false; status: 409; title: string; detail: string };

/** What the org's connection to the vendor holds today (decrypted), if it has one. */
export async function storedConnection(hub: HubContext, orgId: string, vendor: Vendor) {
  const row = await findConnection(hub.db, orgId, vendor);
  if (!row) return undefined;
  return {
    config: JSON.parse(row.config) as Record<string, string>,
    secrets: await decryptSecret<Record<string, string>>(hub.encryptionKey, row.secretsEnc),
  };
}

export async function storeConnection(hub: HubContext, input: StoreInput): Promise<StoreResult> {
  const { orgId, vendor, connection } = input;
  const { externalAccountId } = connection;
  const accountName = vendorModule(vendor).oauth?.accountName ?? `${vendor} account`;
  const taken = (): StoreResult => ({
    ok: false,
    status: 409,
    title: 'Vendor account already connected',
    detail: `the ${accountName} ${externalAccountId} is connected to another org of this hub`,
  });
  const now = hub.clock.now().toISOString();
  if (externalAccountId) {
    const owner = await vendorAccountOwner(hub.db, vendor, externalAccountId);
    if (owner && owner.orgId !== orgId) return taken();
  }
  const existing = await findConnection(hub.db, orgId, vendor);
  let connectionId: string;
  try {
    if (existing) {
      connectionId = existing.id;
      const { statements } = await connectionReconnectStatements(hub.db, hub.encryptionKey, now, {
        orgId,
        connection: existing,
        config: connection.config,
        secrets: connection.secrets,
        actor: input.actor,
        action: input.action,
        ...(externalAccountId ? { externalAccountId } : {}),
      });
      await atomic(hub.db, statements);
    } else {
      const { statement, id } = await connectionInsert(hub.db, hub.encryptionKey, now, {
        orgId,
        vendor,
        mode: 'live',
        ...(externalAccountId ? { externalAccountId } : {}),
        config: connection.config,
        secrets: connection.secrets,
      });
      connectionId = id;
      const audit = auditStatement(hub.db, orgId, {
        actor: input.actor,
        action: input.action,
        subject: vendor,
        detail: { vendor, secretKeys: Object.keys(connection.secrets).sort() },
        at: now,
      });
      await atomic(hub.db, [statement, audit]);
    }
  } catch (error) {
    // Another org connected the same vendor account between the check and the write.
    if (!isVendorAccountConflict(error)) throw error;
    return taken();
  }
  hub.invalidateAdapters(orgId);
  // The jobs that waited for this connection can run again (the Cloudflare driver needs their ids).
  await hub.driver.notify(await dueJobIdsWaitingFor(hub.db, orgId, vendor, hub.clock.now().getTime(), MAX_WOKEN_JOBS));
  if (existing?.inboundTokenHash || !takesInboundToken(vendor)) return { ok: true, externalAccountId };
  const token = await issueInboundToken(hub.db, orgId, connectionId, now, input.actor);
  return { ok: true, externalAccountId, inboundUrlPath: `/webhooks/${vendor}/${connectionId}/${token}` };
}

/** Whether one of the vendor's webhook endpoints is authenticated by a secret in its URL. */
function takesInboundToken(vendor: Vendor): boolean {
  return (vendorModule(vendor).webhooks ?? []).some((e) => e.port === 'crm' && e.lookup.by === 'inbound-token');
}
