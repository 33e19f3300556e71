/**
 * The org's tax setup (issue #12): which engine computes its tax (GET/PUT /tax-settings), the
 * manual rate table an org without a tax engine uses (GET/PUT /tax-rates, DELETE
 * /tax-rates/{id}), and each product's tax code per engine (PUT /products/{id}/tax-codes).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { listConnections } from '../../db/repos/connections.js';
import {
  deleteTaxRate,
  getTaxEngineChoice,
  productExists,
  productTaxCodesOf,
  setProductTaxCode,
  setTaxEngineChoice,
  type TaxRateRow,
  taxRatePage,
  upsertTaxRate,
} from '../../db/repos/tax-settings.js';
import { JURISDICTION_PATTERN } from '../../domain/manual-tax.js';
import { TAX_VENDORS } from '../../domain/vendors.js';
import { requireRole } from '../auth.js';
import type { AppEnv, HubContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { problem, zodProblemHook } from '../problem.js';
import { problemContent } from './schemas.js';

const ENGINES = ['avalara', 'anrok', 'manual'] as const;

const settingsBody = z
  .object({
    engine: z.enum(ENGINES).nullable().openapi({
      description:
        'The chosen engine: avalara or anrok (a connection of that vendor), manual (the tax-rate table), or null (whichever tax vendor is connected)',
    }),
    effective_engine: z.enum(ENGINES).openapi({
      description: 'What taxes the next invoice: the chosen engine, else the connected tax vendor, else manual',
    }),
    manual: z.boolean().openapi({ description: 'True when invoices are taxed from the manual rate table' }),
  })
  .openapi('TaxSettings');

const putSettings = z.object({ engine: z.enum(ENGINES).nullable() }).strict();

const rateBody = z
  .object({
    id: z.string(),
    jurisdiction: z.string().openapi({ example: 'US-CA' }),
    product_tax_code: z.string().openapi({ description: "'' for every product without a rate of its own" }),
    rate: z.string().openapi({ example: '0.0725' }),
    manual: z.literal(true).openapi({ description: 'A manual rate, kept by the org (no tax engine computes it)' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('ManualTaxRate');

const putRate = z
  .object({
    jurisdiction: z
      .string()
      .regex(JURISDICTION_PATTERN, 'a country code ("US") or country-region ("US-CA"), upper case'),
    product_tax_code: z.string().trim().max(50).default(''),
    rate: z
      .string()
      .regex(/^(0(\.\d{1,8})?|1(\.0{1,8})?)$/, 'a decimal fraction between 0 and 1, at most 8 decimals ("0.0725")'),
  })
  .strict();

const taxCodesBody = z
  .object({
    product_id: z.string(),
    avalara: z.string().nullable(),
    anrok: z.string().nullable(),
    manual: z.string().nullable(),
  })
  .openapi('ProductTaxCodes');
const putTaxCodes = z
  .object({
    avalara: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .nullable()
      .optional()
      .openapi({ description: 'Avalara tax code ("SW054000")' }),
    anrok: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: 'Anrok product external id' }),
    manual: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .nullable()
      .optional()
      .openapi({ description: 'Product tax code of the manual rate table' }),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one of: avalara, anrok, manual');

const idParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const json = <T extends z.ZodTypeAny>(schema: T) => ({ 'application/json': { schema } });

const getSettingsRoute = createRoute({
  method: 'get',
  path: '/tax-settings',
  summary: "The org's tax engine (chosen and in effect)",
  responses: { 200: { description: 'The settings', content: json(settingsBody) } },
});
const putSettingsRoute = createRoute({
  method: 'put',
  path: '/tax-settings',
  summary: "Choose the org's tax engine: avalara, anrok, manual, or null for whichever is connected",
  request: { body: { required: true, content: json(putSettings) } },
  responses: {
    200: { description: 'The settings', content: json(settingsBody) },
    400: { description: 'Bad input', content: problemContent },
    409: { description: 'The chosen vendor is not connected', content: problemContent },
  },
});
const listRatesRoute = createRoute({
  method: 'get',
  path: '/tax-rates',
  summary: 'The manual tax-rate table (used when the org has no tax engine)',
  request: {
    query: z
      .object({
        limit: z.coerce.number().int().min(1).max(200).optional(),
        cursor: z
          .string()
          .refine((c) => decodeCursor(c) !== null, 'is not a cursor this API returned')
          .optional(),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'One page of rates',
      content: json(z.object({ data: z.array(rateBody), next_cursor: z.string().nullable() })),
    },
    400: { description: 'Bad limit or cursor', content: problemContent },
  },
});
const putRateRoute = createRoute({
  method: 'put',
  path: '/tax-rates',
  summary: 'Set the manual rate of a jurisdiction and product tax code (one row per pair)',
  request: { body: { required: true, content: json(putRate) } },
  responses: {
    200: { description: 'The rate', content: json(rateBody) },
    400: { description: 'Bad input (names the field)', content: problemContent },
  },
});
const deleteRateRoute = createRoute({
  method: 'delete',
  path: '/tax-rates/{id}',
  summary: 'Remove a manual rate',
  request: { params: idParam },
  responses: {
    204: { description: 'Removed' },
    404: { description: 'No such rate in this org', content: problemContent },
  },
});
const putTaxCodesRoute = createRoute({
  method: 'put',
  path: '/products/{id}/tax-codes',
  summary: "Set a product's tax code per engine (null clears one; fields left out keep their value)",
  request: { params: idParam, body: { required: true, content: json(putTaxCodes) } },
  responses: {
    200: { description: "The product's tax codes", content: json(taxCodesBody) },
    400: { description: 'Bad input', content: problemContent },
    404: { description: 'No such product in this org', content: problemContent },
  },
});

const toRateBody = (r: TaxRateRow): z.infer<typeof rateBody> => ({
  id: r.id,
  jurisdiction: r.jurisdiction,
  product_tax_code: r.productTaxCode,
  rate: r.rate,
  manual: true,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});

export function taxRoutes(hub: HubContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodProblemHook });
  app.on('PUT', ['/tax-settings', '/tax-rates', '/products/:id/tax-codes'], requireRole('admin', 'finance'));
  app.on('DELETE', '/tax-rates/:id', requireRole('admin', 'finance'));

  async function settingsOf(orgId: string): Promise<z.infer<typeof settingsBody>> {
    const engine = await getTaxEngineChoice(hub.db, orgId);
    const connected = new Set((await listConnections(hub.db, orgId)).map((c) => c.vendor));
    const effective = engine ?? TAX_VENDORS.find((v) => connected.has(v)) ?? 'manual';
    return { engine, effective_engine: effective, manual: effective === 'manual' };
  }

  app.openapi(getSettingsRoute, async (c) => c.json(await settingsOf(c.get('orgId')), 200));

  app.openapi(putSettingsRoute, async (c) => {
    const orgId = c.get('orgId');
    const { engine } = c.req.valid('json');
    if (engine && engine !== 'manual') {
      const connected = (await listConnections(hub.db, orgId)).some((x) => x.vendor === engine);
      if (!connected) {
        return problem(c, 409, 'Conflict', `connect ${engine} first (PUT /connections/${engine})`) as never;
      }
    }
    await setTaxEngineChoice(hub.db, orgId, engine, hub.clock.now().toISOString());
    hub.invalidateAdapters(orgId);
    return c.json(await settingsOf(orgId), 200);
  });

  app.openapi(listRatesRoute, async (c) => {
    const q = c.req.valid('query');
    const limit = q.limit ?? 50;
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor)!.id;
    const rows = await taxRatePage(hub.db, c.get('orgId'), limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const next = rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null;
    return c.json({ data: page.map(toRateBody), next_cursor: next }, 200);
  });

  app.openapi(putRateRoute, async (c) => {
    const b = c.req.valid('json');
    const row = await upsertTaxRate(
      hub.db,
      c.get('orgId'),
      { jurisdiction: b.jurisdiction, productTaxCode: b.product_tax_code, rate: b.rate },
      hub.clock.now().toISOString(),
    );
    return c.json(toRateBody(row), 200);
  });

  app.openapi(deleteRateRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await deleteTaxRate(hub.db, c.get('orgId'), id))) {
      return problem(c, 404, 'Not found', `no tax rate ${id} in this org`) as never;
    }
    return c.body(null, 204);
  });

  app.openapi(putTaxCodesRoute, async (c) => {
    const { id } = c.req.valid('param');
    const orgId = c.get('orgId');
    const b = c.req.valid('json');
    if (!(await productExists(hub.db, orgId, id))) {
      return problem(c, 404, 'Not found', `no product ${id} in this org`) as never;
    }
    const now = hub.clock.now().toISOString();
    for (const engine of ENGINES) {
      const code = b[engine];
      if (code !== undefined) await setProductTaxCode(hub.db, orgId, id, engine, code, now);
    }
    const codes = await productTaxCodesOf(hub.db, orgId, id);
    return c.json(
      { product_id: id, avalara: codes.avalara ?? null, anrok: codes.anrok ?? null, manual: codes.manual ?? null },
      200,
    );
  });
  return app;
}
