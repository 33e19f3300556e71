/**
 * HubSpot webhooks: v3 request signatures and deal subscription events.
 * https://developers.hubspot.com/docs/api/webhooks/validating-requests
 * https://developers.hubspot.com/docs/api/webhooks (event payload)
 *
 * Signed with Web Crypto rather than the SDK's `Signature.isValid`: that helper reads the wall
 * clock itself (Date.now(), no injectable time), throws on a stale timestamp instead of
 * answering, compares signatures with `===` (not constant time), does not decode the URI
 * characters HubSpot's v3 rules decode, and needs node:crypto. Web Crypto runs unchanged on
 * Node and workerd, and `crypto.subtle.verify` compares in constant time.
 */
import { type Outcome, ok, permanent } from '../../src/domain/outcome.js';

export const SIGNATURE_HEADER = 'X-HubSpot-Signature-v3';
export const TIMESTAMP_HEADER = 'X-HubSpot-Request-Timestamp';
/** HubSpot: reject a request whose timestamp is older than 5 minutes. */
export const MAX_AGE_MS = 5 * 60 * 1000;

/**
 * HubSpot signs the request URI with these percent-encodings decoded (request-validation
 * page, "Validate the v3 request signature"); every other encoding stays as sent.
 */
const DECODED_IN_URI: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function signedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED_IN_URI[m.toUpperCase()]);
}

const encoder = new TextEncoder();

function hmacKey(clientSecret: string, usage: 'sign' | 'verify'): ReturnType<typeof crypto.subtle.importKey> {
  return crypto.subtle.importKey('raw', encoder.encode(clientSecret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    usage,
  ]);
}

function sourceString(method: string, url: string, body: string, timestamp: string): Uint8Array {
  return encoder.encode(`${method.toUpperCase()}${signedUri(url)}${body}${timestamp}`);
}

function toBase64(bytes: ArrayBuffer): string {
  let binary = '';
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(value: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  try {
    return Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)). */
export async function signV3(input: {
  method: string;
  url: string;
  body: string;
  timestamp: string;
  clientSecret: string;
}): Promise<string> {
  const key = await hmacKey(input.clientSecret, 'sign');
  return toBase64(
    await crypto.subtle.sign('HMAC', key, sourceString(input.method, input.url, input.body, input.timestamp)),
  );
}

export interface VerifyWebhookInput {
  method: string;
  /** The full URL HubSpot called, as configured in the app (https://host/path?query). */
  url: string;
  /** The body exactly as received. */
  rawBody: string;
  /** X-HubSpot-Signature-v3 */
  signature: string | null | undefined;
  /** X-HubSpot-Request-Timestamp (epoch milliseconds) */
  timestamp: string | null | undefined;
  clientSecret: string;
  now: () => Date;
}

const rejected = (reason: string) => permanent(`HubSpot webhook rejected: ${reason}`, { status: 401 });

export async function verifyWebhookV3(input: VerifyWebhookInput): Promise<Outcome<void>> {
  const { signature, timestamp } = input;
  if (!signature) return rejected(`missing ${SIGNATURE_HEADER} header`);
  if (!timestamp || !/^\d+$/.test(timestamp)) return rejected(`missing or malformed ${TIMESTAMP_HEADER} header`);
  const age = input.now().getTime() - Number(timestamp);
  if (age > MAX_AGE_MS) return rejected(`timestamp is ${Math.round(age / 1000)} s old (limit 300 s)`);
  // A timestamp from the future beyond the same window is as suspicious as an old one.
  if (age < -MAX_AGE_MS) return rejected('timestamp is more than 5 minutes in the future');
  const given = fromBase64(signature.trim());
  if (!given) return rejected('signature is not base64');
  const key = await hmacKey(input.clientSecret, 'verify');
  const valid = await crypto.subtle.verify(
    'HMAC',
    key,
    given,
    sourceString(input.method, input.url, input.rawBody, timestamp),
  );
  return valid ? ok(undefined) : rejected('signature does not match');
}

/** One subscription event of a HubSpot webhook batch, in our terms. */
export interface HubSpotDealEvent {
  eventId: string;
  subscriptionType: string;
  portalId: string | null;
  objectId: string;
  propertyName: string | null;
  propertyValue: string | null;
  /** Epoch milliseconds, as HubSpot sends it. */
  occurredAt: number;
  changeSource: string | null;
}

const idOf = (v: unknown): string | null =>
  (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v)) ? String(v) : null;
const strOf = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Parses the JSON array HubSpot posts (up to 100 events per request). */
export function parseDealEvents(rawBody: string): Outcome<HubSpotDealEvent[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return permanent('HubSpot webhook body is not JSON', { status: 400 });
  }
  if (!Array.isArray(parsed)) return permanent('HubSpot webhook body is not an array of events', { status: 400 });
  const events: HubSpotDealEvent[] = [];
  for (const [index, raw] of parsed.entries()) {
    const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const eventId = idOf(e.eventId);
    const objectId = idOf(e.objectId);
    const subscriptionType = strOf(e.subscriptionType);
    const occurredAt = e.occurredAt;
    if (!eventId || !objectId || !subscriptionType || typeof occurredAt !== 'number' || !Number.isFinite(occurredAt)) {
      return permanent(`HubSpot webhook event ${index} lacks eventId, objectId, subscriptionType or occurredAt`, {
        status: 400,
        field: `[${index}]`,
      });
    }
    events.push({
      eventId,
      subscriptionType,
      portalId: idOf(e.portalId),
      objectId,
      propertyName: strOf(e.propertyName),
      propertyValue: strOf(e.propertyValue),
      occurredAt,
      changeSource: strOf(e.changeSource),
    });
  }
  return { ok: true, value: events };
}

/** Only a deal's dealstage changing to one of the trigger stages starts the flow. */
export function isStageTransition(event: HubSpotDealEvent, triggerStageIds: Iterable<string>): boolean {
  if (event.subscriptionType !== 'deal.propertyChange' || event.propertyName !== 'dealstage') return false;
  const value = event.propertyValue;
  return value !== null && new Set(triggerStageIds).has(value);
}

/**
 * HubSpot event ids are not unique across subscriptions and retries, so the inbox dedupes on
 * what the event says happened: this deal reached this value at this moment.
 */
export function dealEventDedupeKey(event: HubSpotDealEvent): string {
  return `${event.objectId}:${event.propertyValue}:${event.occurredAt}`;
}
