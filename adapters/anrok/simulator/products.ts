/** Products: create (externalId, taxCategoryId, name) and get by external id. */
import type { Hono } from 'hono';
import { badRequest, conflict } from './errors.js';
import type { AnrokSim } from './state.js';

export function productRoutes(app: Hono, sim: AnrokSim): void {
  app.post('/v1/seller/products/create', async (c) => {
    const b = ((await c.req.json().catch(() => undefined)) ?? {}) as Record<string, unknown>;
    for (const field of ['externalId', 'taxCategoryId', 'name']) {
      if (typeof b[field] !== 'string' || !b[field]) return badRequest(c, `${field}: required string`);
    }
    const externalId = b.externalId as string;
    if (sim.state.products.has(externalId)) {
      return conflict(c, { type: 'productExternalIdAlreadyExists', message: `Product ${externalId} exists` });
    }
    sim.state.addProduct(externalId, b.taxCategoryId as string, b.name as string);
    return c.json({});
  });

  app.post('/v1/seller/products/:segment/get', (c) => {
    const segment = c.req.param('segment');
    if (!segment.startsWith('externalId:')) return c.notFound();
    const externalId = decodeURIComponent(segment.slice('externalId:'.length));
    const product = sim.state.products.get(externalId);
    if (!product) return conflict(c, { type: 'productNotFound' });
    return c.json({ externalId, taxCategoryId: product.taxCategoryId, name: product.name, description: '' });
  });
}
