/**
 * The subset of Stripe's search query language the simulator understands: exact-match
 * clauses `field:'value'` and `metadata['key']:'value'` joined with AND.
 * https://docs.stripe.com/search#search-query-language
 */

export interface SearchClause {
  /** `['metadata', key]` or `[field]`. */
  path: string[];
  value: string;
}

const CLAUSE = /^(?:metadata\[(['"])(.+?)\1\]|([a-z_]+)):(['"])((?:\\.|(?!\4).)*)\4$/;

/** Parsed clauses, or an error message in Stripe's words when the query is not understood. */
export function parseSearchQuery(query: string): SearchClause[] | { error: string } {
  const parts = query.trim().split(/\s+AND\s+/);
  const clauses: SearchClause[] = [];
  for (const part of parts) {
    const match = CLAUSE.exec(part.trim());
    if (!match) return { error: `Invalid query: could not parse \`${part}\` (the simulator supports exact matches).` };
    const value = match[5].replace(/\\(.)/g, '$1');
    clauses.push({ path: match[2] !== undefined ? ['metadata', match[2]] : [match[3]], value });
  }
  return clauses;
}

export function matchesSearch(object: Record<string, unknown>, clauses: readonly SearchClause[]): boolean {
  return clauses.every((clause) => {
    let current: unknown = object;
    for (const key of clause.path) {
      current = current && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
    }
    return current !== undefined && current !== null && String(current) === clause.value;
  });
}
