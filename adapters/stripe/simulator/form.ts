/**
 * Stripe's request encoding for the simulator: application/x-www-form-urlencoded (and query
 * strings) with bracket notation, `metadata[key]=v`, `expand[0]=a` or `expand[]=a`.
 * https://docs.stripe.com/api/expanding_objects and the SDK's encoder (stripe-node utils).
 */

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

/** Parses `a[b][c]=v&list[0]=x` into nested objects; all-numeric or `[]` keys become arrays. */
export function parseStripeForm(encoded: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const path = splitKey(rawKey);
    if (!path) continue;
    let node: Record<string, FormValue> = root;
    for (let i = 0; i < path.length - 1; i++) {
      const segment = path[i] === '' ? String(nextIndex(node[path[i]])) : path[i];
      const existing = node[segment];
      if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) {
        node[segment] = {};
      }
      node = node[segment] as Record<string, FormValue>;
    }
    const last = path[path.length - 1];
    node[last === '' ? String(Object.keys(node).length) : last] = value;
  }
  return arrayify(root) as FormObject;
}

function splitKey(key: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return null;
  const rest = [...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]);
  return [match[1], ...rest];
}

function nextIndex(value: FormValue | undefined): number {
  return value && typeof value === 'object' ? Object.keys(value).length : 0;
}

function arrayify(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted: Record<string, FormValue> = {};
  for (const key of keys) converted[key] = arrayify(value[key]);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => converted[k]);
  }
  return converted;
}

/** Order-independent fingerprint of parsed params, to compare idempotent requests. */
export function fingerprint(method: string, path: string, params: FormObject): string {
  return `${method} ${path} ${canonical(params)}`;
}

function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}

export function stringParam(params: FormObject, key: string): string | undefined {
  const value = params[key];
  return typeof value === 'string' ? value : undefined;
}

/** String-valued map param such as `metadata`; nested values are not allowed by Stripe. */
export function mapParam(params: FormObject, key: string): Record<string, string> | 'invalid' {
  const value = params[key];
  if (value === undefined || value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value)) return 'invalid';
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return 'invalid';
    out[k] = v;
  }
  return out;
}

export function listParam(params: FormObject, key: string): string[] {
  const value = params[key];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function booleanParam(params: FormObject, key: string): boolean {
  return stringParam(params, key) === 'true';
}
