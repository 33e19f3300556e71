/**
 * PATCH /api/v1/customers/{id}: fix a customer's name, email or billing address. A new address
 * retries at once every invoice of the customer that waits in tax_pending (the tax engine refused
 * the old one): their finalize jobs are made due now instead of waiting out their backoff.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { FINALIZE_INVOICE } from '../../../flows/finalize-invoice.js';
import { taxPendingOfCustomer } from '../../db/repos/billing-settings.js';
import { updateCustomer } from '../../db/repos/customer-writes.js';
import { makeJobDueNow } from '../../db/repos/job-queue.js';
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
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one of: name, email, address');

const customerBody = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    currency: z.string(),
    address: postalAddress.nullable(),
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
    const retried: string[] = [];
    if (a !== undefined) {
      const now = hub.clock.now();
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
        retried_invoice_ids: retried,
      },
      200,
    );
  });
  return app;
}
