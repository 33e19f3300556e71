/**
 * Sandbox-only setup, for runtimes that cannot seed themselves (Workers: the simulators run in
 * another process, e.g. the end-to-end test or a developer's `npm start`).
 *
 *   POST /sandbox/setup
 *   { "name"?: string, "connections": [{ vendor, mode, externalAccountId?, config, secrets }, …] }
 *   → 201 { orgId, apiKey, stripeConnectionId, salesforceOutboundPath }
 *   → 409 when a connection's externalAccountId is already another org's
 *
 * `connections` has the shape `startSimulators()` returns (src/runtime/simulators.ts). Creates
 * an org, its first admin key and its vendor connections (secrets encrypted as usual). The Stripe
 * webhook endpoint of the new org is `/webhooks/stripe/{stripeConnectionId}`.
 *
 * Refused with 404 unless the hub runs in sandbox mode (HUB_MODE=sandbox): in live mode the route
 * does not exist. Not mounted by the Node runtime (it seeds itself).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { disallowedConfigUrls } from '../../../adapters/hosts.js';
import { VENDORS } from '../../../adapters/registry.js';
import { findConnection, vendorAccountOwner } from '../../db/repos/connections.js';
import { createOrgWithKey } from '../../db/seed.js';
import type { HubContext } from '../context.js';
import { invalidRequest, problem, zodFieldProblems } from '../problem.js';

const connectionSchema = z
  .object({
    vendor: z.enum(VENDORS),
    mode: z.enum(['sandbox', 'live']),
    externalAccountId: z.string().min(1).optional(),
    config: z.record(z.string(), z.string()),
    secrets: z.record(z.string(), z.string()),
  })
  .strict();

const setupSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    connections: z.array(connectionSchema).min(1).max(VENDORS.length),
  })
  .strict();

export function sandboxRoutes(hub: HubContext, options: { enabled: boolean }): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (!options.enabled) return problem(c, 404, 'Not found', `no route for ${c.req.method} ${c.req.path}`);
    return next();
  });

  app.post('/setup', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return problem(c, 400, 'Invalid body', 'the body must be JSON', [{ field: 'body', message: 'invalid JSON' }]);
    }
    const parsed = setupSchema.safeParse(body);
    if (!parsed.success) {
      const errors = zodFieldProblems(parsed.error.issues, { root: 'body' });
      return problem(c, 400, 'Invalid setup', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
    }
    const vendors = parsed.data.connections.map((conn) => conn.vendor);
    if (new Set(vendors).size !== vendors.length) {
      return problem(c, 400, 'Invalid setup', 'one connection per vendor', [
        { field: 'connections', message: 'duplicate vendor' },
      ]);
    }
    // Even here, connections may name only the simulators (loopback): see adapters/hosts.ts.
    const badUrls = parsed.data.connections.flatMap((conn, i) =>
      disallowedConfigUrls(conn.vendor, conn.config, hub.mode).map((p) => ({
        field: `connections.${i}.${p.field}`,
        message: p.message,
      })),
    );
    if (badUrls.length > 0) return invalidRequest(c, badUrls);
    for (const conn of parsed.data.connections) {
      const owner = conn.externalAccountId && (await vendorAccountOwner(hub.db, conn.vendor, conn.externalAccountId));
      if (owner) {
        return problem(
          c,
          409,
          'Vendor account already connected',
          `the ${conn.vendor} account ${conn.externalAccountId} is connected to another org`,
        );
      }
    }
    const seeded = await createOrgWithKey(hub.db, hub.clock, hub.encryptionKey, {
      name: parsed.data.name ?? 'Sandbox org',
      connections: parsed.data.connections.map((conn) => ({
        vendor: conn.vendor,
        mode: conn.mode,
        config: conn.config,
        secrets: conn.secrets,
        ...(conn.externalAccountId ? { externalAccountId: conn.externalAccountId } : {}),
      })),
    });
    const stripe = await findConnection(hub.db, seeded.orgId, 'stripe');
    return c.json(
      {
        orgId: seeded.orgId,
        apiKey: seeded.apiKey,
        stripeConnectionId: stripe?.id ?? null,
        salesforceOutboundPath: seeded.salesforceOutboundPath ?? null,
      },
      201,
    );
  });

  return app;
}
