/**
 * /embed: the deal's billing trace inside the CRM.
 *
 * - Salesforce Canvas: `POST /embed/salesforce/canvas` with the `signed_request` form field,
 *   verified with the consumer secret of the Salesforce connection whose external account id is
 *   the envelope's organizationId (src/http/canvas.ts).
 * - Outside Canvas: `GET /embed/salesforce/opportunity/{id}` with the hub API key in the
 *   Authorization header (a proxy or Named Credential adds it; keys never go in a query string).
 * - "Sync now": `POST /embed/salesforce/opportunity/{id}/sync` enqueues the same deduplicated job
 *   as `POST /api/v1/sync/salesforce/opportunities/{id}`.
 * - HubSpot CRM card: `GET /embed/hubspot/crm-card`, signature v3 verified.
 *
 * Every answer, errors included, may be framed by Salesforce and HubSpot pages only.
 */
import { type Context, Hono } from 'hono';
import { verifyWebhookV3 } from '../../../adapters/hubspot/index.js';
import { dealCorrelationId, dealToContractJob } from '../../../flows/index.js';
import { atomic } from '../../db/atomic.js';
import { getCustomer } from '../../db/repos/billing.js';
import { findConnectionByExternalAccount, loadConnectionMaterial } from '../../db/repos/connections.js';
import { orgsClaimingHubspotPortal } from '../../db/repos/crm-connections.js';
import { dealTrace } from '../../db/repos/trace.js';
import { minorToMajor } from '../../domain/money.js';
import { type Outcome, ok, permanent } from '../../domain/outcome.js';
import { enqueueStatement, findJobByDedupeKey } from '../../jobs/queue.js';
import { apiKeyAuth } from '../auth.js';
import {
  type CanvasEnvelope,
  canvasRecordId,
  parseSignedRequest,
  sameSalesforceId,
  verifyCanvasSignature,
} from '../canvas.js';
import type { AppEnv, HubContext, Role } from '../context.js';
import { type DealTrace, renderTracePage, stylesheetUrl } from '../embed-html.js';
import { problem } from '../problem.js';

/**
 * Framing only: no `default-src`/`style-src`, so the page may load its stylesheet from the hub
 * (`/assets/slds/...`, the default) or the https URL an org configured. The page has no script.
 */
export const EMBED_CSP =
  'frame-ancestors https://*.salesforce.com https://*.force.com https://*.lightning.force.com https://*.hubspot.com https://app.hubspot.com';

/** Roles whose API key may press "Sync now" (the same as /api/v1/sync). */
const SYNC_ROLES: readonly Role[] = ['admin', 'sales_ops'];

const OPPORTUNITY_ID = /^006[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;
const HUBSPOT_ID = /^\d{1,20}$/;
/** A verified portal can at most be claimed by this many connections before we stop trying secrets. */
const MAX_PORTAL_CANDIDATES = 10;

type EmbedContext = Context<AppEnv>;

/** Who is looking at the page, and whether they may sync. */
type Viewer =
  | { kind: 'canvas'; orgId: string; label: string; canSync: boolean; signedRequest: string; envelope: CanvasEnvelope }
  | { kind: 'api-key'; orgId: string; label: string; canSync: boolean };

async function salesforceConfig(hub: HubContext, orgId: string) {
  const material = (await loadConnectionMaterial(hub.db, hub.encryptionKey, orgId)).find(
    (m) => m.vendor === 'salesforce',
  );
  return material;
}

/** Verifies a Canvas signed request end to end: shape, org's connection, HMAC. */
async function verifyCanvas(hub: HubContext, signedRequest: string | undefined): Promise<Outcome<Viewer>> {
  const parsed = parseSignedRequest(signedRequest);
  if (!parsed.ok) return parsed;
  const { envelope } = parsed.value;
  const sfOrgId = envelope.context.organization.organizationId;
  const connection = await findConnectionByExternalAccount(hub.db, 'salesforce', sfOrgId);
  const reject = permanent('Canvas signed request rejected: unknown org or signature does not match', {
    status: 401,
  });
  if (!connection) return reject;
  const material = await salesforceConfig(hub, connection.orgId);
  const secret = material?.secrets.clientSecret;
  if (!secret || !(await verifyCanvasSignature(parsed.value, secret))) return reject;
  const profileId = envelope.context.user.profileId ?? '';
  const allowed = (material.config.syncProfileIds ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return ok({
    kind: 'canvas',
    orgId: connection.orgId,
    label: envelope.context.user.userName ?? envelope.context.user.userId ?? 'Salesforce user',
    canSync: allowed.some((id) => sameSalesforceId(id, profileId)),
    signedRequest: signedRequest!,
    envelope,
  });
}

/** The hub API key in the Authorization header, checked by the same middleware as /api/v1. */
async function verifyApiKey(hub: HubContext, c: EmbedContext): Promise<Viewer | Response> {
  let passed = false;
  const denied = await apiKeyAuth(hub)(c, async () => {
    passed = true;
  });
  if (!passed) return denied as Response;
  const role = c.get('role');
  return { kind: 'api-key', orgId: c.get('orgId'), label: `API key (${role})`, canSync: SYNC_ROLES.includes(role) };
}

async function formField(c: EmbedContext, name: string): Promise<string | undefined> {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return undefined;
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch {
    // A form that does not parse carries no field: the caller gets the same answer as a missing one.
    return undefined;
  }
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

async function customerNames(hub: HubContext, orgId: string, trace: DealTrace) {
  const names = new Map<string, string>();
  for (const id of new Set(trace.contracts.map((c) => c.customerId))) {
    const customer = await getCustomer(hub.db, orgId, id);
    if (customer) names.set(id, customer.name);
  }
  return names;
}

/**
 * Renders the Salesforce view. `syncAction` is relative to the page's URL so it works behind a
 * path-prefixing proxy: from /embed/salesforce/canvas it is "opportunity/{id}/sync", from
 * /embed/salesforce/opportunity/{id} it is "{id}/sync".
 */
async function renderSalesforce(
  hub: HubContext,
  c: EmbedContext,
  viewer: Viewer,
  opportunityId: string,
  syncAction: string,
  extra: { status?: 200 | 202; notice?: string } = {},
) {
  const trace = await dealTrace(
    hub.db,
    viewer.orgId,
    'salesforce',
    opportunityId,
    dealCorrelationId('salesforce', opportunityId),
  );
  const material = await salesforceConfig(hub, viewer.orgId);
  const page = renderTracePage({
    trace,
    customerNames: await customerNames(hub, viewer.orgId, trace),
    sldsCssUrl: stylesheetUrl(material?.config.sldsCssUrl),
    viewer: viewer.label,
    ...(viewer.canSync
      ? {
          sync: {
            action: syncAction,
            // Canvas pages have no cookie or session of ours (third-party iframe, and the hub keeps
            // no sessions), so the verified signed request itself travels with the form and is
            // verified again on the POST. API-key views rely on the header the proxy adds.
            hidden: viewer.kind === 'canvas' ? { signed_request: viewer.signedRequest } : {},
          },
        }
      : {}),
    ...(extra.notice ? { notice: extra.notice } : {}),
  });
  return c.html(page, extra.status ?? 200);
}

const unauthorized = (c: EmbedContext, reason: string) => problem(c, 401, 'Unauthorized', reason);

export function embedRoutes(hub: HubContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', EMBED_CSP);
    c.res.headers.delete('X-Frame-Options');
    // Pages carry a signed request (with the user's OAuth token): never cache them.
    c.res.headers.set('Cache-Control', 'no-store');
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
  });

  // Salesforce Canvas: the app's canvas URL. The record comes from the signed context.
  app.post('/salesforce/canvas', async (c) => {
    const viewer = await verifyCanvas(hub, await formField(c, 'signed_request'));
    if (!viewer.ok) return unauthorized(c, viewer.reason);
    if (viewer.value.kind !== 'canvas') return unauthorized(c, 'not a Canvas request');
    const recordId = canvasRecordId(viewer.value.envelope);
    if (!recordId || !OPPORTUNITY_ID.test(recordId)) {
      return problem(
        c,
        400,
        'Invalid request',
        'the canvas app was not opened on an Opportunity (environment.record.Id or the opportunityId parameter)',
        [{ field: 'context.environment.record.Id', message: 'must be a Salesforce Opportunity id' }],
      );
    }
    return renderSalesforce(hub, c, viewer.value, recordId, `opportunity/${recordId}/sync`);
  });

  app.get('/salesforce/opportunity/:id', async (c) => {
    const viewer = await verifyApiKey(hub, c);
    if (viewer instanceof Response) return viewer;
    const id = c.req.param('id');
    if (!OPPORTUNITY_ID.test(id)) return badOpportunityId(c);
    return renderSalesforce(hub, c, viewer, id, `${id}/sync`);
  });

  app.post('/salesforce/opportunity/:id/sync', async (c) => {
    const signedRequest = await formField(c, 'signed_request');
    let viewer: Viewer;
    if (signedRequest !== undefined) {
      const verified = await verifyCanvas(hub, signedRequest);
      if (!verified.ok) return unauthorized(c, verified.reason);
      viewer = verified.value;
    } else {
      const byKey = await verifyApiKey(hub, c);
      if (byKey instanceof Response) return byKey;
      viewer = byKey;
    }
    const id = c.req.param('id');
    if (!OPPORTUNITY_ID.test(id)) return badOpportunityId(c);
    if (!viewer.canSync) {
      return problem(
        c,
        403,
        'Forbidden',
        viewer.kind === 'canvas'
          ? "the user's profile is not listed in the Salesforce connection's syncProfileIds"
          : `this action needs one of the roles: ${SYNC_ROLES.join(', ')}`,
      );
    }
    if (viewer.kind === 'canvas') {
      const recordId = canvasRecordId(viewer.envelope);
      if (recordId && !sameSalesforceId(recordId, id)) {
        return problem(c, 403, 'Forbidden', 'the signed request was issued for another record');
      }
    }
    const job = dealToContractJob(viewer.orgId, 'salesforce', id);
    const { statement } = enqueueStatement(hub.db, hub.clock, job);
    await atomic(hub.db, [statement]);
    const row = (await findJobByDedupeKey(hub.db, viewer.orgId, job.dedupeKey))!;
    await hub.driver.notify([row.id]);
    // The form posted to ".../{id}/sync", so the next sync posts to "sync" relative to it.
    return renderSalesforce(hub, c, viewer, id, 'sync', {
      status: 202,
      notice: `Sync requested: job ${row.id} is ${row.state}.`,
    });
  });

  // HubSpot classic CRM card data fetch. The org is the one whose HubSpot connection config has
  // this portalId and whose app client secret verifies the v3 signature.
  app.get('/hubspot/crm-card', async (c) => {
    const portalId = c.req.query('portalId') ?? '';
    if (!HUBSPOT_ID.test(portalId)) return unauthorized(c, 'unknown portal');
    const candidates = await orgsClaimingHubspotPortal(hub.db, portalId, MAX_PORTAL_CANDIDATES);
    const verifiedOrgs: string[] = [];
    for (const orgId of candidates) {
      const material = (await loadConnectionMaterial(hub.db, hub.encryptionKey, orgId)).find(
        (m) => m.vendor === 'hubspot',
      );
      const clientSecret = material?.secrets.clientSecret;
      if (!clientSecret) continue;
      const verified = await verifyWebhookV3({
        method: c.req.method,
        url: c.req.url,
        rawBody: '',
        signature: c.req.header('x-hubspot-signature-v3'),
        timestamp: c.req.header('x-hubspot-request-timestamp'),
        clientSecret,
        now: () => hub.clock.now(),
      });
      if (verified.ok) verifiedOrgs.push(orgId);
    }
    if (verifiedOrgs.length === 0) return unauthorized(c, 'HubSpot signature rejected or unknown portal');
    if (verifiedOrgs.length > 1) {
      return problem(c, 409, 'Conflict', `portal ${portalId} is configured on more than one org's HubSpot connection`);
    }
    const orgId = verifiedOrgs[0]!;
    const dealId = c.req.query('associatedObjectId') ?? '';
    if (!HUBSPOT_ID.test(dealId)) {
      return problem(c, 400, 'Invalid request', 'associatedObjectId: must be a HubSpot deal id (digits)', [
        { field: 'associatedObjectId', message: 'must be a HubSpot deal id (digits)' },
      ]);
    }
    const trace = await dealTrace(hub.db, orgId, 'hubspot', dealId, dealCorrelationId('hubspot', dealId));
    return c.json(crmCard(trace, hub.clock.now().toISOString().slice(0, 10)));
  });

  return app;
}

function badOpportunityId(c: EmbedContext) {
  return problem(
    c,
    400,
    'Invalid request',
    'id: must be a Salesforce Opportunity id (15 or 18 characters, prefix 006)',
    [{ field: 'id', message: 'must be a Salesforce Opportunity id (15 or 18 characters, prefix 006)' }],
  );
}

type CardStatus = { value: string; optionType: 'DEFAULT' | 'SUCCESS' | 'WARNING' | 'DANGER' };

/**
 * HubSpot's CRM card shape: one result for the deal's latest contract version. Amounts are the
 * contract currency's invoices (credit notes and void invoices excluded), in major units.
 */
export function crmCard(trace: DealTrace, today: string) {
  const contract = trace.contracts.at(-1);
  if (!contract) return { results: [] };
  const currency = contract.currency;
  const billed = trace.invoices.filter(
    (i) => i.currency === currency && i.kind !== 'credit_note' && i.status !== 'void',
  );
  const paidMinor = billed.reduce((s, i) => s + i.amountPaidMinor, 0);
  const open = billed.filter((i) => i.status === 'finalized' && i.totalMinor > i.amountPaidMinor);
  const outstandingMinor = open.reduce((s, i) => s + i.totalMinor - i.amountPaidMinor, 0);
  const last = billed.at(-1);
  let status: CardStatus;
  if (billed.length === 0) status = { value: 'Not invoiced', optionType: 'DEFAULT' };
  else if (open.some((i) => i.dueDate < today)) status = { value: 'Overdue', optionType: 'DANGER' };
  else if (outstandingMinor > 0) status = { value: 'Open', optionType: 'WARNING' };
  else if (billed.every((i) => i.status === 'paid')) status = { value: 'Paid', optionType: 'SUCCESS' };
  else status = { value: 'Draft', optionType: 'DEFAULT' };
  return {
    results: [
      {
        objectId: 1,
        title: `Contract ${contract.id} (v${contract.version})`,
        properties: [
          { label: 'Contract', dataType: 'STRING', value: contract.id },
          { label: 'Billing status', dataType: 'STATUS', value: status.value, optionType: status.optionType },
          { label: 'Last invoice', dataType: 'STRING', value: last?.number ?? '–' },
          {
            label: 'Amount paid',
            dataType: 'CURRENCY',
            value: minorToMajor(paidMinor, currency),
            currencyCode: currency,
          },
          {
            label: 'Outstanding',
            dataType: 'CURRENCY',
            value: minorToMajor(outstandingMinor, currency),
            currencyCode: currency,
          },
        ],
      },
    ],
  };
}
