/**
 * Salesforce record ids: 15 case-sensitive characters, or 18 with a 3-character suffix that
 * encodes the case of the first 15 so the id survives case-insensitive systems. The first 3
 * characters are the object's key prefix (006 Opportunity, 001 Account, ...).
 * https://help.salesforce.com/s/articleView?id=000385008 (15- vs 18-character ids)
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The 3-character case-checksum suffix of a 15-character id. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15[chunk * 5 + i];
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** The 18-character form of a valid 15- or 18-character id. */
export function toId18(id: string): string {
  return id.length === 18 ? id : id + idSuffix(id);
}

/**
 * Checks shape, key prefix and (for 18-character ids) the case checksum. Returns a reason
 * when the id is malformed, or null when it looks like a real id of that object.
 */
export function checkId(id: string, keyPrefix: string): string | null {
  if (!ID_PATTERN.test(id)) return 'must be 15 or 18 letters and digits';
  if (!id.startsWith(keyPrefix)) return `must start with the key prefix ${keyPrefix}`;
  if (id.length === 18 && id.slice(15).toUpperCase() !== idSuffix(id.slice(0, 15))) {
    return 'its 18-character checksum does not match';
  }
  return null;
}

/** Same record? Ids compare case-sensitively on their first 15 characters. */
export function sameId(a: string, b: string): boolean {
  return a.slice(0, 15) === b.slice(0, 15);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A deterministic, valid-looking 18-character id: key prefix, a fixed pod/instance part and
 * a base-62 counter (used by the simulator; real ids come from Salesforce).
 */
export function makeId(keyPrefix: string, counter: number): string {
  let n = counter;
  let digits = '';
  do {
    digits = BASE62[n % 62] + digits;
    n = Math.floor(n / 62);
  } while (n > 0);
  const id15 = `${keyPrefix}8c000${digits.padStart(7, '0')}`;
  return toId18(id15);
}
