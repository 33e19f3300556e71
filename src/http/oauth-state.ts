/**
 * The `state` of an OAuth redirect: a small JSON payload (org, nonce, expiry and what the callback
 * needs to finish) with an HMAC-SHA256 signature, so the callback can trust it without any API key
 * in a URL. The HMAC key is derived from the hub's AES key (which cannot be exported): the AES-GCM
 * encryption of a fixed label under a fixed IV is a deterministic, secret 32+16-byte string; its
 * first 32 bytes key the HMAC. The label is used for nothing else, so the fixed IV reveals nothing.
 */
import { type SecretKey, sha256Hex } from '../db/secrets.js';

const encoder = new TextEncoder();
const LABEL = 'cpq-hub oauth state signing key v1';
const FIXED_IV = new Uint8Array(12);
/** A state older than this is refused (the user took too long, or it was replayed). */
export const STATE_TTL_MS = 10 * 60_000;

const derived = new WeakMap<object, Promise<SecretKey>>();

function hmacKey(key: SecretKey): Promise<SecretKey> {
  let pending = derived.get(key as object);
  if (!pending) {
    pending = (async () => {
      const material = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: FIXED_IV }, key, encoder.encode(LABEL));
      return crypto.subtle.importKey(
        'raw',
        new Uint8Array(material).slice(0, 32),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign', 'verify'],
      );
    })();
    derived.set(key as object, pending);
  }
  return pending;
}

function b64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(text: string): Uint8Array {
  const binary = atob(
    text
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(text.length / 4) * 4, '='),
  );
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export interface OAuthState {
  orgId: string;
  nonce: string;
  /** Expiry, ms since the epoch. */
  exp: number;
  [extra: string]: unknown;
}

export async function signState(key: SecretKey, payload: { orgId: string; [extra: string]: unknown }, now: Date) {
  const state: OAuthState = {
    ...payload,
    nonce: (await sha256Hex(crypto.randomUUID())).slice(0, 32),
    exp: now.getTime() + STATE_TTL_MS,
  };
  const body = b64url(encoder.encode(JSON.stringify(state)));
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(key), encoder.encode(body));
  return `${body}.${b64url(new Uint8Array(mac))}`;
}

export type StateCheck = { ok: true; state: OAuthState } | { ok: false; reason: string };

export async function verifyState(key: SecretKey, token: string, now: Date): Promise<StateCheck> {
  const [body, mac, ...rest] = token.split('.');
  if (!body || !mac || rest.length > 0) return { ok: false, reason: 'malformed state' };
  let valid: boolean;
  try {
    valid = await crypto.subtle.verify('HMAC', await hmacKey(key), fromB64url(mac), encoder.encode(body));
  } catch {
    return { ok: false, reason: 'malformed state' };
  }
  if (!valid) return { ok: false, reason: 'state signature does not match' };
  let state: OAuthState;
  try {
    state = JSON.parse(new TextDecoder().decode(fromB64url(body))) as OAuthState;
  } catch {
    return { ok: false, reason: 'malformed state' };
  }
  if (typeof state.orgId !== 'string' || typeof state.exp !== 'number') return { ok: false, reason: 'malformed state' };
  if (state.exp <= now.getTime()) return { ok: false, reason: 'state expired; start the connection again' };
  return { ok: true, state };
}
