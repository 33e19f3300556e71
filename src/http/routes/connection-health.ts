/**
 * What GET /api/v1/connections shows of each connection: its status, the vendor account it
 * holds, and warnings about its inbound routes. A route missing its secret answers every caller
 * 401, as it would a forger, so this is where an admin learns what to set.
 */
import { listConnections } from '../../db/repos/connections.js';
import { decryptSecret } from '../../db/secrets.js';
import type { HubContext } from '../context.js';
import { ORG_ID_ROUTE_CONFIG, orgIdRouteEnabled } from './webhooks.js';

type Row = Awaited<ReturnType<typeof listConnections>>[number];

function warningsOf(row: Row, config: Record<string, string>, secrets: Record<string, string>): string[] {
  const warnings: string[] = [];
  if (row.vendor === 'salesforce') {
    if (!row.inboundTokenHash) {
      warnings.push(
        'no Outbound Message URL issued: POST /api/v1/connections/salesforce/outbound-message-url issues one',
      );
    }
    if (orgIdRouteEnabled(config)) {
      warnings.push(
        `${ORG_ID_ROUTE_CONFIG}=enabled: POST /webhooks/salesforce takes unauthenticated Outbound Messages naming this org; move Salesforce to the connection's own URL and remove the setting`,
      );
    }
    if (!secrets.eventSecret) {
      warnings.push(
        `no eventSecret: POST /webhooks/salesforce/events/${row.id} refuses every event (401); set one with PUT /api/v1/connections/salesforce`,
      );
    }
  }
  if (row.vendor === 'hubspot' && !secrets.clientSecret) {
    warnings.push('no clientSecret: HubSpot webhooks and the CRM card are refused (401)');
  }
  if (row.vendor === 'stripe' && !secrets.webhookSecret) {
    warnings.push('no webhookSecret: Stripe events are refused (401)');
  }
  return warnings;
}

export async function connectionHealth(hub: Pick<HubContext, 'db' | 'encryptionKey'>, orgId: string) {
  const rows = await listConnections(hub.db, orgId);
  return Promise.all(
    rows.map(async (row) => {
      const config = JSON.parse(row.config) as Record<string, string>;
      // Sealed under another key (e.g. HUB_ENCRYPTION_KEY changed): say so rather than fail the list.
      const secrets = await decryptSecret<Record<string, string>>(hub.encryptionKey, row.secretsEnc).catch(
        () => undefined,
      );
      const warnings = secrets
        ? warningsOf(row, config, secrets)
        : ["the stored credentials cannot be read with this hub's encryption key: reconnect"];
      return {
        id: row.id,
        vendor: row.vendor,
        mode: row.mode,
        status: row.status,
        statusReason: row.statusReason,
        statusChangedAt: row.statusChangedAt,
        external_account_id: row.externalAccountId,
        warnings,
      };
    }),
  );
}
