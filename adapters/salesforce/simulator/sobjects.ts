/**
 * GET and PATCH /sobjects/{type}/{id}: one record's fields, and the field update the hub's
 * write-back makes (read-only and unknown fields refused as Salesforce refuses them).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm
 */
import type { Hono } from 'hono';
import { notFound, sfErrors } from './errors.js';
import { type FieldValue, SCHEMA, type SObjectRecord } from './schema.js';
import { apiVersion } from './session.js';
import { withAttributes } from './soql.js';
import type { SalesforceSim } from './state.js';

export function sobjectRoutes(app: Hono, sim: SalesforceSim): void {
  const { store, state } = sim;

  app.get('/services/data/:version/sobjects/:type/:id', (c) => {
    const type = c.req.param('type');
    const record = SCHEMA[type] ? store.get(type, c.req.param('id')) : undefined;
    if (!record) return notFound(c);
    const wanted = c.req
      .query('fields')
      ?.split(',')
      .map((f) => f.trim());
    const fields = wanted ? wanted.map((f) => store.resolveField(type, f) ?? f) : store.fieldsOf(type);
    const unknown = fields.find((f) => !store.resolveField(type, f));
    if (unknown) {
      return sfErrors(c, 400, [
        { errorCode: 'INVALID_FIELD', message: `No such column '${unknown}' on sobject of type ${type}` },
      ]);
    }
    const body: Record<string, unknown> = withAttributes(type, apiVersion(c), record.Id);
    for (const f of fields) body[f] = record[f] ?? null;
    return c.json(body);
  });

  app.patch('/services/data/:version/sobjects/:type/:id', async (c) => {
    const type = c.req.param('type');
    if (!SCHEMA[type] || !store.get(type, c.req.param('id'))) return notFound(c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return sfErrors(c, 400, [{ errorCode: 'JSON_PARSER_ERROR', message: 'The request body is not valid JSON' }]);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sfErrors(c, 400, [{ errorCode: 'JSON_PARSER_ERROR', message: 'Expected a JSON object' }]);
    }
    const values: SObjectRecord = {};
    for (const [name, value] of Object.entries(body as Record<string, FieldValue>)) {
      if (name === 'attributes') continue;
      const field = store.resolveField(type, name);
      if (!field) {
        return sfErrors(c, 400, [
          { errorCode: 'INVALID_FIELD', message: `No such column '${name}' on sobject of type ${type}` },
        ]);
      }
      if (SCHEMA[type].readOnly.includes(field)) {
        return sfErrors(c, 400, [
          {
            errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
            message: `Unable to create/update fields: ${field}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
            fields: [field],
          },
        ]);
      }
      values[field] = value;
    }
    const updated = store.update(type, c.req.param('id'), values);
    state.updates.push({ type, id: String(updated?.Id ?? c.req.param('id')), values });
    return c.body(null, 204);
  });
}
