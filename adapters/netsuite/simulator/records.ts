/**
 * The record API: PUT …/eid:<externalId> (upsert: the record holding the external id is updated,
 * else one is created — so the same PUT twice is one record), GET by internal id or eid:, PATCH by
 * internal id (with ?replace=<sublist> replacing a sublist), all answering as NetSuite does
 * (204 + Location for writes, the record with links for reads, sublists inline only with
 * expandSubResources=true).
 */
import type { Context, Hono } from 'hono';
import { errorResponse, SimValidationError } from './errors.js';
import { type AccountResolver, accountFromContext } from './session.js';
import { type Json, RECORD_TYPES, type SimAccount, type SimRecordType } from './state.js';
import { validateRecord } from './validation.js';

const RECORD_PATH = '/services/rest/record/v1';

function recordType(c: Context): SimRecordType | undefined {
  const type = c.req.param('type')?.toLowerCase();
  return (RECORD_TYPES as readonly string[]).includes(type ?? '') ? (type as SimRecordType) : undefined;
}

function resolveId(account: SimAccount, type: SimRecordType, raw: string): string | undefined {
  const decoded = decodeURIComponent(raw);
  if (decoded.startsWith('eid:')) return account.externalIds[type].get(decoded.slice(4));
  return account.records[type].has(decoded) ? decoded : undefined;
}

const SUBLISTS = ['item', 'apply', 'line'];

function present(c: Context, type: SimRecordType, record: Json): Json {
  const self = `${new URL(c.req.url).origin}${RECORD_PATH}/${type}/${record.id}`;
  const expand = c.req.query('expandSubResources') === 'true';
  const out: Json = { links: [{ rel: 'self', href: self }] };
  for (const [key, value] of Object.entries(record)) {
    out[key] = SUBLISTS.includes(key) && !expand ? { links: [{ rel: 'self', href: `${self}/${key}` }] } : value;
  }
  return out;
}

/** Documents a payment or refund applies to, saved so a refused write leaves them as they were. */
function touchedDocuments(account: SimAccount, ...records: (Json | undefined)[]): [Map<string, Json>, string, Json][] {
  const saved: [Map<string, Json>, string, Json][] = [];
  for (const record of records) {
    const items = (record?.apply as { items?: Json[] } | undefined)?.items ?? [];
    for (const line of items) {
      const id = String((line.doc as { id?: unknown } | undefined)?.id ?? '');
      for (const type of ['invoice', 'creditmemo', 'customerpayment'] as const) {
        const doc = account.records[type].get(id);
        if (doc) saved.push([account.records[type], id, structuredClone(doc)]);
      }
    }
  }
  return saved;
}

function write(c: Context, account: SimAccount, type: SimRecordType, record: Json, previous?: Json): Response {
  const saved = touchedDocuments(account, record, previous);
  try {
    validateRecord(account, type, record, previous);
  } catch (error) {
    for (const [map, id, doc] of saved) map.set(id, doc);
    if (error instanceof SimValidationError) return error.response();
    throw error;
  }
  account.records[type].set(String(record.id), record);
  if (typeof record.externalId === 'string') account.externalIds[type].set(record.externalId, String(record.id));
  return new Response(null, {
    status: 204,
    headers: { Location: `${new URL(c.req.url).origin}${RECORD_PATH}/${type}/${record.id}` },
  });
}

export function recordRoutes(app: Hono, resolve: AccountResolver): void {
  app.put(`${RECORD_PATH}/:type/:id`, async (c) => {
    const type = recordType(c);
    if (!type) return errorResponse(404, 'NONEXISTENT_ID', `Record type ${c.req.param('type')} does not exist.`);
    const raw = decodeURIComponent(c.req.param('id'));
    if (!raw.startsWith('eid:') || raw.length === 4) {
      return errorResponse(400, 'INVALID_CONTENT', 'PUT is supported only with an external ID in the URL (eid:).');
    }
    const body = (await c.req.json().catch(() => null)) as Json | null;
    if (!body || typeof body !== 'object')
      return errorResponse(400, 'INVALID_CONTENT', 'The request body is not JSON.');
    const account = accountFromContext(c, resolve);
    const externalId = raw.slice(4);
    const existingId = account.externalIds[type].get(externalId);
    const previous = existingId ? account.records[type].get(existingId) : undefined;
    const id = existingId ?? String(account.nextId++);
    // An update keeps what the body does not name; the external id is the URL's.
    const record: Json = { ...(previous ? structuredClone(previous) : {}), ...body, id, externalId };
    return write(c, account, type, record, previous);
  });

  app.get(`${RECORD_PATH}/:type/:id`, (c) => {
    const type = recordType(c);
    const account = accountFromContext(c, resolve);
    const id = type ? resolveId(account, type, c.req.param('id')) : undefined;
    if (!type || !id) return errorResponse(404, 'NONEXISTENT_ID', 'The record instance does not exist.');
    return c.json(present(c, type, account.records[type].get(id)!));
  });

  app.patch(`${RECORD_PATH}/:type/:id`, async (c) => {
    const type = recordType(c);
    const account = accountFromContext(c, resolve);
    const id = type ? resolveId(account, type, c.req.param('id')) : undefined;
    if (!type || !id) return errorResponse(404, 'NONEXISTENT_ID', 'The record instance does not exist.');
    const body = (await c.req.json().catch(() => null)) as Json | null;
    if (!body || typeof body !== 'object')
      return errorResponse(400, 'INVALID_CONTENT', 'The request body is not JSON.');
    const previous = account.records[type].get(id)!;
    const replace = new Set((c.req.query('replace') ?? '').split(',').filter(Boolean));
    const record: Json = structuredClone(previous);
    for (const [key, value] of Object.entries(body)) {
      if (key === 'id' || key === 'externalId') continue;
      const prior = (record[key] as { items?: unknown[] } | undefined)?.items;
      const next = (value as { items?: unknown[] } | undefined)?.items;
      // Without ?replace a sublist's lines are added to; with it the sublist is the one sent.
      record[key] =
        SUBLISTS.includes(key) && !replace.has(key) && prior && next ? { items: [...prior, ...next] } : value;
    }
    return write(c, account, type, record, previous);
  });
}
