/**
 * CRM v3 objects: read one (GET), read many (batch read, up to 100 inputs; a partial success
 * is a 207), and update one (PATCH; read-only and unknown properties refused).
 * https://developers.hubspot.com/docs/api/crm/deals
 */
import type { Context, Hono } from 'hono';
import { hsError, notFound } from './errors.js';
import { DEFAULT_PROPERTIES, hasProperty, type ObjectType, READ_ONLY, TYPE_ALIASES } from './schema.js';
import type { HubSpotSim, StoredObject } from './state.js';

const BATCH_LIMIT = 100;

export const typeOf = (c: Context, param: string): ObjectType | undefined => TYPE_ALIASES[c.req.param(param) ?? ''];

/** `properties` as a repeated or comma-separated query parameter. */
export function requested(c: Context, type: ObjectType): string[] {
  const values = (c.req.queries('properties') ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
  return values.filter(Boolean).length > 0 ? values.filter(Boolean) : DEFAULT_PROPERTIES[type];
}

/** SimplePublicObject: requested properties (null when unset) plus the system ones. */
export function view(object: StoredObject, names: string[]) {
  const properties: Record<string, string | null> = {};
  for (const name of [...names, 'hs_object_id', 'createdate', 'hs_lastmodifieddate']) {
    const known = hasProperty(object.type, name) || READ_ONLY.includes(name);
    // HubSpot leaves out names it does not know rather than failing the read.
    if (known) properties[name] = object.properties[name] ?? null;
  }
  return {
    id: object.id,
    properties,
    createdAt: object.createdAt,
    updatedAt: object.updatedAt,
    archived: false,
  };
}

export function objectRoutes(app: Hono, sim: HubSpotSim): void {
  const { store, state } = sim;

  app.get('/crm/v3/objects/:type/:id', (c) => {
    const type = typeOf(c, 'type');
    const object = type ? store.get(type, c.req.param('id')) : undefined;
    if (!type || !object) return notFound(sim, c);
    return c.json(view(object, requested(c, type)));
  });

  // https://developers.hubspot.com/docs/api/crm/deals (batch read: up to 100 inputs)
  app.post('/crm/v3/objects/:type/batch/read', async (c) => {
    const type = typeOf(c, 'type');
    if (!type) return notFound(sim, c);
    const body = (await c.req.json().catch(() => null)) as { inputs?: unknown; properties?: unknown } | null;
    const inputs = body?.inputs;
    if (!Array.isArray(inputs) || inputs.some((i) => typeof i?.id !== 'string')) {
      return hsError(sim, c, 400, 'VALIDATION_ERROR', 'Invalid input JSON: inputs must be an array of {"id": string}');
    }
    if (inputs.length > BATCH_LIMIT) {
      return hsError(sim, c, 400, 'VALIDATION_ERROR', `Batch input size must be between 1 and ${BATCH_LIMIT}`, {
        errors: [{ message: `Batch input size was ${inputs.length}`, in: 'inputs' }],
      });
    }
    const names =
      Array.isArray(body?.properties) && body.properties.length > 0
        ? (body.properties as string[])
        : DEFAULT_PROPERTIES[type];
    const at = sim.now().toISOString();
    const results: ReturnType<typeof view>[] = [];
    const missing: string[] = [];
    for (const { id } of inputs as { id: string }[]) {
      const object = store.get(type, id);
      if (object) results.push(view(object, names));
      else missing.push(id);
    }
    const batch = { status: 'COMPLETE', results, startedAt: at, completedAt: at };
    if (missing.length === 0) return c.json(batch);
    // Partial success is a 207 with the missing ids in errors[].
    return c.json(
      {
        ...batch,
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: `Could not get some ${type.toUpperCase()} objects, they may be deleted or not exist.`,
            context: { ids: missing },
            errors: [],
            links: {},
          },
        ],
      },
      207,
    );
  });

  // https://developers.hubspot.com/docs/api/crm/deals (update)
  app.patch('/crm/v3/objects/:type/:id', async (c) => {
    const type = typeOf(c, 'type');
    const object = type ? store.get(type, c.req.param('id')) : undefined;
    if (!type || !object) return notFound(sim, c);
    const body = (await c.req.json().catch(() => null)) as { properties?: unknown } | null;
    const properties = body?.properties;
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
      return hsError(sim, c, 400, 'VALIDATION_ERROR', 'Invalid input JSON: properties is required');
    }
    const values: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(properties)) {
      if (READ_ONLY.includes(name) || !hasProperty(type, name)) {
        const code = READ_ONLY.includes(name) ? 'READ_ONLY_VALUE' : 'PROPERTY_DOESNT_EXIST';
        const message =
          code === 'READ_ONLY_VALUE' ? `${name} is a read only property` : `Property "${name}" does not exist`;
        return hsError(sim, c, 400, 'VALIDATION_ERROR', `Property values were not valid: ${message}`, {
          errors: [{ message, code, context: { propertyName: [name] }, in: name }],
        });
      }
      values[name] = value === null ? null : String(value);
    }
    state.updates.push({ type, id: object.id, properties: values });
    return c.json(view(store.update(object, values), Object.keys(values)));
  });
}
