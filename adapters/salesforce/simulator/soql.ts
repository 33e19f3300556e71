/**
 * A small, honest SOQL subset for the simulator — what the adapter sends, no more:
 *
 *   SELECT field, Parent.field, (SELECT field, Parent.field FROM ChildRelationship
 *          [ORDER BY field [ASC|DESC], ...] [LIMIT n]) FROM Object
 *   [WHERE Id = 'id' | WHERE cond [AND cond ...]] [ORDER BY ...] [LIMIT n]
 *
 * where cond is `BooleanField = true|false`, `DateTimeField > 2026-03-02T09:00:00Z` (an
 * unquoted dateTime literal, Z or ±hh:mm) — the pollers' query —, `LookupField__c = 'id'`
 * (a custom lookup to a record id: the CPQ quote and quote line reads), `Field IN ('a', 'b')`
 * or a parenthesised `(cond OR cond ...)` (the poller with trigger stages).
 *
 * Anything else is a 400 MALFORMED_QUERY, as Salesforce answers a query it cannot parse;
 * unknown fields and objects get Salesforce's INVALID_FIELD / INVALID_TYPE.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
 */
import { sameId } from '../ids.js';
import { type FieldValue, SCHEMA, type SObjectRecord } from './schema.js';
import type { SObjectStore } from './state.js';

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR',
    message: string,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'word' | 'string' | 'number' | 'datetime' | 'punct';
  text: string;
}

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|'((?:[^'\\]|\\.)*)'|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))|(\d+)|([(),.=>]))/y;
  let at = 0;
  while (at < soql.length) {
    if (/^\s*$/.test(soql.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(soql);
    if (!m) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${soql.slice(at).trim().split(/\s/)[0]}'`);
    at = pattern.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'word', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'string', text: m[2].replace(/\\(.)/g, '$1') });
    else if (m[3] !== undefined) tokens.push({ kind: 'datetime', text: m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'number', text: m[4] });
    else tokens.push({ kind: 'punct', text: m[5] });
  }
  return tokens;
}

type FieldPath = string[]; // ['Name'] or ['Account', 'Name']

interface OrderBy {
  path: FieldPath;
  descending: boolean;
}

/** `field = true|false`, `field > dateTime`, `customLookup__c = 'id'`, `field IN (...)`, `(c OR c)`. */
type Condition =
  | { path: FieldPath; op: '='; value: boolean }
  | { path: FieldPath; op: '>'; value: string }
  | { path: FieldPath; op: 'id='; value: string }
  | { path: FieldPath; op: 'in'; values: string[] }
  | { op: 'or'; any: Condition[] };

interface Select {
  items: ({ kind: 'field'; path: FieldPath } | { kind: 'subquery'; query: Select })[];
  from: string;
  whereId?: string;
  where: Condition[];
  orderBy: OrderBy[];
  limit?: number;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toUpperCase() === word;
  }

  private unexpected(): never {
    const t = this.peek();
    throw new SoqlError('MALFORMED_QUERY', t ? `unexpected token: '${t.text}'` : 'unexpected end of query');
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.unexpected();
    this.at += 1;
  }

  private expectPunct(text: string): void {
    const t = this.peek();
    if (t?.kind !== 'punct' || t.text !== text) this.unexpected();
    this.at += 1;
  }

  private word(): string {
    const t = this.peek();
    if (t?.kind !== 'word') this.unexpected();
    this.at += 1;
    return t.text;
  }

  private path(): FieldPath {
    const parts = [this.word()];
    while (this.peek()?.text === '.') {
      this.at += 1;
      parts.push(this.word());
    }
    if (parts.length > 2) throw new SoqlError('MALFORMED_QUERY', 'only one relationship level is supported');
    return parts;
  }

  private condition(): Condition {
    if (this.peek()?.text === '(') {
      this.at += 1;
      const any = [this.condition()];
      while (this.isKeyword('OR')) {
        this.at += 1;
        any.push(this.condition());
      }
      this.expectPunct(')');
      return { op: 'or', any };
    }
    const path = this.path();
    if (this.isKeyword('IN')) {
      this.at += 1;
      this.expectPunct('(');
      const values: string[] = [];
      do {
        if (values.length > 0) this.at += 1; // the comma
        const value = this.peek();
        if (value?.kind !== 'string') this.unexpected();
        this.at += 1;
        values.push(value.text);
      } while (this.peek()?.text === ',');
      this.expectPunct(')');
      return { path, op: 'in', values };
    }
    const op = this.peek();
    if (op?.kind !== 'punct' || (op.text !== '=' && op.text !== '>')) this.unexpected();
    this.at += 1;
    const value = this.peek();
    if (op.text === '=' && value?.kind === 'word' && /^(true|false)$/i.test(value.text)) {
      this.at += 1;
      return { path, op: '=', value: value.text.toLowerCase() === 'true' };
    }
    // Only a custom lookup field compared with an id: what the CPQ reads send, no more.
    if (op.text === '=' && value?.kind === 'string' && path.length === 1 && /__c$/i.test(path[0])) {
      this.at += 1;
      return { path, op: 'id=', value: value.text };
    }
    if (op.text === '>' && value?.kind === 'datetime') {
      this.at += 1;
      return { path, op: '>', value: value.text };
    }
    throw new SoqlError(
      'MALFORMED_QUERY',
      "only `field = true|false`, `field > dateTime` and `lookup__c = 'id'` conditions are supported",
    );
  }

  parseQuery(nested: boolean): Select {
    this.expectKeyword('SELECT');
    const items: Select['items'] = [];
    do {
      if (items.length > 0) this.at += 1; // the comma
      if (this.peek()?.text === '(') {
        if (nested) this.unexpected();
        this.at += 1;
        items.push({ kind: 'subquery', query: this.parseQuery(true) });
        this.expectPunct(')');
      } else {
        items.push({ kind: 'field', path: this.path() });
      }
    } while (this.peek()?.text === ',');
    this.expectKeyword('FROM');
    const select: Select = { items, from: this.word(), where: [], orderBy: [] };
    if (!nested && this.isKeyword('WHERE')) {
      this.at += 1;
      const t = this.peek();
      if (t?.kind === 'word' && t.text.toLowerCase() === 'id' && this.tokens[this.at + 1]?.text === '=') {
        this.at += 2;
        const value = this.peek();
        if (value?.kind !== 'string') this.unexpected();
        this.at += 1;
        select.whereId = value.text;
      } else {
        do {
          if (select.where.length > 0) this.at += 1; // AND
          select.where.push(this.condition());
        } while (this.isKeyword('AND'));
      }
    }
    if (this.isKeyword('ORDER')) {
      this.at += 1;
      this.expectKeyword('BY');
      do {
        if (select.orderBy.length > 0) this.at += 1;
        const path = this.path();
        let descending = false;
        if (this.isKeyword('ASC') || this.isKeyword('DESC')) descending = this.word().toUpperCase() === 'DESC';
        select.orderBy.push({ path, descending });
      } while (this.peek()?.text === ',');
    }
    if (this.isKeyword('LIMIT')) {
      this.at += 1;
      const n = this.peek();
      if (n?.kind !== 'number') this.unexpected();
      this.at += 1;
      select.limit = Number(n.text);
    }
    if (!nested && this.peek()) this.unexpected();
    return select;
  }
}

export function parseSoql(soql: string): Select {
  return new Parser(tokenize(soql)).parseQuery(false);
}

// ------------------------------------------------------------------ execution

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Record JSON as the REST API writes it, with its attributes block. */
export function withAttributes(
  type: string,
  version: string,
  id: FieldValue,
): { attributes: { type: string; url: string } } {
  return { attributes: { type, url: `/services/data/v${version}/sobjects/${type}/${id}` } };
}

function noSuchColumn(field: string, type: string): SoqlError {
  return new SoqlError(
    'INVALID_FIELD',
    `No such column '${field}' on entity '${type}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

/** Resolves a path on `type` to [relationship?, field] in canonical spelling. */
function resolvePath(store: SObjectStore, type: string, path: FieldPath): { parent?: string; field: string } {
  if (path.length === 1) {
    const field = store.resolveField(type, path[0]);
    if (!field) throw noSuchColumn(path[0], type);
    return { field };
  }
  const relName = Object.keys(SCHEMA[type].parents).find((r) => r.toLowerCase() === path[0].toLowerCase());
  if (!relName) {
    throw new SoqlError(
      'INVALID_FIELD',
      `Didn't understand relationship '${path[0]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
    );
  }
  const parentType = SCHEMA[type].parents[relName].type;
  const field = store.resolveField(parentType, path[1]);
  if (!field) throw noSuchColumn(path[1], parentType);
  return { parent: relName, field };
}

function valueAt(store: SObjectStore, type: string, record: SObjectRecord, path: FieldPath): FieldValue {
  const { parent, field } = resolvePath(store, type, path);
  if (!parent) return record[field] ?? null;
  const rel = SCHEMA[type].parents[parent];
  const parentRecord = record[rel.field] ? store.get(rel.type, String(record[rel.field])) : undefined;
  return parentRecord?.[field] ?? null;
}

function compare(a: FieldValue, b: FieldValue): number {
  if (a === b) return 0;
  if (a === null) return -1; // NULLS FIRST is the SOQL default for ascending order
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function sortAndLimit(store: SObjectStore, type: string, rows: SObjectRecord[], select: Select): SObjectRecord[] {
  const sorted = [...rows].sort((x, y) => {
    for (const { path, descending } of select.orderBy) {
      const c = compare(valueAt(store, type, x, path), valueAt(store, type, y, path));
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  });
  return select.limit === undefined ? sorted : sorted.slice(0, select.limit);
}

function project(store: SObjectStore, type: string, record: SObjectRecord, select: Select, version: string) {
  const out: Record<string, unknown> = withAttributes(type, version, record.Id);
  for (const item of select.items) {
    if (item.kind === 'subquery') {
      const [relName, child] = childRelationship(type, item.query.from);
      const children = store.all(child.type).filter((c) => sameId(String(c[child.field]), String(record.Id)));
      const rows = sortAndLimit(store, child.type, children, item.query);
      // An empty child relationship comes back as null, not as an empty result.
      out[relName] =
        rows.length === 0
          ? null
          : {
              totalSize: rows.length,
              done: true,
              records: rows.map((r) => project(store, child.type, r, item.query, version)),
            };
      continue;
    }
    const { parent, field } = resolvePath(store, type, item.path);
    if (!parent) {
      out[field] = record[field] ?? null;
      continue;
    }
    const rel = SCHEMA[type].parents[parent];
    const parentRecord = record[rel.field] ? store.get(rel.type, String(record[rel.field])) : undefined;
    if (!parentRecord) {
      out[parent] = null;
      continue;
    }
    const nested = (out[parent] ?? withAttributes(rel.type, version, parentRecord.Id)) as Record<string, unknown>;
    nested[field] = parentRecord[field] ?? null;
    out[parent] = nested;
  }
  return out;
}

function childRelationship(type: string, name: string): [string, { type: string; field: string }] {
  const relName = Object.keys(SCHEMA[type].children).find((r) => r.toLowerCase() === name.toLowerCase());
  if (!relName) {
    throw new SoqlError(
      'INVALID_TYPE',
      `Didn't understand relationship '${name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
    );
  }
  return [relName, SCHEMA[type].children[relName]];
}

/** Stored dateTimes are "2026-03-02T09:00:00.000+0000"; literals are ISO 8601. */
function instant(value: FieldValue): number {
  return typeof value === 'string' ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
}

function matches(store: SObjectStore, type: string, record: SObjectRecord, cond: Condition): boolean {
  if (cond.op === 'or') return cond.any.some((c) => matches(store, type, record, c));
  const value = valueAt(store, type, record, cond.path);
  if (cond.op === 'in') return typeof value === 'string' && cond.values.includes(value);
  if (cond.op === 'id=') {
    return typeof value === 'string' && sameId(value, cond.value);
  }
  if (cond.op === '=') {
    if (typeof value !== 'boolean') {
      throw new SoqlError(
        'INVALID_QUERY_FILTER_OPERATOR',
        `value of filter criterion for field '${cond.path.join('.')}' must be of type boolean`,
      );
    }
    return value === cond.value;
  }
  const at = instant(value);
  if (value !== null && Number.isNaN(at)) {
    throw new SoqlError(
      'INVALID_QUERY_FILTER_OPERATOR',
      `value of filter criterion for field '${cond.path.join('.')}' must be of type dateTime`,
    );
  }
  return value !== null && at > Date.parse(cond.value);
}

/** Runs a parsed query; the response body of GET /query. */
export function runSoql(store: SObjectStore, soql: string, version: string) {
  const select = parseSoql(soql);
  const type = Object.keys(SCHEMA).find((t) => t.toLowerCase() === select.from.toLowerCase());
  if (!type) throw new SoqlError('INVALID_TYPE', `sObject type '${select.from}' is not supported.`);
  // Validate every path up front, as Salesforce does before running anything.
  for (const item of select.items) {
    if (item.kind === 'field') resolvePath(store, type, item.path);
    else {
      const [, child] = childRelationship(type, item.query.from);
      for (const sub of item.query.items) if (sub.kind === 'field') resolvePath(store, child.type, sub.path);
      for (const order of item.query.orderBy) resolvePath(store, child.type, order.path);
    }
  }
  for (const order of select.orderBy) resolvePath(store, type, order.path);
  const check = (cond: Condition): void => {
    if (cond.op === 'or') {
      for (const inner of cond.any) check(inner);
      return;
    }
    resolvePath(store, type, cond.path);
    if (cond.op === 'id=' && !ID_SHAPE.test(cond.value)) {
      throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${cond.value}`);
    }
  };
  select.where.forEach(check);
  let rows = store.all(type);
  for (const cond of select.where) rows = rows.filter((r) => matches(store, type, r, cond));
  if (select.whereId !== undefined) {
    if (!ID_SHAPE.test(select.whereId)) {
      throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${select.whereId}`);
    }
    rows = rows.filter((r) => sameId(String(r.Id), select.whereId as string));
  }
  const records = sortAndLimit(store, type, rows, select).map((r) => project(store, type, r, select, version));
  return { totalSize: records.length, done: true, records };
}
