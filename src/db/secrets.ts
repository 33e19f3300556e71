/**
 * Vendor credentials are encrypted at rest with AES-GCM (Web Crypto, same code on Node and
 * Workers). The hub's own API keys are stored as SHA-256 hashes: they are 32 random bytes,
 * so a fast hash is enough and lookups stay a single indexed read.
 */
import { createHash } from 'node:crypto';

/** The AES key type, spelled without DOM lib types so it compiles for Node and Workers alike. */
export type SecretKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Imports a base64-encoded 256-bit key (HUB_ENCRYPTION_KEY). */
export async function importEncryptionKey(base64Key: string): Promise<SecretKey> {
  const raw = fromBase64(base64Key);
  if (raw.length !== 32) throw new RangeError('HUB_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export function generateEncryptionKey(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** Encrypts a JSON value; output is "v1.<iv>.<ciphertext>" in base64. */
export async function encryptSecret(key: SecretKey, value: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(JSON.stringify(value)));
  return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(cipher))}`;
}

export async function decryptSecret<T>(key: SecretKey, sealed: string): Promise<T> {
  const [version, iv, cipher] = sealed.split('.');
  if (version !== 'v1' || !iv || !cipher) throw new Error('unrecognised secret format');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv) }, key, fromBase64(cipher));
  return JSON.parse(decoder.decode(plain)) as T;
}

/**
 * SHA-256 of a string, hex. node:crypto's createHash (on Node, and on workerd under
 * `nodejs_compat`) hashes on the spot: Web Crypto's digest() hands every call to a worker thread
 * and back, which cost more than the hash itself for the short ids and idempotency keys the
 * invoice pipeline derives (about twenty per invoice; bench/invoice-pipeline.ts).
 */
export function sha256HexSync(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export async function sha256Hex(text: string): Promise<string> {
  return sha256HexSync(text);
}

/** A new API key: "hub_" + 32 random bytes hex. Returned once; only its hash is stored. */
export function generateApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `hub_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A secret for an inbound URL: 32 random bytes, hex. Shown once; only its SHA-256 is stored. */
export function generateUrlToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether two strings are equal, taking the same time wherever they differ (used on digests of
 * equal length, so the length check reveals nothing).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
