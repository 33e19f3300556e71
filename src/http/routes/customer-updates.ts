/**
 * PATCH /api/v1/customers/{id}: fix a customer's name, email or billing address. A new address
 * retries at once every invoice of the customer that waits in tax_pending (the tax engine refused
 * the old one): their finalize jobs are made due now instead of waiting out their backoff.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { FINALIZE_INVOICE } from '../../../flows/finalize-invoice.js';
import { taxPendingOfCustomer } from '../../db/repos/billing-settings.js';
import { updateCustomer } from '../../db/repos/customer-writes.js';
import { setTaxPendingReason } from '../../db/repos/invoice-writes.js';
import { makeJobDueNow } from '../../db/repos/job-queue.js';
import { exemptionNumberOf, setExemptionNumber } from '../../db/repos/tax-settings.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { problem, zodProblemHook } from '../problem.js';
import { addressBody, postalAddress } from './customer-bodies.js';
import { problemContent } from './schemas.js';

const patchBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.string().email().max(320).nullable().optional(),
    address: postalAddress.nullable().optional(),
    exemption_number: z.string().trim().min(1).max(100).nullable().optional().openapi({
      description:
        'Tax exemption certificate number (sent to Avalara as exemptionNo; Anrok applies the certificates it holds for the customer); null clears it',
    }),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one of: name, email, address, exemption_number');

const customerBody = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    currency: z.string(),
    address: postalAddress.nullable(),
    exemption_number: z.string().nullable(),
    address_check: z.object({ valid: z.boolean(), reason: z.string().nullable() }).nullable().openapi({
      description:
        "A new address as the org's tax engine reads it: valid, or the engine's reason (its tax_pending invoices keep waiting with that reason until the address is fixed); null when no address was sent or the engine could not be asked",
    }),
    retried_invoice_ids: z
      .array(z.string())
      .openapi({ description: 'tax_pending invoices of the customer retried at once because the address changed' }),
  })
  .openapi('CustomerUpdated');

const patchRoute = createRoute({
  method: 'patch',
  path: '/customers/{id}',
  summary: "Change a customer's name, email or billing address; a new address retries its tax_pending invoices",
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
    body: { required: true, content: { 'application/json': { schema: patchBody } } },
  },
  responses: {
    200: { description: 'The customer', content: { 'application/json': { schema: customerBody } } },
    400: { description: 'Bad input (names the field)', content: problemContent },
    404: { description: 'No such customer in this org', content: problemContent },
  },
});

export function customerUpdateRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.on('PATCH', '/customers/:id', requireRole('admin', 'finance', 'sales_ops'));

  app.openapi(patchRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const orgId = c.get('orgId');
    const a = body.address;
    const row = await updateCustomer(hub.db, orgId, id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.email !== undefined ? { email: body.email } : {}),
      ...(a !== undefined
        ? {
            address:
              a === null
                ? null
                : { line1: a.line1, city: a.city, region: a.region, postalCode: a.postal_code, country: a.country },
          }
        : {}),
    });
    if (!row) return problem(c, 404, 'Not found', `no customer ${id} in this org`) as never;
    const now = hub.clock.now();
    if (body.exemption_number !== undefined) {
      await setExemptionNumber(hub.db, orgId, id, body.exemption_number, now.toISOString());
    }
    const addressCheck = a ? await checkAddress(hub, orgId, id, a) : null;
    const retried: string[] = [];
    // A new address, or a new certificate, changes what the engine answers: retry at once.
    if ((a !== undefined && addressCheck?.valid !== false) || body.exemption_number !== undefined) {
      const jobIds: string[] = [];
      for (const invoice of await taxPendingOfCustomer(hub.db, orgId, id)) {
        const changed = await makeJobDueNow(hub.db, orgId, `${FINALIZE_INVOICE}:${invoice.id}`, now);
        if (changed.length > 0) retried.push(invoice.id);
        jobIds.push(...changed);
      }
      await hub.driver.notify(jobIds);
    }
    return c.json(
      {
        id: row.id,
        name: row.name,
        email: row.email,
        currency: row.currency,
        address: addressBody(row.address),
        exemption_number: await exemptionNumberOf(hub.db, orgId, id),
        address_check: addressCheck,
        retried_invoice_ids: retried,
      },
      200,
    );
  });
  return app;
}

/**
 * Asks the org's tax engine about a new address. An address it cannot resolve becomes the reason
 * the customer's tax_pending invoices show (they wait for a fixed address instead of retrying).
 */
async function checkAddress(
  hub: HubContext,
  orgId: string,
  customerId: string,
  a: { line1: string; city: string; region: string; postal_code: string; country: string },
): Promise<{ valid: boolean; reason: string | null } | null> {
  const adapters = await hub.adaptersFor(orgId);
  if (!adapters.ok) return null;
  const address = { line1: a.line1, city: a.city, region: a.region, postalCode: a.postal_code, country: a.country };
  const checked = await adapters.value.tax.validateAddress(address);
  if (!checked.ok) return null;
  if (checked.value.valid) return { valid: true, reason: null };
  const { reason } = checked.value;
  for (const invoice of await taxPendingOfCustomer(hub.db, orgId, customerId)) {
    await setTaxPendingReason(hub.db, orgId, invoice.id, reason);
  }
  return { valid: false, reason };
}
