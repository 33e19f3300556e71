/**
 * A small stateful QuickBooks Online v3 sandbox: the real paths (/v3/company/{realmId}/...),
 * JSON shapes, Fault envelope, Bearer auth, per-realm `requestid` replay and the query endpoint.
 * Runtime-neutral (Hono + Web APIs only) so it also runs inside workerd.
 *   REST conventions: https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 *   requestid:        https://blogs.intuit.com/2015/04/06/15346/
 *   queries:          https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
 */
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FaultPlan, faultMiddleware } from '../../sandbox/faults.js';
import { IdempotencyCache } from '../../sandbox/idempotency.js';
import { createEntity, faultBody, type Json, type Realm, type SimEntity } from './entities.js';

export type { Realm, SimEntity } from './entities.js';

export interface QuickBooksSimulatorOptions {
  now?: () => Date;
  /** When set, only this Bearer token is accepted; by default any non-empty Bearer token is. */
  accessToken?: string;
  /** Income account ids every realm starts with (Item.IncomeAccountRef must be one). Default ['1', '79']. */
  incomeAccountIds?: string[];
}

export interface QuickBooksSimulatorState {
  readonly realms: Map<string, Realm>;
  /** The realm, created empty on first use (a fresh sandbox company). */
  realm(realmId: string): Realm;
  /** How many objects of `entity` the realm holds (0 for an unknown realm). */
  count(realmId: string, entity: SimEntity): number;
  /** A stored object by Id (a copy), or undefined. */
  get(realmId: string, entity: SimEntity, id: string): Json | undefined;
  /** Tokens answered with 401 from now on (an access token that expired mid-sync). */
  readonly expiredTokens: Set<string>;
}

export interface QuickBooksSimulator {
  app: Hono;
  faults: FaultPlan;
  state: QuickBooksSimulatorState;
}

const ENTITY_BY_PATH: Record<string, SimEntity> = {
  customer: 'Customer',
  item: 'Item',
  invoice: 'Invoice',
  payment: 'Payment',
};

/** Fault envelopes for status answers (real QBO wording; codes per Intuit's error-code page). */
function statusFault(status: number, time: string): Json {
  if (status === 401) {
    return faultBody(
      'AuthenticationFault',
      [
        {
          Message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          Detail: 'Token expired or invalid',
          code: '3200',
        },
      ],
      time,
    );
  }
  if (status === 429) {
    return faultBody(
      'ThrottleExceeded',
      [
        {
          Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
          Detail: 'The request limit was reached.',
          code: '3001',
        },
      ],
      time,
    );
  }
  return faultBody(
    'SystemFault',
    [
      {
        Message: 'An application error has occurred while processing your request',
        Detail: 'System Failure Error: simulated outage',
        code: '10000',
      },
    ],
    time,
  );
}

const QUERY = /^\s*select\s+\*\s+from\s+(\w+)(?:\s+where\s+(\w+)\s*=\s*'((?:[^'\\]|\\.)*)')?\s*$/i;

export function createQuickBooksSimulator(options: QuickBooksSimulatorOptions = {}): QuickBooksSimulator {
  const now = options.now ?? (() => new Date());
  const accounts = options.incomeAccountIds ?? ['1', '79'];
  const realms = new Map<string, Realm>();
  const expiredTokens = new Set<string>();

  const state: QuickBooksSimulatorState = {
    realms,
    expiredTokens,
    realm(realmId) {
      let realm = realms.get(realmId);
      if (!realm) {
        realm = {
          id: realmId,
          nextId: 1,
          entities: { Customer: new Map(), Item: new Map(), Invoice: new Map(), Payment: new Map() },
          accounts: new Set(accounts),
          requests: new IdempotencyCache(),
        };
        realms.set(realmId, realm);
      }
      return realm;
    },
    count: (realmId, entity) => realms.get(realmId)?.entities[entity].size ?? 0,
    get(realmId, entity, id) {
      const found = realms.get(realmId)?.entities[entity].get(id);
      return found ? structuredClone(found) : undefined;
    },
  };

  const faults = new FaultPlan();
  const app = new Hono();
  const answer = (c: Context, status: number, body: Json) => c.json(body, status as ContentfulStatusCode);
  const validation = (c: Context, status: number, code: string, message: string, detail: string) =>
    answer(c, status, faultBody('ValidationFault', [{ Message: message, Detail: detail, code }], now().toISOString()));

  app.use(
    '*',
    faultMiddleware(faults, (status, c) => answer(c, status, statusFault(status, now().toISOString()))),
  );

  app.use('/v3/company/*', async (c, next) => {
    const match = /^Bearer\s+(\S+)$/.exec(c.req.header('authorization') ?? '');
    const token = match?.[1];
    const accepted =
      token !== undefined &&
      !expiredTokens.has(token) &&
      (options.accessToken === undefined || token === options.accessToken);
    if (!accepted) return answer(c, 401, statusFault(401, now().toISOString()));
    await next();
  });

  app.get('/v3/company/:realmId/query', (c) => {
    const realm = state.realm(c.req.param('realmId'));
    const statement = c.req.query('query') ?? '';
    const parsed = QUERY.exec(statement);
    const entity = parsed ? ENTITY_BY_PATH[parsed[1].toLowerCase()] : undefined;
    if (!parsed || !entity) {
      return validation(c, 400, '4000', 'Error parsing query', `QueryParserError: cannot parse "${statement}"`);
    }
    const [, , field, quoted] = parsed;
    const value = quoted?.replace(/\\(.)/g, '$1');
    const rows = [...realm.entities[entity].values()].filter((row) => !field || row[field] === value);
    const QueryResponse = rows.length
      ? { [entity]: structuredClone(rows), startPosition: 1, maxResults: rows.length }
      : {};
    return c.json({ QueryResponse, time: now().toISOString() });
  });

  app.get('/v3/company/:realmId/:entity/:id', (c) => {
    const entity = ENTITY_BY_PATH[c.req.param('entity').toLowerCase()];
    const found = entity && state.get(c.req.param('realmId'), entity, c.req.param('id'));
    if (!entity || !found) {
      return validation(
        c,
        400,
        '610',
        'Object Not Found',
        'Object Not Found : Something you are trying to use was not found',
      );
    }
    return c.json({ [entity]: found, time: now().toISOString() });
  });

  app.post('/v3/company/:realmId/:entity', async (c) => {
    const realm = state.realm(c.req.param('realmId'));
    const entity = ENTITY_BY_PATH[c.req.param('entity').toLowerCase()];
    if (!entity)
      return validation(c, 400, '2010', 'Unsupported Operation', `Unsupported entity ${c.req.param('entity')}`);
    // QuickBooks replays the original response for a requestid it has seen, whatever the body.
    const requestId = c.req.query('requestid');
    const replay = requestId ? realm.requests.lookup(requestId, '*') : undefined;
    if (replay && replay !== 'conflict') return answer(c, replay.status, replay.body as Json);
    let body: Json;
    try {
      body = await c.req.json();
    } catch {
      return validation(c, 400, '2010', 'Request has invalid or unsupported property', 'Body is not valid JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return validation(c, 400, '2010', 'Request has invalid or unsupported property', 'Body must be an object');
    }
    const result = createEntity(realm, entity, body, now());
    if (requestId) realm.requests.remember(requestId, '*', result);
    return answer(c, result.status, result.body);
  });

  app.notFound((c) => validation(c, 404, '2010', 'Unsupported Operation', `No such resource ${c.req.path}`));

  return { app, faults, state };
}
