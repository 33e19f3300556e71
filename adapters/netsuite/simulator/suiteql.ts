/**
 * POST /services/rest/query/v1/suiteql: the one query shape the hub sends,
 * `SELECT id FROM <table> WHERE <column> = '<text>'` (quotes doubled inside the literal),
 * answered with NetSuite's collection shape {links, count, hasMore, items, offset, totalResults}.
 */
import type { Hono } from 'hono';
import { errorResponse } from './errors.js';
import type { AccountResolver } from './session.js';
import type { SimRecordType } from './state.js';

const TABLES: Record<string, { type: SimRecordType; columns: Record<string, string> }> = {
  customer: { type: 'customer', columns: { companyname: 'companyName', externalid: 'externalId' } },
  item: { type: 'servicesaleitem', columns: { itemid: 'itemId', externalid: 'externalId' } },
};

const QUERY = /^\s*SELECT\s+id\s+FROM\s+(\w+)\s+WHERE\s+(\w+)\s*=\s*'((?:[^']|'')*)'\s*$/i;

export function suiteqlRoutes(app: Hono, resolve: AccountResolver): void {
  app.post('/services/rest/query/v1/suiteql', async (c) => {
    if (c.req.header('prefer') !== 'transient') {
      return errorResponse(400, 'INVALID_HEADER', 'The Prefer header must be "transient" for SuiteQL.');
    }
    const body = (await c.req.json().catch(() => null)) as { q?: unknown } | null;
    const match = typeof body?.q === 'string' ? QUERY.exec(body.q) : null;
    const table = match ? TABLES[match[1]!.toLowerCase()] : undefined;
    const field = table?.columns[match![2]!.toLowerCase()];
    if (!match || !table || !field) {
      return errorResponse(400, 'INVALID_PARAMETER', 'Invalid search query. Detailed unprocessed description follows.');
    }
    const value = match[3]!.replace(/''/g, "'");
    const account = resolve(c);
    const items = [...account.records[table.type].values()]
      .filter((r) => r[field] === value)
      .map((r) => ({ links: [], id: String(r.id) }));
    return c.json({ links: [], count: items.length, hasMore: false, items, offset: 0, totalResults: items.length });
  });
}
