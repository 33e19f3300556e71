/**
 * CRM v3 search, an honest subset: AND-ed filters in OR-ed groups (EQ, NEQ, GT, GTE, LT, LTE,
 * IN, NOT_IN), sorts by one property (a name sorts ascending, or { propertyName, direction }),
 * limit (≤ 200) and `after` paging. The hub's pollers page through it.
 * https://developers.hubspot.com/docs/api/crm/search
 */
import type { Hono } from 'hono';
import { hsError, notFound } from './errors.js';
import { typeOf, view } from './objects.js';
import { DEFAULT_PROPERTIES } from './schema.js';
import type { HubSpotSim, StoredObject } from './state.js';

const SEARCH_MAX_LIMIT = 200;
const SEARCH_MAX_GROUPS = 5;
const SEARCH_OPERATORS = new Set(['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE', 'IN', 'NOT_IN']);
/** Properties HubSpot compares as instants (sent as epoch milliseconds or ISO 8601). */
const DATETIME_PROPERTIES = new Set(['hs_lastmodifieddate', 'createdate', 'closedate']);

interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: string | number;
  values?: (string | number)[];
}

interface SearchBody {
  filterGroups?: { filters?: SearchFilter[] }[];
  sorts?: (string | { propertyName?: string; direction?: string })[];
  properties?: string[];
  limit?: number;
  after?: string;
}

/** undefined: no sort given; null: one this simulator does not speak. */
function parseSort(sort: SearchBody['sorts'] extends (infer S)[] | undefined ? S | undefined : never) {
  if (sort === undefined) return undefined;
  if (typeof sort === 'string') return /^[a-z0-9_]+$/.test(sort) ? { propertyName: sort, descending: false } : null;
  if (typeof sort?.propertyName !== 'string') return null;
  if (sort.direction !== undefined && sort.direction !== 'ASCENDING' && sort.direction !== 'DESCENDING') return null;
  return { propertyName: sort.propertyName, descending: sort.direction === 'DESCENDING' };
}

function instant(value: string | number): number {
  return typeof value === 'number' || /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function compareProperty(name: string, a: string | number | null, b: string | number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (DATETIME_PROPERTIES.has(name)) return instant(a) - instant(b);
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && !Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function searchMatch(object: StoredObject, f: SearchFilter): boolean {
  const actual = object.properties[f.propertyName] ?? null;
  if (f.operator === 'IN' || f.operator === 'NOT_IN') {
    const found = actual !== null && (f.values ?? []).some((v) => compareProperty(f.propertyName, actual, v) === 0);
    return f.operator === 'IN' ? found : !found;
  }
  if (actual === null) return f.operator === 'NEQ';
  const d = compareProperty(f.propertyName, actual, f.value ?? null);
  switch (f.operator) {
    case 'EQ':
      return d === 0;
    case 'NEQ':
      return d !== 0;
    case 'GT':
      return d > 0;
    case 'GTE':
      return d >= 0;
    case 'LT':
      return d < 0;
    default:
      return d <= 0;
  }
}

export function searchRoutes(app: Hono, sim: HubSpotSim): void {
  const { store } = sim;

  app.post('/crm/v3/objects/:type/search', async (c) => {
    const type = typeOf(c, 'type');
    if (!type) return notFound(sim, c);
    const body = (await c.req.json().catch(() => null)) as SearchBody | null;
    if (!body || typeof body !== 'object') return hsError(sim, c, 400, 'VALIDATION_ERROR', 'Invalid input JSON');
    const groups = body.filterGroups ?? [];
    if (!Array.isArray(groups) || groups.length > SEARCH_MAX_GROUPS) {
      return hsError(sim, c, 400, 'VALIDATION_ERROR', `filterGroups must be an array of at most ${SEARCH_MAX_GROUPS}`);
    }
    for (const group of groups) {
      for (const f of group?.filters ?? []) {
        if (typeof f?.propertyName !== 'string' || !SEARCH_OPERATORS.has(f.operator)) {
          return hsError(sim, c, 400, 'VALIDATION_ERROR', `Unsupported filter: ${JSON.stringify(f)}`);
        }
        const many = f.operator === 'IN' || f.operator === 'NOT_IN';
        if (many ? !Array.isArray(f.values) : typeof f.value !== 'string' && typeof f.value !== 'number') {
          return hsError(
            sim,
            c,
            400,
            'VALIDATION_ERROR',
            `Filter on ${f.propertyName} needs ${many ? 'values' : 'value'}`,
          );
        }
      }
    }
    const limit = body.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT) {
      return hsError(sim, c, 400, 'VALIDATION_ERROR', `limit must be between 1 and ${SEARCH_MAX_LIMIT}`);
    }
    const sort = parseSort(body.sorts?.[0]);
    if (sort === null) return hsError(sim, c, 400, 'VALIDATION_ERROR', 'Unsupported sort');
    const offset = Number(body.after ?? 0) || 0;
    const all = [...(store.objects.get(type)?.values() ?? [])]
      .filter((o) => groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => searchMatch(o, f))))
      .sort((x, y) => {
        const key = sort?.propertyName ?? 'hs_object_id';
        const d = compareProperty(key, x.properties[key] ?? null, y.properties[key] ?? null) || compareIds(x.id, y.id);
        return sort?.descending ? -d : d;
      });
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? String(offset + limit) : null;
    const names =
      Array.isArray(body.properties) && body.properties.length > 0 ? body.properties : DEFAULT_PROPERTIES[type];
    return c.json({
      total: all.length,
      results: page.map((o) => view(o, names)),
      ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}),
    });
  });
}
