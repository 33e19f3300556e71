/**
 * Deterministic ids for rows that have a natural key (customer per CRM account, invoice per
 * contract × period × kind, ...). Two concurrent or repeated attempts compute the same id, so
 * "insert or ignore" plus references to that id are always consistent: no read-then-write race.
 */
import { sha256Hex } from './secrets.js';

export async function naturalId(prefix: string, orgId: string, ...parts: (string | number)[]): Promise<string> {
  const digest = await sha256Hex([orgId, ...parts].join('|'));
  return `${prefix}_${digest.slice(0, 32)}`;
}
