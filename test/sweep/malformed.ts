/**
 * fast-check arbitraries for malformed requests: values shaped by a route's own schema (so they
 * get past the first check and reach the code behind it) but wrong in the ways real callers are
 * wrong — blank, padded or formatted numbers, impossible dates and offsets, huge or unsafe
 * numbers, wrong types, unknown fields, deep nesting, broken JSON, the wrong content type.
 */
import fc from 'fast-check';
import type { JsonSchema, RouteCatalogue, SweptRoute } from './routes.js';

/** Strings that have broken parsers in the past, or would. */
const NASTY_STRINGS = [
  '',
  ' ',
  ' 12 ',
  '1,000.00',
  '1e5',
  '0x10',
  '-0',
  'NaN',
  'Infinity',
  '-1',
  '12.',
  '.5',
  '1'.repeat(400),
  '99999999999999999999999999',
  '9999-12-31',
  '0000-01-01',
  '2026-02-30',
  '2026-13-01',
  '2026-03-01T00:00:00+99:00',
  '2026-03-01T25:61:00Z',
  '275760-09-13T00:00:00Z',
  '1e+308',
  'null',
  'true',
  '[]',
  '{}',
  '%00',
  '\u0000',
  '../../etc/passwd',
  '<a>&xxe;</a>',
  "'; DROP TABLE jobs; --",
  '\uD800',
  '😀'.repeat(50),
  'con_does_not_exist',
  '006000000000000AAA',
  'a'.repeat(5000),
];

const NASTY_NUMBERS = [0, -0, -1, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e-300, 0.1 + 0.2];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

const nastyScalar: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(...NASTY_NUMBERS),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

/** Arrays nested this deep break recursive code that has no depth bound. */
function deeplyNested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

function typeOf(schema: JsonSchema): string | undefined {
  if (!schema) return undefined;
  if (Array.isArray(schema.type)) return schema.type.find((t: string) => t !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

/** A plausible value for the schema (enum member, example, right type) — the raw material mutations start from. */
function plausible(cat: RouteCatalogue, schema0: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const schema = cat.resolve(schema0) ?? {};
  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants) && variants.length > 0) {
    return fc.oneof(...variants.map((v: JsonSchema) => plausible(cat, v, depth)));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return plausible(cat, schema.allOf[0], depth);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if (schema.example !== undefined) return fc.constant(schema.example);
  switch (typeOf(schema)) {
    case 'string':
      return fc.oneof(fc.constantFrom('2026-03-01', '2026-03-01T00:00:00Z', '12.50', 'USD', 'x'), nastyString);
    case 'integer':
      return fc.integer({ min: 0, max: 1000 });
    case 'number':
      return fc.constantFrom(0, 1, 12.5);
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 4 ? fc.constant([]) : fc.array(mutated(cat, schema.items ?? {}, depth + 1), { maxLength: 3 });
    case 'object':
      return depth > 4 ? fc.constant({}) : objectOf(cat, schema, depth);
    default:
      return nastyScalar;
  }
}

function objectOf(cat: RouteCatalogue, schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const props: Record<string, JsonSchema> = schema.properties ?? {};
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) record[k] = mutated(cat, v, depth + 1);
  const known = Object.keys(record).length > 0 ? fc.record(record, { requiredKeys: [] }) : fc.constant({});
  const additional = schema.additionalProperties;
  const extra =
    additional && typeof additional === 'object'
      ? fc.dictionary(nastyString, mutated(cat, additional, depth + 1), { maxKeys: 3 })
      : fc.constant({});
  return fc
    .tuple(known, extra, fc.option(fc.tuple(fc.constantFrom('unknown_field', '__proto__', 'constructor'), nastyScalar)))
    .map(([k, e, stray]) => {
      const out: Record<string, unknown> = { ...(e as object), ...(k as object) };
      if (stray) Object.defineProperty(out, stray[0], { value: stray[1], enumerable: true, writable: true });
      return out;
    });
}

/** Mostly plausible, sometimes the wrong type or a nasty value. */
function mutated(cat: RouteCatalogue, schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: plausible(cat, schema, depth) },
    { weight: 2, arbitrary: nastyScalar },
    { weight: 1, arbitrary: fc.constant(deeplyNested(30)) },
  );
}

/** encodeURIComponent refuses lone surrogates; those go raw-escaped instead. */
function safeEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

export interface MalformedRequest {
  path: string;
  init: { method: string; headers: Record<string, string>; body?: string | Uint8Array };
  /** Shown on failure: what was sent. */
  describe: string;
}

const RAW_BODIES = [
  '',
  '{',
  '{"a":',
  'null',
  '[]',
  '"x"',
  '1e999',
  '{"a":1}{"b":2}',
  '\uFEFF{}',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
  `<e>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</e>`,
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
];

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'text/xml; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
];

/** One malformed request for `route`, built from its documented parameters and body. */
export function malformedRequest(
  cat: RouteCatalogue,
  route: SweptRoute,
  authorization: string | undefined,
  goodPathValues: Record<string, string[]>,
): fc.Arbitrary<MalformedRequest> {
  const pathParams = route.params.filter((p) => p.in === 'path');
  const queryParams = route.params.filter((p) => p.in === 'query');
  const pathValue = (name: string) =>
    fc.oneof(
      nastyString.filter((s) => s.length > 0),
      fc.constantFrom(...(goodPathValues[name] ?? ['x'])),
    );
  const path = fc.tuple(...pathParams.map((p) => pathValue(p.name))).map((values) =>
    route.template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const i = pathParams.findIndex((p) => p.name === name);
      return safeEncode(String(i >= 0 ? values[i] : 'x'));
    }),
  );
  const query = fc
    .tuple(
      ...queryParams.map((p) => fc.option(fc.oneof(plausible(cat, p.schema, 3), nastyString), { nil: undefined })),
      fc.option(fc.tuple(fc.constantFrom('unknown', 'limit', 'cursor'), nastyString), { nil: undefined }),
    )
    .map((values) => {
      const q = new URLSearchParams();
      queryParams.forEach((p, i) => {
        const v = values[i];
        if (v !== undefined) q.append(p.name, typeof v === 'string' ? v : JSON.stringify(v));
      });
      const stray = values[queryParams.length] as [string, string] | undefined;
      if (stray) q.append(stray[0], stray[1]);
      const s = q.toString();
      return s ? `?${s}` : '';
    });
  const jsonBody = route.body
    ? mutated(cat, route.body, 0).map((v) => JSON.stringify(v) ?? 'null')
    : fc.json({ maxDepth: 3 });
  const body = fc.oneof(
    { weight: 6, arbitrary: jsonBody },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_BODIES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );
  const hasBody = route.method !== 'GET' && route.method !== 'HEAD';
  return fc
    .record({
      path,
      query,
      body: hasBody ? body : fc.constant(undefined),
      contentType: fc.constantFrom(...CONTENT_TYPES),
      extraHeaders: fc.dictionary(
        fc.constantFrom(
          'x-hub-signature',
          'stripe-signature',
          'x-hubspot-signature-v3',
          'x-hubspot-request-timestamp',
          'accept',
          'soapaction',
        ),
        nastyString.map((s) => s.replace(/[^\x20-\x7e]/g, '')),
        { maxKeys: 2 },
      ),
    })
    .map(({ path, query, body, contentType, extraHeaders }) => {
      const headers: Record<string, string> = { ...extraHeaders };
      if (contentType) headers['content-type'] = contentType;
      if (authorization) headers.authorization = authorization;
      const url = `${path}${query}`;
      return {
        path: url,
        init: { method: route.method, headers, ...(body !== undefined ? { body } : {}) },
        describe: `${route.method} ${url} ${JSON.stringify(headers)} ${body === undefined ? '' : String(body).slice(0, 500)}`,
      };
    });
}
