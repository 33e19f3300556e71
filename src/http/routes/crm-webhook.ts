/**
 * The one handler behind every CRM webhook endpoint a vendor module declares: find the connection
 * the way the endpoint says, let the vendor verify and parse the request, then record the deal
 * changes and start their jobs (deal-changes.ts).
 */
import type { Context } from 'hono';
import { type CrmWebhookEndpoint, type InboundConnection, isRefusal } from '../../../adapters/inbound.js';
import {
  type ConnectionRow,
  connectionByInboundToken,
  findConnectionByExternalAccount,
  findConnectionById,
  loadConnectionMaterial,
} from '../../db/repos/connections.js';
import type { CrmVendor } from '../../domain/vendors.js';
import type { HubContext } from '../context.js';
import { acceptDealChanges } from './deal-changes.js';
import { type Limit, refusal, reply, unauthenticated } from './webhook-answers.js';

/** The connection as the vendor's endpoint sees it; secrets are decrypted only if it asks. */
function inboundConnection(hub: HubContext, row: ConnectionRow): InboundConnection {
  return {
    externalAccountId: row.externalAccountId,
    config: JSON.parse(row.config) as Record<string, string>,
    secrets: async () =>
      (await loadConnectionMaterial(hub.db, hub.encryptionKey, row.orgId)).find((m) => m.vendor === row.vendor)
        ?.secrets,
  };
}

/**
 * The connection a request is for, or the answer to give instead (429, 400 or 401). Each request
 * is counted against its connection's budget (or its vendor account's, on a route naming none)
 * before anything is looked up.
 */
async function findFor(
  hub: HubContext,
  c: Context,
  vendor: CrmVendor,
  endpoint: CrmWebhookEndpoint,
  limit: Limit,
  rawBody: string,
): Promise<ConnectionRow | Response> {
  const budget = `${vendor}:${endpoint.name}`;
  const { lookup } = endpoint;
  if (lookup.by === 'account') {
    const account = lookup.accountOf(rawBody);
    if (isRefusal(account)) return refusal(c, account);
    const limited = limit(c, `${budget}:${account.account}`);
    if (limited) return limited;
    return (await findConnectionByExternalAccount(hub.db, vendor, account.account)) ?? unauthenticated(c);
  }
  const connectionId = c.req.param('connectionId') ?? '';
  const limited = limit(c, `${budget}:${connectionId}`);
  if (limited) return limited;
  const row =
    lookup.by === 'inbound-token'
      ? await connectionByInboundToken(hub.db, connectionId, c.req.param('token') ?? '')
      : await findConnectionById(hub.db, connectionId);
  return row?.vendor === vendor ? row : unauthenticated(c);
}

export function crmWebhookHandler(hub: HubContext, vendor: CrmVendor, endpoint: CrmWebhookEndpoint, limit: Limit) {
  return async (c: Context): Promise<Response> => {
    const rawBody = await c.req.text();
    const row = await findFor(hub, c, vendor, endpoint, limit, rawBody);
    if (row instanceof Response) return row;
    const request = {
      method: c.req.method,
      url: c.req.url,
      rawBody,
      headers: c.req.raw.headers,
      now: () => hub.clock.now(),
    };
    const received = await endpoint.receive(request, inboundConnection(hub, row));
    if (isRefusal(received)) return refusal(c, received);
    const started = await acceptDealChanges(hub, row.orgId, vendor, received.changes);
    return reply(c, received.reply(started.length));
  };
}
