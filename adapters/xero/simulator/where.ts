/**
 * The part of Xero's `where` filter the hub sends: terms `Field=="value"` and
 * `Field.StartsWith("value")` (a field path may be dotted, `Contact.ContactID`) joined by `&&` or
 * `AND`; values in double quotes with `\"` and `\\` escapes.
 * https://developer.xero.com/documentation/api/accounting/requests-and-responses#retrieving-a-filtered-set
 */
import type { Json } from './state.js';

type Term = { path: string[]; op: 'eq' | 'startsWith'; value: string };

const TERM =
  /^\s*([A-Za-z][\w.]*?)(?:\s*==\s*"((?:[^"\\]|\\.)*)"|\.StartsWith\("((?:[^"\\]|\\.)*)"\))\s*(?:&&|AND\s|$)/;

/** The terms of a filter, or null when it is not one the simulator reads. */
export function parseWhere(where: string): Term[] | null {
  const terms: Term[] = [];
  let rest = where.trim();
  while (rest !== '') {
    const match = TERM.exec(rest);
    if (!match) return null;
    const unquote = (s: string) => s.replace(/\\(.)/g, '$1');
    terms.push(
      match[2] !== undefined
        ? { path: match[1]!.split('.'), op: 'eq', value: unquote(match[2]) }
        : { path: match[1]!.split('.'), op: 'startsWith', value: unquote(match[3]!) },
    );
    rest = rest.slice(match[0].length).trim();
  }
  return terms;
}

function valueAt(object: Json, path: string[]): unknown {
  let current: unknown = object;
  for (const key of path) current = current && typeof current === 'object' ? (current as Json)[key] : undefined;
  return current;
}

export function matches(object: Json, terms: Term[]): boolean {
  return terms.every((term) => {
    const value = valueAt(object, term.path);
    if (typeof value !== 'string') return false;
    return term.op === 'eq' ? value === term.value : value.startsWith(term.value);
  });
}
