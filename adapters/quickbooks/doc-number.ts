/**
 * QuickBooks caps DocNumber (and PaymentRefNum) at 21 characters
 * (https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice, DocNumber
 * "max 21 chars"), while our references (ledger entry ids, refund ids, long invoice prefixes) can be
 * longer. One rule turns any reference into the number we write AND the number we look up by, for
 * every document kind, so a lookup after an unknown outcome finds what an earlier attempt wrote:
 *
 *   - a reference of at most 21 characters is kept as it is (invoice numbers stay readable);
 *   - a longer one becomes its first 7 characters, "~", and a 13-character base-36 FNV-1a 64-bit
 *     hash of the whole reference: 21 characters, the same on every runtime and every call.
 *
 * The "~" never occurs in our own numbers, so a shortened reference cannot equal a kept one.
 * The hash is synchronous and pure (no WebCrypto, which is async), so map.ts stays pure.
 */

export const DOC_NUMBER_MAX = 21;
const PREFIX = 7;
const HASH_CHARS = 13;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** FNV-1a over the UTF-8 bytes of `text`, 64 bits (http://www.isthe.com/chongo/tech/comp/fnv/). */
export function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash;
}

/** Our reference as a QuickBooks document number (≤ 21 characters, deterministic). */
export function docNumberFor(reference: string): string {
  if (reference.length <= DOC_NUMBER_MAX) return reference;
  const hash = fnv1a64(reference).toString(36).padStart(HASH_CHARS, '0');
  return `${reference.slice(0, PREFIX)}~${hash}`;
}
