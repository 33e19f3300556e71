/**
 * Associations v4: the objects one object is linked to, with the association types (and custom
 * labels) of each link, paged.
 * https://developers.hubspot.com/docs/api/crm/associations
 */
import type { Hono } from 'hono';
import { hsError } from './errors.js';
import { typeOf } from './objects.js';
import type { HubSpotSim } from './state.js';

const ASSOCIATION_PAGE_MAX = 500;

export function associationRoutes(app: Hono, sim: HubSpotSim): void {
  const { store } = sim;

  app.get('/crm/v4/objects/:type/:id/associations/:toType', (c) => {
    const type = typeOf(c, 'type');
    const toType = typeOf(c, 'toType');
    if (!type || !toType) return hsError(sim, c, 400, 'VALIDATION_ERROR', 'Unknown object type');
    const limit = Math.min(
      Number(c.req.query('limit') ?? ASSOCIATION_PAGE_MAX) || ASSOCIATION_PAGE_MAX,
      ASSOCIATION_PAGE_MAX,
    );
    const offset = Number(c.req.query('after') ?? 0) || 0;
    const all = store.associations(type, c.req.param('id'), toType);
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? String(offset + limit) : null;
    return c.json({
      results: page.map(([toId, types]) => ({ toObjectId: Number(toId), associationTypes: types })),
      ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}),
    });
  });
}
