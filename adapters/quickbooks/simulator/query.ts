/**
 * GET /query: the one statement shape the hub sends, `select * from <Entity>` with an optional
 * `where <Field> = '<value>'` (quotes escaped with a backslash).
 * https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
import type { Hono } from 'hono';
import { validation } from './errors.js';
import { ENTITY_BY_PATH, type QuickBooksSimulatorState } from './state.js';

const QUERY = /^\s*select\s+\*\s+from\s+(\w+)(?:\s+where\s+(\w+)\s*=\s*'((?:[^'\\]|\\.)*)')?\s*$/i;

export function queryRoutes(app: Hono, state: QuickBooksSimulatorState, now: () => Date): void {
  app.get('/v3/company/:realmId/query', (c) => {
    const realm = state.realm(c.req.param('realmId'));
    const statement = c.req.query('query') ?? '';
    const parsed = QUERY.exec(statement);
    const entity = parsed ? ENTITY_BY_PATH[parsed[1].toLowerCase()] : undefined;
    if (!parsed || !entity) {
      return validation(c, now, 400, '4000', 'Error parsing query', `QueryParserError: cannot parse "${statement}"`);
    }
    const [, , field, quoted] = parsed;
    const value = quoted?.replace(/\\(.)/g, '$1');
    const rows = [...realm.entities[entity].values()].filter((row) => !field || row[field] === value);
    const QueryResponse = rows.length
      ? { [entity]: structuredClone(rows), startPosition: 1, maxResults: rows.length }
      : {};
    return c.json({ QueryResponse, time: now().toISOString() });
  });
}
