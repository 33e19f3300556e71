/**
 * Salesforce Canvas signed requests.
 * https://developer.salesforce.com/docs/atlas.en-us.platform_connect.meta/platform_connect/canvas_app_unsigning_code_example.htm
 *
 * `signed_request` = base64(HMAC-SHA256(consumer secret, encodedEnvelope)) + "." + encodedEnvelope,
 * where encodedEnvelope is the base64 of the CanvasRequest JSON. The HMAC is taken over the
 * encoded envelope exactly as sent, so it is verified before the envelope is decoded for use.
 * Web Crypto (`crypto.subtle.verify` compares in constant time) runs on Node and workerd alike.
 *
 * Only `context.organization.organizationId` is read before verification: it names the
 * connection whose consumer secret checks the signature. Nothing else is trusted until then.
 */
import { type Outcome, ok, permanent } from '../domain/outcome.js';

/** The parts of a CanvasRequest the hub reads. Salesforce sends more; it is kept, unread. */
export interface CanvasEnvelope {
  algorithm: string;
  issuedAt?: number | null;
  userId?: string;
  client: { oauthToken?: string; instanceUrl?: string; targetOrigin?: string; instanceId?: string };
  context: {
    user: { userId?: string; userName?: string; fullName?: string; profileId?: string; email?: string };
    organization: { organizationId: string; name?: string };
    environment?: {
      record?: { Id?: string; attributes?: { type?: string } };
      parameters?: Record<string, unknown>;
    };
  };
}

export interface ParsedSignedRequest {
  signature: Uint8Array;
  encodedEnvelope: string;
  envelope: CanvasEnvelope;
}

/** A signed request larger than this is refused before any decoding. */
export const MAX_SIGNED_REQUEST_CHARS = 256 * 1024;

const encoder = new TextEncoder();
const rejected = (reason: string) => permanent(`Canvas signed request rejected: ${reason}`, { status: 401 });

/** Standard or URL-safe base64, padding optional. */
function fromBase64(value: string): Uint8Array | null {
  if (value.length === 0 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return null;
  const standard = value.replaceAll('-', '+').replaceAll('_', '/');
  try {
    return Uint8Array.from(atob(standard), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits and decodes a signed request. The result is NOT verified: call verifyCanvasSignature. */
export function parseSignedRequest(signedRequest: string | null | undefined): Outcome<ParsedSignedRequest> {
  if (!signedRequest) return rejected('missing signed_request');
  if (signedRequest.length > MAX_SIGNED_REQUEST_CHARS) return rejected('signed_request is too large');
  const dot = signedRequest.indexOf('.');
  if (dot <= 0) return rejected('signed_request is not "<signature>.<envelope>"');
  const signature = fromBase64(signedRequest.slice(0, dot));
  const encodedEnvelope = signedRequest.slice(dot + 1);
  const envelopeBytes = fromBase64(encodedEnvelope);
  if (!signature || !envelopeBytes) return rejected('signature or envelope is not base64');
  let envelope: unknown;
  try {
    envelope = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(envelopeBytes));
  } catch {
    return rejected('envelope is not JSON');
  }
  if (!isObject(envelope) || !isObject(envelope.context) || !isObject(envelope.client)) {
    return rejected('envelope lacks context or client');
  }
  const { organization, user } = envelope.context;
  if (!isObject(organization) || typeof organization.organizationId !== 'string' || !isObject(user)) {
    return rejected('envelope lacks context.organization.organizationId or context.user');
  }
  if (envelope.algorithm !== 'HMACSHA256') return rejected('algorithm is not HMACSHA256');
  return ok({ signature, encodedEnvelope, envelope: envelope as unknown as CanvasEnvelope });
}

function hmacKey(secret: string, usage: 'sign' | 'verify') {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** True when the signature is the consumer secret's HMAC of the encoded envelope (constant-time compare). */
export async function verifyCanvasSignature(parsed: ParsedSignedRequest, consumerSecret: string): Promise<boolean> {
  if (!consumerSecret) return false;
  const key = await hmacKey(consumerSecret, 'verify');
  return crypto.subtle.verify('HMAC', key, parsed.signature, encoder.encode(parsed.encodedEnvelope));
}

/** Builds a signed request the way Salesforce does (tests, local tooling). */
export async function signCanvasRequest(envelope: unknown, consumerSecret: string): Promise<string> {
  const encodedEnvelope = toBase64(encoder.encode(JSON.stringify(envelope)));
  const key = await hmacKey(consumerSecret, 'sign');
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(encodedEnvelope)));
  return `${toBase64(signature)}.${encodedEnvelope}`;
}

/**
 * The record the canvas app was opened on: `environment.record.Id` (Canvas in a page layout or
 * Lightning component), else the `opportunityId` / `recordId` canvas parameter.
 */
export function canvasRecordId(envelope: CanvasEnvelope): string | null {
  const env = envelope.context.environment;
  const candidates = [env?.record?.Id, env?.parameters?.opportunityId, env?.parameters?.recordId];
  for (const c of candidates) if (typeof c === 'string' && c.length > 0) return c;
  return null;
}

/** Salesforce ids compare on their case-sensitive 15-character form (an 18-character id adds a checksum). */
export function sameSalesforceId(a: string, b: string): boolean {
  return a.length >= 15 && b.length >= 15 && a.slice(0, 15) === b.slice(0, 15);
}
