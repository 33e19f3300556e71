/**
 * GET /query: SOQL over the simulated org (the subset soql.ts speaks).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
import type { Hono } from 'hono';
import { sfErrors } from './errors.js';
import { apiVersion } from './session.js';
import { runSoql, SoqlError } from './soql.js';
import type { SalesforceSim } from './state.js';

export function queryRoutes(app: Hono, sim: SalesforceSim): void {
  app.get('/services/data/:version/query', (c) => {
    const soql = c.req.query('q');
    if (!soql)
      return sfErrors(c, 400, [{ errorCode: 'MALFORMED_QUERY', message: 'A query string has to be specified' }]);
    try {
      return c.json(runSoql(sim.store, soql, apiVersion(c)));
    } catch (error) {
      if (error instanceof SoqlError) return sfErrors(c, 400, [{ errorCode: error.errorCode, message: error.message }]);
      throw error;
    }
  });
}
