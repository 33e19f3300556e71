/**
 * Deterministic ids for rows that have a natural key (customer per CRM account, invoice per
 * contract × period × kind, ...). Two concurrent or repeated attempts compute the same id, so
 * "insert or ignore" plus references to that id are always consistent: no read-then-write race.
 */
import { sha256HexSync } from './secrets.js';

/** The id, computed on the spot (naturalId() for callers that await it). */
export function naturalIdSync(prefix: string, orgId: string, ...parts: (string | number)[]): string {
  return `${prefix}_${sha256HexSync([orgId, ...parts].join('|')).slice(0, 32)}`;
}

export async function naturalId(prefix: string, orgId: string, ...parts: (string | number)[]): Promise<string> {
  return naturalIdSync(prefix, orgId, ...parts);
}
