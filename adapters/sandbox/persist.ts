/**
 * A simulator's state as JSON and back, so a simulated vendor account outlives its process
 * (`npm run simulators`, a second `npm start` on the same ./data): what the hub created at a
 * vendor must still be there after a restart, as it would be at the real vendor.
 *
 * The state is Maps, Sets, decimals, byte arrays and a few small classes; JSON has none of them,
 * so `encodeState` tags them (`{"$map": [...]}` ...) and `restoreInto` writes a snapshot back
 * into a freshly built simulator's own objects, in place: the route files keep the references
 * they were built with, and functions (clocks, methods) stay the new simulator's.
 * Runtime-neutral: the file side is src/runtime/simulator-files.ts.
 */
import Decimal from 'decimal.js';
import { IdempotencyCache } from './idempotency.js';

/** Classes a snapshot may hold inside a Map or an array (elsewhere the target's own instance is reused). */
const CLASSES: Record<string, new () => object> = { IdempotencyCache };

type Tagged =
  | { $map: [unknown, unknown][] }
  | { $set: unknown[] }
  | { $decimal: string }
  | { $bytes: string }
  | { $date: string }
  | { $class: string; fields: Record<string, unknown> };

const isTag = (v: unknown, tag: string): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && tag in v && Object.keys(v).length <= 2;

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function encodeFields(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'function') continue;
    out[key] = encodeState(field);
  }
  return out;
}

/** The value as JSON-safe data (functions left out). */
export function encodeState(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') throw new Error('simulator state: bigint is not persisted');
    return typeof value === 'function' ? undefined : value;
  }
  if (Array.isArray(value)) return value.map(encodeState);
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [encodeState(k), encodeState(v)]) } as Tagged;
  if (value instanceof Set) return { $set: [...value].map(encodeState) } as Tagged;
  if (Decimal.isDecimal(value)) return { $decimal: (value as Decimal).toString() } as Tagged;
  if (value instanceof Uint8Array) return { $bytes: toBase64(value) } as Tagged;
  if (value instanceof Date) return { $date: value.toISOString() } as Tagged;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return encodeFields(value);
  const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? '';
  // Tagged with its class: restored in place where the new simulator has one (restoreInto),
  // rebuilt from CLASSES inside a Map or an array (decodeState).
  return { $class: name, fields: encodeFields(value) } as Tagged;
}

/** A new value from encoded data (for places where the target holds nothing to reuse). */
export function decodeState(data: unknown): unknown {
  if (data === null || typeof data !== 'object') return data;
  if (Array.isArray(data)) return data.map(decodeState);
  const d = data as Record<string, unknown>;
  if (isTag(d, '$map'))
    return new Map((d.$map as [unknown, unknown][]).map(([k, v]) => [decodeState(k), decodeState(v)]));
  if (isTag(d, '$set')) return new Set((d.$set as unknown[]).map(decodeState));
  if (isTag(d, '$decimal')) return new Decimal(d.$decimal as string);
  if (isTag(d, '$bytes')) return fromBase64(d.$bytes as string);
  if (isTag(d, '$date')) return new Date(d.$date as string);
  if (isTag(d, '$class')) {
    const Class = CLASSES[d.$class as string];
    if (!Class) throw new Error(`simulator state: unknown class ${String(d.$class)}`);
    const instance = Object.create(Class.prototype) as Record<string, unknown>;
    for (const [key, field] of Object.entries(d.fields as Record<string, unknown>)) instance[key] = decodeState(field);
    return instance;
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(d)) out[key] = decodeState(field);
  return out;
}

/**
 * Writes `data` (from encodeState of an object shaped like `target`) into `target` in place:
 * Maps, Sets and arrays are emptied and refilled, nested objects and class instances are
 * restored field by field, functions and frozen objects are left as they are.
 */
export function restoreInto(target: object, data: unknown): void {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return;
  const fields = isTag(data, '$class')
    ? ((data as { fields: Record<string, unknown> }).fields ?? {})
    : (data as Record<string, unknown>);
  const t = target as Record<string, unknown>;
  for (const [key, encoded] of Object.entries(fields)) {
    const current = t[key];
    if (typeof current === 'function') continue;
    if (encoded === null || typeof encoded !== 'object') {
      t[key] = encoded;
      continue;
    }
    const decoded = () => decodeState(encoded);
    if (current instanceof Map) {
      current.clear();
      for (const [k, v] of decoded() as Map<unknown, unknown>) current.set(k, v);
    } else if (current instanceof Set) {
      current.clear();
      for (const v of decoded() as Set<unknown>) current.add(v);
    } else if (Array.isArray(current)) {
      current.length = 0;
      current.push(...(decoded() as unknown[]));
    } else if (
      typeof current === 'object' &&
      current !== null &&
      !Decimal.isDecimal(current) &&
      !(current instanceof Uint8Array) &&
      !(current instanceof Date)
    ) {
      if (!Object.isFrozen(current)) restoreInto(current, encoded);
    } else {
      t[key] = decoded();
    }
  }
}

/** What each simulator offers for persistence: its state as JSON and back. */
export interface PersistentSimulator {
  snapshot(): unknown;
  restore(snapshot: unknown): void;
}

/** The persistence pair for a simulator whose whole state hangs off `root`. */
export function persistentRoot(root: object): PersistentSimulator {
  return {
    snapshot: () => encodeState(root),
    restore: (snapshot) => restoreInto(root, snapshot),
  };
}
